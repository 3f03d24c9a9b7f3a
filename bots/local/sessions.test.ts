/**
 * Two terminal chats of different garages on one Redis, beside the real worker and items
 * service: each chat session takes only its own replies (`replies.local.<session>`), and a
 * reminder posted to a garage's channel reaches that garage's chat (`replies.local.garage.<name>`)
 * and no other.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { ReplyJob } from '../../lib/contracts/envelope.ts'
import { silentLogger } from '../../lib/log.ts'
import { localGarageQueue, localRepliesQueue, replyJobId, replyQueueOf } from '../../lib/contracts/queues.ts'
import { workerConnection } from '../../lib/redis.ts'
import { announcementEnvelopeId, reminderTarget } from '../../queue/reminders.ts'
import { replyJob, replyPoster } from '../../queue/replies.ts'
import { testRedisUrl } from '../../test/env.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { LocalChat } from './index.ts'

let stack: Stack
const chats: { chat: LocalChat; seen: ReplyJob[] }[] = []

async function openChat(tenant: string) {
  const seen: ReplyJob[] = []
  const chat = new LocalChat({
    redisUrl: testRedisUrl(),
    queuePrefix: stack.prefix,
    tenant,
    timeoutMs: 10_000,
    onReply: (job) => seen.push(job),
  })
  await chat.connect()
  chats.push({ chat, seen })
  return { chat, seen }
}

beforeAll(async () => {
  stack = await startStack({ services: ['items'], collect: false })
})

afterAll(async () => {
  for (const { chat } of chats) await chat.close()
  await stack?.close()
})

test('two chats of different garages on one Redis each get only their own replies', async () => {
  const bulk = await openChat('bulk')
  const demo = await openChat('demo')
  const run = (chat: LocalChat, nicknames: string[]) =>
    Promise.all(nicknames.map((n) => chat.send(`/car add ${n} odometer:"1,000 km"`)))
  const [bulkReplies, demoReplies] = await Promise.all([
    run(bulk.chat, ['bulk', 'bulk2', 'bulk3', 'bulk4']),
    run(demo.chat, ['corolla', 'civic', 'golf', 'polo']),
  ])
  expect(bulkReplies.map((r) => r.at(-1)!.title)).toEqual(['Added bulk', 'Added bulk2', 'Added bulk3', 'Added bulk4'])
  expect(demoReplies.map((r) => r.at(-1)!.title)).toEqual([
    'Added corolla',
    'Added civic',
    'Added golf',
    'Added polo',
  ])
  for (const { chat, seen } of [bulk, demo]) {
    expect(seen).toHaveLength(4)
    for (const job of seen) {
      expect(job.tenant).toBe(chat.tenant)
      expect(job.replyTo).toEqual({ platform: 'local', session: chat.session })
    }
  }
  // Each garage has only its own cars.
  expect((await bulk.chat.send('/car list')).at(-1)!.text).not.toContain('corolla')
  expect((await demo.chat.send('/car list')).at(-1)!.text).not.toContain('bulk')
})

test("a reminder posted to a local garage's channel reaches a chat of that garage, and only that one", async () => {
  const [bulk, demo] = chats
  const connection = workerConnection(testRedisUrl())
  const poster = replyPoster(connection, stack.prefix, silentLogger)
  try {
    const id = announcementEnvelopeId(9_001)
    const job = replyJob(
      { id, tenant: 'local:demo', replyTo: reminderTarget('local:demo', 'garage') },
      { tone: 'warn', title: 'Oil change on corolla is urgent', text: 'Due in 9 days.' },
    )
    const before = { bulk: bulk!.seen.length, demo: demo!.seen.length }
    await poster.post(job, replyJobId(id))
    const deadline = Date.now() + 5_000
    while (demo!.seen.length === before.demo && Date.now() < deadline) await Bun.sleep(20)
    await Bun.sleep(200)
    expect(demo!.seen.slice(before.demo).map((j) => j.envelopeId)).toEqual([id])
    expect(bulk!.seen.length).toBe(before.bulk)
  } finally {
    await poster.close()
    connection.disconnect()
  }
})

test('reply queue names: a session of its own, a garage channel, a bot; no name holds a colon', () => {
  const local = (session: string, channel = false) =>
    replyQueueOf({ envelopeId: 'e1', tenant: 'local:demo', replyTo: { platform: 'local', session, channel } })
  expect(local('0f6e6f2c-1b4e-4b53-9b6a-3c1f6c7f2d10')).toBe('replies.local.0f6e6f2c-1b4e-4b53-9b6a-3c1f6c7f2d10')
  // A channel post (a reminder) goes to the garage's queue, whatever its channel is called.
  expect(local('garage', true)).toBe('replies.local.garage.demo')
  expect(local('reminders', true)).toBe('replies.local.garage.demo')
  expect(localGarageQueue('local:my.garage')).toBe('replies.local.garage.my~2egarage')
  // A session never contains a dot, so it never names a garage's queue.
  expect(localRepliesQueue('garage.demo')).toBe('replies.local.garage~2edemo')
  expect(localRepliesQueue('a:b')).toBe('replies.local.a~3ab')
  expect(
    replyQueueOf({ envelopeId: 'e1', tenant: 'discord:1', replyTo: { platform: 'discord', channelId: 'C1' } }),
  ).toBe('replies.discord')
})
