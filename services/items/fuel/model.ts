/** Schemas of fuel fill-ups and the economy they give. */
import { t } from 'elysia'
import { Author } from '../drivers/authors.ts'
import { CarRef, CostAndOdometer, date, DistanceInput, MoneyInput, PageInfo, PageQuery, strict, text, Whole } from '../shared/model.ts'

/** A volume as typed: `unit` null or absent means the garage's (metric → L, imperial → US gal). */
export const VolumeInput = t.Object(
  {
    value: t.Number({ minimum: 0, maximum: 100_000 }),
    unit: t.Optional(t.Union([t.Literal('L'), t.Literal('gal'), t.Literal('impgal'), t.Null()])),
    text: t.Optional(t.String({ maxLength: 100 })),
  },
  strict,
)
export type VolumeInput = typeof VolumeInput.static

export const FillupCreate = t.Object(
  {
    car: CarRef,
    volume: VolumeInput,
    /** The total; with `price_per` it must agree with price × volume (to a cent), without it it is computed. */
    cost: t.Optional(MoneyInput),
    /** The price per unit as typed: "1.899/L", "$3.45/gal" (checked by the service, which says the forms). */
    price_per: t.Optional(text(100)),
    /** What was bought: petrol_91, petrol_95, petrol_98, diesel, e10, e85, lpg, cng or adblue (checked by the service, which lists them). */
    fuel: t.Optional(t.String({ maxLength: 40 })),
    /** Where: the station as typed. */
    station: t.Optional(text(200)),
    odometer: t.Optional(DistanceInput),
    /** Filled to the top (default yes). */
    full: t.Optional(t.Boolean()),
    /** A fill-up before this one was not logged (default no). */
    missed: t.Optional(t.Boolean()),
    date: t.Optional(date),
    /** Accept an odometer lower than the last reading or far above it, or a fill-up over 150 L. */
    confirm: t.Optional(t.Boolean()),
  },
  strict,
)
export type FillupCreate = typeof FillupCreate.static

export const FillupsQuery = t.Object({ car: CarRef, ...PageQuery })

export const FillupView = t.Object({
  id: Whole(),
  /** The fill-up's number in this garage (#N), what edit and remove take. */
  number: Whole(),
  car: t.String(),
  /** "10 gal", as typed. */
  volume: t.String(),
  litres: t.Number(),
  ...CostAndOdometer,
  full: t.Boolean(),
  missed: t.Boolean(),
  date: t.String(),
  /** "petrol 95", "LPG", "AdBlue"; null when not said. */
  fuel: t.Nullable(t.String()),
  /** The fuel as its code (petrol_95, lpg …); null when not said. */
  fuel_type: t.Nullable(t.String()),
  /** The tank its economy is of ('petrol', 'lpg' …; the car's main one when no fuel was said, '' while that is not known); null for AdBlue, which is not fuel. */
  tank: t.Nullable(t.String()),
  station: t.Nullable(t.String()),
  /** "$3.45/gal", "$1.899/L" when a price per unit was given. */
  price: t.Nullable(t.String()),
  /** Economy since the previous full fill-up ("34.1 mpg" / "6.9 L/100km"); null when it cannot be known. */
  economy: t.Nullable(t.String()),
  /** On a write's answer: the change it made (what Undo takes). */
  change: t.Optional(Whole()),
  /** In a list: who logged it (absent when not known). */
  by: Author,
})
export type FillupView = typeof FillupView.static

export const FillupList = t.Object({
  car: t.String(),
  fillups: t.Array(FillupView),
  /** Economy over every stretch that can be known ("8.0 L/100km"; per tank on a dual-fuel car: "8.0 L/100km petrol · 11.2 L/100km LPG"). */
  average: t.Nullable(t.String()),
  ...PageInfo,
})

/** Which fill-up: its number in this garage (#N). */
export const FillupNumber = t.Object({ number: t.Integer({ minimum: 1, maximum: 1e12 }) }, strict)

/** Fill-up #N's changes: the fields of a fill-up, each optional; what is left out stays. */
export const FillupEdit = t.Composite([FillupNumber, t.Partial(FillupCreate)], strict)
export type FillupEdit = typeof FillupEdit.static
export type FillupChanges = Omit<FillupEdit, 'number'>

/** A removed fill-up as it was, and the car's average economy without it. */
export const FillupRemoved = t.Object({ removed: FillupView, average: t.Nullable(t.String()), change: Whole() })
export type FillupRemoved = typeof FillupRemoved.static
