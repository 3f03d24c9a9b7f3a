/**
 * The delivery worker against the Discord stand-in and the test Redis: edits of the deferred
 * original, channel posts that happen once however often the job runs, 429 and 5xx, expired
 * interaction tokens, private answers to public deferrals, photo threads and thread refs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { MessageFlags, REST, Routes } from 'discord.js'
import IORedis from 'ioredis'
import { silentLogger } from '../../lib/log.ts'
import type { Reply, ReplyJob } from '../../lib/contracts/envelope.ts'
import { testRedisUrl } from '../../test/env.ts'
import { uniquePrefix } from '../../test/redis.ts'
import {
  type DiscordStandin,
  type InteractionRecord,
  startStandin,
} from '../../test/discord-standin/standin.ts'
import { createRest } from './client.ts'
import { type DeliveryDeps, deliver, nonceOf } from './deliver.ts'
import { threadRefOf } from '../shared/threads.ts'

const GUILD = '1200000000000000001'
const CHANNEL = '1300000000000000001'
const TENANT = `discord:${GUILD}`

let standin: DiscordStandin
let redis: IORedis
let deps: DeliveryDeps
let images: ReturnType<typeof Bun.serve>
let userRest: REST
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9])
const SHA = 'a'.repeat(64)

beforeAll(() => {
  standin = startStandin()
  redis = new IORedis(testRedisUrl())
  // A stand-in for the images service's thumbnail route (the real service has its own tests).
  images = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request) {
      const url = new URL(request.url)
      if (request.headers.get('authorization') !== 'Bearer svc-token-0123456789')
        return new Response('no', { status: 401 })
      if (url.pathname === `/images/${SHA}/256` && request.headers.get('x-tenant') === TENANT)
        return new Response(JPEG, { headers: { 'content-type': 'image/jpeg' } })
      return Response.json({ error: { code: 'not_found', message: 'no such photo' } }, { status: 404 })
    },
  })
  deps = {
    config: {
      QUEUE_PREFIX: uniquePrefix('dlv'),
      IMAGES_URL: `http://127.0.0.1:${images.port}`,
      SERVICE_TOKEN: 'svc-token-0123456789',
    },
    rest: createRest(standin.apiUrl, standin.token),
    redis,
    log: silentLogger,
    backoffMs: [50, 100],
  }
  userRest = new REST({ api: standin.apiUrl }).setToken(standin.token)
})

afterAll(async () => {
  await standin.close()
  images.stop(true)
  redis.disconnect()
})

/** An interaction the "bot" has deferred (publicly unless ephemeral). */
async function deferred(ephemeral = false, ageMs = 0): Promise<InteractionRecord> {
  const rec = standin.sendCommand(GUILD, 'car', 'list', {}, { ageMs })
  await userRest.post(Routes.interactionCallback(rec.id, rec.token), {
    body: { type: 5, data: ephemeral ? { flags: MessageFlags.Ephemeral } : {} },
    auth: false,
  })
  return rec
}

const job = (rec: InteractionRecord | undefined, reply: Reply, extra: Partial<ReplyJob> = {}): ReplyJob => ({
  envelopeId: rec?.id ?? `m${Math.random().toString(36).slice(2)}`,
  tenant: TENANT,
  replyTo: {
    platform: 'discord',
    channelId: CHANNEL,
    ...(rec
      ? { interaction: { applicationId: standin.applicationId, token: rec.token, createdAt: rec.createdAt } }
      : {}),
  },
  reply,
  ...extra,
})

describe('interaction replies', () => {
  test('edits the deferred original with an embed coloured by tone, buttons and the photo', async () => {
    const rec = await deferred()
    const reply: Reply = {
      tone: 'ok',
      title: 'Corolla added',
      text: 'Toyota Corolla 2018',
      fields: [{ name: 'Odometer', value: '52,000 km' }],
      image: { sha256: SHA, size: 256 },
      actions: [{ id: 'car.show:corolla', label: 'Show' }],
    }
    const out = await deliver(deps, `reply-${rec.id}-final`, job(rec, reply))
    expect(out.via).toBe('original')
    expect(rec.originalEdits).toBe(1)
    const msg = rec.original!
    expect(msg.embeds[0].title).toBe('Corolla added')
    expect(msg.embeds[0].color).toBe(0x2e9e5b)
    expect(msg.embeds[0].thumbnail.url).toBe('attachment://photo.jpg')
    expect(msg.components[0].components[0].custom_id).toBe('car.show:corolla')
    expect(msg.attachments).toHaveLength(1)
    expect(standin.fileBytes(msg.attachments[0].url)).toEqual(JPEG)
    // The interaction webhook is authenticated by its token, never the bot token.
    const patch = standin.requestsTo(
      'PATCH',
      `/webhooks/${standin.applicationId}/${rec.token}/messages/@original`,
    )[0]!
    expect(patch.headers.authorization).toBeUndefined()
    expect(patch.files[0]?.filename).toBe('photo.jpg')
  })

  test('a photo the tenant does not have is left out, the answer still arrives', async () => {
    const rec = await deferred()
    await deliver(
      deps,
      `reply-${rec.id}-final`,
      job(rec, { tone: 'ok', text: 'x', image: { sha256: 'b'.repeat(64), size: 256 } }),
    )
    expect(rec.original!.embeds[0].thumbnail).toBeUndefined()
    expect(rec.original!.attachments).toEqual([])
  })

  test('a private answer to a public deferral replaces it with one ephemeral follow-up, even when run twice', async () => {
    const rec = await deferred(false)
    const data = job(rec, {
      tone: 'error',
      text: 'reading: lower than the last (52,000 km)',
      ephemeral: true,
    })
    await deliver(deps, `reply-${rec.id}-final`, data)
    await deliver(deps, `reply-${rec.id}-final`, data)
    expect(rec.originalDeleted).toBe(true)
    expect(rec.followups).toHaveLength(1)
    expect(rec.followups[0]!.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
    expect(rec.followups[0]!.embeds[0].description).toContain('lower than the last')
  })

  test('a private answer to a private deferral just edits it', async () => {
    const rec = await deferred(true)
    await deliver(deps, `reply-${rec.id}-final`, job(rec, { tone: 'ok', text: 'settings', ephemeral: true }))
    expect(rec.originalDeleted).toBe(false)
    expect(rec.followups).toHaveLength(0)
    expect(rec.original!.embeds[0].description).toBe('settings')
  })

  test('a notice never overwrites the final answer', async () => {
    const rec = await deferred()
    await deliver(deps, `reply-${rec.id}-final`, job(rec, { tone: 'ok', text: 'done' }))
    const out = await deliver(
      deps,
      `reply-${rec.id}-notice`,
      job(rec, { tone: 'warn', text: 'retrying…' }, { notice: true }),
    )
    expect(out.via).toBe('skipped')
    expect(rec.original!.embeds[0].description).toBe('done')
  })

  test('an interaction older than 15 minutes is answered in its channel instead', async () => {
    const rec = standin.sendCommand(GUILD, 'car', 'list', {}, { ageMs: 16 * 60_000 })
    const before = standin.requests.length
    const out = await deliver(deps, `reply-${rec.id}-final`, job(rec, { tone: 'ok', text: 'late answer' }))
    expect(out.via).toBe('channel')
    const sent = standin.requests.slice(before)
    expect(sent.some((r) => r.path.startsWith('/webhooks/'))).toBe(false)
    expect(standin.messages.get(out.messageId!)!.embeds[0].description).toBe('late answer')
  })

  test('a refused webhook token falls back to the channel', async () => {
    const rec = await deferred()
    standin.failNext({ method: 'PATCH', path: /^\/webhooks\//, status: 401, code: 50027 })
    const out = await deliver(deps, `reply-${rec.id}-final`, job(rec, { tone: 'ok', text: 'fallback' }))
    expect(out.via).toBe('channel')
    expect(standin.messages.get(out.messageId!)!.channel_id).toBe(CHANNEL)
  })
})

describe('channel posts', () => {
  test('a job that runs twice posts once: the rerun finds it done and sends nothing', async () => {
    const data = job(undefined, { tone: 'warn', title: 'Oil change due', text: 'corolla: in 9 days' })
    const jobId = `reply-${data.envelopeId}-final`
    const a = await deliver(deps, jobId, data)
    const b = await deliver(deps, jobId, data)
    expect(b).toEqual(a)
    const posts = standin
      .requestsTo('POST', `/channels/${CHANNEL}/messages`)
      .filter((r) => r.body?.nonce === nonceOf(jobId))
    // The nonce (enforce_nonce) still guards an attempt that died mid-request.
    expect(posts).toHaveLength(1)
    expect(posts[0]!.body.enforce_nonce).toBe(true)
    expect(standin.channelMessages(CHANNEL).filter((m) => m.nonce === nonceOf(jobId))).toHaveLength(1)
  })

  test('a 429 is waited out (Retry-After) and the message posted once', async () => {
    const data = job(undefined, { tone: 'ok', text: 'after the rate limit' })
    const jobId = `reply-${data.envelopeId}-final`
    standin.failNext({ method: 'POST', path: `/channels/${CHANNEL}/messages`, status: 429, retryAfter: 1 })
    const started = Date.now()
    await deliver(deps, jobId, data)
    const posts = standin
      .requestsTo('POST', `/channels/${CHANNEL}/messages`)
      .filter((r) => r.body?.nonce === nonceOf(jobId))
    expect(posts.map((p) => p.status)).toEqual([429, 200])
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(950)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(standin.channelMessages(CHANNEL).filter((m) => m.nonce === nonceOf(jobId))).toHaveLength(1)
  })

  test('5xx is retried with backoff; a lasting outage fails the job for BullMQ to retry', async () => {
    const data = job(undefined, { tone: 'ok', text: 'after a hiccup' })
    const jobId = `reply-${data.envelopeId}-final`
    standin.failNext({ method: 'POST', path: `/channels/${CHANNEL}/messages`, status: 502, times: 2 })
    await deliver(deps, jobId, data)
    const posts = standin
      .requestsTo('POST', `/channels/${CHANNEL}/messages`)
      .filter((r) => r.body?.nonce === nonceOf(jobId))
    expect(posts.map((p) => p.status)).toEqual([502, 502, 200])
    expect(posts[2]!.at - posts[1]!.at).toBeGreaterThanOrEqual(90)

    const down = job(undefined, { tone: 'ok', text: 'never' })
    standin.failNext({ method: 'POST', path: `/channels/${CHANNEL}/messages`, status: 503, times: 3 })
    await expect(deliver(deps, `reply-${down.envelopeId}-final`, down)).rejects.toThrow()
    expect(standin.channelMessages(CHANNEL).some((m) => m.embeds[0]?.description === 'never')).toBe(false)
  })

  test('a photo reply goes to a thread on the photo message, once, and remembers its ref', async () => {
    const photo = standin.dropPhoto(GUILD, CHANNEL, {
      content: 'corolla',
      files: [{ filename: 'car.jpg', bytes: JPEG, contentType: 'image/jpeg' }],
    })
    const data: ReplyJob = {
      envelopeId: photo.id,
      tenant: TENANT,
      replyTo: { platform: 'discord', channelId: CHANNEL, messageId: photo.id },
      reply: {
        tone: 'ok',
        title: 'Photo added to corolla',
        text: 'Toyota Corolla',
        image: { sha256: SHA, size: 256 },
        ref: 'car:corolla',
      },
    }
    const jobId = `reply-${photo.id}-final`
    const first = await deliver(deps, jobId, data)
    const again = await deliver(deps, jobId, data)
    expect(first.channelId).toBe(photo.id)
    expect(again.messageId).toBe(first.messageId!)
    const inThread = standin.channelMessages(photo.id)
    expect(inThread).toHaveLength(1)
    expect(inThread[0]!.embeds[0].thumbnail.url).toBe('attachment://photo.jpg')
    expect(await threadRefOf(redis, deps.config.QUEUE_PREFIX, TENANT, first.messageId!)).toBe('car:corolla')
  })

  test('a malformed reply job is refused for good', async () => {
    await expect(
      deliver(deps, 'reply-x-final', { envelopeId: 'x', reply: { tone: 'nope' } }),
    ).rejects.toThrow(/malformed/)
  })
})
