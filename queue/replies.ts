/**
 * The producer side of the reply queues (`replies.discord`, `replies.slack`, and for the terminal
 * chat `replies.local.<session>` and `replies.local.garage.<name>`: see `replyQueueOf`): the
 * orchestrator's answers and the reminder scheduler's channel posts both go through here. The
 * job id the caller gives (derived from the envelope or announcement id) is what makes a reply
 * single when its producer runs twice.
 */
import { Queue } from 'bullmq'
import type IORedis from 'ioredis'
import type { Logger } from '../lib/log.ts'
import type { Reply, ReplyJob, ReplyTo } from '../lib/contracts/envelope.ts'
import { queueOptions, replyQueueOf, singleJob } from '../lib/contracts/queues.ts'

export type ReplyPoster = {
  /** `rememberSeconds` (an hour unless given): how long its id refuses a second post. */
  post: (job: ReplyJob, jobId: string, opts?: { rememberSeconds?: number }) => Promise<void>
  close: () => Promise<void>
}

/**
 * The reply job answering `to` (a command's envelope, or a reminder announcement given an
 * envelope id of its own); a `notice` is an interim answer ("… is unavailable, retrying").
 */
export function replyJob(
  to: { id: string; tenant: string; replyTo: ReplyTo },
  reply: Reply,
  notice = false,
): ReplyJob {
  return { envelopeId: to.id, tenant: to.tenant, replyTo: to.replyTo, reply, ...(notice ? { notice } : {}) }
}

export const replyJobOptions = (jobId: string, rememberSeconds = 3600) => ({
  attempts: 8,
  backoff: { type: 'exponential' as const, delay: 1_000 },
  ...singleJob(jobId, rememberSeconds),
})

/** Reply queues kept open by a poster; local session queues come and go with their chats. */
const OPEN_QUEUES = 64

export function replyPoster(connection: IORedis, queuePrefix: string, log: Logger): ReplyPoster {
  // Least recently used first (a Map keeps insertion order; a use moves the queue to the end).
  const queues = new Map<string, Queue>()
  const queue = (name: string) => {
    let q = queues.get(name)
    if (q) queues.delete(name)
    else {
      q = new Queue(name, queueOptions(connection, queuePrefix))
      q.on('error', (err) => log.warn({ err, queue: name }, 'reply queue error'))
    }
    queues.set(name, q)
    for (const [oldest, old] of queues) {
      if (queues.size <= OPEN_QUEUES) break
      queues.delete(oldest)
      void old.close().catch(() => {})
    }
    return q
  }
  return {
    post: async (job, jobId, opts = {}) => {
      await queue(replyQueueOf(job)).add('reply', job, replyJobOptions(jobId, opts.rememberSeconds))
    },
    close: async () => {
      await Promise.all([...queues.values()].map((q) => q.close()))
    },
  }
}
