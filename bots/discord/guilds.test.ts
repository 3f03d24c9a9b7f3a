/**
 * A Discord server that removes the bot: the real discord.js client on the stand-in's gateway
 * gets GUILD_DELETE and the garage is marked leaving in the items service (with its date); the
 * bot added back (GUILD_CREATE) clears the mark and keeps the garage. Another server is untouched.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { silentLogger } from '../../lib/log.ts'
import { type DiscordStandin, startStandin } from '../../test/discord-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type DiscordBot, startDiscordBot } from './bot.ts'

const G = '1200000000000000081'
const OTHER = '1200000000000000082'

let standin: DiscordStandin
let stack: Stack
let bot: DiscordBot

beforeAll(async () => {
  standin = startStandin({
    guilds: [
      { id: G, name: 'Leaving garage', channels: [{ id: '1300000000000000081', name: 'garage' }] },
      { id: OTHER, name: 'Staying garage', channels: [{ id: '1300000000000000082', name: 'garage' }] },
    ],
  })
  stack = await startStack({
    services: ['items'],
    worker: false,
    env: {
      DISCORD_TOKEN: standin.token,
      DISCORD_APP_ID: standin.applicationId,
      DISCORD_API_URL: standin.apiUrl,
    },
  })
  bot = await startDiscordBot({
    config: stack.config,
    token: standin.token,
    log: silentLogger,
    delivery: false,
  })
}, 30_000)

afterAll(async () => {
  await bot?.close()
  await stack?.close()
  await standin?.close()
})

async function leaving(guild: string): Promise<{ since: string | null; reason: string | null }> {
  const res = await fetch(`${stack.url('items')}/tenant/leaving`, {
    headers: stack.headers(`discord:${guild}`),
  })
  return (await res.json()) as { since: string | null; reason: string | null }
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const end = performance.now() + 5_000
  for (;;) {
    const v = await read()
    if (ok(v)) return v
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(25)
  }
}

test('removed from a server: its garage is marked leaving; added back: the mark is cleared', async () => {
  expect((await leaving(G)).since).toBeNull()
  standin.removeFromGuild(G)
  const marked = await until(
    () => leaving(G),
    (l) => l.since !== null,
    'the leaving mark',
  )
  expect(marked.reason).toBe('removed from the Discord server')
  expect(Date.parse(marked.since!)).toBeGreaterThan(Date.now() - 60_000)
  expect((await leaving(OTHER)).since).toBeNull()

  standin.addToGuild(G)
  await until(
    () => leaving(G),
    (l) => l.since === null,
    'the mark cleared',
  )
}, 20_000)
