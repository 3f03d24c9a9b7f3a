/**
 * The consumer of `replies.local`: every reply job is kept by its envelope id, in arrival order,
 * until its reader takes it, and whoever waits for an envelope's final (non-notice) reply is
 * woken when it comes. The terminal chat reads its answers here; an end-to-end test collecting
 * the replies of the commands it dispatched can do the same.
 */
import { Worker } from 'bullmq'
import type IORedis from 'ioredis'
import type { ReplyJob } from '../../lib/contracts/envelope.ts'
import { bullPrefix, repliesQueue } from '../../lib/contracts/queues.ts'

export type InboxOptions = {
  /** A worker connection (maxRetriesPerRequest: null). */
  connection: IORedis
  queuePrefix: string
  /** Reply jobs taken at once (1 keeps a session's replies in order). */
  concurrency?: number
  /** Every reply job, as it arrives (a reminder too). */
  onReply?: (job: ReplyJob) => void
}

export class ReplyInbox {
  private readonly received = new Map<string, ReplyJob[]>()
  private readonly waiters = new Set<() => void>()
  private worker?: Worker

  /** Starts taking reply jobs; resolves once the worker is ready. */
  async start(options: InboxOptions): Promise<this> {
    this.worker = new Worker(
      repliesQueue('local'),
      async (job) => {
        const data = job.data as ReplyJob
        const list = this.received.get(data.envelopeId) ?? []
        list.push(data)
        this.received.set(data.envelopeId, list)
        options.onReply?.(data)
        for (const wake of [...this.waiters]) wake()
      },
      {
        connection: options.connection,
        prefix: bullPrefix(options.queuePrefix),
        concurrency: options.concurrency ?? 1,
      },
    )
    this.worker.on('error', () => {})
    await this.worker.waitUntilReady()
    return this
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

  async close(): Promise<void> {
    await this.worker?.close().catch(() => {})
  }
}
