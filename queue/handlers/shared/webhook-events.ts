/**
 * The events a garage's webhooks receive. A handler declares one with `ctx.emit(type, data)` (the
 * orchestrator publishes them after the handler succeeded, queue/webhooks.ts); these helpers keep
 * each handler's part to one line and every event's `data` the same shape.
 */
import type { WebhookEventType } from '../../../lib/contracts/queues.ts'
import type { HandlerContext } from '../../handler.ts'

/** The JSON body a receiver gets. `id` is the same however often it is delivered: receivers dedupe on it. */
export type WebhookEvent = {
  id: string
  type: WebhookEventType
  /** The garage (its tenant: `discord:<guild id>`, `slack:<team id>`, `local:<name>`). */
  garage: string
  at: string
  data: Record<string, unknown>
}

export type RecordKind = 'fillup' | 'charge' | 'service' | 'reading' | 'expense'

/** `record.created` or `record.changed` of a record a command made or corrected: its kind, car and the record as the service answered it. */
export function recordEvent(
  ctx: HandlerContext,
  change: 'created' | 'changed',
  kind: RecordKind,
  record: object,
): void {
  const { change: _change, ...shown } = record as Record<string, unknown>
  ctx.emit?.(`record.${change}`, { kind, car: shown.car ?? null, record: shown })
}

/** Statuses of an issue that is closed. */
const CLOSED = new Set(['resolved', 'wont_fix'])

/** `issue.opened` or `issue.closed`, with the issue as the issues service answered it (its lists of comments, history and photos left out). */
export function issueEvent(ctx: HandlerContext, type: 'issue.opened' | 'issue.closed', issue: object): void {
  const shown = Object.fromEntries(Object.entries(issue).filter(([, v]) => !Array.isArray(v)))
  ctx.emit?.(type, { issue: shown })
}

/** A status change of an issue: `issue.closed` when it closed, `issue.opened` when a closed one opened again, nothing otherwise. */
export function issueStatusEvent(ctx: HandlerContext, before: string, issue: { status: string }): void {
  if (CLOSED.has(before) === CLOSED.has(issue.status)) return
  issueEvent(ctx, CLOSED.has(issue.status) ? 'issue.closed' : 'issue.opened', issue)
}

/** A name part of an event or job id: letters, digits, `_` and `-` kept, anything else `~<hex>` (BullMQ refuses `:` in ids). */
export const idPart = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, (c) => `~${c.codePointAt(0)!.toString(16)}`)

/** The id of the `n`th event a job (a command's envelope, a reminder's announcement) emitted: the same on every run of it. */
export const eventId = (key: string, n: number) => `evt_${idPart(key)}_${n}`
