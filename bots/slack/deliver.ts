/**
 * The Slack delivery worker: takes ReplyJobs from `replies.slack`, renders them as Block Kit
 * and posts them where the user will see them:
 * - every answer in the channel (command and button answers, channel posts such as reminders,
 *   thread replies to photo drops) with `chat.postMessage`, in the thread when `replyTo.threadTs`
 *   is set; its channel and ts are recorded with the done mark, and a Reply's `ref` is remembered
 *   under the thread's ts (so a photo dropped in the thread of `/issue log`'s message lands on the
 *   issue);
 * - at the command's or button's `response_url` (in channel) only when the bot cannot post in the
 *   channel (`not_in_channel`, `channel_not_found`: a private channel or a DM it is not in);
 * - private (ephemeral) answers at the `response_url`, or with `chat.postEphemeral` when there is
 *   none or it is used up.
 * A Reply's photo is fetched from the images service and uploaded with the files methods
 * (getUploadURLExternal → upload → completeUploadExternal), then shown by file id.
 * A Reply's file (an export zip) is fetched from the images service's files and uploaded the
 * same way into the asker's direct message with the app (conversations.open), which only they
 * see; the answer says so. A picture of a public answer (a chart) is uploaded into the answer's
 * channel (its thread, when it has one) instead. It is shared once per reply job (its Slack file id is kept under
 * `fileKey`), so a rerun answers without uploading it again.
 *
 * Once per reply job (bots/shared/delivery.ts): an attempt claims the job's lease before it acts
 * and records what it produced (the channel and ts of a chat.postMessage, `response_url`, or
 * `ephemeral`) with the done mark and the thread ref in one Redis call. A rerun of a done job
 * posts nothing new: a chat message is updated in place (chat.update of the recorded ts, the same
 * content), a response_url or ephemeral answer is not sent again (`already`). So a channel answer
 * that finished is never repeated. An attempt that finds the lease held does not act (the job is
 * put back as delayed), and one whose BullMQ lock was lost stops before posting. A rerun after an
 * attempt that died mid-request (between Slack taking the post and the done mark) cannot know
 * whether Slack took it, as neither chat.postMessage, chat.postEphemeral nor a response_url takes
 * an idempotency key: it posts again and logs so, and Slack may show that one answer twice.
 * A job that fails for good: a stalled-out one is delivered by one final attempt; one out of
 * attempts or refused is logged as not delivered.
 * Web API and response_url 429s are waited out (Retry-After); other failures throw and BullMQ
 * retries with backoff. Each job is answered with the bot token of its workspace (the tenant
 * `slack:<team_id>`; bots/slack/installations.ts: the OAuth installation, or SLACK_BOT_TOKEN);
 * a workspace with no token (uninstalled) fails the job for good. Tokens live only in this
 * process's WebClients; they are never logged or put in job data.
 */
import { ErrorCode, WebClient, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api'
import { UnrecoverableError, type Worker } from 'bullmq'
import type IORedis from 'ioredis'
import type { Config } from '../../lib/config.ts'
import type { Logger } from '../../lib/log.ts'
import type { Reply, ReplyJob } from '../../lib/contracts/envelope.ts'
import { repliesQueue } from '../../lib/contracts/queues.ts'
import {
  type AttemptGuard,
  type DeliveryClaim,
  DeliveryLedger,
  type DeliveryWorkerOptions,
  startDeliveryWorker,
} from '../shared/delivery.ts'
import { rememberThreadRef } from '../shared/threads.ts'
import { boltLogger } from './app.ts'
import { teamOf } from './context.ts'
import { type TokenResolver, tokenResolver } from './installations.ts'
import { fallbackText, renderBlocks, responseBody, type UploadedImage } from './render.ts'

type SlackReplyTo = Extract<ReplyJob['replyTo'], { platform: 'slack' }>

export type DeliveryOptions = {
  config: Config
  /** Worker connection (maxRetriesPerRequest: null); also used for the once-only records. */
  connection: IORedis
  log: Logger
  /** Longest Retry-After waited out inside a job; longer ones fail the attempt (BullMQ backs off). */
  maxRetryAfterMs?: number
  concurrency?: number
  /** How long a delivery lease lasts without renewal (bots/shared/delivery.ts). */
  leaseMs?: number
  /** Worker options a test (or an operator) may shorten. */
  workerOptions?: DeliveryWorkerOptions
  /** The bot token of a workspace (default: SLACK_BOT_TOKEN for every workspace). */
  tokens?: TokenResolver
}

export type Delivered =
  | { via: 'response_url' }
  | { via: 'chat'; channel: string; ts: string; updated: boolean }
  | { via: 'ephemeral'; channel: string }
  | { via: 'already' }

/** What a done reply job recorded (bots/shared/delivery.ts). */
type Posted =
  | { via: 'response_url' }
  | { via: 'chat'; channel: string; ts: string }
  | { via: 'ephemeral'; channel: string }
/** Redis key of an uploaded thumbnail (tenant, sha256, size) → Slack file id. */
export const thumbKey = (queuePrefix: string, tenant: string, sha256: string, size: number) =>
  `${queuePrefix}:slack:thumb:${tenant}:${sha256}:${size}`

/** Redis key of the file a reply job shared to its asker → its Slack file id. */
export const fileKey = (queuePrefix: string, jobId: string) => `${queuePrefix}:slack:file:${jobId}`

class RetryAfter extends Error {
  constructor(
    readonly seconds: number,
    where: string,
  ) {
    super(`${where} rate limited; retry after ${seconds} s`)
  }
}

class ResponseUrlGone extends Error {}

/**
 * chat.postMessage errors that mean the bot cannot post in the channel (a private channel or a
 * DM it is not a member of): the answer goes to the command's or button's response_url instead.
 */
const CANNOT_POST = new Set<string | undefined>(['not_in_channel', 'channel_not_found'])

/** WebClients kept, one per bot token; beyond this many the oldest goes. */
const MAX_CLIENTS = 1_000

export class SlackDelivery {
  private readonly clients = new Map<string, WebClient>()
  private readonly tokens: TokenResolver
  private readonly prefix: string
  private readonly maxRetryAfterMs: number
  private readonly ledger: DeliveryLedger

  constructor(private readonly options: DeliveryOptions) {
    if (!options.tokens && !options.config.SLACK_BOT_TOKEN) throw new Error('SLACK_BOT_TOKEN is missing')
    this.tokens = options.tokens ?? tokenResolver(undefined, options.config.SLACK_BOT_TOKEN)
    this.prefix = options.config.QUEUE_PREFIX
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000
    this.ledger = new DeliveryLedger(options.connection, this.prefix, {
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    })
  }

  /** The Web API client of the tenant's workspace, with its bot token. */
  private async clientOf(tenant: string): Promise<WebClient> {
    const team = teamOf(tenant)
    const token = team ? await this.tokens(team) : undefined
    if (!token) throw new UnrecoverableError(`the app is not installed in the workspace of ${tenant}`)
    let client = this.clients.get(token)
    if (!client) {
      client = new WebClient(token, {
        slackApiUrl: this.options.config.SLACK_API_URL,
        logger: boltLogger(this.options.log),
        // 429s are handled below (waited out, bounded); everything else is BullMQ's retry.
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 0 },
        timeout: 15_000,
      })
      this.clients.set(token, client)
      if (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!)
    }
    return client
  }

  /** Runs `fn`, waiting out 429s (Retry-After, at most `maxRetryAfterMs` each, five times). */
  private async patiently<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn()
      } catch (error) {
        const seconds =
          error instanceof RetryAfter
            ? error.seconds
            : (error as { code?: string }).code === ErrorCode.RateLimitedError
              ? (error as WebAPIRateLimitedError).retryAfter
              : undefined
        if (seconds === undefined || attempt >= 4 || seconds * 1000 > this.maxRetryAfterMs) throw error
        this.options.log.info({ what, seconds }, 'Slack rate limit; waiting Retry-After')
        await Bun.sleep(Math.max(seconds, 0) * 1000)
      }
    }
  }

  /**
   * Delivers one reply job, once (see the file's comment). `guard`: BullMQ's lock of the job and
   * its abort signal. Throws `DeliveryBusy` when another attempt holds the job's lease.
   */
  async deliver(jobId: string, data: ReplyJob, guard: AttemptGuard = {}): Promise<Delivered> {
    const replyTo = data.replyTo
    if (replyTo.platform !== 'slack')
      throw new UnrecoverableError(`reply for ${replyTo.platform} on the Slack queue`)
    return this.ledger.withClaim<Posted, Delivered>(jobId, guard, (claim) => this.once(claim, data, replyTo))
  }

  private async once(
    claim: DeliveryClaim<Posted>,
    data: ReplyJob,
    replyTo: SlackReplyTo,
  ): Promise<Delivered> {
    const jobId = claim.jobId
    const before = claim.record
    if (before?.state === 'done' && before.ref?.via !== 'chat') return { via: 'already' }
    if (before?.state === 'posting')
      this.options.log.warn(
        { jobId },
        'an earlier attempt may have posted this reply; posting again (Slack may show it twice)',
      )

    const client = await this.clientOf(data.tenant)
    const shared = await this.shareFile(client, jobId, data, replyTo)
    const reply = shared
      ? { ...data.reply, text: `${data.reply.text}\n${shared}`.slice(0, 4000) }
      : data.reply
    const image = await this.image(client, data)
    const blocks = renderBlocks(reply, image)
    const text = fallbackText(reply)
    await claim.intend()

    if (before?.state === 'done' && before.ref?.via === 'chat') {
      const { channel, ts } = before.ref
      await this.patiently('chat.update', () =>
        client.chat.update({ channel, ts, text, blocks: blocks as never }),
      )
      // The record and the thread ref were written together; writing the ref again repairs a lost one.
      await this.rememberRef(data, replyTo, ts)
      return { via: 'chat', channel, ts, updated: true }
    }

    if (!reply.ephemeral) {
      // Every answer in the channel goes through chat.postMessage, which gives the ts a rerun
      // updates and a Reply's ref is remembered under; the response_url only when the bot cannot
      // post there.
      try {
        return await this.postMessage(client, claim, data, replyTo, text, blocks)
      } catch (error) {
        const code = (error as WebAPIPlatformError).data?.error
        if (!replyTo.responseUrl || !CANNOT_POST.has(code)) throw error
        this.options.log.info({ jobId, code }, 'cannot post in the channel; answering at the response_url')
      }
      try {
        await this.patiently('response_url', () => this.postResponse(replyTo.responseUrl!, reply, image))
      } catch (error) {
        if (!(error instanceof ResponseUrlGone)) throw error
        // Neither way is left: the bot may not post in the channel and the response_url is spent.
        throw new UnrecoverableError(`cannot post in ${replyTo.channelId} and ${error.message}`)
      }
      await claim.done({ via: 'response_url' })
      return { via: 'response_url' }
    }

    // A private answer: at the response_url, else to the user with chat.postEphemeral.
    if (replyTo.responseUrl) {
      try {
        await this.patiently('response_url', () => this.postResponse(replyTo.responseUrl!, reply, image))
        await claim.done({ via: 'response_url' })
        return { via: 'response_url' }
      } catch (error) {
        if (!(error instanceof ResponseUrlGone)) throw error
        this.options.log.info({ jobId }, 'response_url expired or used up; answering with chat.postEphemeral')
      }
    }
    if (!replyTo.userId)
      throw new UnrecoverableError('a private reply with neither a response_url nor a user to show it to')
    await this.patiently('chat.postEphemeral', () =>
      client.chat.postEphemeral({
        channel: replyTo.channelId,
        user: replyTo.userId!,
        text,
        blocks: blocks as never,
        ...(replyTo.threadTs ? { thread_ts: replyTo.threadTs } : {}),
      }),
    )
    await claim.done({ via: 'ephemeral', channel: replyTo.channelId })
    return { via: 'ephemeral', channel: replyTo.channelId }
  }

  private async postMessage(
    client: WebClient,
    claim: DeliveryClaim<Posted>,
    data: ReplyJob,
    replyTo: SlackReplyTo,
    text: string,
    blocks: unknown[],
  ): Promise<Delivered> {
    const result = await this.patiently('chat.postMessage', () =>
      client.chat.postMessage({
        channel: replyTo.channelId,
        text,
        blocks: blocks as never,
        unfurl_links: false,
        ...(replyTo.threadTs ? { thread_ts: replyTo.threadTs } : {}),
      }),
    )
    const ts = String(result.ts)
    const channel = String(result.channel ?? replyTo.channelId)
    const ref = data.reply.ref
    await claim.done(
      { via: 'chat', channel, ts },
      ref ? { tenant: data.tenant, messageId: replyTo.threadTs ?? ts, ref } : undefined,
    )
    return { via: 'chat', channel, ts, updated: false }
  }

  /** Remembers the ref of a posted Reply under its thread's ts (bots/shared/threads.ts). */
  private async rememberRef(data: ReplyJob, replyTo: SlackReplyTo, ts: string): Promise<void> {
    if (!data.reply.ref) return
    const thread = replyTo.threadTs ?? ts
    await rememberThreadRef(this.options.connection, this.prefix, data.tenant, thread, data.reply.ref)
  }

  private async postResponse(url: string, reply: Reply, image: UploadedImage | undefined): Promise<void> {
    const post = (body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(15_000),
      })
    let response = await post(responseBody(reply, image))
    if (response.status === 400) {
      // Blocks Slack refuses (invalid_blocks): the text alone still tells the user.
      const why = await response.text()
      this.options.log.warn({ why }, 'response_url refused the blocks; posting the text alone')
      response = await post({
        response_type: reply.ephemeral ? 'ephemeral' : 'in_channel',
        replace_original: false,
        text: fallbackText(reply),
      })
    }
    if (response.status === 429) {
      await response.body?.cancel()
      throw new RetryAfter(Number(response.headers.get('retry-after') ?? '1') || 1, 'response_url')
    }
    if (response.status === 404) {
      await response.body?.cancel()
      throw new ResponseUrlGone(`response_url answered 404 (${response.statusText})`)
    }
    if (!response.ok) {
      const why = (await response.text()).slice(0, 200)
      throw new Error(`response_url answered ${response.status}: ${why}`)
    }
    await response.body?.cancel()
  }

  /**
   * Shares the Reply's file with the asker in their direct message with the app, once per reply
   * job; answers the line the answer adds (where the file went, or why it did not), or undefined
   * when the Reply has no file.
   */
  private async shareFile(
    client: WebClient,
    jobId: string,
    data: ReplyJob,
    replyTo: SlackReplyTo,
  ): Promise<string | undefined> {
    const file = data.reply.file
    if (!file) return undefined
    // A picture of a public answer (a chart) is uploaded where the answer goes, in its thread;
    // any other file (an export) only to the asker.
    const inline = file.type.startsWith('image/') && !data.reply.ephemeral
    const sent = inline
      ? `${file.name} is posted with this answer.`
      : `${file.name} is in your direct messages with Car Manager (only you see it).`
    if (!inline && !replyTo.userId) return `${file.name} could not be sent: there is no member to send it to.`
    const redis = this.options.connection
    const key = fileKey(this.prefix, jobId)
    if (await redis.get(key)) return sent
    const { config } = this.options
    const response = await fetch(`${config.IMAGES_URL.replace(/\/$/, '')}/files/${file.id}`, {
      headers: { authorization: `Bearer ${config.SERVICE_TOKEN ?? ''}`, 'x-tenant': data.tenant },
      signal: AbortSignal.timeout(60_000),
    })
    if (response.status === 404) {
      await response.body?.cancel()
      return `${file.name} is no longer kept (files are kept for a day): export again.`
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw new Error(`images service answered ${response.status} for a file`)
    }
    const bytes = new Uint8Array(await response.arrayBuffer())
    const channel = inline
      ? replyTo.channelId
      : String(
          (await this.patiently('conversations.open', () => client.conversations.open({ users: replyTo.userId! })))
            .channel?.id,
        )
    const url = await this.patiently('files.getUploadURLExternal', () =>
      client.files.getUploadURLExternal({ filename: file.name, length: bytes.byteLength }),
    )
    const fileId = String(url.file_id)
    await this.patiently('upload', async () => {
      const upload = await fetch(String(url.upload_url), {
        method: 'POST',
        body: bytes,
        headers: { 'content-type': file.type },
        signal: AbortSignal.timeout(120_000),
      })
      if (upload.status === 429)
        throw new RetryAfter(Number(upload.headers.get('retry-after') ?? '1') || 1, 'upload')
      const why = await upload.text()
      if (!upload.ok) throw new Error(`file upload answered ${upload.status}: ${why.slice(0, 200)}`)
    })
    await this.patiently('files.completeUploadExternal', () =>
      client.files.completeUploadExternal({
        files: [{ id: fileId, title: file.name }],
        channel_id: channel,
        ...(inline && replyTo.threadTs ? { thread_ts: replyTo.threadTs } : {}),
        initial_comment: data.reply.title ?? file.name,
      }),
    )
    await redis.set(key, fileId, 'EX', 7 * 24 * 3600)
    return sent
  }

  /** Uploads the Reply's thumbnail once per (tenant, photo, size); undefined when there is none or it cannot be had. */
  private async image(client: WebClient, data: ReplyJob): Promise<UploadedImage | undefined> {
    const wanted = data.reply.image
    if (!wanted) return undefined
    const redis = this.options.connection
    const key = thumbKey(this.prefix, data.tenant, wanted.sha256, wanted.size)
    const cached = await redis.get(key)
    if (cached) return { fileId: cached }
    const { config, log } = this.options
    let bytes: Uint8Array
    try {
      const response = await fetch(`${config.IMAGES_URL}/images/${wanted.sha256}/${wanted.size}`, {
        headers: { authorization: `Bearer ${config.SERVICE_TOKEN ?? ''}`, 'x-tenant': data.tenant },
        signal: AbortSignal.timeout(10_000),
      })
      if (!response.ok) {
        await response.body?.cancel()
        log.warn(
          { status: response.status, sha256: wanted.sha256 },
          'thumbnail not available; replying without it',
        )
        return undefined
      }
      bytes = new Uint8Array(await response.arrayBuffer())
    } catch (err) {
      log.warn({ err, sha256: wanted.sha256 }, 'images service unreachable; replying without the thumbnail')
      return undefined
    }
    const filename = `photo-${wanted.sha256.slice(0, 12)}-${wanted.size}.jpg`
    const url = await this.patiently('files.getUploadURLExternal', () =>
      client.files.getUploadURLExternal({
        filename,
        length: bytes.byteLength,
        alt_text: wanted.alt ?? 'photo',
      }),
    )
    const uploadUrl = String(url.upload_url)
    const fileId = String(url.file_id)
    await this.patiently('upload', async () => {
      const response = await fetch(uploadUrl, {
        method: 'POST',
        body: bytes,
        headers: { 'content-type': 'image/jpeg' },
        signal: AbortSignal.timeout(15_000),
      })
      if (response.status === 429)
        throw new RetryAfter(Number(response.headers.get('retry-after') ?? '1') || 1, 'upload')
      const why = await response.text()
      if (!response.ok) throw new Error(`file upload answered ${response.status}: ${why.slice(0, 200)}`)
    })
    await this.patiently('files.completeUploadExternal', () =>
      client.files.completeUploadExternal({ files: [{ id: fileId, title: wanted.alt ?? 'photo' }] }),
    )
    const info = await this.patiently('files.info', () => client.files.info({ file: fileId }))
    if (!info.file?.id) return undefined
    await redis.set(key, fileId, 'EX', 30 * 24 * 3600)
    return { fileId }
  }
}

export type DeliveryWorker = { worker: Worker; delivery: SlackDelivery; close: () => Promise<void> }

export async function startDelivery(options: DeliveryOptions): Promise<DeliveryWorker> {
  const delivery = new SlackDelivery(options)
  const { log } = options
  const running = await startDeliveryWorker({
    queue: repliesQueue('slack'),
    connection: options.connection,
    queuePrefix: options.config.QUEUE_PREFIX,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.workerOptions ? { workerOptions: options.workerOptions } : {}),
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    log,
    what: 'slack reply',
    deliver: (jobId, data, { finalAttempt: _, ...guard }) => delivery.deliver(jobId, data, guard),
    delivered: (job, outcome) =>
      log.debug(
        { jobId: job.id, tenant: (job.data as ReplyJob).tenant, via: outcome.via },
        'reply delivered',
      ),
  })
  return { ...running, delivery }
}
