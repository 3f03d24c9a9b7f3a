/**
 * The bot removed from a server (`guildDelete`, not an outage: `guild.available` is then true)
 * marks its garage leaving; a server the bot is in (`guildCreate`, at start and when added
 * back) clears the mark (bots/shared/garage-presence.ts).
 */
import { type Client, Events } from 'discord.js'
import type { GaragePresence } from '../shared/garage-presence.ts'

export function registerGuildPresence(client: Client, presence: GaragePresence): void {
  client.on(Events.GuildDelete, (guild) => {
    // An outage makes a guild unavailable too; only a removal leaves it available.
    if (!guild.available) return
    void presence.left(`discord:${guild.id}`, 'removed from the Discord server')
  })
  client.on(Events.GuildCreate, (guild) => void presence.seen(`discord:${guild.id}`))
}
