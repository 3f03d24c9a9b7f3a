/**
 * Outgoing webhooks: publishing a garage's events and delivering them, on the `webhooks` queue.
 *
 * - Publishing costs a garage without webhooks nothing per command: whether a garage has active
 *   webhooks is kept here per garage for HAS_TTL_MS (asked of the items service on a miss, set at
 *   once when a webhook is added, removed or resumed through this worker), and only a garage
 *   that has one gets a `fanout` job (id from the command's envelope, so a rerun adds none).
 * - A `fanout` job reads the garage's active webhooks and adds one `deliver` job per event and
 *   webhook that takes it, with the job id `whd-<event id>-<webhook number>`: an event reaches a
 *   webhook once however often the fan-out runs.
 * - A `deliver` job reads its webhook's address and secret (never in job data), checks the
 *   address again (queue/handlers/shared/webhook-address.ts), posts the event signed
 *   (`X-CarManager-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`) with a time
 *   limit and without following redirects (a 3xx is a failure), and records the attempt's outcome
 *   in the items service. A failure is retried with exponential backoff; an event the webhook
 *   already took (a redelivered job) is not posted again. A webhook that keeps failing for
 *   WEBHOOK_PAUSE_AFTER_HOURS is paused by the items service, and the garage's managers are told
 *   once, in its reminder channel or the channel the webhook was added in.
 * - Several deliveries run at once (WEBHOOK_CONCURRENCY), so a receiver that hangs holds one of
 *   them for at most WEBHOOK_TIMEOUT_MS and never the others.
 */
import { createHash, createHmac } from 'node:crypto'
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq'
import type IORedis from 'ioredis'
import type { Config } from '../lib/config.ts'
import type { ReplyJob } from '../lib/contracts/envelope.ts'
import { bullPrefix, queueOptions, replyJobId, singleJob, WEBHOOKS_QUEUE, type WebhookEventType } from '../lib/contracts/queues.ts'
import type { Logger } from '../lib/log.ts'
import { itemsGarageClient } from './clients/items.ts'
import { checkWebhookAddress } from './handlers/shared/webhook-address.ts'
import { eventId, idPart, type WebhookEvent } from './handlers/shared/webhook-events.ts'
import { reminderTarget } from './reminders.ts'
import { replyJob } from './replies.ts'

/** How long a garage's "has active webhooks" is believed without asking again. */
export const HAS_TTL_MS = 30_000
/** How long an event's delivery job id is remembered after it finished (a rerun adds none). */
const REMEMBER_SECONDS = 3 * 24 * 3600

const KNOWN_MAX = 50_000
const known = new Map<string, { has: boolean; until: number }>()
const keyOf = (itemsUrl: string, tenant: string) => `${itemsUrl}|${tenant}`

/** What this worker now knows of a garage's webhooks (after it added, removed or resumed one). */
export function noteWebhooks(itemsUrl: string, tenant: string, has: boolean): void {
  const t = performance.now()
  // Bounded: past KNOWN_MAX garages the expired entries go (a garage not asked for HAS_TTL_MS is asked again anyway).
  if (known.size >= KNOWN_MAX) for (const [k, v] of known) if (v.until <= t) known.delete(k)
  if (known.size >= KNOWN_MAX) known.clear()
  known.set(keyOf(itemsUrl, tenant), { has, until: t + HAS_TTL_MS })
}

/** Events a job emitted, before they carry their ids: the type and data a handler gave. */
export type Emitted = { type: WebhookEventType; data: Record<string, unknown> }

type FanoutData = { tenant: string; events: WebhookEvent[] }
type DeliverData = { tenant: string; webhook: number; event: WebhookEvent }

export type WebhooksOptions = {
  connection: IORedis
  config: Config
  log: Logger
  now?: () => Date
  /** Posts a reply (the pause notice to the garage's channel). */
  postReply: (job: ReplyJob, jobId: string) => Promise<void>
  /** Take and deliver jobs here (default true); false only publishes. */
  process?: boolean
}

export type Webhooks = {
  queue: Queue
  worker?: Worker
  /**
   * Publishes the events a job emitted (`key`: the envelope or announcement id, which makes the
   * events' ids): one fan-out job, only when the garage has active webhooks. True when one was added.
   */
  publish: (tenant: string, emitted: Emitted[], key: string) => Promise<boolean>
  close: () => Promise<void>
}

/** The signature header of a body sent at `t` (unix seconds). */
export function signature(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`
}

export async function startWebhooks(options: WebhooksOptions): Promise<Webhooks> {
  const { connection, config, log } = options
  const now = options.now ?? (() => new Date())
  const queue = new Queue(WEBHOOKS_QUEUE, queueOptions(connection, config.QUEUE_PREFIX))
  queue.on('error', (err) => log.warn({ err }, 'webhooks queue error'))

  /** Active webhooks of a garage (number → events it takes), asked of the items service; remembered as a yes or no. */
  const activeOf = async (tenant: string) => {
    const r = await itemsGarageClient(config, tenant).webhooks.active.get()
    if (r.error || !r.data || !('webhooks' in r.data)) throw new Error(`webhooks list failed (${r.status})`)
    noteWebhooks(config.ITEMS_URL, tenant, r.data.webhooks.length > 0)
    return r.data.webhooks
  }

  const hasWebhooks = async (tenant: string): Promise<boolean> => {
    const k = known.get(keyOf(config.ITEMS_URL, tenant))
    if (k && k.until > performance.now()) return k.has
    try {
      return (await activeOf(tenant)).length > 0
    } catch {
      // Not known (the items service is down): the fan-out job asks again, with retries.
      return true
    }
  }

  const publish: Webhooks['publish'] = async (tenant, emitted, key) => {
    if (emitted.length === 0 || !(await hasWebhooks(tenant))) return false
    const at = now().toISOString()
    const events: WebhookEvent[] = emitted.map((e, n) => ({ id: eventId(key, n), type: e.type, garage: tenant, at, data: e.data }))
    const jobId = `whf-${idPart(key)}`
    await queue.add('fanout', { tenant, events } satisfies FanoutData, {
      ...singleJob(jobId, REMEMBER_SECONDS),
      attempts: 6,
      backoff: { type: 'exponential', delay: 2_000 },
    })
    return true
  }

  const fanout = async (data: FanoutData) => {
    const hooks = await activeOf(data.tenant)
    const jobs = data.events.flatMap((event) =>
      hooks
        .filter((h) => h.events.includes(event.type))
        .map((h) => {
          const jobId = `whd-${event.id}-${h.number}`
          return {
            name: 'deliver',
            data: { tenant: data.tenant, webhook: h.number, event } satisfies DeliverData,
            opts: {
              ...singleJob(jobId, REMEMBER_SECONDS),
              attempts: config.WEBHOOK_ATTEMPTS,
              backoff: { type: 'exponential', delay: config.WEBHOOK_BACKOFF_MS },
            },
          }
        }),
    )
    if (jobs.length) await queue.addBulk(jobs)
    return { deliveries: jobs.length }
  }

  /** One attempt of posting the event; the outcome in words for the log when it failed. */
  const post = async (url: string, secret: string, event: WebhookEvent) => {
    const body = JSON.stringify(event)
    const t = Math.floor(Date.now() / 1000)
    try {
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(config.WEBHOOK_TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'CarManager-Webhooks/1',
          'x-carmanager-event': event.type,
          'x-carmanager-delivery': event.id,
          'x-carmanager-signature': signature(secret, t, body),
        },
        body,
      })
      await res.body?.cancel().catch(() => {})
      if (res.status >= 200 && res.status < 300) return { ok: true, http_status: res.status }
      const error =
        res.status >= 300 && res.status < 400
          ? `redirect (HTTP ${res.status}) not followed`
          : `HTTP ${res.status}`
      return { ok: false, http_status: res.status, error }
    } catch (err) {
      const e = err as Error
      const error =
        e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `no answer within ${config.WEBHOOK_TIMEOUT_MS} ms`
          : `could not connect (${e.message.slice(0, 120)})`
      return { ok: false, error }
    }
  }

  const deliver = async (data: DeliverData, job: Job) => {
    const items = itemsGarageClient(config, data.tenant)
    const target = await items.webhooks.target.get({ query: { number: data.webhook, event: data.event.id } })
    if (target.status === 404) return { outcome: 'gone' }
    if (target.error || !target.data || !('secret' in target.data)) throw new Error(`webhook target failed (${target.status})`)
    if (target.data.status !== 'active') return { outcome: target.data.status }
    if (target.data.delivered) return { outcome: 'already delivered' }
    const checked = await checkWebhookAddress(target.data.url, config.WEBHOOK_ALLOW_PRIVATE)
    const result = checked.ok
      ? await post(checked.url.href, target.data.secret, data.event)
      : { ok: false, error: `address refused: ${checked.error}` }
    const recorded = await items.webhooks.outcome.post({
      number: data.webhook,
      event_id: data.event.id,
      event_type: data.event.type,
      attempt: job.attemptsMade + 1,
      pause_after_hours: config.WEBHOOK_PAUSE_AFTER_HOURS,
      ...result,
      ...(result.error ? { error: result.error.slice(0, 300) } : {}),
    })
    if (recorded.error || !recorded.data || !('paused_now' in recorded.data)) {
      if (recorded.status === 404) return { outcome: 'gone' }
      throw new Error(`webhook outcome not recorded (${recorded.status})`)
    }
    const outcome = recorded.data
    if (outcome.paused_now) await tellPaused(data, outcome.failing_since, outcome.notify_channel, target.data.url)
    if (result.ok) return { outcome: 'delivered' }
    // Paused: no more attempts; a resume delivers the events that come after it.
    if (outcome.status !== 'active') return { outcome: 'paused' }
    throw new Error(`webhook #${data.webhook} delivery failed: ${result.error}`)
  }

  const tellPaused = async (data: DeliverData, since: string | null, channel: string | null, url: string) => {
    if (!channel) {
      log.warn({ tenant: data.tenant, webhook: data.webhook }, 'webhook paused; the garage has no channel to tell')
      return
    }
    const once = createHash('sha256').update(`${data.tenant}|${data.webhook}|${since}`).digest('hex').slice(0, 24)
    const id = `webhook-paused-${once}`
    const host = (() => {
      try {
        return new URL(url).host
      } catch {
        return 'its address'
      }
    })()
    await options.postReply(
      replyJob(
        { id, tenant: data.tenant, replyTo: reminderTarget(data.tenant, channel) },
        {
          tone: 'warn',
          title: `Webhook #${data.webhook} is paused`,
          text:
            `Its deliveries to ${host} have failed since ${since?.slice(0, 16).replace('T', ' ') ?? 'a while'} UTC, so it is paused and gets no more events. ` +
            `Managers: see /garage webhook log id:${data.webhook}, fix the receiver, then /garage webhook resume id:${data.webhook}.`,
        },
      ),
      replyJobId(id),
    )
  }

  let worker: Worker | undefined
  if (options.process !== false) {
    worker = new Worker(
      WEBHOOKS_QUEUE,
      async (job) => {
        try {
          if (job.name === 'fanout') return await fanout(job.data as FanoutData)
          if (job.name === 'deliver') return await deliver(job.data as DeliverData, job)
          throw new UnrecoverableError(`unknown webhooks job ${job.name}`)
        } catch (err) {
          log.warn(
            { err: (err as Error).message, job: job.name, jobId: job.id, attempt: job.attemptsMade + 1 },
            'webhook job failed; retried with backoff while attempts are left',
          )
          throw err
        }
      },
      {
        connection,
        prefix: bullPrefix(config.QUEUE_PREFIX),
        concurrency: config.WEBHOOK_CONCURRENCY,
        lockDuration: Math.max(30_000, config.WEBHOOK_TIMEOUT_MS * 2 + 5_000),
      },
    )
    worker.on('error', (err) => log.error({ err }, 'webhooks worker error'))
    await worker.waitUntilReady()
  }

  return {
    queue,
    ...(worker ? { worker } : {}),
    publish,
    close: async () => {
      await worker?.close()
      await queue.close()
    },
  }
}
