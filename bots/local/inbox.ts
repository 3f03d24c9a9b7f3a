/**
 * The consumer of one chat session's replies (`replies.local.<session>`) and of its garage's
 * channel posts (`replies.local.garage.<name>`, reminders): every reply job is kept by its
 * envelope id, in arrival order, until its reader takes it, and whoever waits for an envelope's
 * final (non-notice) reply is woken when it comes. A job BullMQ hands out again (its lock expired
 * while it was being taken) is seen once: the ids of the last SEEN_KEPT jobs are remembered.
 * The terminal chat reads its answers here; an end-to-end test collecting the replies of the
 * commands it dispatched can do the same.
 */
import { Queue, Worker, type WorkerOptions } from 'bullmq'
import type IORedis from 'ioredis'
import type { ReplyJob } from '../../lib/contracts/envelope.ts'
import { bullPrefix, localGarageQueue, localRepliesQueue, queueOptions } from '../../lib/contracts/queues.ts'

/** Reply job ids remembered to see each once; far more than a session's replies in flight. */
export const SEEN_KEPT = 1_000

export type InboxOptions = {
  /** A worker connection (maxRetriesPerRequest: null). */
  connection: IORedis
  queuePrefix: string
  /** The chat session whose replies are taken (`LocalReplyTo.session`). */
  session: string
  /** The garage (`local:<name>`) whose channel posts are taken too; none when absent. */
  tenant?: string
  /** Reply jobs taken at once (1 keeps a session's replies in order). */
  concurrency?: number
  /**
   * Makes a reply job ready before it is kept and its waiters woken (the terminal chat saves the
   * file a reply carries and says where); the job as it arrived when absent.
   */
  prepare?: (job: ReplyJob) => Promise<ReplyJob>
  /** Every reply job, as it arrives (a reminder too); the job is done when what it returns settles. */
  onReply?: (job: ReplyJob) => void | Promise<void>
  /** Worker options a test (or an operator) may shorten (lock duration, stalled interval). */
  workerOptions?: Partial<WorkerOptions>
}

export class ReplyInbox {
  private readonly received = new Map<string, ReplyJob[]>()
  private readonly waiters = new Set<() => void>()
  private readonly seen = new Set<string>()
  private workers: Worker[] = []
  private options?: InboxOptions

  /** Starts taking reply jobs; resolves once the workers are ready. */
  async start(options: InboxOptions): Promise<this> {
    this.options = options
    const names = [localRepliesQueue(options.session), ...(options.tenant ? [localGarageQueue(options.tenant)] : [])]
    this.workers = names.map((name) => {
      const worker = new Worker(name, (job) => this.take1(`${name}|${job.id}`, job.data as ReplyJob), {
        ...options.workerOptions,
        connection: options.connection,
        prefix: bullPrefix(options.queuePrefix),
        concurrency: options.concurrency ?? 1,
      })
      worker.on('error', () => {})
      return worker
    })
    await Promise.all(this.workers.map((w) => w.waitUntilReady()))
    return this
  }

  /** Keeps a reply job (`key`: its queue and id) unless it was seen already. */
  private async take1(key: string, arrived: ReplyJob): Promise<void> {
    if (this.seen.has(key)) return
    this.seen.add(key)
    // A Set iterates in insertion order: the first is the oldest.
    if (this.seen.size > SEEN_KEPT) this.seen.delete(this.seen.values().next().value!)
    const data = this.options?.prepare ? await this.options.prepare(arrived) : arrived
    const list = this.received.get(data.envelopeId) ?? []
    list.push(data)
    this.received.set(data.envelopeId, list)
    for (const wake of [...this.waiters]) wake()
    await this.options?.onReply?.(data)
  }

  /** Every reply job seen for an envelope (notices included), in arrival order. */
  jobs(envelopeId: string): ReplyJob[] {
    return this.received.get(envelopeId) ?? []
  }

  /** The jobs of an envelope, forgotten here. */
  take(envelopeId: string): ReplyJob[] {
    const jobs = this.jobs(envelopeId)
    this.received.delete(envelopeId)
    return jobs
  }

  /** The final reply job of an envelope once it has arrived; undefined when `timeoutMs` passed first. */
  async final(envelopeId: string, timeoutMs: number): Promise<ReplyJob | undefined> {
    const deadline = Date.now() + timeoutMs
    const found = () => this.jobs(envelopeId).find((r) => !r.notice)
    for (let job = found(); ; job = found()) {
      if (job) return job
      const left = deadline - Date.now()
      if (left <= 0) return undefined
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer)
          this.waiters.delete(wake)
          resolve()
        }
        const timer = setTimeout(wake, Math.min(left, 1_000))
        this.waiters.add(wake)
      })
    }
  }

  /**
   * Stops taking replies. With `producer` (a connection that may fail fast), the session's queue
   * is also removed from Redis: a session ends with its chat, and nothing else reads its queue.
   */
  async close(producer?: IORedis): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close().catch(() => {})))
    if (!producer || !this.options) return
    const queue = new Queue(localRepliesQueue(this.options.session), queueOptions(producer, this.options.queuePrefix))
    queue.on('error', () => {})
    await queue.obliterate({ force: true }).catch(() => {})
    await queue.close().catch(() => {})
  }
}
