/**
 * The discord.js gateway client. Intents: Guilds (guilds, channels, threads), GuildMessages and
 * MessageContent (to see photos dropped in a channel and the words beside them; MESSAGE CONTENT
 * is a privileged intent switched on in the developer portal). Every REST call goes to
 * DISCORD_API_URL, and the gateway URL comes from `GET <base>/v10/gateway/bot`, so a local
 * stand-in can play Discord in tests. The client runs this process's shards (shards.ts): all in
 * one process, each guild's events arriving on its own shard.
 */
import { Client, GatewayIntentBits, REST } from 'discord.js'
import type { Shards } from './shards.ts'

export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
]

export function createClient(apiUrl: string, shards: Shards): Client {
  return new Client({
    intents: INTENTS,
    rest: { api: apiUrl },
    ...(shards === 'auto' ? { shards: 'auto' } : { shards: shards.ids, shardCount: shards.count }),
  })
}

/**
 * A REST client for the delivery worker. Its 5xx retries are the worker's own (with backoff);
 * @discordjs/rest still waits out 429 Retry-After by itself.
 */
export function createRest(apiUrl: string, token: string): REST {
  return new REST({ api: apiUrl, retries: 0 }).setToken(token)
}
