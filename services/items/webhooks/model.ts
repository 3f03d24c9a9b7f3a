/** Schemas of a garage's outgoing webhooks and the log of their deliveries. */
import { t } from 'elysia'
import { WEBHOOK_EVENTS } from '../../../lib/contracts/queues.ts'
import { wholeNumber } from '../../lib/whole.ts'
import { strict, Whole } from '../shared/model.ts'

/** An event type, or `all`. */
export const WebhookEvent = t.UnionEnum([...WEBHOOK_EVENTS, 'all'])
const Number_ = t.Integer({ minimum: 1, maximum: 1e9 })

/** A webhook to add. The worker has checked the address (https, not private) before it asks. */
export const WebhookCreate = t.Object(
  {
    /** http(s)://… (checked by the service, which names the field). */
    url: t.String({ minLength: 1, maxLength: 2000 }),
    events: t.Array(WebhookEvent, { minItems: 1, maxItems: WEBHOOK_EVENTS.length + 1 }),
    /** The channel it is added in (its pause is told there when the garage has no reminder channel). */
    channel: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
  },
  strict,
)
export type WebhookCreate = typeof WebhookCreate.static

export const WebhookNumber = t.Object({ number: Number_ }, strict)

export const WebhookView = t.Object({
  number: Whole(),
  url: t.String(),
  events: t.Array(t.String()),
  status: t.UnionEnum(['active', 'paused', 'removed']),
  /** Consecutive failed attempts, and since when (null while it succeeds). */
  failures: Whole(),
  failing_since: t.Nullable(t.String()),
  paused_at: t.Nullable(t.String()),
  created_by: t.String(),
  created_at: t.String(),
})
export type WebhookView = typeof WebhookView.static

/** The answer to an add: the only time its signing secret is given. */
export const WebhookCreated = t.Object({ webhook: WebhookView, secret: t.String() })
export const WebhookList = t.Object({ webhooks: t.Array(WebhookView) })

/** The active webhooks with what they subscribe to (the worker's "has webhooks" and its fan-out). */
export const ActiveWebhooks = t.Object({
  webhooks: t.Array(t.Object({ number: Whole(), events: t.Array(t.String()) })),
})

export const TargetQuery = t.Object({ number: wholeNumber('number', 1, 1e9), event: t.String({ minLength: 1, maxLength: 200 }) })
/** What one delivery needs: where, the secret to sign with, whether it still delivers, and whether this event already reached it. */
export const WebhookTarget = t.Object({
  url: t.String(),
  secret: t.String(),
  status: t.UnionEnum(['active', 'paused', 'removed']),
  delivered: t.Boolean(),
})

/** The outcome of one delivery attempt. */
export const DeliveryOutcome = t.Object(
  {
    number: Number_,
    event_id: t.String({ minLength: 1, maxLength: 200 }),
    event_type: t.String({ minLength: 1, maxLength: 60 }),
    attempt: t.Integer({ minimum: 1, maximum: 1000 }),
    ok: t.Boolean(),
    http_status: t.Optional(t.Integer({ minimum: 100, maximum: 599 })),
    error: t.Optional(t.String({ maxLength: 300 })),
    /** The worker's WEBHOOK_PAUSE_AFTER_HOURS: a failure this long after the streak began pauses the webhook. */
    pause_after_hours: t.Integer({ minimum: 1, maximum: 100_000 }),
  },
  strict,
)
export type DeliveryOutcome = typeof DeliveryOutcome.static

/** After an outcome: the webhook's status, whether this failure paused it (once), and where to tell the managers. */
export const OutcomeResult = t.Object({
  status: t.UnionEnum(['active', 'paused', 'removed']),
  paused_now: t.Boolean(),
  failing_since: t.Nullable(t.String()),
  notify_channel: t.Nullable(t.String()),
})

export const LogQuery = t.Object({
  number: t.Optional(wholeNumber('number', 1, 1e9)),
  limit: t.Optional(wholeNumber('limit', 1, 100)),
})
export const DeliveryView = t.Object({
  webhook: Whole(),
  event_id: t.String(),
  event_type: t.String(),
  attempt: Whole(),
  ok: t.Boolean(),
  http_status: t.Nullable(Whole()),
  error: t.Nullable(t.String()),
  at: t.String(),
})
export const DeliveryLog = t.Object({ deliveries: t.Array(DeliveryView) })
