/**
 * The bot's DM channel with a Discord member, for the private copies of reminders
 * (`/garage me reminders:dm`): Discord's `POST /users/@me/channels` with the bot token, asked once
 * when the member chooses it; the channel id is kept with their choice and the Discord delivery
 * posts there like in any channel. A DM the member closed or blocked fails at delivery, which
 * logs it; the channel post still mentions them.
 */
import type { Config } from '../../../lib/config.ts'
import { UserError } from '../../handler.ts'

export async function discordDmChannel(config: Config, userId: string): Promise<string> {
  if (!config.DISCORD_TOKEN)
    throw new UserError(
      'reminders: private copies on Discord need the worker to have the bot token (DISCORD_TOKEN); ask whoever runs Car Manager. Nothing was changed.',
      'reminders',
    )
  const res = await fetch(`${config.DISCORD_API_URL.replace(/\/$/, '')}/v10/users/@me/channels`, {
    method: 'POST',
    headers: { authorization: `Bot ${config.DISCORD_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ recipient_id: userId }),
    signal: AbortSignal.timeout(10_000),
  })
  const body = (await res.json().catch(() => ({}))) as { id?: unknown }
  if (res.status >= 400 && res.status < 500 && res.status !== 429)
    throw new UserError(
      `reminders: Discord would not open a DM with you (${res.status}); nothing was changed.`,
      'reminders',
    )
  // a 429 or 5xx is worth another attempt (the queue retries the job)
  if (!res.ok || typeof body.id !== 'string') throw new Error(`Discord's DM channel answer was ${res.status}`)
  return body.id
}
