/**
 * What every Slack listener folder gets from app.ts: the dispatcher, the catalog and forms,
 * thread-ref lookups and the logger. Also the small rules shared by the listeners: the tenant
 * of a team and the thread refs (bots/shared/threads.ts) as the context's functions.
 */
import type IORedis from 'ioredis'
import type { Command } from '../../catalog/command.ts'
import type { Form } from '../../catalog/forms.ts'
import type { Envelope } from '../../lib/contracts/envelope.ts'
import type { Logger } from '../../lib/log.ts'
import type { DispatchResult } from '../shared/dispatch.ts'
import { rememberThreadRef, threadRefOf } from '../shared/threads.ts'
import type { FactsLookup } from './facts.ts'
import type { KeepFile } from './files.ts'

export type SlackContext = {
  dispatch: (envelope: Envelope) => Promise<DispatchResult>
  commands: readonly Command[]
  forms: Record<string, Form>
  /** The ref (`issue:12`, `car:corolla`) a delivered message stored for a thread, if any. */
  threadRef: (tenant: string, threadTs: string) => Promise<string | undefined>
  /** Remembers what a thread is about (a prompt the app posted itself). */
  rememberThread: (tenant: string, ts: string, ref: string) => Promise<void>
  /** The user's admin/owner facts for the envelope's actor (bots/slack/facts.ts). */
  facts: FactsLookup
  /** Downloads a dropped file with its workspace's token and keeps it for the worker (bots/slack/files.ts). */
  keepFile: KeepFile
  log: Logger
  now: () => Date
}

const TEAM = /^[A-Z0-9]{1,30}$/

/** `slack:<team_id>`, or undefined when the team id is not one (never trust anything else). */
export function tenantOf(teamId: unknown): string | undefined {
  return typeof teamId === 'string' && TEAM.test(teamId) ? `slack:${teamId}` : undefined
}

/** Looks a thread ref up; a Redis failure means "no ref" (the photo is still filed by its text). */
export function threadLookup(redis: IORedis, queuePrefix: string, log: Logger): SlackContext['threadRef'] {
  return async (tenant, ts) => {
    try {
      return await threadRefOf(redis, queuePrefix, tenant, ts)
    } catch (err) {
      log.warn({ err, tenant }, 'thread ref lookup failed')
      return undefined
    }
  }
}

export function threadRemember(redis: IORedis, queuePrefix: string): SlackContext['rememberThread'] {
  return (tenant, ts, ref) => rememberThreadRef(redis, queuePrefix, tenant, ts, ref)
}

/** Tells the user something went wrong in a listener, without throwing again. */
export const SORRY = 'Something went wrong on our side and nothing was done. Please try again.'

/** The team id of a `slack:<team_id>` tenant, or undefined when it is not one. */
export function teamOf(tenant: string): string | undefined {
  const team = tenant.startsWith('slack:') ? tenant.slice('slack:'.length) : undefined
  return team && TEAM.test(team) ? team : undefined
}
