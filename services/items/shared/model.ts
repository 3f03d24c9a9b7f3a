/**
 * Schemas more than one feature of the items service takes the same way: typed distances and
 * amounts, urgency thresholds, and the small field shapes (text with a length, a typed date).
 * Shapes and types only; the rules (units, currency, dates) are checked by each feature's
 * service with lib/domain, so every refusal names its field in words.
 */
import { Type } from '@sinclair/typebox'
import { t } from 'elysia'
import { wholeNumber } from '../../lib/whole.ts'

/** No unknown fields: a typo such as "odometr" is a 422, not silently dropped. */
export const strict = { additionalProperties: false } as const
export const text = (maxLength = 1000) => t.String({ maxLength })
export const date = t.String({ maxLength: 40, description: 'YYYY-MM-DD, a date in the garage timezone' })
/** A car by nickname (case-insensitive) or id, as callers name it. */
export const CarRef = text(200)

/**
 * A whole number in a response. Elysia's `t.Integer` also takes a numeric string (a transform),
 * and Elysia encodes a response whose schema has a transform value by value on every request
 * (6 µs of a 20 µs car read); a response is ours to shape, so TypeBox's plain integer says it.
 */
export const Whole = () => Type.Integer()

export const DistanceUnit = t.Union([t.Literal('km'), t.Literal('mi')])
/** What a car's meter counts: a distance, or h (engine hours; lib/domain/units.ts `MeterUnit`). */
export const MeterUnit = t.Union([DistanceUnit, t.Literal('h')])

/** How a garage writes numbers (lib/domain/numbers.ts `NUMBER_FORMATS`). */
export const Numbers = t.Union([t.Literal('1,234.5'), t.Literal('1.234,5'), t.Literal('1 234,5')])
/** How a garage writes dates (lib/domain/dates.ts `DATE_ORDERS`). */
export const Dates = t.Union([t.Literal('YYYY-MM-DD'), t.Literal('DD/MM/YYYY'), t.Literal('MM/DD/YYYY')])
/** Both (lib/domain/presentation.ts): what the labels of an answer are written in. */
export const Presentation = t.Object({ numbers: Numbers, dates: Dates })
export type DistanceUnit = typeof DistanceUnit.static
export type MeterUnit = typeof MeterUnit.static

/** A distance as typed: `unit` null or absent means the garage's unit (metric → km, imperial → mi). */
export const DistanceInput = t.Object(
  {
    value: t.Number({ minimum: 0, maximum: 100_000_000 }),
    unit: t.Optional(t.Union([MeterUnit, t.Null()])),
    text: t.Optional(t.String({ maxLength: 100 })),
  },
  strict,
)
export type DistanceInput = typeof DistanceInput.static

/** An amount in the garage's currency as typed; stored as integer minor units. */
export const MoneyInput = t.Object(
  { value: t.Number({ minimum: 0, maximum: 1e13 }), text: t.Optional(t.String({ maxLength: 100 })) },
  strict,
)
export type MoneyInput = typeof MoneyInput.static

/** When an item turns urgent: days before it is due, a distance before it, or both. */
export const ThresholdInput = t.Object(
  {
    days: t.Optional(t.Integer({ minimum: 0, maximum: 3650 })),
    distance: t.Optional(DistanceInput),
    text: t.Optional(t.String({ maxLength: 100 })),
  },
  strict,
)
export type ThresholdInput = typeof ThresholdInput.static

/**
 * What a service record and a fill-up show of their cost and odometer: the labels as the garage
 * reads them, and beside them the raw values (minor units with their currency, the odometer in
 * the car's unit) that callers compute with instead of parsing a label back.
 */
export const CostAndOdometer = {
  /** "$89.90" */
  cost: t.Nullable(t.String()),
  /** The cost in minor units of `currency`. */
  cost_minor: t.Nullable(Whole()),
  currency: t.Nullable(t.String()),
  /** "53,200 mi", as typed. */
  odometer: t.Nullable(t.String()),
  /** The odometer in the car's unit (`odometer_unit`). */
  odometer_value: t.Nullable(t.Number()),
  /** The unit of the car's odometer. */
  odometer_unit: MeterUnit,
}

/**
 * Paging of a list, newest first: `limit` rows (at most 100) of page `page`. A list answers
 * its `total` and the `next_page` (null on the last), so a caller that needs every row (a
 * cost over a period) reads them all and a chat list says how many are older.
 */
export const PageQuery = {
  limit: t.Optional(wholeNumber('limit', 1, 100)),
  page: t.Optional(wholeNumber('page', 1)),
}
export const PageInfo = { total: Whole(), next_page: t.Nullable(Whole()) }
export type Page = { limit: number; page: number }

/** The page of `total` rows a request asks for, and the next page's number. */
export const pageOf = (query: { limit?: number; page?: number }, fallbackLimit = 10): Page => ({
  limit: query.limit ?? fallbackLimit,
  page: query.page ?? 1,
})
export const nextPage = (p: Page, total: number) => (p.page * p.limit < total ? p.page + 1 : null)
