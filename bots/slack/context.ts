/**
 * What every Slack listener folder gets from app.ts: the dispatcher, the catalog and forms,
 * thread-ref lookups and the logger. Also the small rules shared by listeners and delivery:
 * the tenant of a team, envelope ids Slack payloads turn into, and the Redis keys.
 */
import type IORedis from 'ioredis'
import type { Logger } from '../../lib/log.ts'
import type { DispatchResult } from '../shared/dispatch.ts'
import type { Envelope } from '../../lib/contracts/envelope.ts'
import type { Command } from '../../catalog/command.ts'
import type { Form } from '../../catalog/forms.ts'

export type SlackContext = {
  dispatch: (envelope: Envelope) => Promise<DispatchResult>
  commands: readonly Command[]
  forms: Record<string, Form>
  /** The ref (`issue:12`, `car:corolla`) a delivered message stored for a thread, if any. */
  threadRef: (tenant: string, threadTs: string) => Promise<string | undefined>
  /** Remembers what a thread is about (a prompt the app posted itself). */
  rememberThread: (tenant: string, ts: string, ref: string) => Promise<void>
  log: Logger
  now: () => Date
}

const TEAM = /^[A-Z0-9]{1,30}$/

/** `slack:<team_id>`, or undefined when the team id is not one (never trust anything else). */
export function tenantOf(teamId: unknown): string | undefined {
  return typeof teamId === 'string' && TEAM.test(teamId) ? `slack:${teamId}` : undefined
}

/** An envelope id from Slack ids: characters BullMQ and the envelope accept, at most 200. */
export function envelopeId(...parts: (string | undefined)[]): string {
  return parts
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .join('-')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 200)
}

/** Redis hash of thread refs (`<tenant>|<ts>` → ref), shared with the other bots' deliveries. */
export const threadsKey = (queuePrefix: string) => `${queuePrefix}:threads`
export const threadField = (tenant: string, ts: string) => `${tenant}|${ts}`

/** Looks a thread ref up; a Redis failure means "no ref" (the photo is still filed by its text). */
export function threadLookup(redis: IORedis, queuePrefix: string, log: Logger): SlackContext['threadRef'] {
  return async (tenant, ts) => {
    try {
      const ref = await redis.hget(threadsKey(queuePrefix), threadField(tenant, ts))
      return ref ?? undefined
    } catch (err) {
      log.warn({ err, tenant }, 'thread ref lookup failed')
      return undefined
    }
  }
}

export function threadRemember(redis: IORedis, queuePrefix: string): SlackContext['rememberThread'] {
  return async (tenant, ts, ref) => {
    await redis.hset(threadsKey(queuePrefix), threadField(tenant, ts), ref)
  }
}

/** Tells the user something went wrong in a listener, without throwing again. */
export const SORRY = 'Something went wrong on our side and nothing was done. Please try again.'
