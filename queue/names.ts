import type { Platform } from './envelope.ts'

/** Queue names; BullMQ's own `prefix` option carries QUEUE_PREFIX so deployments sharing a Redis never collide. */
export const COMMANDS_QUEUE = 'commands'
export const REMINDERS_QUEUE = 'reminders'
export const repliesQueue = (platform: Platform) => `replies.${platform}`

/** BullMQ key prefix for a QUEUE_PREFIX. */
export const bullPrefix = (queuePrefix: string) => `bull:${queuePrefix}`

/**
 * BullMQ job ids derived from the envelope id. BullMQ refuses ids that are integers (Discord
 * snowflakes are) or contain ':', so every id gets a kind prefix.
 */
export const commandJobId = (envelopeId: string) => `cmd-${envelopeId}`
export const replyJobId = (envelopeId: string, suffix = 'final') => `reply-${envelopeId}-${suffix}`
