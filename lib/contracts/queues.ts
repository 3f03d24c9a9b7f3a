import type IORedis from 'ioredis'
import type { Platform, ReplyTo } from './envelope.ts'

/** Queue names; BullMQ's own `prefix` option carries QUEUE_PREFIX so deployments sharing a Redis never collide. */
export const COMMANDS_QUEUE = 'commands'
export const REMINDERS_QUEUE = 'reminders'
/** Outgoing webhooks (queue/webhooks.ts): `fanout` jobs (one per command or tick's events) and `deliver` jobs (one per event and webhook). */
export const WEBHOOKS_QUEUE = 'webhooks'
/** The events a garage's webhooks may subscribe to (`all` subscribes to every one). */
export const WEBHOOK_EVENTS = [
  'record.created',
  'record.changed',
  'reminder.urgency_changed',
  'issue.opened',
  'issue.closed',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number]
/** The reply queue of a bot (`replies.discord`, `replies.slack`); local replies go by session, below. */
export const repliesQueue = (platform: Platform) => `replies.${platform}`

/** A name part kept as it is when it is letters, digits, `_` and `-`; any other character becomes `~<hex code>`, so no two parts meet. */
const queuePart = (text: string) =>
  text.replace(/[^A-Za-z0-9_-]/g, (c) => `~${c.codePointAt(0)!.toString(16)}`)

/**
 * Where the terminal chat takes its replies. Each chat session has its own queue,
 * `replies.local.<session>` (`LocalReplyTo.session`), so two chats on one Redis never take each
 * other's replies. A post to a local garage's channel (a reminder announcement: `replyTo.channel`)
 * goes to `replies.local.garage.<name>` of its tenant `local:<name>`, which every chat of that
 * garage also takes.
 */
export const localRepliesQueue = (session: string) => `replies.local.${queuePart(session)}`
export const localGarageQueue = (tenant: string) =>
  `replies.local.garage.${queuePart(tenant.startsWith('local:') ? tenant.slice('local:'.length) : tenant)}`
/** The queue a reply job goes to. */
export function replyQueueOf(job: { envelopeId: string; tenant: string; replyTo: ReplyTo }): string {
  if (job.replyTo.platform !== 'local') return repliesQueue(job.replyTo.platform)
  return job.replyTo.channel ? localGarageQueue(job.tenant) : localRepliesQueue(job.replyTo.session)
}

/** BullMQ key prefix for a QUEUE_PREFIX. */
export const bullPrefix = (queuePrefix: string) => `bull:${queuePrefix}`

/**
 * Entries kept in each queue's event stream. BullMQ keeps 10,000 by default, a few MB of Redis
 * per queue; nothing here listens to them (no QueueEvents), they only help an operator with
 * redis-cli. Every Queue writes this into the queue's meta on start, so all of them use it.
 */
export const EVENTS_KEPT = 1_000

/** Options of every Queue (producer side) of a QUEUE_PREFIX. */
export const queueOptions = (connection: IORedis, queuePrefix: string) => ({
  connection,
  prefix: bullPrefix(queuePrefix),
  streams: { events: { maxLen: EVENTS_KEPT } },
})

/**
 * BullMQ job ids derived from the envelope id. BullMQ refuses ids that are integers (Discord
 * snowflakes are) or contain ':', so every id gets a kind prefix.
 */
export const commandJobId = (envelopeId: string) => `cmd-${envelopeId}`
export const replyJobId = (envelopeId: string, suffix = 'final') => `reply-${envelopeId}-${suffix}`

/** Completed jobs kept per queue, for the dashboard; a job's id outlives it (see singleJob). */
export const KEEP_COMPLETED = 200

/**
 * Options that make a job single by its id for `rememberSeconds`. BullMQ refuses a second add
 * with the same jobId while the job exists; a deduplication key on the same id, with a TTL and
 * a few dozen bytes in Redis, goes on refusing it once the completed job is gone (BullMQ keeps
 * a deduplication key with a TTL past the job's completion and its removal by count). So only
 * the last KEEP_COMPLETED completed jobs are kept, not every answered command for an hour
 * (about 4 KB each); failed ones stay a week for the dashboard.
 */
export const singleJob = (jobId: string, rememberSeconds: number) => ({
  jobId,
  deduplication: { id: jobId, ttl: rememberSeconds * 1000 },
  removeOnComplete: { count: KEEP_COMPLETED },
  removeOnFail: { age: 7 * 24 * 3600 },
})

/**
 * Thread refs: what a conversation started on a bot's message is about. A delivery that posts a
 * Reply with `ref` (`issue:12`, `car:corolla`) stores `HSET <QUEUE_PREFIX>:threads
 * <tenant>|<message id> <ref>` (the message id is Discord's message id, which a thread started on
 * it shares, or Slack's message ts); a photo dropped in that thread is filed by the ref. Every
 * bot reads and writes this one hash, so refs stored by an earlier version keep working.
 */
export const threadsKey = (queuePrefix: string) => `${queuePrefix}:threads`
export const threadField = (tenant: string, messageId: string) => `${tenant}|${messageId}`
