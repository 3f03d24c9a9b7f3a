/**
 * Schemas of the items service's garage routes (settings, cars, readings): request bodies and
 * responses. The types are derived from them (`typeof X.static`). Schemas check shapes and
 * types (finite numbers, no unknown fields); rules that need the garage, the clock or the
 * database (nickname rules, model year, VIN, dates, units) live in service.ts so each refusal
 * can name the field and say what is wrong in words.
 */
import { t } from 'elysia'

const strict = { additionalProperties: false } as const

export const DistanceUnit = t.Union([t.Literal('km'), t.Literal('mi')])
export type DistanceUnit = typeof DistanceUnit.static

/** A distance as typed: `unit` null or absent means the garage's unit (metric → km, imperial → mi). */
export const DistanceInput = t.Object(
  {
    value: t.Number({ minimum: 0, maximum: 100_000_000 }),
    unit: t.Optional(t.Union([DistanceUnit, t.Null()])),
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

export const ThresholdInput = t.Object(
  {
    days: t.Optional(t.Integer({ minimum: 0, maximum: 3650 })),
    distance: t.Optional(DistanceInput),
    text: t.Optional(t.String({ maxLength: 100 })),
  },
  strict,
)
export type ThresholdInput = typeof ThresholdInput.static

const text = (maxLength = 1000) => t.String({ maxLength })
const date = t.String({ maxLength: 40, description: 'YYYY-MM-DD, a date in the garage timezone' })

export const SettingsPatch = t.Object(
  {
    units: t.Optional(t.Union([t.Literal('metric'), t.Literal('imperial')])),
    currency: t.Optional(text(20)),
    timezone: t.Optional(text(100)),
    /** A channel id; null stops reminders. */
    reminder_channel: t.Optional(t.Union([text(100), t.Null()])),
    reminder_hour: t.Optional(t.Integer({ minimum: 0, maximum: 23 })),
    urgent: t.Optional(ThresholdInput),
    very_urgent: t.Optional(ThresholdInput),
    /** Photos dropped in `channel` belong to `car`; car null forgets the channel. */
    photo_channel_car: t.Optional(t.Object({ channel: text(100), car: t.Union([text(), t.Null()]) }, strict)),
  },
  strict,
)
export type SettingsPatch = typeof SettingsPatch.static

export const SettingsQuery = t.Object({ channel: t.Optional(text(100)) })

export const CarCreate = t.Object(
  {
    nickname: text(),
    make: t.Optional(text()),
    model: t.Optional(text()),
    year: t.Optional(t.Integer()),
    odometer: t.Optional(DistanceInput),
    plate: t.Optional(text()),
    vin: t.Optional(text()),
    purchase_date: t.Optional(date),
    purchase_price: t.Optional(MoneyInput),
    /** Accept a VIN whose North-American check digit does not match. */
    confirm: t.Optional(t.Boolean()),
  },
  strict,
)
export type CarCreate = typeof CarCreate.static

/** Every field of a new car may change; `confirm` here also lowers the odometer (a correction). */
export const CarEdit = t.Partial(CarCreate, strict)
export type CarEdit = typeof CarEdit.static

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

export const CarsQuery = t.Object({ q: t.Optional(text(100)) })
export const CarParams = t.Object({ car: text(200) })
export const RemoveQuery = t.Object({ confirm: t.Optional(text(10)) })

// Responses

export const ReadingSource = t.Union([
  t.Literal('car'),
  t.Literal('reading'),
  t.Literal('service'),
  t.Literal('fuel'),
])
export type ReadingSource = typeof ReadingSource.static

export const ReadingView = t.Object({
  id: t.Integer(),
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

export const MoneyView = t.Object({
  minor: t.Integer(),
  currency: t.String(),
  text: t.String(),
  label: t.String(),
})
export type MoneyView = typeof MoneyView.static

export const CarView = t.Object({
  id: t.Integer(),
  nickname: t.String(),
  make: t.Nullable(t.String()),
  model: t.Nullable(t.String()),
  year: t.Nullable(t.Integer()),
  plate: t.Nullable(t.String()),
  vin: t.Nullable(t.String()),
  purchase_date: t.Nullable(t.String()),
  purchase_price: t.Nullable(MoneyView),
  odometer_unit: DistanceUnit,
  /** The current odometer: the highest reading from any source. */
  odometer: t.Nullable(ReadingView),
  created_at: t.String(),
})
export type CarView = typeof CarView.static

export const CarDetail = t.Composite([
  CarView,
  t.Object({
    /** The latest readings, newest first. */
    readings: t.Array(ReadingView),
    reading_count: t.Integer(),
  }),
])
export type CarDetail = typeof CarDetail.static

export const CarList = t.Object({ cars: t.Array(CarView) })

export const ReadingResult = t.Object({
  car: CarView,
  reading: ReadingView,
  /** The current odometer before this reading. */
  previous: t.Nullable(ReadingView),
  /** Readings removed by a confirmed correction (they contradicted it). */
  removed: t.Integer(),
})
export type ReadingResult = typeof ReadingResult.static

export const EditResult = t.Composite([CarDetail, t.Object({ removed: t.Integer() })])
export type EditResult = typeof EditResult.static

/** What a car's removal deleted with it (issues and photos live in other services and stay). */
export const RemoveResult = t.Object({
  removed: CarView,
  readings: t.Integer(),
  items: t.Integer(),
  records: t.Integer(),
  fillups: t.Integer(),
})

export const ThresholdView = t.Object({
  days: t.Integer(),
  km: t.Number(),
  /** The distance in the garage's unit. */
  distance: t.Object({ value: t.Number(), unit: DistanceUnit, text: t.String() }),
  text: t.String(),
})
export type ThresholdView = typeof ThresholdView.static

export const SettingsView = t.Object({
  tenant: t.String(),
  units: t.Union([t.Literal('metric'), t.Literal('imperial')]),
  currency: t.String(),
  timezone: t.String(),
  reminder_channel: t.Nullable(t.String()),
  reminder_hour: t.Integer(),
  urgent: ThresholdView,
  very_urgent: ThresholdView,
  /** Channel → car for photos dropped there. */
  photo_channels: t.Array(t.Object({ channel: t.String(), car_id: t.Integer(), car: t.String() })),
  /** The car of the channel asked for with `?channel=` (null when none or not asked). */
  photo_channel_car: t.Nullable(t.Object({ id: t.Integer(), nickname: t.String() })),
  /** False until the garage's first write: these are the defaults. */
  stored: t.Boolean(),
})
export type SettingsView = typeof SettingsView.static
