/**
 * Redis stopped briefly and for longer than BullMQ's drain delay, with each platform's real
 * delivery in the bot's place and a platform that takes 150 ms a post, like a real Discord or
 * Slack post: the terminal chat's inbox, the Discord delivery (discord.js REST against the
 * Discord stand-in) and the Slack delivery (Bolt's WebClient against the Slack stand-in), each
 * behind the real worker process and items service. A reply job whose completion is lost while
 * Redis is down is handed out again once its lock expires; every command must still show
 * exactly one answer where its user looks.
 *
 * Locks are compressed (2 s, checked every 0.7 s) so that they expire within the 6.5 s outage,
 * as a 30 s lock would in a longer one.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REST, Routes } from 'discord.js'
import IORedis from 'ioredis'
import { ReplyInbox } from '../bots/local/inbox.ts'
import { createRest } from '../bots/discord/client.ts'
import { startDelivery as startDiscordDelivery } from '../bots/discord/deliver.ts'
import { Dispatcher } from '../bots/shared/dispatch.ts'
import { envelope, localEnvelope } from '../bots/shared/envelope.ts'
import { startDelivery as startSlackDelivery } from '../bots/slack/deliver.ts'
import { parseConfig } from '../lib/config.ts'
import type { Envelope, ReplyTo } from '../lib/contracts/envelope.ts'
import { SERVICES } from '../lib/contracts/services.ts'
import { silentLogger } from '../lib/log.ts'
import { producerConnection, workerConnection } from '../lib/redis.ts'
import { type DiscordStandin, type InteractionRecord, startStandin as startDiscord } from './discord-standin/standin.ts'
import { faultStackEnv, type Proc, startProcess, waitHealthy } from './procs.ts'
import { startRedis, type TestRedis, uniquePrefix } from './redis.ts'
import { type SlackStandin, startStandin as startSlack } from './slack-standin/standin.ts'

const TOKEN = 'outage-test-service-token-0123456789'
/** Every post on the platform takes this long. */
const POST_MS = 150
/** Locks that expire within the longer outage. */
const SHORT_LOCKS = { lockDuration: 2_000, stalledInterval: 700 }
const GUILD = '1200000000000000001'
const DCHANNEL = '1300000000000000001'
const SCHANNEL = 'C0OUTAGE'

let redis: TestRedis
let dataDir: string
let env: Record<string, string>
let items: Proc
let worker: Proc
let producer: IORedis
let dispatcher: Dispatcher
const connections: IORedis[] = []
const closers: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  redis = await startRedis({ aof: true })
  dataDir = mkdtempSync(join(tmpdir(), 'cm-outage-'))
  env = await faultStackEnv({ redisUrl: redis.url, dataDir, token: TOKEN, prefix: uniquePrefix('outage') })
  items = startProcess('items', SERVICES.items.entry, env)
  await waitHealthy(items, `${env.ITEMS_URL}/health`)
  worker = startProcess('worker', 'queue/worker.ts', env)
  await waitHealthy(worker, `http://127.0.0.1:${env.WORKER_PORT}/health`)
  producer = producerConnection(redis.url)
  producer.on('error', () => {})
  dispatcher = new Dispatcher(producer, env.QUEUE_PREFIX!, 6, 1_500)
}, 60_000)

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {})
  await dispatcher?.close().catch(() => {})
  producer?.disconnect()
  for (const c of connections) c.disconnect()
  worker?.kill('SIGKILL')
  items?.kill('SIGKILL')
  await Promise.all([worker?.exited, items?.exited])
  redis?.kill()
  rmSync(dataDir, { recursive: true, force: true })
})

/** A connection that stays quiet while Redis is down (the test stops it on purpose). */
function connection(): IORedis {
  const c = workerConnection(redis.url)
  c.on('error', () => {})
  connections.push(c)
  return c
}

/** One command: the envelope to dispatch and the nickname its answer names. */
type Command = { envelope: Envelope<unknown>; nickname: string }

/**
 * Runs 30 commands, an outage of 1 s, 10 more, an outage of 6.5 s, then one more once Redis is
 * back; returns the nicknames of the commands that were accepted (a command sent while Redis is
 * down is refused at once and never answered).
 */
async function throughOutages(make: (i: number) => Promise<Command>): Promise<string[]> {
  const accepted: string[] = []
  const send = async (i: number) => {
    const command = await make(i)
    const result = await dispatcher.dispatch(command.envelope)
    if (result.ok) accepted.push(command.nickname)
    return result.ok
  }
  for (let i = 0; i < 30; i++) await send(i)
  await redis.stop()
  expect(await send(900)).toBe(false)
  await Bun.sleep(1_000)
  await redis.restart()
  await Bun.sleep(500)
  for (let i = 30; i < 40; i++) await send(i)
  await redis.stop()
  await Bun.sleep(6_500)
  await redis.restart()
  let after = false
  for (let tries = 0; tries < 50 && !after; tries++) {
    after = await send(40)
    if (!after) await Bun.sleep(200)
  }
  expect(after).toBe(true)
  return accepted
}

/** Waits until `shown(nickname)` is at least 1 for every nickname, then a little longer for repeats. */
async function allShown(nicknames: string[], shown: (nickname: string) => number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const missing = nicknames.filter((n) => shown(n) === 0)
    if (missing.length === 0) break
    if (Date.now() > deadline)
      throw new Error(`${missing.length} of ${nicknames.length} unanswered (${missing.slice(0, 5).join(', ')}); worker:\n${worker.output().slice(-2000)}`)
    await Bun.sleep(100)
  }
  // A repeat would come from a reply job handed out again once its lock expired.
  await Bun.sleep(SHORT_LOCKS.lockDuration + SHORT_LOCKS.stalledInterval * 2)
}

/** Whether `text` names the car `nickname` (the answer to /car add is "Added <nickname> …"). */
const names = (text: string | undefined, nickname: string) => new RegExp(`\\b${nickname}\\b`).test(text ?? '')

/** A Discord embed's title and description, where an answer's words are. */
const embedText = (embed: { title?: string; description?: string } | undefined) =>
  `${embed?.title ?? ''} ${embed?.description ?? ''}`

describe('a Redis outage with a 150 ms consumer: every command answered exactly once', () => {
  test('the terminal chat', async () => {
    const session = 'outage-chat'
    const shown: string[] = []
    const inbox = await new ReplyInbox().start({
      connection: connection(),
      queuePrefix: env.QUEUE_PREFIX!,
      session,
      concurrency: 16,
      workerOptions: SHORT_LOCKS,
      onReply: async (job) => {
        if (job.notice) return
        shown.push(`${job.reply.title ?? ''} ${job.reply.text ?? ''}`)
        await Bun.sleep(POST_MS)
      },
    })
    closers.push(() => inbox.close())
    const accepted = await throughOutages(async (i) => {
      const nickname = `t${String(i).padStart(3, '0')}`
      return {
        nickname,
        envelope: localEnvelope({
          id: `${uniquePrefix('o')}-${i}`,
          kind: 'car.add',
          tenant: 'local:outage',
          user: { id: 'u1', name: 'Tester' },
          session,
          payload: { nickname },
        }),
      }
    })
    const count = (n: string) => shown.filter((t) => names(t, n)).length
    await allShown(accepted, count)
    expect(accepted.length).toBeGreaterThanOrEqual(40)
    for (const n of accepted) expect({ n, shown: count(n) }).toEqual({ n, shown: 1 })
  }, 120_000)

  test('Discord: deferred slash commands and channel posts', async () => {
    const standin: DiscordStandin = startDiscord()
    closers.push(() => standin.close())
    const userRest = new REST({ api: standin.apiUrl }).setToken(standin.token)
    const own = new IORedis(redis.url, { maxRetriesPerRequest: null })
    own.on('error', () => {})
    connections.push(own)
    const running = await startDiscordDelivery({
      config: { QUEUE_PREFIX: env.QUEUE_PREFIX!, IMAGES_URL: 'http://127.0.0.1:9', SERVICE_TOKEN: TOKEN },
      rest: createRest(standin.apiUrl, standin.token),
      redis: own,
      connection: connection(),
      log: silentLogger,
      concurrency: 16,
      workerOptions: SHORT_LOCKS,
    })
    closers.push(running.close)
    let stalls = 0
    running.worker.on('stalled', () => stalls++)
    standin.delays.push({ method: 'POST', path: /^\/(channels|webhooks)\//, ms: POST_MS })
    standin.delays.push({ method: 'PATCH', path: /^\/webhooks\//, ms: POST_MS })
    // Discord honours a message nonce for a few minutes; the test's clock is compressed like its
    // locks, so the nonce is forgotten within the outage too.
    const nonceWindow = setInterval(() => standin.forgetNonces(), 500)
    closers.push(async () => clearInterval(nonceWindow))

    const interactions = new Map<string, InteractionRecord>()
    const accepted = await throughOutages(async (i) => {
      const nickname = `d${String(i).padStart(3, '0')}`
      // Even commands come as slash commands (their deferred original is edited), odd ones as
      // channel posts without an interaction (the path reminders take).
      let replyTo: ReplyTo = { platform: 'discord', channelId: DCHANNEL }
      let id = `${uniquePrefix('dp')}-${i}`
      if (i % 2 === 0) {
        const rec = standin.sendCommand(GUILD, 'car', 'add', { nickname })
        await userRest.post(Routes.interactionCallback(rec.id, rec.token), { body: { type: 5, data: {} }, auth: false })
        interactions.set(nickname, rec)
        replyTo = {
          platform: 'discord',
          channelId: DCHANNEL,
          interaction: { applicationId: standin.applicationId, token: rec.token, createdAt: rec.createdAt },
        }
        id = rec.id
      }
      return {
        nickname,
        envelope: envelope({
          id,
          kind: 'car.add',
          tenant: `discord:${GUILD}`,
          actor: { platform: 'discord', userId: '1400000000000000001', name: 'Tester', discord: { permissions: '8', roles: [] } },
          replyTo,
          payload: { nickname },
          at: Date.now(),
        }),
      }
    })
    const count = (n: string) => {
      const rec = interactions.get(n)
      const inChannel = standin.channelMessages(DCHANNEL).filter((m) => names(embedText(m.embeds[0]), n)).length
      if (!rec) return inChannel
      const original = names(embedText(rec.original?.embeds?.[0]), n) ? 1 : 0
      return original + rec.followups.length + inChannel
    }
    await allShown(accepted, count)
    expect(accepted.length).toBeGreaterThanOrEqual(40)
    for (const n of accepted) expect({ n, shown: count(n) }).toEqual({ n, shown: 1 })
    // The fault did happen: reply jobs were handed out again after their locks expired.
    expect(stalls).toBeGreaterThan(0)
  }, 120_000)

  test('Slack: slash commands (response_url given) and channel posts', async () => {
    const standin: SlackStandin = startSlack()
    closers.push(() => standin.close())
    const config = parseConfig({
      REDIS_URL: redis.url,
      QUEUE_PREFIX: env.QUEUE_PREFIX!,
      SERVICE_TOKEN: TOKEN,
      IMAGES_URL: 'http://127.0.0.1:9',
      SLACK_BOT_TOKEN: standin.botToken,
      SLACK_SIGNING_SECRET: standin.signingSecret,
      SLACK_API_URL: standin.apiUrl,
    })
    const running = await startSlackDelivery({
      config,
      connection: connection(),
      log: silentLogger,
      concurrency: 16,
      workerOptions: SHORT_LOCKS,
    })
    closers.push(running.close)
    let stalls = 0
    running.worker.on('stalled', () => stalls++)
    standin.latency.set('chat.postMessage', POST_MS)
    standin.latency.set('chat.update', POST_MS)
    standin.latency.set('response_url', POST_MS)

    const urls = new Map<string, string>()
    const accepted = await throughOutages(async (i) => {
      const nickname = `s${String(i).padStart(3, '0')}`
      let replyTo: ReplyTo = { platform: 'slack', channelId: SCHANNEL }
      if (i % 2 === 0) {
        const responseUrl = standin.responseUrl()
        urls.set(nickname, responseUrl)
        replyTo = { platform: 'slack', channelId: SCHANNEL, responseUrl, userId: 'U0TESTER' }
      }
      return {
        nickname,
        envelope: envelope({
          id: `${uniquePrefix('sp')}-${i}`,
          kind: 'car.add',
          tenant: `slack:${standin.teamId}`,
          actor: { platform: 'slack', userId: 'U0TESTER', name: 'Tester', slack: { admin: true, owner: true } },
          replyTo,
          payload: { nickname },
          at: Date.now(),
        }),
      }
    })
    const count = (n: string) => {
      const url = urls.get(n)
      const inChannel = standin.channelMessages(SCHANNEL).filter((m) => names(m.text, n)).length
      const responses = url ? standin.responses(url).filter((r) => names(JSON.stringify(r), n)).length : 0
      return inChannel + responses
    }
    await allShown(accepted, count)
    expect(accepted.length).toBeGreaterThanOrEqual(40)
    for (const n of accepted) expect({ n, shown: count(n) }).toEqual({ n, shown: 1 })
    expect(stalls).toBeGreaterThan(0)
  }, 120_000)
})
