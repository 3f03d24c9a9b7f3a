/** Schemas of odometer readings: the reading route's body and the reading as shown. */
import { t } from 'elysia'
import { Author } from '../drivers/authors.ts'
import { CarRef, date, DistanceInput, MeterUnit, PageInfo, PageQuery, Presentation, strict, Whole } from '../shared/model.ts'

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
  unit: MeterUnit,
  /** As typed. */
  text: t.String(),
  /** For display: the typed text, with the car-unit value first when it was typed in the other unit. */
  label: t.String(),
  source: ReadingSource,
  read_on: t.String(),
})
export type ReadingView = typeof ReadingView.static

/** Which reading: its number in this garage (#N in /car readings). */
export const ReadingNumber = t.Object({ number: t.Integer({ minimum: 1, maximum: 1e12 }) }, strict)

/** Reading #N's changes: its value or its date; what is left out stays. `car`: it must be that car's. */
export const ReadingEdit = t.Composite([ReadingNumber, t.Partial(ReadingCreate), t.Object({ car: t.Optional(CarRef) })], strict)
export type ReadingEdit = typeof ReadingEdit.static

/** A reading with its number, as /car readings lists it. */
export const NumberedReading = t.Composite([
  ReadingView,
  /** `by`, in a list: who logged it (absent when not known). */
  t.Object({ number: Whole(), by: Author }),
])
export type NumberedReading = typeof NumberedReading.static

export const ReadingsQuery = t.Object({ car: CarRef, ...PageQuery })
/** `presentation`: how the garage writes numbers (the labels) and dates (`read_on` stays YYYY-MM-DD). */
export const ReadingList = t.Object({
  car: t.String(),
  readings: t.Array(NumberedReading),
  ...PageInfo,
  presentation: Presentation,
})

/** A reading changed or removed: it (as it was, for a removal), the car's odometer after, the change. */
export const ReadingChanged = t.Object({
  car: t.String(),
  reading: NumberedReading,
  /** The car's current odometer after it ("53,400 mi"), null without readings. */
  odometer: t.Nullable(t.String()),
  change: Whole(),
  /** How the garage writes numbers (the labels) and dates (`read_on` stays YYYY-MM-DD). */
  presentation: Presentation,
})
export type ReadingChanged = typeof ReadingChanged.static
