/**
 * The orchestrator ("Car Manager main service"): takes command jobs from the `commands` queue,
 * runs the handler of their kind against the services, and puts exactly one final Reply per
 * command on `replies.<platform>`.
 *
 * - Queue input is untrusted: the envelope and the kind's payload are validated again.
 * - A user's mistake (UserError, a 4xx) is answered at once and never retried.
 * - A service that cannot be reached is retried with backoff; the first time the user is told
 *   "… is unavailable, retrying", and if the last attempt fails too, that it failed.
 * - Reply jobs have ids derived from the envelope id, so a command run twice (a crashed worker,
 *   a stalled job) still produces one reply.
 * - A command job that ends failed by any path (its attempts used up, or failed by BullMQ itself
 *   after it stalled too often, whatever its attemptsMade) gets one final answer saying so.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { type Job, UnrecoverableError, Worker } from 'bullmq'
import type IORedis from 'ioredis'
import type { Config } from '../lib/config.ts'
import type { Logger } from '../lib/log.ts'
import { Envelope, type Envelope as EnvelopeT, type Reply, type ReplyJob } from '../lib/contracts/envelope.ts'
import {
  type HandlerContext,
  type HandlerFamily,
  type KindHandler,
  ServiceUnavailable,
  UserError,
} from './handler.ts'
import { bullPrefix, COMMANDS_QUEUE, replyJobId } from '../lib/contracts/queues.ts'
import { SERVICES } from '../lib/contracts/services.ts'
import { dateFields, needsGarage, settleDates, settleTwoWay } from '../catalog/two-way.ts'
import { garageOf } from './handlers/shared/lookups.ts'
import { startReminders } from './reminders.ts'
import { type Emitted, startWebhooks } from './webhooks.ts'
import { checkRole } from './roles.ts'
import { jobStamps } from './stamps.ts'
import { replyJob, replyPoster } from './replies.ts'

const HANDLERS_DIR = join(import.meta.dir, 'handlers')

// Every job is checked twice (envelope, then payload); compiled checks keep that cheap.
const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>()
function checker(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema)
  if (!check) {
    check = TypeCompiler.Compile(schema)
    compiled.set(schema, check)
  }
  return check
}
const envelopeCheck = checker(Envelope)

/**
 * Loads every handler family in queue/handlers/ (its files: not tests, not the `shared/` helpers);
 * a kind claimed twice is a load error.
 */
export async function loadHandlers(dir = HANDLERS_DIR, log?: Logger): Promise<Map<string, KindHandler>> {
  const kinds = new Map<string, KindHandler>()
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort()
  for (const file of files) {
    const family = (await import(join(dir, file))).default as HandlerFamily | undefined
    if (!family || typeof family !== 'object') {
      log?.error({ file }, 'handler file has no default-exported family; skipped')
      continue
    }
    for (const [kind, handler] of Object.entries(family)) {
      if (typeof handler?.run !== 'function' || !handler.schema) {
        log?.error({ file, kind }, 'handler is not { schema, run }; skipped')
        continue
      }
      if (kinds.has(kind)) throw new Error(`job kind ${kind} is handled twice (second in ${file})`)
      kinds.set(kind, handler)
    }
  }
  return kinds
}

/**
 * A payload settled for its garage, read from the items service: numbers that read two ways
 * (`83.000 km`) in the garage's number format, relative dates (`yesterday`) from its today and
 * slashed dates (`3/4/2026`) in its date order (see catalog/two-way.ts). A number the format cannot settle is the user's mistake, refused naming
 * the field and both readings.
 */
async function settleForGarage(payload: unknown, dates: readonly string[], ctx: HandlerContext): Promise<unknown> {
  const garage = await garageOf(ctx)
  const settled = settleTwoWay(payload, garage.numbers, garage.currency)
  if (!settled.ok) throw new UserError(settled.error, settled.field)
  const dated = settleDates(settled.payload, dates, garage.today, garage.dates)
  if (!dated.ok) throw new UserError(dated.error, dated.field)
  return dated.payload
}

/** True when someone waits on this job's answer: an interaction to edit, a response_url to post to. */
const waitedOn = (env: EnvelopeT) =>
  (env.replyTo.platform === 'discord' && env.replyTo.interaction !== undefined) ||
  (env.replyTo.platform === 'slack' && env.replyTo.responseUrl !== undefined)

export type OrchestratorOptions = {
  config: Config
  connection: IORedis
  log: Logger
  now?: () => Date
  handlers?: Map<string, KindHandler>
  concurrency?: number
  /** Run the reminder scheduler and its ticks here (default true; see queue/reminders.ts). */
  reminders?: boolean
  /** Deliver webhooks here (default true; see queue/webhooks.ts); events are published either way. */
  webhooks?: boolean
  /**
   * Stall handling of the commands worker (tests shorten it). Default: the lock is
   * WORKER_LOCK_MS, checked every third of it, and a job stalled more than 3 times fails.
   */
  stalls?: { lockDuration?: number; stalledInterval?: number; maxStalledCount?: number }
}

/** BullMQ's failedReason for a job that stalled more often than maxStalledCount. */
const STALLED_OUT = 'job stalled more than allowable limit'

/** The final answer to a command whose job ended failed without the processor answering it. */
function failedReply(env: EnvelopeT, reason: string | undefined): Reply {
  const why = reason === STALLED_OUT
    ? 'the worker running it stopped responding, so part of it may have been done'
    : 'nothing or only part of it was done'
  return {
    tone: 'error',
    text: `This command could not be finished (reference ${env.id}): ${why}. Please check, then try again.`,
  }
}

export type Orchestrator = {
  worker: Worker
  kinds: string[]
  /** Posts a Reply on the platform's reply queue (used by the reminder scheduler too). */
  postReply: (job: ReplyJob, jobId: string) => Promise<void>
  close: () => Promise<void>
}

export async function startOrchestrator(options: OrchestratorOptions): Promise<Orchestrator> {
  const { config, connection, log } = options
  const now = options.now ?? (() => new Date())
  const handlers = options.handlers ?? (await loadHandlers(HANDLERS_DIR, log))
  const prefix = bullPrefix(config.QUEUE_PREFIX)
  const token = config.SERVICE_TOKEN ?? ''

  const replies = replyPoster(connection, config.QUEUE_PREFIX, log)
  const postReply = (data: ReplyJob, jobId: string) => replies.post(data, jobId)

  const webhooks = await startWebhooks({
    connection,
    config,
    log: log.child({ part: 'webhooks' }),
    now,
    postReply,
    process: options.webhooks !== false,
  })

  const answer = (env: EnvelopeT, reply: Reply, notice = false) =>
    postReply(replyJob(env, reply, notice), replyJobId(env.id, notice ? 'notice' : 'final'))

  const process = async (job: Job) => {
    const data = job.data as unknown
    if (!envelopeCheck.Check(data)) {
      const first = envelopeCheck.Errors(data).First()
      const tenant = (data as { tenant?: unknown } | null)?.tenant
      log.error(
        {
          jobId: job.id,
          tenant: typeof tenant === 'string' ? tenant : undefined,
          path: first?.path,
          problem: first?.message,
        },
        'malformed envelope; dropped',
      )
      // Without a valid envelope there is no trustworthy place to answer.
      throw new UnrecoverableError(`malformed envelope at ${first?.path}: ${first?.message}`)
    }
    const env = data as EnvelopeT
    // Most jobs log nothing, so the job's child logger is made on first use: a child's bindings
    // are redacted and serialised when it is made.
    let child: Logger | undefined
    const jobLog = () => (child ??= log.child({ jobId: job.id, tenant: env.tenant, kind: env.kind }))
    const handler = handlers.get(env.kind)
    if (!handler) {
      jobLog().warn('unknown job kind')
      await answer(env, {
        tone: 'error',
        text: `That command or button is not known (any more): ${env.kind}. Try /garage help.`,
        ephemeral: true,
      })
      return { outcome: 'unknown-kind' }
    }
    const payloadCheck = checker(handler.schema)
    if (!payloadCheck.Check(env.payload)) {
      const first = payloadCheck.Errors(env.payload).First()
      const field = first?.path.replace(/^\//, '').split('/')[0] || 'input'
      await answer(env, { tone: 'error', text: `${field}: ${first?.message ?? 'invalid'}`, ephemeral: true })
      return { outcome: 'invalid-payload' }
    }
    const attempts = job.opts.attempts ?? 1
    const finalAttempt = job.attemptsMade + 1 >= attempts
    const stamps = jobStamps(connection, prefix, env.tenant)
    const ctx: HandlerContext = {
      envelope: env,
      serviceUrl: (name) => String(config[SERVICES[name].url]),
      serviceHeaders: (opts) => ({
        authorization: `Bearer ${token}`,
        'x-tenant': env.tenant,
        // Lets a service's log line be matched with the job that caused it.
        'x-request-id': env.id,
        ...(opts?.write ? { 'idempotency-key': opts.key ?? env.id } : {}),
      }),
      now,
      get log() {
        return jobLog()
      },
      config,
      finalAttempt,
      stamps,
    }
    // The run's events for the garage's webhooks, published once it succeeded.
    const emitted: Emitted[] = []
    ctx.emit = (type, data) => emitted.push({ type, data })
    let reply: Reply | null
    try {
      // Refuses (a UserError, answered privately) before anything runs when the actor's role does not allow it.
      await checkRole(env, ctx)
      const dates = dateFields(handler.schema)
      const payload = needsGarage(env.payload, dates) ? await settleForGarage(env.payload, dates, ctx) : env.payload
      try {
        reply = await handler.run(payload, ctx)
      } finally {
        // Whatever the run's outcome, what it may have changed is stale in every worker's cache.
        await stamps.renew()
      }
    } catch (error) {
      // A run that failed publishes nothing (a retry emits again, with the same event ids).
      emitted.length = 0
      if (error instanceof UserError) {
        reply = { tone: 'error', text: error.message, ephemeral: true }
      } else if (error instanceof ServiceUnavailable) {
        if (!finalAttempt) {
          if (job.attemptsMade === 0) {
            await answer(
              env,
              { tone: 'warn', text: `${SERVICES[error.service].label} is unavailable, retrying…` },
              true,
            )
          }
          jobLog().warn(
            { service: error.service, attempt: job.attemptsMade + 1 },
            'service unavailable; will retry',
          )
          throw error
        }
        reply = {
          tone: 'error',
          text: `${SERVICES[error.service].label} is still unavailable after ${attempts} attempts, so this was not done. Please try again later.`,
        }
      } else {
        jobLog().error({ err: error, attempt: job.attemptsMade + 1 }, 'handler failed')
        if (!finalAttempt) throw error
        reply = {
          tone: 'error',
          text: `Something went wrong and this was not done (reference ${env.id}). Please try again later.`,
        }
      }
    }
    if (emitted.length > 0) {
      // The change is made: an event that cannot be queued now is logged, not a reason to run it again.
      await webhooks.publish(env.tenant, emitted, env.id).catch((err) =>
        jobLog().warn({ err: (err as Error).message, events: emitted.length }, 'could not publish webhook events'),
      )
    }
    if (reply === null) {
      if (!waitedOn(env)) return { outcome: 'silent' }
      jobLog().error('handler had nothing to say to a command someone waits on')
      reply = { tone: 'ok', text: 'Nothing was done.', ephemeral: true }
    }
    await answer(env, reply)
    return { outcome: reply.tone }
  }

  const worker = new Worker(COMMANDS_QUEUE, process, {
    connection,
    prefix,
    concurrency: options.concurrency ?? config.WORKER_CONCURRENCY,
    // A worker killed mid-job hands it back quickly; the reply's job id keeps the answer single.
    lockDuration: options.stalls?.lockDuration ?? config.WORKER_LOCK_MS,
    stalledInterval: options.stalls?.stalledInterval ?? Math.max(1_000, Math.floor(config.WORKER_LOCK_MS / 3)),
    maxStalledCount: options.stalls?.maxStalledCount ?? 3,
  })
  worker.on('error', (err) => log.error({ err }, 'commands worker error'))
  worker.on('failed', (job, err) => {
    // 'failed' is emitted for every failed attempt. The job ended failed when BullMQ moved it to
    // the failed set, which stamps finishedOn (after this run's processedOn; an older stamp is a
    // job retried by hand); a job that stalled too often is failed that way with attemptsMade
    // below its attempts, so attemptsMade alone does not tell.
    const ended = job?.finishedOn !== undefined && job.finishedOn >= (job.processedOn ?? 0)
    if (!job || (!ended && job.attemptsMade < (job.opts.attempts ?? 1))) return
    log.error(
      { jobId: job.id, tenant: (job.data as { tenant?: string })?.tenant, err },
      'command failed for good',
    )
    // Failures the processor could not answer itself (a job that stalled out, a reply that could
    // not be posted) still end in a reply; the final reply's job id keeps it single, so a
    // processor that did answer, or answers later, is not doubled.
    if (envelopeCheck.Check(job.data)) {
      const env = job.data as EnvelopeT
      answer(env, failedReply(env, err?.message ?? job.failedReason)).catch((e) =>
        log.error({ err: e, jobId: job.id }, 'could not post the failure reply'),
      )
    }
  })
  await worker.waitUntilReady()
  const reminders =
    options.reminders === false
      ? undefined
      : await startReminders({
          connection,
          queuePrefix: config.QUEUE_PREFIX,
          config,
          log: log.child({ part: 'reminders' }),
          now,
          webhooks,
        })

  return {
    worker,
    kinds: [...handlers.keys()].sort(),
    postReply,
    close: async () => {
      await reminders?.close()
      await worker.close()
      await webhooks.close()
      await replies.close()
    },
  }
}
