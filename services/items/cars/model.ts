/**
 * Schemas of the car routes: request bodies and the car as shown. Text limits are the domain's
 * (lib/domain/car.ts `CAR_TEXT_LIMITS`, which the catalog's options take too); the rules that
 * need the garage or the clock (nickname characters, model year, VIN, dates) are checked by
 * cars/service.ts so each refusal names the field in words.
 */
import { t } from 'elysia'
import { CAR_TEXT_LIMITS } from '../../../lib/domain/car.ts'
import { ReadingView } from '../readings/model.ts'
import {
  CarRef,
  date,
  DistanceInput,
  MeterUnit,
  MoneyInput,
  Presentation,
  strict,
  text,
  Whole,
} from '../shared/model.ts'

const VolumeUnit = t.Union([t.Literal('L'), t.Literal('gal'), t.Literal('impgal')])
const EconomyUnit = t.Union([t.Literal('L/100km'), t.Literal('km/L'), t.Literal('mpg'), t.Literal('impmpg')])

const limited = (field: keyof typeof CAR_TEXT_LIMITS) => text(CAR_TEXT_LIMITS[field])

export const CarCreate = t.Object(
  {
    /**
     * At most CAR_TEXT_LIMITS.nickname characters, checked by the domain (`checkNickname`), whose
     * refusal says how long the nickname is ("at most 32 characters (this one has 40)"); a schema
     * bound of 32 would answer first, in TypeBox's words. The schema bounds it as any car reference.
     */
    nickname: CarRef,
    make: t.Optional(limited('make')),
    model: t.Optional(limited('model')),
    year: t.Optional(t.Integer()),
    odometer: t.Optional(DistanceInput),
    plate: t.Optional(limited('plate')),
    vin: t.Optional(limited('vin')),
    purchase_date: t.Optional(date),
    purchase_price: t.Optional(MoneyInput),
    /**
     * The car's units: metric (km, L, L/100 km), imperial (mi, gal, mpg) or uk (mi, imperial
     * gal, mpg (UK)). Without it a typed odometer sets the distance unit, else the garage's are taken.
     */
    units: t.Optional(t.Union([t.Literal('metric'), t.Literal('imperial'), t.Literal('uk')])),
    /**
     * What its meter counts: distance (the default), or hours for a tractor, a boat or a generator
     * run on an hour meter (its readings and items' intervals are then engine hours, 'h'). An edit
     * changes it only while the car has no readings.
     */
    meter: t.Optional(t.Union([t.Literal('distance'), t.Literal('hours')])),
    /** Overrides the economy unit of `units` (or of the garage's), e.g. km/L. */
    economy_unit: t.Optional(EconomyUnit),
    /** The tanks it fills ("lpg,petrol"; "none" forgets them), the first the main one (checked by the service, which lists them). */
    fuels: t.Optional(text(100)),
    /** combustion, hybrid, phev or ev ("none" forgets it; checked by the service, which lists them). */
    powertrain: t.Optional(t.String({ maxLength: 20 })),
    /**
     * How its electricity use is shown: kWh/100km or km/kWh for a km car, mi/kWh or Wh/mi for a
     * mi one (lib/domain/energy.ts); "none": its distance unit's own.
     */
    energy_unit: t.Optional(t.String({ maxLength: 20 })),
    /** Accept a VIN whose North-American check digit does not match. */
    confirm: t.Optional(t.Boolean()),
  },
  strict,
)
export type CarCreate = typeof CarCreate.static

/**
 * Every field of a new car may change; `confirm` here also lowers the odometer (a correction).
 * `loan`: the car's loan as typed, "15,000 at 4.9% over 60m from 2025-03-01" (the amount in the
 * garage currency and number format, the annual rate, the number of monthly payments, the day it
 * started: payment n falls n months after it), or "none" to remove it (checked by the service).
 * `value`: what the car is worth, "24,500 on 2025-12-01" (without a date: today), or "none".
 */
export const CarEdit = t.Composite(
  [t.Partial(CarCreate), t.Object({ loan: t.Optional(text(100)), value: t.Optional(text(100)) })],
  strict,
)
export type CarEdit = typeof CarEdit.static

/** `archived=yes` lists archived cars too (left out otherwise; a `q` prefix finds them always). */
export const CarsQuery = t.Object({ q: t.Optional(text(100)), archived: t.Optional(text(10)) })

/** A car sold or scrapped: when (default today), for how much, at what odometer (not below its last reading). */
export const ArchiveBody = t.Object(
  { date: t.Optional(date), price: t.Optional(MoneyInput), odometer: t.Optional(DistanceInput) },
  strict,
)
export type ArchiveBody = typeof ArchiveBody.static
export const CarParams = t.Object({ car: CarRef })
/** `confirm=yes` removes; `preview=yes` answers what a removal would delete and removes nothing. */
export const RemoveQuery = t.Object({ confirm: t.Optional(text(10)), preview: t.Optional(text(10)) })

// Responses

export const MoneyView = t.Object({
  minor: Whole(),
  currency: t.String(),
  text: t.String(),
  label: t.String(),
})
export type MoneyView = typeof MoneyView.static

export const CarView = t.Object({
  id: Whole(),
  nickname: t.String(),
  make: t.Nullable(t.String()),
  model: t.Nullable(t.String()),
  year: t.Nullable(Whole()),
  plate: t.Nullable(t.String()),
  vin: t.Nullable(t.String()),
  purchase_date: t.Nullable(t.String()),
  purchase_price: t.Nullable(MoneyView),
  odometer_unit: MeterUnit,
  /** The car's volume and economy units (one never set follows the distance unit). */
  volume_unit: VolumeUnit,
  economy_unit: EconomyUnit,
  /** The car took the garage's units when it was added, nothing being typed. */
  units_from_garage: t.Boolean(),
  /** How its electricity use is shown (the one chosen, else its distance unit's own; lib/domain/energy.ts). */
  energy_unit: t.Union([t.Literal('kWh/100km'), t.Literal('km/kWh'), t.Literal('mi/kWh'), t.Literal('Wh/mi')]),
  /** What it runs on as said: combustion, hybrid, phev or ev; null when not said. */
  powertrain: t.Nullable(t.String()),
  /** The tanks it fills as said ("lpg,petrol"); null when not said (learned from its fill-ups). */
  fuels: t.Nullable(t.String()),
  /** Its loan: amount borrowed, annual rate in percent, months, start date (YYYY-MM-DD); null when none. */
  loan: t.Nullable(
    t.Object({ amount: MoneyView, rate_percent: t.Number(), months: Whole(), start: t.String() }),
  ),
  /** What it was worth on a day (a valuation, `/car edit value:`); null when not known. */
  value: t.Nullable(t.Object({ amount: MoneyView, on: t.String() })),
  /** The current odometer: the highest reading from any source. */
  odometer: t.Nullable(ReadingView),
  created_at: t.String(),
  /** Sold or scrapped: when, for how much and at what odometer ("98,000 mi"); null while in use. */
  archived: t.Nullable(
    t.Object({ on: t.String(), price: t.Nullable(MoneyView), odometer: t.Nullable(t.String()) }),
  ),
  /**
   * How the garage writes numbers and dates: the labels here are written in its number format;
   * dates (`purchase_date`, `read_on`, `archived.on`) stay YYYY-MM-DD for the caller to show in
   * its date order.
   */
  presentation: Presentation,
})
export type CarView = typeof CarView.static

export const CarDetail = t.Composite([
  CarView,
  t.Object({
    /** The latest readings, newest first. */
    readings: t.Array(ReadingView),
    reading_count: Whole(),
  }),
])
export type CarDetail = typeof CarDetail.static

export const CarList = t.Object({ cars: t.Array(CarView) })

/** A car archived or brought back, and the change it made (what Undo takes). */
export const ArchiveResult = t.Object({ car: CarView, change: Whole() })
export type ArchiveResult = typeof ArchiveResult.static

export const EditResult = t.Composite([CarDetail, t.Object({ removed: Whole() })])
export type EditResult = typeof EditResult.static

/** What a car's removal deleted with it here (its issues, photos and quotes are removed in their services first). */
export const RemoveResult = t.Object({
  removed: CarView,
  readings: Whole(),
  items: Whole(),
  records: Whole(),
  fillups: Whole(),
})
export type RemoveResult = typeof RemoveResult.static

/** The answer to a new reading (readings/app.ts): the car after it and its odometer before it. */
export const ReadingResult = t.Object({
  car: CarView,
  reading: ReadingView,
  /** The current odometer before this reading. */
  previous: t.Nullable(ReadingView),
  /** Readings removed by a confirmed correction (they contradicted it). */
  removed: Whole(),
  /** The reading's number in the garage (#N, what /car odometer number: corrects). */
  number: t.Optional(Whole()),
  /** The change it made (what Undo takes). */
  change: t.Optional(Whole()),
})
export type ReadingResult = typeof ReadingResult.static
