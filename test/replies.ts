/**
 * A consumer of local replies under one queue prefix, in a bot's place: the test stack, the
 * fault tests and the bench's command runs collect the replies to their commands with it. Local
 * replies go by session (`replies.local.<session>`, lib/contracts/queues.ts), so it takes the
 * queues of the sessions it is given.
 */
import { type Processor, Worker, type WorkerOptions } from 'bullmq'
import type IORedis from 'ioredis'
import type { ReplyJob } from '../lib/contracts/envelope.ts'
import { bullPrefix, localRepliesQueue } from '../lib/contracts/queues.ts'

/** The sessions the test stack (`test`), the fault tests (`faults`) and the bench (`bench`) dispatch with. */
export const HELPER_SESSIONS = ['test', 'faults', 'bench']

/** A Worker on the first queue that also starts, readies and closes one on each further queue. */
class QueuesWorker extends Worker {
  private readonly others: Worker[]

  constructor(names: string[], processor: Processor, options: WorkerOptions) {
    super(names[0]!, processor, options)
    this.others = names.slice(1).map((name) => {
      const worker = new Worker(name, processor, options)
      worker.on('error', () => {})
      return worker
    })
  }

  override async waitUntilReady() {
    await Promise.all(this.others.map((w) => w.waitUntilReady()))
    return super.waitUntilReady()
  }

  override async close(force?: boolean): Promise<void> {
    await Promise.all(this.others.map((w) => w.close(force)))
    return super.close(force)
  }
}

/**
 * Calls `onReply` with every reply job (notices included) to `sessions` (default
 * HELPER_SESSIONS) as it is taken; await `waitUntilReady()`.
 */
export function localReplies(
  connection: IORedis,
  queuePrefix: string,
  onReply: (reply: ReplyJob) => void,
  options: Partial<WorkerOptions> & { sessions?: string[] } = {},
): Worker {
  const { sessions = HELPER_SESSIONS, ...workerOptions } = options
  const worker = new QueuesWorker(
    sessions.map(localRepliesQueue),
    async (job) => onReply(job.data as ReplyJob),
    { connection, prefix: bullPrefix(queuePrefix), concurrency: 16, ...workerOptions },
  )
  worker.on('error', () => {})
  return worker
}
