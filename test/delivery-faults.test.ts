/**
 * Every answer exactly once, on the reply side: the real Discord and Slack delivery workers
 * (discord.js REST, Bolt's WebClient, BullMQ) against the stand-ins and the test Redis, with the
 * faults BullMQ's at-least-once delivery brings:
 * (a) the same reply job processed again (a redelivery while the first attempt is still posting,
 *     or after Discord has forgotten the message nonce) shows one message;
 * (b) a slow platform (150 ms a post) with 36 replies in flight while the worker's locks expire
 *     (locks never renewed, 50 ms stalled interval; Discord's nonce window compressed alike) shows
 *     every reply exactly once; once more with maxStalledCount 0, where BullMQ fails a stalled
 *     job for good and the final attempt must neither drop nor repeat it;
 * (c) an attempt that finds the lease held by another, or whose BullMQ lock is gone, posts nothing;
 * (part 2) a reply whose consumer died and that stalled out is delivered by the final attempt; one
 *     out of attempts is logged once as not delivered.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Queue, Worker } from 'bullmq'
import { MessageFlags, REST, Routes } from 'discord.js'
import IORedis from 'ioredis'
import { parseConfig } from '../lib/config.ts'
import type { Reply, ReplyJob } from '../lib/contracts/envelope.ts'
import { bullPrefix, queueOptions, repliesQueue, replyJobId } from '../lib/contracts/queues.ts'
import { createLogger, silentLogger } from '../lib/log.ts'
import { workerConnection } from '../lib/redis.ts'
import { createRest } from '../bots/discord/client.ts'
import { type DeliveryDeps, deliver, startDelivery as startDiscordDelivery } from '../bots/discord/deliver.ts'
import { DeliveryBusy, DeliveryLockLost, leaseKey } from '../bots/shared/delivery.ts'
import { SlackDelivery, startDelivery as startSlackDelivery } from '../bots/slack/deliver.ts'
import {
  type DiscordStandin,
  type InteractionRecord,
  startStandin as startDiscord,
} from './discord-standin/standin.ts'
import { testRedisUrl } from './env.ts'
import { uniquePrefix } from './redis.ts'
import { type SlackStandin, startStandin as startSlack } from './slack-standin/standin.ts'

const GUILD = '1200000000000000001'
const CHANNEL = '1300000000000000001'
const DTENANT = `discord:${GUILD}`
const STENANT = 'slack:TD0001'
/** A slow platform: every post takes this long, longer than a worker lock lasts in (b). */
const POST_MS = 150
/** Locks that expire while a post is under way, and are never renewed. */
const EXPIRING_LOCKS = { lockDuration: 100, lockRenewTime: 60_000, stalledInterval: 50 }

let redis: IORedis
const connections: IORedis[] = []
const closers: (() => Promise<unknown>)[] = []
let seq = 0

/** The options the worker's reply poster gives a reply job (queue/replies.ts). */
const replyQueueOptions = (jobId: string) => ({
  jobId,
  attempts: 8,
  backoff: { type: 'exponential' as const, delay: 1_000 },
})

beforeAll(() => {
  redis = new IORedis(testRedisUrl())
})

afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {})
  for (const c of connections) c.disconnect()
  redis.disconnect()
})

const nextId = (what: string) => `${what}${Date.now().toString(36)}-${++seq}`

/** Waits until the queue has no job left to run (nothing waiting, active or delayed). */
async function drained(queue: Queue, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized')
    if (Object.values(counts).every((n) => n === 0)) return
    if (Date.now() > deadline) throw new Error(`queue not drained: ${JSON.stringify(counts)}`)
    await Bun.sleep(25)
  }
}

/**
 * A consumer that takes the next job of `queue` and dies without answering: its lock is never
 * renewed, and it is gone (forced close) by the time this returns.
 */
async function crashedConsumer(platform: 'discord' | 'slack', prefix: string, add: () => Promise<unknown>) {
  const connection = workerConnection(testRedisUrl())
  connections.push(connection)
  let taken!: () => void
  const took = new Promise<void>((resolve) => {
    taken = resolve
  })
  const dead = new Worker(
    repliesQueue(platform),
    async () => {
      taken()
      await new Promise(() => {})
    },
    {
      connection,
      prefix: bullPrefix(prefix),
      lockDuration: 200,
      lockRenewTime: 60_000,
      // The stalled check holds a lease of one stalledInterval: a short one lets the next worker check soon.
      stalledInterval: 50,
    },
  )
  dead.on('error', () => {})
  await dead.waitUntilReady()
  await add()
  await took
  await dead.close(true)
}

/** A logger that keeps every line it writes (parsed), for asserting what was logged. */
function capturingLogger() {
  const lines: { level: number; msg: string; jobId?: string }[] = []
  const log = createLogger('discord', 'info', { write: (line: string) => void lines.push(JSON.parse(line)) })
  return { log, lines }
}

/** Waits until an attempt holds the lease of `jobId` (the first attempt has claimed it). */
async function leased(queuePrefix: string, jobId: string): Promise<void> {
  const deadline = Date.now() + 5_000
  while (!(await redis.exists(leaseKey(queuePrefix, jobId)))) {
    if (Date.now() > deadline) throw new Error(`no lease on ${jobId}`)
    await Bun.sleep(2)
  }
}

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await Bun.sleep(20)
  }
}

// ------------------------------------------------------------------------------------ Discord

describe('Discord delivery, once per reply job', () => {
  let standin: DiscordStandin
  let userRest: REST
  let deps: DeliveryDeps

  beforeAll(() => {
    standin = startDiscord()
    closers.push(() => standin.close())
    userRest = new REST({ api: standin.apiUrl }).setToken(standin.token)
    deps = {
      config: {
        QUEUE_PREFIX: uniquePrefix('dfd'),
        IMAGES_URL: 'http://127.0.0.1:9',
        SERVICE_TOKEN: 'svc-token-0123456789',
      },
      rest: createRest(standin.apiUrl, standin.token),
      redis,
      log: silentLogger,
      backoffMs: [50, 100],
      leaseMs: 1_000,
    }
  })

  async function deferred(): Promise<InteractionRecord> {
    const rec = standin.sendCommand(GUILD, 'car', 'list', {})
    await userRest.post(Routes.interactionCallback(rec.id, rec.token), {
      body: { type: 5, data: {} },
      auth: false,
    })
    return rec
  }

  const job = (rec: InteractionRecord | undefined, reply: Reply): { id: string; data: ReplyJob } => {
    const envelopeId = rec?.id ?? nextId('d')
    return {
      id: replyJobId(envelopeId),
      data: {
        envelopeId,
        tenant: DTENANT,
        replyTo: {
          platform: 'discord',
          channelId: CHANNEL,
          ...(rec
            ? {
                interaction: {
                  applicationId: standin.applicationId,
                  token: rec.token,
                  createdAt: rec.createdAt,
                },
              }
            : {}),
        },
        reply,
      },
    }
  }

  const withText = (text: string) =>
    standin.channelMessages(CHANNEL).filter((m) => m.embeds[0]?.description === text)

  test('(a) a channel post redelivered after Discord forgot its nonce is not posted again', async () => {
    const j = job(undefined, { tone: 'warn', title: 'Oil change due', text: 'a: once after the nonce' })
    const first = await deliver(deps, j.id, j.data)
    standin.forgetNonces()
    const again = await deliver(deps, j.id, j.data)
    expect(again.messageId).toBe(first.messageId!)
    expect(withText('a: once after the nonce')).toHaveLength(1)
    expect(
      standin
        .requestsTo('POST', `/channels/${CHANNEL}/messages`)
        .filter((r) => r.body?.embeds?.[0]?.description === 'a: once after the nonce'),
    ).toHaveLength(1)
  })

  test('(a) a private answer redelivered while the first attempt is still posting makes one follow-up', async () => {
    const rec = await deferred()
    const j = job(rec, { tone: 'error', text: 'a: private, once', ephemeral: true })
    standin.delays.push({ path: /^\/webhooks\//, ms: POST_MS })
    let first: unknown
    let redelivered: unknown
    let rerun: unknown
    try {
      const running = deliver(deps, j.id, j.data)
      await leased(deps.config.QUEUE_PREFIX, j.id)
      redelivered = await deliver(deps, j.id, j.data).catch((e) => e)
      first = await running
      // A later rerun finds it done and answers what was recorded.
      rerun = await deliver(deps, j.id, j.data)
    } finally {
      standin.delays.length = 0
    }
    expect(rec.followups).toHaveLength(1)
    expect(rec.followups[0]!.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
    expect(standin.requestsTo('POST', `/webhooks/${standin.applicationId}/${rec.token}`)).toHaveLength(1)
    expect(redelivered).toBeInstanceOf(DeliveryBusy)
    expect(first).toMatchObject({ via: 'followup' })
    expect(rerun).toEqual(first)
  })

  test('(c) a lease held by another attempt: this one posts nothing; the worker delivers once it is free', async () => {
    const j = job(undefined, { tone: 'ok', text: 'c: after the lease' })
    const lease = leaseKey(deps.config.QUEUE_PREFIX, j.id)
    await redis.set(lease, 'another-attempt', 'PX', 5_000)
    const before = standin.requests.length
    await expect(deliver(deps, j.id, j.data)).rejects.toBeInstanceOf(DeliveryBusy)
    expect(standin.requests.length).toBe(before)

    const prefix = uniquePrefix('dfc')
    const blocking = workerConnection(testRedisUrl())
    const ownRedis = new IORedis(testRedisUrl())
    connections.push(blocking, ownRedis)
    const lease2 = leaseKey(prefix, j.id)
    await ownRedis.set(lease2, 'another-attempt', 'PX', 5_000)
    const running = await startDiscordDelivery({
      ...deps,
      config: { ...deps.config, QUEUE_PREFIX: prefix },
      redis: ownRedis,
      connection: blocking,
    })
    closers.push(running.close)
    const queue = new Queue(repliesQueue('discord'), queueOptions(ownRedis, prefix))
    closers.push(() => queue.close())
    await queue.add('reply', j.data, replyQueueOptions(j.id))
    await Bun.sleep(400)
    expect(withText('c: after the lease')).toHaveLength(0)
    await ownRedis.del(lease2)
    await until(() => withText('c: after the lease').length > 0, 10_000, 'the post once the lease is free')
    await drained(queue)
    expect(withText('c: after the lease')).toHaveLength(1)
  })

  test('(c) an attempt whose BullMQ lock is gone stops before posting', async () => {
    const j = job(undefined, { tone: 'ok', text: 'c: lock lost' })
    const before = standin.requests.length
    await expect(
      deliver(deps, j.id, j.data, true, { lock: { key: `${deps.config.QUEUE_PREFIX}:nolock`, token: 't' } }),
    ).rejects.toBeInstanceOf(DeliveryLockLost)
    const aborted = new AbortController()
    aborted.abort('lock lost')
    await expect(deliver(deps, `${j.id}x`, j.data, true, { signal: aborted.signal })).rejects.toBeInstanceOf(
      DeliveryLockLost,
    )
    expect(standin.requests.length).toBe(before)
    // The job was not spoiled: a later attempt delivers it.
    expect((await deliver(deps, j.id, j.data)).via).toBe('channel')
    expect(withText('c: lock lost')).toHaveLength(1)
  })

  test('(part 2) a reply whose consumer died and that stalled out for good is delivered once by a final attempt', async () => {
    const prefix = uniquePrefix('dfs')
    const ownRedis = new IORedis(testRedisUrl())
    connections.push(ownRedis)
    const queue = new Queue(repliesQueue('discord'), queueOptions(ownRedis, prefix))
    closers.push(() => queue.close())
    const j = job(undefined, { tone: 'ok', text: 'stalled out, still answered' })
    await crashedConsumer('discord', prefix, () => queue.add('reply', j.data, replyQueueOptions(j.id)))
    const blocking = workerConnection(testRedisUrl())
    connections.push(blocking)
    const running = await startDiscordDelivery({
      ...deps,
      config: { ...deps.config, QUEUE_PREFIX: prefix },
      redis: ownRedis,
      connection: blocking,
      workerOptions: { ...EXPIRING_LOCKS, maxStalledCount: 0 },
    })
    closers.push(running.close)
    await until(() => withText('stalled out, still answered').length > 0, 10_000, 'the final attempt')
    await running.close()
    expect(await queue.getJobState(j.id)).toBe('failed')
    expect(withText('stalled out, still answered')).toHaveLength(1)
  }, 20_000)

  test('(part 2) a reply out of attempts is logged once as not delivered', async () => {
    const prefix = uniquePrefix('dfx')
    const ownRedis = new IORedis(testRedisUrl())
    const blocking = workerConnection(testRedisUrl())
    connections.push(ownRedis, blocking)
    const { log, lines } = capturingLogger()
    const running = await startDiscordDelivery({
      ...deps,
      config: { ...deps.config, QUEUE_PREFIX: prefix },
      redis: ownRedis,
      connection: blocking,
      log,
    })
    closers.push(running.close)
    const queue = new Queue(repliesQueue('discord'), queueOptions(ownRedis, prefix))
    closers.push(() => queue.close())
    const j = job(undefined, { tone: 'ok', text: 'never reaches Discord' })
    standin.failNext({ method: 'POST', path: `/channels/${CHANNEL}/messages`, status: 503, times: 6 })
    await queue.add('reply', j.data, { jobId: j.id, attempts: 2, backoff: { type: 'fixed', delay: 50 } })
    await until(
      () => lines.some((l) => l.msg.startsWith('reply not delivered')),
      10_000,
      'the final log line',
    )
    expect(lines.filter((l) => l.jobId === j.id && l.level === 50).map((l) => l.msg)).toEqual([
      'reply not delivered: delivery failed for good',
    ])
    // A 503 leaves it unknown whether Discord made the message: the second attempt says so and
    // reposts with the same enforced nonce.
    expect(lines.filter((l) => l.jobId === j.id && l.level === 40).map((l) => l.msg)).toEqual([
      'reply delivery failed; BullMQ retries it',
      'an earlier attempt may have posted this reply; delivering it again in its place',
    ])
    expect(withText('never reaches Discord')).toHaveLength(0)
  })

  for (const maxStalledCount of [1, 0]) {
    test(`(b) 36 replies on a slow Discord while locks expire (maxStalledCount ${maxStalledCount}): each shows once`, async () => {
      const prefix = uniquePrefix('dfb')
      const blocking = workerConnection(testRedisUrl())
      const ownRedis = new IORedis(testRedisUrl())
      connections.push(blocking, ownRedis)
      const running = await startDiscordDelivery({
        ...deps,
        config: { ...deps.config, QUEUE_PREFIX: prefix },
        redis: ownRedis,
        connection: blocking,
        concurrency: 40,
        workerOptions: { ...EXPIRING_LOCKS, maxStalledCount },
      })
      closers.push(running.close)
      const queue = new Queue(repliesQueue('discord'), queueOptions(ownRedis, prefix))
      closers.push(() => queue.close())
      let stalls = 0
      let stalledOut = 0
      running.worker.on('stalled', () => stalls++)
      running.worker.on('failed', (_job, err) => {
        if (/allowable limit/.test(err.message)) stalledOut++
      })

      const tag = `b${maxStalledCount}`
      const posts = Array.from({ length: 12 }, (_, i) =>
        job(undefined, { tone: 'ok', text: `${tag} post ${i}` }),
      )
      const edits = await Promise.all(Array.from({ length: 12 }, () => deferred()))
      const privs = await Promise.all(Array.from({ length: 12 }, () => deferred()))
      const jobs = [
        ...posts,
        ...edits.map((rec, i) => job(rec, { tone: 'ok', text: `${tag} edit ${i}` })),
        ...privs.map((rec, i) => job(rec, { tone: 'error', text: `${tag} private ${i}`, ephemeral: true })),
      ]
      standin.delays.push({ method: 'POST', path: /^\/(channels|webhooks)\//, ms: POST_MS })
      standin.delays.push({ method: 'PATCH', path: /^\/webhooks\//, ms: POST_MS })
      // Discord honours a nonce for a few minutes; the test's clock is compressed like its locks
      // (100 ms instead of 15 s), so the nonce window is too.
      const nonceWindow = setInterval(() => standin.forgetNonces(), 50)
      try {
        await queue.addBulk(jobs.map((j) => ({ name: 'reply', data: j.data, opts: replyQueueOptions(j.id) })))
        await drained(queue)
        await running.close()
        await Bun.sleep(200)
      } finally {
        clearInterval(nonceWindow)
        standin.delays.length = 0
      }
      // The locks did expire and jobs were handed out again: the fault did happen.
      expect(stalls).toBeGreaterThan(0)
      // With maxStalledCount 0 BullMQ fails a stalled job for good; the final attempt answers it.
      if (maxStalledCount === 0) expect(stalledOut).toBeGreaterThan(0)
      for (let i = 0; i < 12; i++) expect(withText(`${tag} post ${i}`)).toHaveLength(1)
      edits.forEach((rec, i) => {
        expect(rec.original!.embeds[0].description).toBe(`${tag} edit ${i}`)
        expect(rec.followups).toHaveLength(0)
      })
      privs.forEach((rec, i) => {
        expect(rec.followups.map((f) => f.embeds[0].description)).toEqual([`${tag} private ${i}`])
        expect(rec.originalDeleted).toBe(true)
      })
    }, 30_000)
  }
})

// -------------------------------------------------------------------------------------- Slack

describe('Slack delivery, once per reply job', () => {
  let standin: SlackStandin
  const config = () =>
    parseConfig({
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: uniquePrefix('sfd'),
      SERVICE_TOKEN: 'svc-token-0123456789',
      IMAGES_URL: 'http://127.0.0.1:9',
      SLACK_BOT_TOKEN: standin.botToken,
      SLACK_SIGNING_SECRET: standin.signingSecret,
      SLACK_API_URL: standin.apiUrl,
    })
  let delivery: SlackDelivery
  let prefix: string

  beforeAll(() => {
    standin = startSlack()
    closers.push(() => standin.close())
    const c = config()
    prefix = c.QUEUE_PREFIX
    const connection = workerConnection(testRedisUrl())
    connections.push(connection)
    delivery = new SlackDelivery({ config: c, connection, log: silentLogger, leaseMs: 1_000 })
  })

  const job = (
    reply: Reply,
    replyTo: Partial<Extract<ReplyJob['replyTo'], { platform: 'slack' }>> = {},
  ): { id: string; data: ReplyJob } => {
    const envelopeId = nextId('s')
    return {
      id: replyJobId(envelopeId),
      data: {
        envelopeId,
        tenant: STENANT,
        replyTo: { platform: 'slack', channelId: 'C0FAULT', ...replyTo },
        reply,
      },
    }
  }
  const inChannel = (channel: string, text: string) =>
    standin.channelMessages(channel).filter((m) => m.text?.includes(text))

  test('(a) a channel post redelivered while the first attempt is still posting shows once; the rerun updates it', async () => {
    const j = job({ tone: 'ok', text: 'a: slack once' }, { channelId: 'C0AGAIN' })
    standin.latency.set('chat.postMessage', POST_MS)
    let first: unknown
    let redelivered: unknown
    let rerun: unknown
    try {
      const running = delivery.deliver(j.id, j.data)
      await leased(prefix, j.id)
      redelivered = await delivery.deliver(j.id, j.data).catch((e) => e)
      first = await running
      rerun = await delivery.deliver(j.id, j.data)
    } finally {
      standin.latency.clear()
    }
    expect(inChannel('C0AGAIN', 'a: slack once')).toHaveLength(1)
    expect(standin.calls('chat.postMessage').filter((r) => r.body.channel === 'C0AGAIN')).toHaveLength(1)
    expect(redelivered).toBeInstanceOf(DeliveryBusy)
    expect(first).toMatchObject({ via: 'chat', updated: false })
    // The rerun edits the recorded message to the same content.
    expect(rerun).toMatchObject({ via: 'chat', updated: true, ts: (first as { ts: string }).ts })
    expect(inChannel('C0AGAIN', 'a: slack once')[0]!.history).toHaveLength(1)
  })

  test('(a) a command answer redelivered while the first attempt is still posting shows once in the channel; the rerun updates it', async () => {
    const url = standin.responseUrl()
    const j = job(
      { tone: 'ok', text: 'a: slack command answer' },
      { responseUrl: url, channelId: 'C0ANSWER' },
    )
    standin.latency.set('chat.postMessage', POST_MS)
    let first: unknown
    let redelivered: unknown
    let rerun: unknown
    try {
      const running = delivery.deliver(j.id, j.data)
      await leased(prefix, j.id)
      redelivered = await delivery.deliver(j.id, j.data).catch((e) => e)
      first = await running
      rerun = await delivery.deliver(j.id, j.data)
    } finally {
      standin.latency.clear()
    }
    expect(inChannel('C0ANSWER', 'a: slack command answer')).toHaveLength(1)
    expect(standin.calls('chat.postMessage').filter((r) => r.body.channel === 'C0ANSWER')).toHaveLength(1)
    expect(standin.responses(url)).toEqual([])
    expect(redelivered).toBeInstanceOf(DeliveryBusy)
    expect(first).toMatchObject({ via: 'chat', channel: 'C0ANSWER', updated: false })
    expect(rerun).toMatchObject({ via: 'chat', updated: true, ts: (first as { ts: string }).ts })
    expect(inChannel('C0ANSWER', 'a: slack command answer')[0]!.history).toHaveLength(1)
  })

  test('(a) a response_url answer (the bot not in the channel) redelivered while the first is still posting is posted once', async () => {
    standin.notInChannel.add('C0AOUT')
    const url = standin.responseUrl()
    const j = job({ tone: 'ok', text: 'a: at the response_url' }, { responseUrl: url, channelId: 'C0AOUT' })
    standin.latency.set('response_url', POST_MS)
    let first: unknown
    let redelivered: unknown
    let rerun: unknown
    try {
      const running = delivery.deliver(j.id, j.data)
      await leased(prefix, j.id)
      redelivered = await delivery.deliver(j.id, j.data).catch((e) => e)
      first = await running
      rerun = await delivery.deliver(j.id, j.data)
    } finally {
      standin.latency.clear()
    }
    expect(standin.responses(url).map((r) => r.text)).toEqual(['a: at the response_url'])
    expect(standin.channelMessages('C0AOUT')).toHaveLength(0)
    expect(redelivered).toBeInstanceOf(DeliveryBusy)
    expect(first).toEqual({ via: 'response_url' })
    expect(rerun).toEqual({ via: 'already' })
  })

  test('(c) a lease held by another attempt: this one posts nothing; the worker delivers once it is free', async () => {
    const j = job({ tone: 'ok', text: 'c: slack after the lease' }, { channelId: 'C0LEASE' })
    await redis.set(leaseKey(prefix, j.id), 'another-attempt', 'PX', 5_000)
    const before = standin.requests.length
    await expect(delivery.deliver(j.id, j.data)).rejects.toBeInstanceOf(DeliveryBusy)
    expect(standin.requests.length).toBe(before)

    const c = config()
    const connection = workerConnection(testRedisUrl())
    connections.push(connection)
    await redis.set(leaseKey(c.QUEUE_PREFIX, j.id), 'another-attempt', 'PX', 5_000)
    const running = await startSlackDelivery({ config: c, connection, log: silentLogger, leaseMs: 1_000 })
    closers.push(running.close)
    const queue = new Queue(repliesQueue('slack'), queueOptions(redis, c.QUEUE_PREFIX))
    closers.push(() => queue.close())
    await queue.add('reply', j.data, replyQueueOptions(j.id))
    await Bun.sleep(400)
    expect(inChannel('C0LEASE', 'c: slack after the lease')).toHaveLength(0)
    await redis.del(leaseKey(c.QUEUE_PREFIX, j.id))
    await until(
      () => inChannel('C0LEASE', 'c: slack after the lease').length > 0,
      10_000,
      'the post once the lease is free',
    )
    await drained(queue)
    expect(inChannel('C0LEASE', 'c: slack after the lease')).toHaveLength(1)
  })

  test('(c) an attempt whose BullMQ lock is gone stops before posting', async () => {
    const j = job({ tone: 'ok', text: 'c: slack lock lost' }, { channelId: 'C0LOCK' })
    const before = standin.requests.length
    await expect(
      delivery.deliver(j.id, j.data, { lock: { key: `${prefix}:nolock`, token: 't' } }),
    ).rejects.toBeInstanceOf(DeliveryLockLost)
    expect(standin.requests.length).toBe(before)
    expect(await delivery.deliver(j.id, j.data)).toMatchObject({ via: 'chat', updated: false })
    expect(inChannel('C0LOCK', 'c: slack lock lost')).toHaveLength(1)
  })

  test('(part 2) a reply whose consumer died and that stalled out for good is delivered once by a final attempt', async () => {
    const c = config()
    const queue = new Queue(repliesQueue('slack'), queueOptions(redis, c.QUEUE_PREFIX))
    closers.push(() => queue.close())
    const j = job({ tone: 'ok', text: 'slack stalled out, still answered' }, { channelId: 'C0STALL' })
    await crashedConsumer('slack', c.QUEUE_PREFIX, () => queue.add('reply', j.data, replyQueueOptions(j.id)))
    const connection = workerConnection(testRedisUrl())
    connections.push(connection)
    const running = await startSlackDelivery({
      config: c,
      connection,
      log: silentLogger,
      leaseMs: 1_000,
      workerOptions: { ...EXPIRING_LOCKS, maxStalledCount: 0 },
    })
    closers.push(running.close)
    await until(() => inChannel('C0STALL', 'slack stalled out').length > 0, 10_000, 'the final attempt')
    await running.close()
    expect(await queue.getJobState(j.id)).toBe('failed')
    expect(inChannel('C0STALL', 'slack stalled out')).toHaveLength(1)
  }, 20_000)

  test('(part 2) a reply out of attempts is logged once as not delivered', async () => {
    const c = config()
    const connection = workerConnection(testRedisUrl())
    connections.push(connection)
    const { log, lines } = capturingLogger()
    const running = await startSlackDelivery({ config: c, connection, log, leaseMs: 1_000 })
    closers.push(running.close)
    const queue = new Queue(repliesQueue('slack'), queueOptions(redis, c.QUEUE_PREFIX))
    closers.push(() => queue.close())
    standin.notInChannel.add('C0NEVER')
    const j = job({ tone: 'ok', text: 'never reaches Slack' }, { channelId: 'C0NEVER' })
    await queue.add('reply', j.data, { jobId: j.id, attempts: 2, backoff: { type: 'fixed', delay: 50 } })
    await until(
      () => lines.some((l) => l.msg.startsWith('slack reply not delivered')),
      10_000,
      'the final log line',
    )
    expect(lines.filter((l) => l.jobId === j.id && l.level === 50).map((l) => l.msg)).toEqual([
      'slack reply not delivered: delivery failed for good',
    ])
    expect(standin.channelMessages('C0NEVER')).toHaveLength(0)
  })

  for (const maxStalledCount of [1, 0]) {
    test(`(b) 36 replies on a slow Slack while locks expire (maxStalledCount ${maxStalledCount}): each shows once`, async () => {
      const c = config()
      const connection = workerConnection(testRedisUrl())
      connections.push(connection)
      const running = await startSlackDelivery({
        config: c,
        connection,
        log: silentLogger,
        leaseMs: 1_000,
        concurrency: 40,
        workerOptions: { ...EXPIRING_LOCKS, maxStalledCount },
      })
      closers.push(running.close)
      const queue = new Queue(repliesQueue('slack'), queueOptions(redis, c.QUEUE_PREFIX))
      closers.push(() => queue.close())
      let stalls = 0
      let stalledOut = 0
      running.worker.on('stalled', () => stalls++)
      running.worker.on('failed', (_job, err) => {
        if (/allowable limit/.test(err.message)) stalledOut++
      })

      // Four kinds of reply, nine of each.
      const EACH = 9
      const tag = `sb${maxStalledCount}`
      const channel = `C0B${maxStalledCount}`
      // Command answers in channels the bot is not in go to their response_url.
      const outside = `C0B${maxStalledCount}OUT`
      standin.notInChannel.add(outside)
      const outsideUrls = Array.from({ length: EACH }, () => standin.responseUrl())
      const answerUrls = Array.from({ length: EACH }, () => standin.responseUrl())
      const jobs = [
        ...Array.from({ length: EACH }, (_, i) =>
          job({ tone: 'ok', text: `${tag} post ${i};` }, { channelId: channel }),
        ),
        ...outsideUrls.map((responseUrl, i) =>
          job({ tone: 'ok', text: `${tag} answer ${i};` }, { responseUrl, channelId: outside }),
        ),
        ...answerUrls.map((responseUrl, i) =>
          job({ tone: 'ok', text: `${tag} in channel ${i};` }, { responseUrl, channelId: channel }),
        ),
        ...Array.from({ length: EACH }, (_, i) =>
          job(
            { tone: 'ok', title: `#${i} opened`, text: `${tag} issue ${i};`, ref: `issue:${i}` },
            { responseUrl: standin.responseUrl(), channelId: channel, userId: 'U0ALICE' },
          ),
        ),
      ]
      standin.latency.set('chat.postMessage', POST_MS)
      standin.latency.set('response_url', POST_MS)
      try {
        await queue.addBulk(jobs.map((j) => ({ name: 'reply', data: j.data, opts: replyQueueOptions(j.id) })))
        await drained(queue)
        await running.close()
        await Bun.sleep(200)
      } finally {
        standin.latency.clear()
      }
      expect(stalls).toBeGreaterThan(0)
      // With maxStalledCount 0 BullMQ fails a stalled job for good; the final attempt answers it.
      if (maxStalledCount === 0) expect(stalledOut).toBeGreaterThan(0)
      for (let i = 0; i < EACH; i++) {
        expect(inChannel(channel, `${tag} post ${i};`)).toHaveLength(1)
        expect(inChannel(channel, `${tag} issue ${i};`)).toHaveLength(1)
        expect(inChannel(channel, `${tag} in channel ${i};`)).toHaveLength(1)
        expect(standin.responses(answerUrls[i]!)).toEqual([])
        expect(standin.responses(outsideUrls[i]!).map((r) => r.text)).toEqual([
          expect.stringContaining(`${tag} answer ${i};`),
        ])
      }
      expect(standin.channelMessages(outside)).toHaveLength(0)
      // The issue answers' thread refs were recorded with them.
      const issue = inChannel(channel, `${tag} issue 3;`)[0]!
      expect(await redis.hget(`${c.QUEUE_PREFIX}:threads`, `${STENANT}|${issue.ts}`)).toBe('issue:3')
    }, 30_000)
  }
})
