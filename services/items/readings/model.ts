/** Schemas of odometer readings: the reading route's body and the reading as shown. */
import { t } from 'elysia'
import { date, DistanceInput, DistanceUnit, strict, Whole } from '../shared/model.ts'

export const ReadingCreate = t.Object(
  {
    reading: DistanceInput,
    /** When it was read (default today in the garage timezone). */
    date: t.Optional(date),
    /** Record a reading that is lower than the last one: a correction. */
    confirm: t.Optional(t.Boolean()),
  },
  strict,
)
export type ReadingCreate = typeof ReadingCreate.static

/** Where a reading came from: the car's own odometer field, a reading, a service record, a fill-up. */
export const ReadingSource = t.Union([
  t.Literal('car'),
  t.Literal('reading'),
  t.Literal('service'),
  t.Literal('fuel'),
])
export type ReadingSource = typeof ReadingSource.static

export const ReadingView = t.Object({
  id: Whole(),
  /** In the car's unit. */
  value: t.Number(),
  unit: DistanceUnit,
  /** As typed. */
  text: t.String(),
  /** For display: the typed text, with the car-unit value first when it was typed in the other unit. */
  label: t.String(),
  source: ReadingSource,
  read_on: t.String(),
})
export type ReadingView = typeof ReadingView.static
