/**
 * The delivery worker on `replies.slack` against the stand-in and the real images service:
 * where each kind of reply lands (chat.postMessage in the channel; the response_url only when the
 * bot cannot post there or for a private answer), 429s waited out, a job run twice posting once,
 * thread refs, and thumbnails uploaded through the files methods.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type Queue, UnrecoverableError } from 'bullmq'
import type IORedis from 'ioredis'
import { type Config, parseConfig } from '../../lib/config.ts'
import { createLogger, silentLogger } from '../../lib/log.ts'
import { workerConnection } from '../../lib/redis.ts'
import type { ReplyJob } from '../../lib/contracts/envelope.ts'
import { replyJobId } from '../../lib/contracts/queues.ts'
import { recordKey } from '../shared/delivery.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { testRedisUrl } from '../../test/env.ts'
import { type SlackStandin, startStandin } from '../../test/slack-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type DeliveryWorker, SlackDelivery, startDelivery } from './deliver.ts'

let standin: SlackStandin
let stack: Stack
let config: Config
let connection: IORedis
let running: DeliveryWorker
let replies: Queue
let seq = 0

const tenant = 'slack:TD0001'

beforeAll(async () => {
  standin = startStandin()
  stack = await startStack({ services: ['items', 'images'], worker: false })
  config = parseConfig({
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: stack.prefix,
    SERVICE_TOKEN: stack.token,
    IMAGES_URL: stack.url('images'),
    SLACK_BOT_TOKEN: standin.botToken,
    SLACK_SIGNING_SECRET: standin.signingSecret,
    SLACK_API_URL: standin.apiUrl,
  })
  connection = workerConnection(testRedisUrl())
  running = await startDelivery({ config, connection, log: silentLogger, maxRetryAfterMs: 5_000 })
  replies = stack.replyQueue('slack')
})

afterAll(async () => {
  await running?.close()
  await replies?.close()
  connection?.disconnect()
  await stack?.close()
  await standin?.close()
})

function job(
  reply: ReplyJob['reply'],
  replyTo: Partial<Extract<ReplyJob['replyTo'], { platform: 'slack' }>> = {},
): { id: string; data: ReplyJob } {
  const envelopeId = `d${Date.now().toString(36)}-${++seq}`
  return {
    id: replyJobId(envelopeId),
    data: { envelopeId, tenant, replyTo: { platform: 'slack', channelId: 'C0GARAGE', ...replyTo }, reply },
  }
}

async function enqueue(j: { id: string; data: ReplyJob }) {
  await replies.add('reply', j.data, { jobId: j.id, attempts: 3, backoff: { type: 'fixed', delay: 100 } })
}

describe('Slack delivery', () => {
  test('a 429 at the response_url is waited out (Retry-After) and the reply posted once', async () => {
    // The bot is not in the channel, so the answer goes to the response_url.
    standin.notInChannel.add('C0OUT429')
    const url = standin.responseUrl()
    standin.rateLimit('response_url', 1, 1)
    const started = Date.now()
    await enqueue(
      job(
        { tone: 'ok', title: 'Added corolla', text: '2018 Toyota Corolla' },
        { responseUrl: url, channelId: 'C0OUT429' },
      ),
    )
    await standin.waitFor(() => standin.responses(url)[0], 10_000, 'the reply after the 429')
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    await Bun.sleep(300)
    expect(standin.responses(url).length).toBe(1)
    expect(standin.requests.filter((r) => r.path === new URL(url).pathname).map((r) => r.status)).toEqual([
      429, 200,
    ])
  })

  test('a Web API 429 (chat.postMessage) is waited out and the channel post made once', async () => {
    standin.rateLimit('chat.postMessage', 1, 1)
    const started = Date.now()
    await enqueue(
      job(
        {
          tone: 'warn',
          title: 'Oil change on corolla',
          text: 'due in 9 days',
          actions: [{ id: 'item.done:1', label: 'Done', style: 'primary' }],
        },
        { channelId: 'C0REMIND' },
      ),
    )
    const posted = await standin.waitFor(() => standin.channelMessages('C0REMIND')[0], 10_000, 'the reminder')
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    await Bun.sleep(300)
    expect(standin.channelMessages('C0REMIND').length).toBe(1)
    expect(
      standin
        .calls('chat.postMessage')
        .filter((r) => r.body.channel === 'C0REMIND')
        .map((r) => r.status),
    ).toEqual([429, 200])
    expect(posted.blocks!.at(-1)).toMatchObject({
      type: 'actions',
      elements: [{ action_id: 'item.done:1', style: 'primary' }],
    })
    for (const call of standin.calls('chat.postMessage'))
      expect(call.headers.authorization).toBe(`Bearer ${standin.botToken}`)
  })

  test('an in-channel command answer is posted with chat.postMessage, its ts recorded; a redelivery updates it', async () => {
    const url = standin.responseUrl()
    const a = job(
      { tone: 'ok', title: 'Added corolla', text: '2018 Toyota Corolla', ref: 'car:corolla' },
      { responseUrl: url, channelId: 'C0ANSWER', userId: 'U0ALICE' },
    )
    const first = await running.delivery.deliver(a.id, a.data)
    expect(first).toMatchObject({ via: 'chat', channel: 'C0ANSWER', updated: false })
    const ts = (first as { ts: string }).ts
    const posted = standin.channelMessages('C0ANSWER')
    expect(posted.map((m) => [m.method, m.ts, m.thread_ts])).toEqual([['chat.postMessage', ts, undefined]])
    expect(posted[0]!.text).toContain('Added corolla: 2018 Toyota Corolla')
    expect(posted[0]!.blocks![0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Added corolla', emoji: true },
    })
    expect(standin.responses(url)).toEqual([])
    // The done mark records where the message is.
    const record = await connection.hgetall(recordKey(stack.prefix, a.id))
    expect(record.state).toBe('done')
    expect(JSON.parse(record.ref!)).toEqual({ via: 'chat', channel: 'C0ANSWER', ts })
    // Its ts is the thread of the car: a photo dropped there lands on the Corolla.
    expect(await connection.hget(`${stack.prefix}:threads`, `${tenant}|${ts}`)).toBe('car:corolla')

    // The same reply job delivered again: the recorded message is edited, nothing new is posted.
    expect(await running.delivery.deliver(a.id, a.data)).toEqual({
      via: 'chat',
      channel: 'C0ANSWER',
      ts,
      updated: true,
    })
    const updates = standin.calls('chat.update').filter((r) => r.body.channel === 'C0ANSWER')
    expect(updates.map((r) => [r.body.ts, r.status])).toEqual([[ts, 200]])
    const shown = standin.channelMessages('C0ANSWER')
    expect(shown.length).toBe(1)
    expect(shown[0]!.history.length).toBe(1)
    expect(shown[0]!.text).toContain('Added corolla: 2018 Toyota Corolla')
    expect(standin.calls('chat.postMessage').filter((r) => r.body.channel === 'C0ANSWER').length).toBe(1)
    expect(standin.responses(url)).toEqual([])
  })

  test('a command answer in a channel the bot is not in goes to the response_url in channel, once', async () => {
    standin.notInChannel.add('C0OUTSIDE')
    const url = standin.responseUrl()
    const a = job(
      { tone: 'ok', title: 'Cars', text: 'corolla, civic' },
      { responseUrl: url, channelId: 'C0OUTSIDE' },
    )
    expect(await running.delivery.deliver(a.id, a.data)).toEqual({ via: 'response_url' })
    expect(await running.delivery.deliver(a.id, a.data)).toEqual({ via: 'already' })
    expect(standin.responses(url).map((r) => [r.response_type, r.text])).toEqual([
      ['in_channel', 'Cars: corolla, civic'],
    ])
    expect(
      standin
        .calls('chat.postMessage')
        .filter((r) => r.body.channel === 'C0OUTSIDE')
        .map((r) => r.status),
    ).toEqual([200])
    expect(standin.channelMessages('C0OUTSIDE')).toEqual([])
    expect(JSON.parse((await connection.hget(recordKey(stack.prefix, a.id), 'ref'))!)).toEqual({
      via: 'response_url',
    })

    // With no response_url (a reminder) there is nowhere else: the job fails and BullMQ retries.
    const b = job({ tone: 'ok', text: 'a reminder nobody sees' }, { channelId: 'C0OUTSIDE' })
    await expect(running.delivery.deliver(b.id, b.data)).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    })
  })

  test('an attempt that died between Slack taking the post and the done mark: the rerun cannot know, posts again and warns', async () => {
    const lines: string[] = []
    const delivery = new SlackDelivery({
      config,
      connection,
      log: createLogger('slack', 'info', { write: (line: string) => void lines.push(line) }),
    })
    const j = job(
      { tone: 'ok', text: 'died mid-request' },
      { responseUrl: standin.responseUrl(), channelId: 'C0DIED' },
    )
    await delivery.deliver(j.id, j.data)
    // What such an attempt leaves: Slack has the message, the record says only 'posting'.
    await connection.hset(recordKey(stack.prefix, j.id), 'state', 'posting')
    await connection.hdel(recordKey(stack.prefix, j.id), 'ref')
    expect(await delivery.deliver(j.id, j.data)).toMatchObject({
      via: 'chat',
      channel: 'C0DIED',
      updated: false,
    })
    expect(standin.channelMessages('C0DIED').map((m) => m.text)).toEqual([
      'died mid-request',
      'died mid-request',
    ])
    expect(lines.filter((l) => l.includes('may have posted this reply'))).toHaveLength(1)
    // Now done with the second message's ts: a further rerun updates it and posts nothing.
    expect(await delivery.deliver(j.id, j.data)).toMatchObject({ via: 'chat', updated: true })
    expect(standin.channelMessages('C0DIED')).toHaveLength(2)
  })

  test('a reply job run twice posts once: chat.postMessage updated in place', async () => {
    const b = job({ tone: 'ok', text: 'reminder' }, { channelId: 'C0TWICE' })
    const first = await running.delivery.deliver(b.id, b.data)
    const second = await running.delivery.deliver(b.id, b.data)
    expect(first).toMatchObject({ via: 'chat', updated: false })
    expect(second).toMatchObject({ via: 'chat', updated: true, ts: (first as { ts: string }).ts })
    const messages = standin.channelMessages('C0TWICE')
    expect(messages.length).toBe(1)
    expect(messages[0]!.history.length).toBe(1)
  })

  test('a thread answer with a ref is posted in the thread and the thread remembered', async () => {
    const j = job(
      { tone: 'ok', text: 'Filed on issue #12', ref: 'issue:12' },
      { channelId: 'C0PHOTOS', threadTs: '1715000000.000100', userId: 'U0ALICE' },
    )
    await enqueue(j)
    const posted = await standin.waitFor(
      () => standin.channelMessages('C0PHOTOS', '1715000000.000100')[0],
      10_000,
      'the thread answer',
    )
    expect(posted.text).toContain('issue #12')
    const deadline = Date.now() + 5_000
    let ref: string | null = null
    while (!ref && Date.now() < deadline) {
      ref = await connection.hget(`${stack.prefix}:threads`, `${tenant}|1715000000.000100`)
      if (!ref) await Bun.sleep(20)
    }
    expect(ref).toBe('issue:12')
  })

  test("a command's answer about an issue is posted in its channel, its ts remembered as the issue's thread, once", async () => {
    const url = standin.responseUrl()
    const a = job(
      { tone: 'ok', title: '#3 opened on corolla', text: 'high: Grinding when braking', ref: 'issue:3' },
      { responseUrl: url, channelId: 'C0ISSUE', userId: 'U0ALICE' },
    )
    const first = await running.delivery.deliver(a.id, a.data)
    expect(first).toMatchObject({ via: 'chat', channel: 'C0ISSUE', updated: false })
    const ts = (first as { ts: string }).ts
    const posted = standin.channelMessages('C0ISSUE')
    expect(posted.map((m) => [m.method, m.ts, m.thread_ts])).toEqual([['chat.postMessage', ts, undefined]])
    expect(posted[0]!.text).toContain('#3 opened on corolla')
    expect(standin.responses(url)).toEqual([])
    expect(await connection.hget(`${stack.prefix}:threads`, `${tenant}|${ts}`)).toBe('issue:3')

    // Run twice: the same message is updated, nothing new is posted, the thread still points at #3.
    await connection.hdel(`${stack.prefix}:threads`, `${tenant}|${ts}`)
    expect(await running.delivery.deliver(a.id, a.data)).toMatchObject({ via: 'chat', ts, updated: true })
    expect(standin.channelMessages('C0ISSUE').length).toBe(1)
    expect(standin.responses(url)).toEqual([])
    expect(await connection.hget(`${stack.prefix}:threads`, `${tenant}|${ts}`)).toBe('issue:3')

    // A car's answer (/car add) is posted in the channel as well; a private answer about an
    // issue stays at the response_url.
    const carUrl = standin.responseUrl()
    const car = job(
      { tone: 'ok', title: 'Added corolla', text: '2018 Toyota Corolla', ref: 'car:corolla' },
      { responseUrl: carUrl, channelId: 'C0ISSUE' },
    )
    expect(await running.delivery.deliver(car.id, car.data)).toMatchObject({
      via: 'chat',
      channel: 'C0ISSUE',
      updated: false,
    })
    const privUrl = standin.responseUrl()
    const priv = job(
      { tone: 'ok', text: '#3 is yours to see', ref: 'issue:3', ephemeral: true },
      { responseUrl: privUrl, channelId: 'C0ISSUE', userId: 'U0ALICE' },
    )
    expect(await running.delivery.deliver(priv.id, priv.data)).toEqual({ via: 'response_url' })
    expect(standin.responses(carUrl)).toEqual([])
    expect(standin.responses(privUrl).map((r) => r.response_type)).toEqual(['ephemeral'])
    expect(standin.channelMessages('C0ISSUE').map((m) => m.text)).toEqual([
      expect.stringContaining('#3 opened on corolla'),
      expect.stringContaining('Added corolla'),
    ])
  })

  test('an answer about an issue in a channel the bot is not in goes to the response_url, once', async () => {
    standin.notInChannel.add('C0NOTIN')
    const url = standin.responseUrl()
    const j = job(
      { tone: 'ok', title: '#4 opened on corolla', text: 'low: rattle', ref: 'issue:4' },
      { responseUrl: url, channelId: 'C0NOTIN', userId: 'U0ALICE' },
    )
    expect(await running.delivery.deliver(j.id, j.data)).toEqual({ via: 'response_url' })
    expect(await running.delivery.deliver(j.id, j.data)).toEqual({ via: 'already' })
    expect(standin.responses(url).map((r) => r.response_type)).toEqual(['in_channel'])
    expect(JSON.stringify(standin.responses(url)[0])).toContain('#4 opened on corolla')
    expect(
      standin
        .calls('chat.postMessage')
        .filter((r) => r.body.channel === 'C0NOTIN')
        .map((r) => r.status),
    ).toEqual([200])
    expect(standin.channelMessages('C0NOTIN')).toEqual([])
  })

  test('private answers: ephemeral at the response_url, or chat.postEphemeral to the user without one', async () => {
    const url = standin.responseUrl()
    const a = job(
      { tone: 'error', text: 'no car "x"', ephemeral: true },
      { responseUrl: url, channelId: 'C0PRIV', userId: 'U0ALICE' },
    )
    expect(await running.delivery.deliver(a.id, a.data)).toEqual({ via: 'response_url' })
    expect(await running.delivery.deliver(a.id, a.data)).toEqual({ via: 'already' })
    expect(standin.responses(url).map((r) => [r.response_type, r.text])).toEqual([
      ['ephemeral', 'no car "x"'],
    ])
    // Nothing in the channel, neither posted nor attempted.
    expect(standin.channelMessages('C0PRIV')).toEqual([])
    expect(standin.calls('chat.postMessage').filter((r) => r.body.channel === 'C0PRIV')).toEqual([])
    expect(standin.calls('chat.postEphemeral').filter((r) => r.body.channel === 'C0PRIV')).toEqual([])

    const b = job(
      { tone: 'error', text: 'photo too large', ephemeral: true },
      { channelId: 'C0EPH', userId: 'U0ALICE' },
    )
    expect(await running.delivery.deliver(b.id, b.data)).toEqual({ via: 'ephemeral', channel: 'C0EPH' })
    const eph = standin.channelMessages('C0EPH')
    expect(eph.map((m) => [m.method, m.user])).toEqual([['chat.postEphemeral', 'U0ALICE']])
  })

  test('a used-up response_url: a private answer falls back to chat.postEphemeral; with the bot not in the channel, nothing is left', async () => {
    const url = standin.responseUrl()
    for (let i = 0; i < 5; i++) {
      const j = job({ tone: 'ok', text: `post ${i}`, ephemeral: true }, { responseUrl: url })
      expect(await running.delivery.deliver(j.id, j.data)).toEqual({ via: 'response_url' })
    }
    const sixth = job(
      { tone: 'ok', text: 'the sixth', ephemeral: true },
      { responseUrl: url, channelId: 'C0USED', userId: 'U0ALICE' },
    )
    expect(await running.delivery.deliver(sixth.id, sixth.data)).toEqual({
      via: 'ephemeral',
      channel: 'C0USED',
    })
    expect(standin.responses(url).length).toBe(5)
    expect(standin.channelMessages('C0USED').map((m) => [m.method, m.user, m.text])).toEqual([
      ['chat.postEphemeral', 'U0ALICE', 'the sixth'],
    ])

    // In channel, but the bot may not post there and the response_url is spent: failed for good.
    standin.notInChannel.add('C0USEDOUT')
    const seventh = job({ tone: 'ok', text: 'the seventh' }, { responseUrl: url, channelId: 'C0USEDOUT' })
    await expect(running.delivery.deliver(seventh.id, seventh.data)).rejects.toBeInstanceOf(
      UnrecoverableError,
    )
    expect(standin.responses(url).length).toBe(5)
    expect(standin.channelMessages('C0USEDOUT')).toEqual([])
  })

  test('a Reply with a photo uploads the thumbnail (files methods) once and shows it by file id', async () => {
    const jpeg = await makeJpeg(640, 480)
    const upload = await fetch(`${stack.url('images')}/images?uploader=U0ALICE&filename=corolla.jpg`, {
      method: 'POST',
      headers: { ...stack.headers(tenant), 'content-type': 'image/jpeg', 'idempotency-key': 'thumb-test-1' },
      body: jpeg,
    })
    expect(upload.status).toBeLessThan(300)
    const { photo } = (await upload.json()) as { photo: { sha256: string } }
    const thumb = new Uint8Array(
      await (
        await fetch(`${stack.url('images')}/images/${photo.sha256}/256`, { headers: stack.headers(tenant) })
      ).arrayBuffer(),
    )

    const url = standin.responseUrl()
    const a = job(
      {
        tone: 'ok',
        text: 'Photo filed on corolla',
        image: { sha256: photo.sha256, size: 256, alt: 'corolla' },
      },
      { responseUrl: url, channelId: 'C0THUMB' },
    )
    expect(await running.delivery.deliver(a.id, a.data)).toMatchObject({ via: 'chat', channel: 'C0THUMB' })
    const files = standin.uploadedFiles()
    expect(files.length).toBe(1)
    expect(files[0]!.bytes).toEqual(thumb)
    expect([...files[0]!.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff])
    expect(standin.responses(url)).toEqual([])
    const body = standin.channelMessages('C0THUMB')[0]!
    expect(body.text).toContain('Photo filed on corolla')
    expect(body.blocks!.find((b: any) => b.type === 'image')).toEqual({
      type: 'image',
      slack_file: { id: files[0]!.id },
      alt_text: 'corolla',
    })
    expect(standin.calls('files.completeUploadExternal').length).toBe(1)

    const again = job(
      { tone: 'ok', text: 'Same photo again', image: { sha256: photo.sha256, size: 256 } },
      { responseUrl: standin.responseUrl(), channelId: 'C0THUMB' },
    )
    await running.delivery.deliver(again.id, again.data)
    expect(standin.uploadedFiles().length).toBe(1)

    // Another garage cannot show that photo: the images service says 404, the reply goes without it.
    const other = job(
      { tone: 'ok', text: 'not yours', image: { sha256: photo.sha256, size: 256 } },
      { responseUrl: standin.responseUrl(), channelId: 'C0THUMBX' },
    )
    await running.delivery.deliver(other.id, { ...other.data, tenant: 'slack:TOTHER' })
    expect(standin.uploadedFiles().length).toBe(1)
    const notYours = standin.channelMessages('C0THUMBX')
    expect(notYours.map((m) => m.text)).toEqual(['not yours'])
    expect(notYours[0]!.blocks!.some((b: any) => b.type === 'image')).toBe(false)
  })
})
