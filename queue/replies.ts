/**
 * The producer side of `replies.<platform>`: the orchestrator's answers and the reminder
 * scheduler's channel posts both go through here. The job id the caller gives (derived from the
 * envelope or announcement id) is what makes a reply single when its producer runs twice.
 */
import { Queue } from 'bullmq'
import type IORedis from 'ioredis'
import type { Logger } from '../lib/log.ts'
import type { Platform, Reply, ReplyJob, ReplyTo } from '../lib/contracts/envelope.ts'
import { queueOptions, repliesQueue, singleJob } from '../lib/contracts/queues.ts'

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

export function replyPoster(connection: IORedis, queuePrefix: string, log: Logger): ReplyPoster {
  const queues = new Map<Platform, Queue>()
  const queue = (platform: Platform) => {
    let q = queues.get(platform)
    if (!q) {
      q = new Queue(repliesQueue(platform), queueOptions(connection, queuePrefix))
      q.on('error', (err) => log.warn({ err, platform }, 'reply queue error'))
      queues.set(platform, q)
    }
    return q
  }
  return {
    post: async (job, jobId, opts = {}) => {
      await queue(job.replyTo.platform).add('reply', job, replyJobOptions(jobId, opts.rememberSeconds))
    },
    close: async () => {
      await Promise.all([...queues.values()].map((q) => q.close()))
    },
  }
}
