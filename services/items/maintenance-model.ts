/**
 * Schemas of the maintenance routes of the items service: maintenance items (schedules),
 * service records, fuel fill-ups, reminders and the reminder claim. Shapes and types only;
 * rules that need the garage, the clock or the database (intervals above zero, dates not in the
 * future, odometers not going backwards) live in maintenance-service.ts so every refusal names
 * its field in words.
 */
import { t } from 'elysia'
import { wholeNumber } from '../lib/whole.ts'
import { DistanceInput, MoneyInput, ThresholdInput } from './model.ts'

const strict = { additionalProperties: false } as const
const text = (maxLength = 1000) => t.String({ maxLength })
const date = t.String({ maxLength: 40, description: 'YYYY-MM-DD, a date in the garage timezone' })

export const VolumeInput = t.Object(
  {
    value: t.Number({ minimum: 0, maximum: 100_000 }),
    unit: t.Optional(t.Union([t.Literal('L'), t.Literal('gal'), t.Literal('impgal'), t.Null()])),
    text: t.Optional(t.String({ maxLength: 100 })),
  },
  strict,
)
export type VolumeInput = typeof VolumeInput.static

export const ItemCreate = t.Object(
  {
    car: text(200),
    name: text(),
    /** Due every this many months (whole months). */
    months: t.Optional(t.Number()),
    /** Due every this distance. */
    distance: t.Optional(DistanceInput),
    /** When it was last done (default today). */
    last_date: t.Optional(date),
    /** Odometer when it was last done (default the current odometer). */
    last_odometer: t.Optional(DistanceInput),
    /** Count the next due from the previous due point instead of from when it was done. */
    fixed: t.Optional(t.Boolean()),
    notes: t.Optional(text(2000)),
    urgent: t.Optional(ThresholdInput),
    very_urgent: t.Optional(ThresholdInput),
  },
  strict,
)
export type ItemCreate = typeof ItemCreate.static

export const ItemEdit = t.Object(
  {
    car: text(200),
    /** The item's current name. */
    item: text(),
    name: t.Optional(text()),
    months: t.Optional(t.Number()),
    distance: t.Optional(DistanceInput),
    last_date: t.Optional(date),
    last_odometer: t.Optional(DistanceInput),
    fixed: t.Optional(t.Boolean()),
    notes: t.Optional(text(2000)),
    urgent: t.Optional(ThresholdInput),
    very_urgent: t.Optional(ThresholdInput),
  },
  strict,
)
export type ItemEdit = typeof ItemEdit.static

export const ItemRef = t.Object({ car: text(200), item: text() }, strict)
export const ItemsQuery = t.Object({ car: t.Optional(text(200)) })
export const ItemIdParams = t.Object({ id: wholeNumber('id', 1) })

export const RecordKind = t.Union([t.Literal('service'), t.Literal('repair'), t.Literal('upgrade')])
export type RecordKind = typeof RecordKind.static

export const RecordCreate = t.Object(
  {
    car: text(200),
    title: text(),
    /** Names of the car's maintenance items this record did, comma-separated or a list. */
    items: t.Optional(t.Union([text(2000), t.Array(text(), { maxItems: 25 })])),
    cost: t.Optional(MoneyInput),
    odometer: t.Optional(DistanceInput),
    date: t.Optional(date),
    kind: t.Optional(RecordKind),
    notes: t.Optional(text(2000)),
    /** Accept an odometer that contradicts the readings (a correction). */
    confirm: t.Optional(t.Boolean()),
  },
  strict,
)
export type RecordCreate = typeof RecordCreate.static

export const RecordsQuery = t.Object({
  car: t.Optional(text(200)),
  limit: t.Optional(wholeNumber('limit', 1, 100)),
})

export const RecordIdParams = t.Object({ id: wholeNumber('id', 1) })

/** The cost of a record that has none (an accepted quote's amount). */
export const RecordCost = t.Object({ cost: MoneyInput }, strict)
export type RecordCost = typeof RecordCost.static

/** The Log service form of a reminder: a record of that one item. */
export const ItemLog = t.Object(
  { cost: t.Optional(MoneyInput), odometer: t.Optional(DistanceInput), date: t.Optional(date) },
  strict,
)
export type ItemLog = typeof ItemLog.static

export const Snooze = t.Object({ days: t.Optional(t.Integer({ minimum: 1, maximum: 365 })) }, strict)

export const FillupCreate = t.Object(
  {
    car: text(200),
    volume: VolumeInput,
    cost: t.Optional(MoneyInput),
    odometer: t.Optional(DistanceInput),
    /** Filled to the top (default yes). */
    full: t.Optional(t.Boolean()),
    /** A fill-up before this one was not logged (default no). */
    missed: t.Optional(t.Boolean()),
    date: t.Optional(date),
    confirm: t.Optional(t.Boolean()),
  },
  strict,
)
export type FillupCreate = typeof FillupCreate.static

export const FillupsQuery = t.Object({
  car: text(200),
  limit: t.Optional(wholeNumber('limit', 1, 100)),
})

/** System route: claims what is due to be announced at `at` (ISO instant; default the service clock). */
export const ClaimBody = t.Object(
  {
    at: t.Optional(t.String({ maxLength: 40 })),
    limit: t.Optional(t.Integer({ minimum: 1, maximum: 50_000 })),
  },
  strict,
)
export const AckBody = t.Object({ ids: t.Array(t.Integer({ minimum: 1 }), { maxItems: 10_000 }) }, strict)
