/**
 * Schemas of reminders: the worker's claim of what to announce and its acknowledgement (system
 * routes), and a reminder's buttons (Done, Snooze, Log service) with their answers.
 */
import { t } from 'elysia'
import { ItemView, Level } from '../maintenance/model.ts'
import { RecordView } from '../records/model.ts'
import { date, DistanceInput, MoneyInput, strict, Whole } from '../shared/model.ts'

/** System route: claims what is due to be announced at `at` (ISO instant; default the service clock). */
export const ClaimBody = t.Object(
  {
    at: t.Optional(t.String({ maxLength: 40 })),
    limit: t.Optional(t.Integer({ minimum: 1, maximum: 50_000 })),
  },
  strict,
)
export const AckBody = t.Object({ ids: t.Array(t.Integer({ minimum: 1 }), { maxItems: 10_000 }) }, strict)

/** One reminder to post: what the tick needs to build the channel message with its buttons. */
export const Announcement = t.Object({
  id: Whole(),
  tenant: t.String(),
  channel: t.String(),
  /** The item's id; null for a renewal of a recurring expense (`renewal`). */
  item_id: t.Nullable(Whole()),
  /** A renewal's: the number of the expense it renews (its Log payment form's arg); null for an item. */
  renewal: t.Nullable(Whole()),
  car: t.String(),
  item: t.String(),
  level: Level,
  level_label: t.String(),
  due_text: t.String(),
  notes: t.Nullable(t.String()),
  /** The car's drivers (mentioned in the post); `dm`: they also want it privately. */
  drivers: t.Optional(
    t.Array(
      t.Object({
        user_id: t.String(),
        name: t.String(),
        dm: t.Boolean(),
        /** Where a private copy goes (queue/reminders.ts `privateTarget`). */
        dm_to: t.String(),
      }),
    ),
  ),
})
export type Announcement = typeof Announcement.static

export const ClaimResult = t.Object({ announcements: t.Array(Announcement), examined: Whole() })
export const AckResult = t.Object({ acked: Whole() })

/** The Log service form of a reminder: a record of that one item. */
export const ItemLog = t.Object(
  {
    cost: t.Optional(MoneyInput),
    odometer: t.Optional(DistanceInput),
    date: t.Optional(date),
    /** Another record on purpose, though one with the same day, cost and odometer was just logged. */
    again: t.Optional(t.Boolean()),
  },
  strict,
)
export type ItemLog = typeof ItemLog.static

export const Snooze = t.Object({ days: t.Optional(t.Integer({ minimum: 1, maximum: 365 })) }, strict)

/** Done: the record it logged (or the one already logged today, `already`) and the item moved on. */
export const DoneResult = t.Object({ record: RecordView, item: ItemView, already: t.Boolean() })
export const LogResult = t.Object({ record: RecordView, item: ItemView })

/** Log another: the record whose service is logged once more (the one a refused Log service named). */
export const ItemLogAgain = t.Object({ record: t.Integer({ minimum: 1, maximum: 1e12 }) }, strict)
/** The record Log another made; `already`: it had made it before (the button pressed again). */
export const LogAgainResult = t.Object({ record: RecordView, item: ItemView, already: t.Boolean() })
export const SnoozeResult = t.Object({ item: ItemView, until: t.String() })

// ——— digests (digests.ts): the tick's claim of each garage's period, and its acknowledgement ———

export const DigestClaimBody = t.Object({ at: t.Optional(t.String({ maxLength: 40 })) }, strict)
export const DigestAckBody = t.Object({ tenant: t.String({ minLength: 1, maxLength: 200 }), period: t.String({ minLength: 1, maxLength: 40 }) }, strict)

const Span = t.Object({ from: t.String(), to: t.String() })
export const DigestClaim = t.Object({
  tenant: t.String(),
  /** `week:<monday>` or `month:<YYYY-MM>`. */
  period: t.String(),
  digest: t.Union([t.Literal('weekly'), t.Literal('monthly')]),
  channel: t.String(),
  /** The garage's today. */
  today: t.String(),
  /** The span the digest tells of, and the one before it to compare with. */
  covers: Span,
  before: Span,
})
export type DigestClaim = typeof DigestClaim.static
export const DigestClaimResult = t.Object({ digests: t.Array(DigestClaim) })
export const DigestAckResult = t.Object({ posted: t.Boolean() })
