/**
 * Once-only delivery of reply jobs, shared by the Discord and Slack delivery workers.
 *
 * BullMQ hands a job out at least once: a job whose lock expired (a slow consumer, Redis away
 * for a while) is given to another attempt while the first may still be posting. Every attempt
 * therefore goes through a ledger in Redis keyed by the reply job's id:
 *
 * - `<QUEUE_PREFIX>:delivery:<jobId>:lease`: the attempt that may act (`SET … NX PX leaseMs`,
 *   renewed while it works, released when it ends). An attempt that finds it held does not act
 *   ({@link DeliveryBusy}; the worker puts the job back as delayed).
 * - `<QUEUE_PREFIX>:delivery:<jobId>`: a hash `{ state, ref, at }`. `state` is `posting` once an
 *   attempt is about to touch the platform ({@link DeliveryClaim.intend}, fenced: the lease and
 *   BullMQ's lock must both still be this attempt's) and `done` with `ref` (what was produced,
 *   JSON: a message id, a ts and channel …) written in the same Lua call as the thread ref and
 *   the lease's release ({@link DeliveryClaim.done}).
 *
 * A rerun acts on the record: `done` → it does not post again (each platform decides whether
 * it edits to the same content or does nothing); `posting` without a ref → the earlier attempt
 * died during its request, so the platform's own means of finding that message are used (Discord
 * edits the original, or reposts with the same enforced nonce) or, where there are none, it
 * posts again and says so in the log.
 */
import { DelayedError, type Job, Worker, type WorkerOptions } from 'bullmq'
import type IORedis from 'ioredis'
import type { ReplyJob } from '../../lib/contracts/envelope.ts'
import { bullPrefix, threadField, threadsKey } from '../../lib/contracts/queues.ts'
import type { Logger } from '../../lib/log.ts'

/** Key of a reply job's lease (the attempt allowed to act). */
export const leaseKey = (queuePrefix: string, jobId: string) => `${queuePrefix}:delivery:${jobId}:lease`
/** Key of a reply job's record (`state`, `ref`, `at`). */
export const recordKey = (queuePrefix: string, jobId: string) => `${queuePrefix}:delivery:${jobId}`

/** Another live attempt holds the lease; try again after `retryInMs`. */
export class DeliveryBusy extends Error {
  constructor(
    readonly jobId: string,
    readonly retryInMs: number,
  ) {
    super(`reply ${jobId} is being delivered by another attempt`)
    this.name = 'DeliveryBusy'
  }
}

/** This attempt may no longer act: BullMQ's lock on the job or the delivery lease was lost. */
export class DeliveryLockLost extends Error {
  constructor(jobId: string, what: string) {
    super(`reply ${jobId}: ${what} lost; not posting`)
    this.name = 'DeliveryLockLost'
  }
}

export type DeliveryRecord<R> = { state: 'posting' | 'done'; ref?: R }

/** What tells an attempt it may no longer act: BullMQ's job lock (key and token) and an abort signal. */
export type AttemptGuard = {
  lock?: { key: string; token: string }
  signal?: AbortSignal
}

export type LedgerOptions = {
  /** How long a lease lasts without renewal (a crashed attempt holds the job that long). */
  leaseMs?: number
  /** How long a record is kept (longer than any redelivery). */
  keepSeconds?: number
}

const CLAIM = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, redis.call('HGET', KEYS[2], 'state') or '', redis.call('HGET', KEYS[2], 'ref') or ''}
end
return {0, redis.call('PTTL', KEYS[1])}`

const INTEND = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if #KEYS == 3 and redis.call('GET', KEYS[3]) ~= ARGV[4] then return -1 end
if redis.call('HGET', KEYS[2], 'state') ~= 'done' then
  redis.call('HSET', KEYS[2], 'state', 'posting', 'at', ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
return 1`

const DONE = `
redis.call('HSET', KEYS[2], 'state', 'done', 'ref', ARGV[2], 'at', ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[4])
if #KEYS == 3 then redis.call('HSET', KEYS[3], ARGV[5], ARGV[6]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`

/** One attempt's hold on a reply job: what was recorded before, and the fenced writes. */
export class DeliveryClaim<R> {
  private lost = false
  private readonly timer: ReturnType<typeof setInterval>

  constructor(
    private readonly redis: IORedis,
    private readonly prefix: string,
    readonly jobId: string,
    private readonly token: string,
    /** What earlier attempts recorded (undefined: nothing yet). */
    readonly record: DeliveryRecord<R> | undefined,
    private readonly options: Required<LedgerOptions>,
    private readonly guard: AttemptGuard,
  ) {
    this.timer = setInterval(
      () => {
        this.redis
          .eval(RENEW, 1, leaseKey(prefix, jobId), token, options.leaseMs)
          .then((renewed) => {
            if (Number(renewed) !== 1) this.lost = true
          })
          .catch(() => undefined)
      },
      Math.max(Math.floor(options.leaseMs / 3), 10),
    )
    this.timer.unref?.()
  }

  /**
   * Marks the job as being posted, just before the platform is touched; throws
   * {@link DeliveryLockLost} when this attempt no longer holds the lease or BullMQ's lock.
   */
  async intend(): Promise<void> {
    if (this.lost) throw new DeliveryLockLost(this.jobId, 'the delivery lease')
    if (this.guard.signal?.aborted) throw new DeliveryLockLost(this.jobId, "the job's lock")
    const keys = [leaseKey(this.prefix, this.jobId), recordKey(this.prefix, this.jobId)]
    const lock = this.guard.lock
    if (lock) keys.push(lock.key)
    const ok = Number(
      await this.redis.eval(
        INTEND,
        keys.length,
        ...keys,
        this.token,
        Date.now(),
        this.options.keepSeconds,
        lock?.token ?? '',
      ),
    )
    if (ok === 0) throw new DeliveryLockLost(this.jobId, 'the delivery lease')
    if (ok === -1) throw new DeliveryLockLost(this.jobId, "the job's lock")
  }

  /**
   * Records what was produced and the done mark in one call, with the thread ref of the message
   * (bots/shared/threads.ts) when there is one, and releases the lease. Written even when the
   * lease was lost meanwhile: the message exists, and a rerun must find it.
   */
  async done(ref: R, thread?: { tenant: string; messageId: string; ref: string }): Promise<void> {
    const keys = [leaseKey(this.prefix, this.jobId), recordKey(this.prefix, this.jobId)]
    if (thread) keys.push(threadsKey(this.prefix))
    await this.redis.eval(
      DONE,
      keys.length,
      ...keys,
      this.token,
      JSON.stringify(ref ?? null),
      Date.now(),
      this.options.keepSeconds,
      ...(thread ? [threadField(thread.tenant, thread.messageId), thread.ref] : []),
    )
    this.stop()
  }

  /** Ends this attempt's hold without recording anything (a failure; the next attempt may act). */
  async release(): Promise<void> {
    this.stop()
    await this.redis.eval(RELEASE, 1, leaseKey(this.prefix, this.jobId), this.token).catch(() => undefined)
  }

  private stop(): void {
    clearInterval(this.timer)
  }
}

export class DeliveryLedger {
  private readonly options: Required<LedgerOptions>

  constructor(
    private readonly redis: IORedis,
    private readonly prefix: string,
    options: LedgerOptions = {},
  ) {
    this.options = { leaseMs: options.leaseMs ?? 15_000, keepSeconds: options.keepSeconds ?? 7 * 24 * 3600 }
  }

  /** Takes the lease of `jobId`, or throws {@link DeliveryBusy} when another attempt holds it. */
  async claim<R>(jobId: string, guard: AttemptGuard = {}): Promise<DeliveryClaim<R>> {
    const token = crypto.randomUUID()
    const out = (await this.redis.eval(
      CLAIM,
      2,
      leaseKey(this.prefix, jobId),
      recordKey(this.prefix, jobId),
      token,
      this.options.leaseMs,
    )) as [number, string | number, string?]
    if (Number(out[0]) !== 1) {
      const ttl = Number(out[1])
      throw new DeliveryBusy(jobId, ttl > 0 ? Math.min(ttl, this.options.leaseMs) : 100)
    }
    const state = String(out[1] ?? '')
    const ref = String(out[2] ?? '')
    const record: DeliveryRecord<R> | undefined =
      state === 'done' || state === 'posting'
        ? { state, ...(ref ? { ref: JSON.parse(ref) as R } : {}) }
        : undefined
    return new DeliveryClaim<R>(this.redis, this.prefix, jobId, token, record, this.options, guard)
  }

  /** Runs `act` holding the lease of `jobId`; the lease is released when `act` fails. */
  async withClaim<R, T>(
    jobId: string,
    guard: AttemptGuard,
    act: (claim: DeliveryClaim<R>) => Promise<T>,
  ): Promise<T> {
    const claim = await this.claim<R>(jobId, guard)
    try {
      return await act(claim)
    } finally {
      // After done() this is a no-op (the lease is gone); after a failure it frees the job.
      await claim.release()
    }
  }
}

/** BullMQ's lock of a job (the key its workers keep while processing, and this attempt's token). */
export function jobLock(job: { queueQualifiedName: string; id?: string }, token: string | undefined) {
  return token && job.id ? { key: `${job.queueQualifiedName}:${job.id}:lock`, token } : undefined
}

/** True when BullMQ will not run this failed job again: refused for good, stalled out or out of attempts. */
export function failedForGood(
  job: { attemptsMade: number; opts: { attempts?: number } },
  err: Error,
): boolean {
  return err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1)
}

/** BullMQ's reason for failing a job that stalled (or started) more often than allowed. */
export const stalledOut = (err: Error) => /more than allowable limit/.test(err.message)

/**
 * Runs `attempt` (a delivery outside BullMQ) until it is not {@link DeliveryBusy}, waiting out
 * other attempts' leases for at most `maxWaitMs`.
 */
export async function lastAttempt<T>(attempt: () => Promise<T>, maxWaitMs: number): Promise<T> {
  const deadline = Date.now() + maxWaitMs
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (!(error instanceof DeliveryBusy) || Date.now() > deadline) throw error
      await Bun.sleep(Math.min(Math.max(error.retryInMs, 20), 1_000))
    }
  }
}

/** Worker options a test (or an operator) may shorten. */
export type DeliveryWorkerOptions = Partial<
  Pick<WorkerOptions, 'lockDuration' | 'lockRenewTime' | 'stalledInterval' | 'maxStalledCount'>
>

/** What one delivery attempt is given: whether it is the job's last, and the guard it works under. */
export type AttemptOptions = { finalAttempt: boolean; lock?: { key: string; token: string }; signal?: AbortSignal }

/**
 * The BullMQ worker of a bot's reply queue, the same for every platform: each job is delivered
 * through `deliver` under its lock; a job whose lease another attempt holds goes back as delayed;
 * a job whose lock BullMQ could not renew is cancelled before it posts; a job that stalled out
 * gets one last attempt here, and one that failed for good is logged once. `what` names a reply
 * in the log lines ("reply", "slack reply").
 */
export async function startDeliveryWorker<R extends { via: string }>(o: {
  queue: string
  connection: IORedis
  queuePrefix: string
  concurrency?: number
  workerOptions?: DeliveryWorkerOptions
  leaseMs?: number
  log: Logger
  what: string
  deliver: (jobId: string, data: ReplyJob, attempt: AttemptOptions) => Promise<R>
  delivered: (job: Job, result: R) => void
}): Promise<{ worker: Worker; close: () => Promise<void> }> {
  const { log, what } = o
  const pending = new Set<Promise<unknown>>()
  const worker = new Worker(
    o.queue,
    async (job: Job, token?: string, signal?: AbortSignal) => {
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1)
      const lock = jobLock(job, token)
      try {
        const result = await o.deliver(String(job.id), job.data as ReplyJob, {
          finalAttempt,
          ...(lock ? { lock } : {}),
          ...(signal ? { signal } : {}),
        })
        o.delivered(job, result)
        return result
      } catch (error) {
        if (!(error instanceof DeliveryBusy) || !token) throw error
        // Another attempt (this job handed out again) is delivering it: look again once its lease ends.
        await job.moveToDelayed(Date.now() + error.retryInMs, token)
        throw new DelayedError()
      }
    },
    {
      connection: o.connection,
      prefix: bullPrefix(o.queuePrefix),
      concurrency: o.concurrency ?? 8,
      ...o.workerOptions,
    },
  )
  worker.on('error', (err) => log.error({ err }, `${o.queue} delivery worker error`))
  // BullMQ could not renew a job's lock: the job may be handed out again, so this attempt stops.
  worker.on('lockRenewalFailed', (ids) => {
    for (const id of ids) worker.cancelJob(id, 'lock lost')
  })
  worker.on('failed', (job, err) => {
    if (!job) return
    const about = { jobId: job.id, attempt: job.attemptsMade, err: err.message }
    if (!failedForGood(job, err)) return log.warn(about, `${what} delivery failed; BullMQ retries it`)
    if (!stalledOut(err)) return log.error(about, `${what} not delivered: delivery failed for good`)
    // Stalled more often than allowed: BullMQ drops it, so one last attempt here delivers it once.
    const last = lastAttempt(
      () => o.deliver(String(job.id), job.data as ReplyJob, { finalAttempt: true }),
      3 * (o.leaseMs ?? 15_000),
    )
      .then(
        (result) => log.warn({ ...about, via: result.via }, `stalled ${what} delivered by a final attempt`),
        (error) => log.error({ ...about, err: (error as Error).message }, `${what} not delivered: its final attempt failed`),
      )
      .finally(() => pending.delete(last))
    pending.add(last)
  })
  await worker.waitUntilReady()
  return {
    worker,
    close: async () => {
      await worker.close()
      await Promise.allSettled([...pending])
    },
  }
}
