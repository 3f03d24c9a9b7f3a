/**
 * A consumer of `replies.local` under one queue prefix, in a bot's place: the test stack, the
 * fault tests and the bench's command runs collect the replies to their commands with it.
 */
import { Worker, type WorkerOptions } from 'bullmq'
import type IORedis from 'ioredis'
import type { ReplyJob } from '../lib/contracts/envelope.ts'
import { bullPrefix, repliesQueue } from '../lib/contracts/queues.ts'

/** Calls `onReply` with every reply job (notices included) as it is taken; await `waitUntilReady()`. */
export function localReplies(
  connection: IORedis,
  queuePrefix: string,
  onReply: (reply: ReplyJob) => void,
  options: Partial<WorkerOptions> = {},
): Worker {
  const worker = new Worker(repliesQueue('local'), async (job) => onReply(job.data as ReplyJob), {
    connection,
    prefix: bullPrefix(queuePrefix),
    concurrency: 16,
    ...options,
  })
  worker.on('error', () => {})
  return worker
}
