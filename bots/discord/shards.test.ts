/**
 * Shards end to end with the real discord.js client against the Discord stand-in: one bot
 * process identifies every shard Discord recommends and answers commands from guilds on each;
 * DISCORD_SHARD_IDS runs only some shards; a bad shard setting stops the process naming it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REST } from 'discord.js'
import { ConfigError, parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import {
  type DiscordStandin,
  type InteractionRecord,
  shardOf,
  startStandin,
} from '../../test/discord-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type DiscordBot, startDiscordBot } from './bot.ts'
import { deployCommands } from './deploy.ts'
import { shardsOf } from './shards.ts'

const ON_0 = '1200000000004194304' // (id >> 22) % 2 === 0
const ON_1 = '1200000000008388608' // (id >> 22) % 2 === 1

let standin: DiscordStandin
let stack: Stack
let bot: DiscordBot | undefined
const dir = mkdtempSync(join(tmpdir(), 'cm-shards-'))

beforeAll(async () => {
  standin = startStandin({
    // Too many guilds for one shard: an unsharded session is closed with 4011. Discord's own
    // max_concurrency of 1: shard 1 may identify only 5 s after shard 0.
    shards: 2,
    requiredShards: 2,
    guilds: [
      { id: ON_0, name: 'Garage on shard 0', channels: [{ id: '1300000000000000081', name: 'garage' }] },
      { id: ON_1, name: 'Garage on shard 1', channels: [{ id: '1300000000000000082', name: 'garage' }] },
    ],
  })
  stack = await startStack({
    env: {
      DISCORD_TOKEN: standin.token,
      DISCORD_APP_ID: standin.applicationId,
      DISCORD_API_URL: standin.apiUrl,
      DISCORD_FILE_HOSTS: standin.fileHost,
    },
  })
  await deployCommands({
    rest: new REST({ api: standin.apiUrl }).setToken(standin.token),
    applicationId: standin.applicationId,
  })
}, 30_000)

afterAll(async () => {
  await bot?.close()
  await stack?.close()
  await standin?.close()
  rmSync(dir, { recursive: true, force: true })
})

/** `bun bots/discord/index.ts` against a stand-in, on the test stack's Redis: its output so far, and its exit. */
function runBot(discord: DiscordStandin, env: Record<string, string>) {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, 'index.ts')], {
    cwd: dir,
    env: {
      DISCORD_TOKEN: discord.token,
      DISCORD_APP_ID: discord.applicationId,
      DISCORD_API_URL: discord.apiUrl,
      REDIS_URL: stack.config.REDIS_URL!,
      SERVICE_TOKEN: stack.config.SERVICE_TOKEN!,
      ITEMS_URL: stack.config.ITEMS_URL,
      QUEUE_PREFIX: `${stack.config.QUEUE_PREFIX}shards`,
      ...env,
    },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let output = ''
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true })
  }
  const timer = setTimeout(() => proc.kill(), 20_000)
  const exited = Promise.all([proc.exited, drain(proc.stdout), drain(proc.stderr)]).then(([code]) => {
    clearTimeout(timer)
    return { code, output }
  })
  return { output: () => output, exited }
}

async function answer(rec: InteractionRecord) {
  const msg = await standin.waitFor(
    () => rec.followups[0] ?? (rec.originalEdits > 0 ? rec.original : undefined),
    10_000,
    `answer to ${rec.id}`,
  )
  return `${msg.content}\n${JSON.stringify(msg.embeds)}`
}

test('the guilds of the test sit on different shards of two', () => {
  expect([shardOf(ON_0, 2), shardOf(ON_1, 2)]).toEqual([0, 1])
})

describe('a stand-in recommending two shards', () => {
  test('one bot process identifies both, is ready only with both, and answers commands on each', async () => {
    const from = standin.identifiedShards.length
    bot = await startDiscordBot({ config: stack.config, token: standin.token, log: silentLogger })
    expect(standin.identifiedShards.slice(from)).toEqual([
      [0, 2],
      [1, 2],
    ])
    expect([...bot.client.ws.shards.keys()]).toEqual([0, 1])
    // Ready came after shard 1's guilds too, though shard 1 identified 5 s after shard 0.
    expect(bot.client.guilds.cache.map((g) => g.id).sort()).toEqual([ON_0, ON_1])

    const onShard1 = standin.sendCommand(ON_1, 'car', 'add', { nickname: 'golf', make: 'VW' })
    const onShard0 = standin.sendCommand(ON_0, 'car', 'add', { nickname: 'polo', make: 'VW' })
    expect(await answer(onShard1)).toContain('golf')
    expect(await answer(onShard0)).toContain('polo')
    for (const rec of [onShard1, onShard0]) expect(rec.callbacks.map((c) => c.status)).toEqual([204])
  }, 30_000)

  test('DISCORD_SHARD_IDS=1 identifies only shard 1, and answers its guild', async () => {
    await bot?.close()
    bot = undefined
    const from = standin.identifiedShards.length
    bot = await startDiscordBot({
      config: { ...stack.config, DISCORD_SHARD_COUNT: 2, DISCORD_SHARD_IDS: '1' },
      token: standin.token,
      log: silentLogger,
    })
    expect(standin.identifiedShards.slice(from)).toEqual([[1, 2]])
    expect(bot.client.guilds.cache.map((g) => g.id)).toEqual([ON_1])
    expect(await answer(standin.sendCommand(ON_1, 'car', 'list'))).toContain('golf')
  }, 30_000)
})

test('DISCORD_SHARD_COUNT below what Discord requires: the bot refuses to start, saying so', async () => {
  await bot?.close()
  bot = undefined
  const from = standin.identifiedShards.length
  const started = startDiscordBot({
    config: { ...stack.config, DISCORD_SHARD_COUNT: 1 },
    token: standin.token,
    log: silentLogger,
  })
  await expect(started).rejects.toThrow('Sharding is required')
  expect(standin.identifiedShards.length).toBe(from)
  expect(standin.connected).toBe(0)
}, 30_000)

describe('shard settings', () => {
  test('unset: the recommended count, every shard; a count alone: every shard of it; ids and ranges', () => {
    expect(shardsOf({})).toBe('auto')
    expect(shardsOf({ DISCORD_SHARD_COUNT: 3 })).toEqual({ ids: [0, 1, 2], count: 3 })
    expect(shardsOf({ DISCORD_SHARD_COUNT: 8, DISCORD_SHARD_IDS: '6,0-2,1' })).toEqual({
      ids: [0, 1, 2, 6],
      count: 8,
    })
  })

  test('a bad value is refused naming the setting', () => {
    const bad = [
      [{ DISCORD_SHARD_IDS: '1' }, 'DISCORD_SHARD_IDS is set without DISCORD_SHARD_COUNT'],
      [{ DISCORD_SHARD_COUNT: 4, DISCORD_SHARD_IDS: '3-1' }, 'DISCORD_SHARD_IDS is malformed: "3-1"'],
      [{ DISCORD_SHARD_COUNT: 4, DISCORD_SHARD_IDS: '0,4' }, 'shard ids run from 0 to 3'],
    ] as const
    for (const [config, message] of bad) {
      expect(() => shardsOf(config)).toThrow(ConfigError)
      expect(() => shardsOf(config)).toThrow(message)
    }
    expect(() => parseConfig({ DISCORD_SHARD_COUNT: '0' })).toThrow('DISCORD_SHARD_COUNT is malformed: "0"')
    expect(() => parseConfig({ DISCORD_SHARD_COUNT: 'two' })).toThrow('DISCORD_SHARD_COUNT is malformed')
    expect(() => parseConfig({ DISCORD_SHARD_IDS: '0..3' })).toThrow('DISCORD_SHARD_IDS is malformed: "0..3"')
  })

  test('the bot process refuses to start on a bad shard setting, naming it', async () => {
    const from = standin.identifiedShards.length
    const zero = await runBot(standin, { DISCORD_SHARD_COUNT: '0' }).exited
    expect(zero.code).toBe(2)
    expect(zero.output).toContain('DISCORD_SHARD_COUNT is malformed: "0"')
    const beyond = await runBot(standin, { DISCORD_SHARD_COUNT: '2', DISCORD_SHARD_IDS: '2' }).exited
    expect(beyond.code).toBe(1)
    expect(beyond.output).toContain('DISCORD_SHARD_IDS is malformed')
    expect(standin.identifiedShards.length).toBe(from)
  }, 40_000)
})

test('a shard closed for good after ready stops the bot process (exit 1) so it is started again', async () => {
  const other = startStandin({ shards: 2, maxConcurrency: 2 })
  try {
    const bot = runBot(other, {})
    await other.waitFor(() => bot.output().includes('discord gateway ready'), 15_000, 'the bot ready')
    expect(other.connected).toBe(2)
    other.closeShard(1, 4004, 'Authentication failed.')
    const { code, output } = await bot.exited
    expect(code).toBe(1)
    expect(output).toContain('shard 1 closed for good')
  } finally {
    await other.close()
  }
}, 40_000)
