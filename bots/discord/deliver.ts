/**
 * The Discord delivery worker on `replies.discord`: renders each Reply (render.ts) and sends it.
 *
 * - An interaction that is younger than 15 minutes gets its deferred original edited through
 *   the interaction webhook (editing is naturally idempotent). A private (ephemeral) Reply to a
 *   public deferral replaces it: the original is deleted and an ephemeral follow-up sent.
 * - Otherwise (no interaction, an old or refused token) the Reply is a channel message: in the
 *   thread of `replyTo.messageId` when there is one (photo drops), with a nonce derived from the
 *   job id and `enforce_nonce`.
 * - Once per reply job (bots/shared/delivery.ts): an attempt claims the job's lease before it
 *   acts and records what it produced (a `Delivered`) with the done mark and the thread ref in
 *   one Redis call. A rerun of a done job sends nothing and answers the recorded `Delivered`; a
 *   rerun after an attempt that died mid-request edits the original again, or reposts with the
 *   same enforced nonce (Discord answers the message it already made while it remembers the
 *   nonce). An attempt that finds the lease held does not act (the job is put back as delayed),
 *   and one whose BullMQ lock was lost stops before posting.
 * - A job that fails for good: a stalled-out one is delivered by one final attempt; one out of
 *   attempts or refused is logged as not delivered.
 * - Rate limits: @discordjs/rest waits out 429 Retry-After by itself; 5xx and network failures
 *   are retried here with backoff, then the job fails and BullMQ retries it with its own backoff.
 * - A photo (Reply.image) is fetched from the images service and uploaded as `photo.jpg`.
 * - A file (Reply.file, an export zip or a chart) is fetched from the images service's files and
 *   attached under its name (a picture is shown as the embed's image); one over DISCORD_FILE_MAX
 *   (what Discord takes from a bot) or gone is said in
 *   the message instead.
 * - A Reply with `ref` records the thread ref of the message it produced (bots/shared/threads.ts).
 * - A progress notice never overwrites the final answer.
 */
import { createHash } from 'node:crypto'
import { Value } from '@sinclair/typebox/value'
import { UnrecoverableError, type Worker } from 'bullmq'
import {
  type APIMessage,
  DiscordAPIError,
  HTTPError,
  MessageFlags,
  type RawFile,
  type REST,
  Routes,
} from 'discord.js'
import type IORedis from 'ioredis'
import type { Config } from '../../lib/config.ts'
import type { Logger } from '../../lib/log.ts'
import { type Reply, ReplyJob, type ReplyJob as ReplyJobT } from '../../lib/contracts/envelope.ts'
import { repliesQueue } from '../../lib/contracts/queues.ts'
import { type MessageBody, PHOTO_NAME, renderReply } from './render.ts'
import {
  type AttemptGuard,
  DeliveryLedger,
  type DeliveryWorkerOptions,
  startDeliveryWorker,
} from '../shared/delivery.ts'

/** An interaction token is good for 15 minutes; keep a margin for the request itself. */
export const INTERACTION_TOKEN_MS = 15 * 60_000 - 30_000

/** Discord error codes this worker reacts to. */
const UNKNOWN_WEBHOOK = 10015
const UNKNOWN_MESSAGE = 10008
const INVALID_WEBHOOK_TOKEN = 50027
const THREAD_EXISTS = 160004
const INVALID_FORM_BODY = 50035

/** A message nonce (at most 25 characters) derived from the reply job's id. */
export function nonceOf(jobId: string): string {
  return createHash('sha256').update(jobId).digest('hex').slice(0, 25)
}

export type DeliveryDeps = {
  config: Pick<Config, 'QUEUE_PREFIX' | 'IMAGES_URL' | 'SERVICE_TOKEN'>
  rest: REST
  /** For thread refs and the per-reply markers (not the worker's blocking connection). */
  redis: IORedis
  log: Logger
  now?: () => number
  /** Pauses between 5xx retries, in ms (the last failure is left to BullMQ's backoff). */
  backoffMs?: readonly number[]
  /** How long a delivery lease lasts without renewal (bots/shared/delivery.ts). */
  leaseMs?: number
}

export type Delivered = {
  via: 'original' | 'followup' | 'channel' | 'skipped'
  messageId?: string
  channelId?: string
}

const isCode = (error: unknown, ...codes: number[]) =>
  error instanceof DiscordAPIError && codes.includes(Number(error.code))
const retryable = (error: unknown) =>
  (error instanceof HTTPError && error.status >= 500) ||
  (error instanceof DiscordAPIError && error.status >= 500) ||
  (!(error instanceof DiscordAPIError) &&
    !(error instanceof HTTPError) &&
    error instanceof Error &&
    error.name !== 'UnrecoverableError')

async function withBackoff<T>(deps: DeliveryDeps, what: string, fn: () => Promise<T>): Promise<T> {
  const pauses = deps.backoffMs ?? [250, 1_000]
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      if (!retryable(error) || attempt >= pauses.length) throw error
      deps.log.warn(
        { what, attempt: attempt + 1, err: (error as Error).message },
        'discord request failed; retrying',
      )
      await Bun.sleep(pauses[attempt]!)
    }
  }
}

/** The thumbnail bytes from the images service; undefined when that tenant has no such photo. */
async function fetchPhoto(
  deps: DeliveryDeps,
  tenant: string,
  image: NonNullable<Reply['image']>,
  required: boolean,
) {
  const url = `${deps.config.IMAGES_URL.replace(/\/$/, '')}/images/${image.sha256}/${image.size}`
  try {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${deps.config.SERVICE_TOKEN ?? ''}`, 'x-tenant': tenant },
      signal: AbortSignal.timeout(10_000),
    })
    if (res.status === 404) return undefined
    if (!res.ok) throw new Error(`images service answered ${res.status}`)
    return new Uint8Array(await res.arrayBuffer())
  } catch (error) {
    // Without the photo the answer is still worth sending on the last attempt.
    if (required) throw error
    deps.log.warn(
      { err: (error as Error).message, sha256: image.sha256 },
      'thumbnail unavailable; delivering without it',
    )
    return undefined
  }
}

/** The largest file Discord takes from a bot in a message (10 MiB). */
export const DISCORD_FILE_MAX = 10 * 1024 * 1024

/** A reply's file from the images service; undefined when it is gone (expired, or not this tenant's). */
async function fetchFile(deps: DeliveryDeps, tenant: string, file: NonNullable<Reply['file']>) {
  const url = `${deps.config.IMAGES_URL.replace(/\/$/, '')}/files/${file.id}`
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${deps.config.SERVICE_TOKEN ?? ''}`, 'x-tenant': tenant },
    signal: AbortSignal.timeout(60_000),
  })
  if (res.status === 404) return undefined
  if (!res.ok) throw new Error(`images service answered ${res.status} for a file`)
  return new Uint8Array(await res.arrayBuffer())
}

/**
 * Adds the reply's file to the upload (`files`) and the body's attachments, or says in the
 * message why it is not there.
 */
async function attachFile(deps: DeliveryDeps, data: ReplyJobT, files: RawFile[], body: MessageBody) {
  const file = data.reply.file
  if (!file) return
  const say = (line: string) => {
    const embed = body.embeds[0]
    if (embed) embed.description = `${String(embed.description ?? '')}\n${line}`.slice(0, 4096)
  }
  if (file.bytes > DISCORD_FILE_MAX) {
    say(`${file.name} is ${(file.bytes / 1048576).toFixed(1)} MB, over the 10 MB Discord takes from a bot: export one car, or without photos.`)
    return
  }
  const bytes = await fetchFile(deps, data.tenant, file)
  if (!bytes) {
    say(`${file.name} is no longer kept (files are kept for a day): export again.`)
    return
  }
  body.attachments.push({ id: files.length, filename: file.name })
  files.push({ name: file.name, data: bytes, contentType: file.type })
  // A picture (a chart) is shown in the embed itself rather than as a file below it.
  const embed = body.embeds[0]
  if (file.type.startsWith('image/') && embed && !embed.image) embed.image = { url: `attachment://${file.name}` }
}

const threadName = (reply: Reply) =>
  (reply.title ?? reply.text.split('\n')[0] ?? 'Car Manager').slice(0, 100) || 'Car Manager'

async function postInChannel(
  deps: DeliveryDeps,
  data: ReplyJobT & { replyTo: { platform: 'discord' } },
  jobId: string,
  body: MessageBody,
  files: RawFile[] | undefined,
): Promise<Delivered> {
  const { replyTo, reply } = data
  let channelId = replyTo.channelId
  let reference: Record<string, unknown> | undefined
  if (replyTo.messageId) {
    const messageId = replyTo.messageId
    try {
      await withBackoff(deps, 'start thread', () =>
        deps.rest.post(Routes.threads(replyTo.channelId, messageId), {
          body: { name: threadName(reply), auto_archive_duration: 1440 },
        }),
      )
      channelId = messageId
    } catch (error) {
      if (isCode(error, THREAD_EXISTS)) channelId = messageId
      else if (error instanceof DiscordAPIError && error.status < 500)
        // Already in a thread, or no right to start one: answer the message where it is.
        reference = { message_id: messageId, channel_id: replyTo.channelId, fail_if_not_exists: false }
      else throw error
    }
  }
  const message = (await withBackoff(deps, 'channel message', () =>
    deps.rest.post(Routes.channelMessages(channelId), {
      body: {
        ...body,
        nonce: nonceOf(jobId),
        enforce_nonce: true,
        ...(reference ? { message_reference: reference } : {}),
      },
      ...(files ? { files } : {}),
    }),
  )) as APIMessage
  return { via: 'channel', messageId: message.id, channelId }
}

async function viaInteraction(
  deps: DeliveryDeps,
  data: ReplyJobT,
  interaction: { applicationId: string; token: string },
  body: MessageBody,
  files: RawFile[] | undefined,
): Promise<Delivered> {
  const original = Routes.webhookMessage(interaction.applicationId, interaction.token, '@original')
  if (data.reply.ephemeral) {
    let current: APIMessage | undefined
    try {
      current = (await withBackoff(deps, 'get original', () =>
        deps.rest.get(original, { auth: false }),
      )) as APIMessage
    } catch (error) {
      if (!isCode(error, UNKNOWN_MESSAGE)) throw error
    }
    if (!current || ((current.flags ?? 0) & MessageFlags.Ephemeral) === 0) {
      if (current) {
        await withBackoff(deps, 'delete original', () => deps.rest.delete(original, { auth: false })).catch(
          (error) => {
            if (!isCode(error, UNKNOWN_MESSAGE)) throw error
          },
        )
      }
      const message = (await withBackoff(deps, 'follow-up', () =>
        deps.rest.post(Routes.webhook(interaction.applicationId, interaction.token), {
          body: { ...body, flags: MessageFlags.Ephemeral },
          ...(files ? { files } : {}),
          auth: false,
        }),
      )) as APIMessage
      return { via: 'followup', messageId: message.id }
    }
  }
  const message = (await withBackoff(deps, 'edit original', () =>
    deps.rest.patch(original, { body, ...(files ? { files } : {}), auth: false }),
  )) as APIMessage
  return { via: 'original', messageId: message.id, channelId: message.channel_id }
}

/**
 * Delivers one reply job, once (see the file's comment). `finalAttempt`: a missing photo no
 * longer holds the answer back. `guard`: BullMQ's lock of the job and its abort signal; an
 * attempt that lost them stops before posting. Throws `DeliveryBusy` when another attempt holds
 * the job's lease.
 */
export async function deliver(
  deps: DeliveryDeps,
  jobId: string,
  raw: unknown,
  finalAttempt = true,
  guard: AttemptGuard = {},
): Promise<Delivered> {
  if (!Value.Check(ReplyJob, raw)) {
    const first = Value.Errors(ReplyJob, raw).First()
    throw new UnrecoverableError(`malformed reply job at ${first?.path}: ${first?.message}`)
  }
  const data = raw as ReplyJobT
  const { replyTo, reply } = data
  if (replyTo.platform !== 'discord')
    throw new UnrecoverableError(`reply for ${replyTo.platform} on the Discord queue`)
  const now = deps.now ?? Date.now
  const interaction =
    replyTo.interaction && now() - replyTo.interaction.createdAt < INTERACTION_TOKEN_MS
      ? replyTo.interaction
      : undefined
  const finalKey = `${deps.config.QUEUE_PREFIX}:discord:final:${data.envelopeId}`
  if (data.notice) {
    // A notice only updates a pending interaction; it never posts to a channel or overwrites the answer.
    if (!interaction || (await deps.redis.exists(finalKey))) return { via: 'skipped' }
  } else await deps.redis.set(finalKey, '1', 'EX', 24 * 3600)

  const ledger = new DeliveryLedger(deps.redis, deps.config.QUEUE_PREFIX, {
    ...(deps.leaseMs ? { leaseMs: deps.leaseMs } : {}),
  })
  return ledger.withClaim<Delivered, Delivered>(jobId, guard, async (claim) => {
    if (claim.record?.state === 'done') return claim.record.ref ?? { via: 'skipped' }
    if (claim.record?.state === 'posting')
      deps.log.warn(
        { jobId },
        'an earlier attempt may have posted this reply; delivering it again in its place',
      )

    const photo = reply.image ? await fetchPhoto(deps, data.tenant, reply.image, !finalAttempt) : undefined
    const uploads: RawFile[] = photo ? [{ name: PHOTO_NAME, data: photo, contentType: 'image/jpeg' }] : []
    let body = renderReply(reply, photo !== undefined)
    await attachFile(deps, data, uploads, body)
    const files = uploads.length > 0 ? uploads : undefined

    const send = async (): Promise<Delivered> => {
      // The last look before Discord is touched: this attempt still holds the lease and BullMQ's lock.
      await claim.intend()
      if (interaction) {
        try {
          return await viaInteraction(deps, data, interaction, body, files)
        } catch (error) {
          if (!isCode(error, INVALID_WEBHOOK_TOKEN, UNKNOWN_WEBHOOK)) throw error
          deps.log.warn({ jobId }, 'interaction token refused; posting in the channel instead')
          if (data.notice) return { via: 'skipped' }
        }
      }
      return postInChannel(deps, data as ReplyJobT & { replyTo: { platform: 'discord' } }, jobId, body, files)
    }

    let delivered: Delivered
    try {
      delivered = await send()
    } catch (error) {
      if (!isCode(error, INVALID_FORM_BODY)) throw error
      // Something in the rendering was refused: the words still reach the user.
      deps.log.error(
        { jobId, err: (error as Error).message },
        'Discord refused the rendered reply; sending plain text',
      )
      body = {
        ...body,
        content: `${reply.title ? `**${reply.title}**\n` : ''}${reply.text}`.slice(0, 2000),
        embeds: [],
        attachments: [],
      }
      delivered = await send()
    }
    const thread =
      reply.ref && delivered.messageId && !reply.ephemeral && delivered.via !== 'skipped'
        ? { tenant: data.tenant, messageId: delivered.messageId, ref: reply.ref }
        : undefined
    await claim.done(delivered, thread)
    return delivered
  })
}

export type Delivery = { worker: Worker; close: () => Promise<void> }

/** Starts the BullMQ worker on `replies.discord`. `connection` must allow blocking (workerConnection). */
export function startDelivery(
  deps: DeliveryDeps & { connection: IORedis; concurrency?: number; workerOptions?: DeliveryWorkerOptions },
): Promise<Delivery> {
  return startDeliveryWorker({
    queue: repliesQueue('discord'),
    connection: deps.connection,
    queuePrefix: deps.config.QUEUE_PREFIX,
    ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
    // BullMQ renews the lock while a 429 is waited out; a crashed bot hands the job back soon.
    workerOptions: { lockDuration: 15_000, stalledInterval: 5_000, ...deps.workerOptions },
    ...(deps.leaseMs ? { leaseMs: deps.leaseMs } : {}),
    log: deps.log,
    what: 'reply',
    deliver: (jobId, data, { finalAttempt, ...guard }) => deliver(deps, jobId, data, finalAttempt, guard),
    delivered: (job, d) => deps.log.info({ jobId: job.id, via: d.via, messageId: d.messageId }, 'reply delivered'),
  })
}
