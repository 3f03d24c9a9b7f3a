/**
 * The delivery worker on `replies.slack` against the stand-in and the real images service:
 * where each kind of reply lands, 429s waited out, a job run twice posting once, thread refs,
 * and thumbnails uploaded through the files methods.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Queue } from 'bullmq'
import type IORedis from 'ioredis'
import { type Config, parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { workerConnection } from '../../queue/connection.ts'
import type { ReplyJob } from '../../queue/envelope.ts'
import { replyJobId } from '../../queue/names.ts'
import { makeJpeg } from '../../services/images/fixtures.ts'
import { testRedisUrl } from '../../test/env.ts'
import { type SlackStandin, startStandin } from '../../test/slack-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type DeliveryWorker, startDelivery } from './deliver.ts'

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
    const url = standin.responseUrl()
    standin.rateLimit('response_url', 1, 1)
    const started = Date.now()
    await enqueue(
      job({ tone: 'ok', title: 'Added corolla', text: '2018 Toyota Corolla' }, { responseUrl: url }),
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

  test('a reply job run twice posts once: response_url remembered, chat.postMessage updated in place', async () => {
    const url = standin.responseUrl()
    const a = job({ tone: 'ok', text: 'once' }, { responseUrl: url })
    expect(await running.delivery.deliver(a.id, a.data)).toEqual({ via: 'response_url' })
    expect(await running.delivery.deliver(a.id, a.data)).toEqual({ via: 'already' })
    expect(standin.responses(url).length).toBe(1)

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

  test('private answers: ephemeral at the response_url, or chat.postEphemeral to the user without one', async () => {
    const url = standin.responseUrl()
    const a = job(
      { tone: 'error', text: 'no car "x"', ephemeral: true },
      { responseUrl: url, userId: 'U0ALICE' },
    )
    await running.delivery.deliver(a.id, a.data)
    expect(standin.responses(url)[0].response_type).toBe('ephemeral')

    const b = job(
      { tone: 'error', text: 'photo too large', ephemeral: true },
      { channelId: 'C0EPH', userId: 'U0ALICE' },
    )
    expect(await running.delivery.deliver(b.id, b.data)).toEqual({ via: 'ephemeral', channel: 'C0EPH' })
    const eph = standin.channelMessages('C0EPH')
    expect(eph.map((m) => [m.method, m.user])).toEqual([['chat.postEphemeral', 'U0ALICE']])
  })

  test('a used-up response_url falls back to a channel post', async () => {
    const url = standin.responseUrl()
    for (let i = 0; i < 5; i++) {
      const j = job({ tone: 'ok', text: `post ${i}` }, { responseUrl: url })
      await running.delivery.deliver(j.id, j.data)
    }
    const sixth = job({ tone: 'ok', text: 'the sixth' }, { responseUrl: url, channelId: 'C0USED' })
    expect(await running.delivery.deliver(sixth.id, sixth.data)).toMatchObject({
      via: 'chat',
      channel: 'C0USED',
    })
    expect(standin.responses(url).length).toBe(5)
    expect(standin.channelMessages('C0USED')[0]!.text).toContain('the sixth')
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
      { responseUrl: url },
    )
    await running.delivery.deliver(a.id, a.data)
    const files = standin.uploadedFiles()
    expect(files.length).toBe(1)
    expect(files[0]!.bytes).toEqual(thumb)
    expect([...files[0]!.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff])
    const body = standin.responses(url)[0]
    expect(body.blocks.find((b: any) => b.type === 'image')).toEqual({
      type: 'image',
      slack_file: { id: files[0]!.id },
      alt_text: 'corolla',
    })
    expect(standin.calls('files.completeUploadExternal').length).toBe(1)

    const again = job(
      { tone: 'ok', text: 'Same photo again', image: { sha256: photo.sha256, size: 256 } },
      { responseUrl: standin.responseUrl() },
    )
    await running.delivery.deliver(again.id, again.data)
    expect(standin.uploadedFiles().length).toBe(1)

    // Another garage cannot show that photo: the images service says 404, the reply goes without it.
    const other = job(
      { tone: 'ok', text: 'not yours', image: { sha256: photo.sha256, size: 256 } },
      { responseUrl: standin.responseUrl() },
    )
    await running.delivery.deliver(other.id, { ...other.data, tenant: 'slack:TOTHER' })
    expect(standin.uploadedFiles().length).toBe(1)
    expect(
      standin
        .responses(other.data.replyTo.platform === 'slack' ? other.data.replyTo.responseUrl! : '')[0]
        .blocks.some((b: any) => b.type === 'image'),
    ).toBe(false)
  })
})
