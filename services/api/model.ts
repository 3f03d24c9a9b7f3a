/**
 * Schemas of the API process: its internal routes (keys and calendar feeds, for the worker) and
 * the bodies of its public routes (`/api/v1`), whose figures are the items service's own.
 */
import { t } from 'elysia'

const strict = { additionalProperties: false } as const

export const ApiRole = t.Union([t.Literal('viewer'), t.Literal('driver'), t.Literal('manager')])
export type ApiRole = typeof ApiRole.static

/** A key's name: what the manager calls it ("home-assistant", "obd tracker"). */
export const KeyName = t.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$' })

export const KeyCreate = t.Object(
  { name: KeyName, role: ApiRole, created_by: t.String({ minLength: 1, maxLength: 200 }) },
  strict,
)

export const KeyView = t.Object({
  name: t.String(),
  role: ApiRole,
  /** The key's first characters, to tell keys apart; never the key. */
  prefix: t.String(),
  created_by: t.String(),
  created_at: t.String(),
  last_used_at: t.Nullable(t.String()),
  revoked_at: t.Nullable(t.String()),
})
export type KeyView = typeof KeyView.static

/** A key just created: the only answer that carries the key itself. */
export const KeyCreated = t.Object({ key: t.String(), view: KeyView })
export const KeyList = t.Object({ keys: t.Array(KeyView) })
export const KeyRevoke = t.Object({ name: KeyName }, strict)
export const KeyRevoked = t.Object({ revoked: KeyView })

/** A platform user id, as the drivers feature stores it. */
const UserId = t.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })

export const FeedCreate = t.Object(
  { user_id: UserId, car: t.Optional(t.String({ minLength: 1, maxLength: 200 })), mine: t.Optional(t.Boolean()) },
  strict,
)
/** A calendar feed just made: its secret token (only here), and what it shows. */
export const FeedCreated = t.Object({ token: t.String(), car: t.Nullable(t.String()), mine: t.Boolean(), replaced: t.Boolean() })
export const FeedRevoke = t.Object({ user_id: UserId }, strict)
export const FeedRevoked = t.Object({ revoked: t.Boolean() })

/** A distance typed as a chat user would ("53,400 mi", "83 000 km"), or without a unit (a JSON number) in the car's unit. */
const Distance = t.Union([t.Number({ minimum: 0, maximum: 100_000_000 }), t.String({ minLength: 1, maxLength: 60 })])
const Volume = t.Union([t.Number({ exclusiveMinimum: 0, maximum: 100_000 }), t.String({ minLength: 1, maxLength: 60 })])
const Money = t.Union([t.Number({ minimum: 0, maximum: 1e13 }), t.String({ minLength: 1, maxLength: 60 })])
const Day = t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, a date in the garage timezone' })

export const ReadingPost = t.Object(
  {
    odometer: Distance,
    date: t.Optional(Day),
    /** Accept a reading lower than the last one (a correction). */
    confirm: t.Optional(t.Boolean()),
  },
  strict,
)
export type ReadingPost = typeof ReadingPost.static

export const FillupPost = t.Object(
  {
    volume: Volume,
    cost: t.Optional(Money),
    odometer: t.Optional(Distance),
    fuel: t.Optional(t.String({ maxLength: 40 })),
    station: t.Optional(t.String({ maxLength: 200 })),
    full: t.Optional(t.Boolean()),
    missed: t.Optional(t.Boolean()),
    date: t.Optional(Day),
    confirm: t.Optional(t.Boolean()),
  },
  strict,
)
export type FillupPost = typeof FillupPost.static

export const CarParams = t.Object({ car: t.String({ minLength: 1, maxLength: 200 }) })
export const PageQuery = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100 })),
  page: t.Optional(t.Integer({ minimum: 1, maximum: 1_000_000 })),
})
export const IssuesQuery = t.Object({
  car: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
  status: t.Optional(t.Union([t.Literal('open'), t.Literal('closed'), t.Literal('all')])),
})

/** One car as a Home Assistant REST sensor reads it. */
export const CarSummary = t.Object({
  car: t.String(),
  /** The odometer in the car's unit (null: no reading yet), and as the chat shows it. */
  odometer: t.Nullable(t.Number()),
  odometer_label: t.Nullable(t.String()),
  odometer_unit: t.String(),
  next_due: t.Nullable(
    t.Object({
      item: t.String(),
      /** not_urgent, urgent, very_urgent or past_due: the reminders' own levels. */
      urgency: t.String(),
      urgency_label: t.String(),
      due_date: t.Nullable(t.String()),
      due_odometer: t.Nullable(t.Number()),
      days_left: t.Nullable(t.Number()),
      distance_left: t.Nullable(t.Number()),
      /** The due date is projected from the car's recent distance per day (a distance or hour item). */
      estimated: t.Boolean(),
      text: t.String(),
    }),
  ),
  /** The newest fill-up's economy as the chat shows it ("34.2 mpg"); null when none computed yet. */
  last_economy: t.Nullable(t.String()),
  /** This month's cost (garage month): fuel, charging, service records and expenses. */
  month_cost: t.Nullable(t.Number()),
  month_cost_minor: t.Nullable(t.Integer()),
  month_cost_label: t.Nullable(t.String()),
  currency: t.String(),
  /** Why month_cost is null (records in another currency). */
  month_cost_note: t.Optional(t.String()),
})
export type CarSummary = typeof CarSummary.static
export const GarageSummary = t.Object({ month: t.String(), cars: t.Array(CarSummary) })
