/**
 * The terminal chat against the test Redis, with a stand-in worker on the `commands` queue
 * that answers like the orchestrator does (a notice, then the final reply on the session's queue,
 * `replies.local.<session>`).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Readable } from 'node:stream'
import { type Job, Queue, Worker } from 'bullmq'
import type IORedis from 'ioredis'
import { parseConfig } from '../../lib/config.ts'
import { workerConnection } from '../../lib/redis.ts'
import type { Envelope, Reply, ReplyJob } from '../../lib/contracts/envelope.ts'
import { bullPrefix, COMMANDS_QUEUE, queueOptions, replyJobId, replyQueueOf } from '../../lib/contracts/queues.ts'
import { testRedisUrl } from '../../test/env.ts'
import { uniquePrefix } from '../../test/redis.ts'
import { LocalChat, ReplyTimeout, runChat } from './index.ts'

const prefix = uniquePrefix('chat')
const seen: Envelope[] = []
let connection: IORedis
let responder: Worker
const replyQueues = new Map<string, Queue>()
let chat: LocalChat

/** The producer of a reply queue, as the orchestrator's poster picks it. */
function replyQueue(name: string): Queue {
  let queue = replyQueues.get(name)
  if (!queue) {
    queue = new Queue(name, queueOptions(connection, prefix))
    replyQueues.set(name, queue)
  }
  return queue
}

beforeAll(async () => {
  connection = workerConnection(testRedisUrl())
  const post = (env: Envelope, reply: Reply, notice = false) => {
    const job: ReplyJob = {
      envelopeId: env.id,
      tenant: env.tenant,
      replyTo: env.replyTo,
      reply,
      ...(notice ? { notice } : {}),
    }
    return replyQueue(replyQueueOf(job)).add('reply', job, { jobId: replyJobId(env.id, notice ? 'notice' : 'final') })
  }
  responder = new Worker(
    COMMANDS_QUEUE,
    async (job: Job) => {
      const env = job.data as Envelope
      seen.push(env)
      if (env.kind === 'car.show') return // never answers: the chat must time out
      if (env.kind === 'car.list') {
        await post(env, { tone: 'warn', text: 'The garage (items) service is unavailable, retrying…' }, true)
        await Bun.sleep(50)
      }
      await post(env, { tone: 'ok', title: env.kind, text: JSON.stringify(env.payload) })
    },
    { connection: workerConnection(testRedisUrl()), prefix: bullPrefix(prefix) },
  )
  responder.on('error', () => {})
  chat = new LocalChat({ redisUrl: testRedisUrl(), queuePrefix: prefix, tenant: 't1', timeoutMs: 5_000 })
  await chat.connect()
})

afterAll(async () => {
  await chat?.close()
  await responder?.close()
  await Promise.all([...replyQueues.values()].map((q) => q.close()))
  connection?.disconnect()
})

test('a command is dispatched as local:<tenant> and its notice and final reply come back in order', async () => {
  const got = await chat.send('/car list')
  expect(got.map((r) => r.tone)).toEqual(['warn', 'ok'])
  expect(got[1]!.title).toBe('car.list')
  const env = seen.at(-1)!
  expect(env.tenant).toBe('local:t1')
  expect(env.replyTo).toEqual({ platform: 'local', session: chat.session })
  expect(env.actor.platform).toBe('local')
  expect(env.id).toMatch(/^[0-9a-f-]{36}$/)
  const add = await chat.send('/car add corolla odometer:"52,000 mi"')
  expect(JSON.parse(add[0]!.text)).toEqual({
    nickname: 'corolla',
    // Read two ways until the worker knows the garage's number format.
    odometer: { value: 52000, unit: 'mi', text: '52,000 mi', readings: [52, 52000] },
  })
})

test('grammar mistakes are answered here and never become jobs; blank lines and comments are nothing', async () => {
  const before = seen.length
  const [reply] = await chat.send('/car add civic year:1700')
  expect(reply!.tone).toBe('error')
  expect(reply!.text).toStartWith('year: "1700" is too small')
  expect(reply!.text).toContain('/car add <nickname>')
  expect((await chat.send('/bike')).at(0)!.text).toStartWith('unknown command /bike')
  expect(await chat.send('   ')).toEqual([])
  expect(await chat.send('# a comment')).toEqual([])
  await Bun.sleep(100)
  expect(seen.length).toBe(before)
})

test('!press dispatches the button kind with { arg }', async () => {
  const [reply] = await chat.send('!press item.done:42')
  expect(reply!.title).toBe('item.done')
  expect(seen.at(-1)!.payload).toEqual({ arg: '42' })
  expect((await chat.send('!press Not-a-button')).at(0)!.text).toContain('is not a button id')
  expect((await chat.send('!press form:nope:1')).at(0)!.text).toBe('there is no form "nope"')
})

test('a command without a reply times out with a clear error', async () => {
  const quick = new LocalChat({ redisUrl: testRedisUrl(), queuePrefix: prefix, tenant: 't1', timeoutMs: 300 })
  await quick.connect()
  try {
    const error = await quick.send('/car show ghost').catch((e) => e)
    expect(error).toBeInstanceOf(ReplyTimeout)
    expect(error.message).toBe('no reply to "/car show ghost" within 0.3 s (is the worker running?)')
  } finally {
    await quick.close()
  }
})

test('scripted input: replies printed in order, exit 0; a missing reply ends with exit 1', async () => {
  await chat.close()
  const config = parseConfig({ QUEUE_PREFIX: prefix, LOCAL_TENANT: 't2' })
  const lines: string[] = []
  const code = await runChat({
    config,
    redisUrl: testRedisUrl(),
    input: Readable.from(['# hello\n/car list\n\n/car add x year:1700\n/garage help car\n']),
    output: (t) => lines.push(t),
    interactive: false,
  })
  expect(code).toBe(0)
  const text = lines.join('\n')
  expect(text.indexOf('> /car list')).toBeLessThan(
    text.indexOf('[warn] The garage (items) service is unavailable'),
  )
  expect(text.indexOf('[warn]')).toBeLessThan(text.indexOf('car.list'))
  expect(text.indexOf('car.list')).toBeLessThan(text.indexOf('> /car add x year:1700'))
  expect(text).toContain('[error] year: "1700" is too small')
  expect(text.indexOf('[error] year')).toBeLessThan(text.indexOf('> /garage help car'))
  expect(text.trimEnd()).toEndWith('{"command":"car"}')

  const timedOut: string[] = []
  const failed = await runChat({
    config,
    redisUrl: testRedisUrl(),
    input: Readable.from(['/car show ghost\n/car list\n']),
    output: (t) => timedOut.push(t),
    interactive: false,
    timeoutMs: 300,
  })
  expect(failed).toBe(1)
  expect(timedOut).toContain('[timeout] no reply to "/car show ghost" within 0.3 s (is the worker running?)')
  expect(timedOut.join('\n')).not.toContain('> /car list')
})

test('a reply job handed out twice (same job id) is printed once', async () => {
  const printed: ReplyJob[] = []
  const once = new LocalChat({
    redisUrl: testRedisUrl(),
    queuePrefix: prefix,
    tenant: 't3',
    onReply: (job) => printed.push(job),
  })
  await once.connect()
  try {
    const job: ReplyJob = {
      envelopeId: 'twice-1',
      tenant: once.tenant,
      replyTo: { platform: 'local', session: once.session },
      reply: { tone: 'ok', text: 'Added twice' },
    }
    const queue = replyQueue(replyQueueOf(job))
    const jobId = replyJobId(job.envelopeId)
    const taken = async () => {
      const deadline = Date.now() + 5_000
      while ((await queue.getJobState(jobId)) !== 'completed') {
        if (Date.now() > deadline) throw new Error(`${jobId} was not taken within 5 s`)
        await Bun.sleep(20)
      }
    }
    await queue.add('reply', job, { jobId })
    await taken()
    // BullMQ hands a job out again when its lock expires mid-take; here the same id comes back.
    await queue.remove(jobId)
    await queue.add('reply', job, { jobId })
    await taken()
    await Bun.sleep(100)
    expect(printed.map((j) => j.reply.text)).toEqual(['Added twice'])
  } finally {
    await once.close()
  }
})
