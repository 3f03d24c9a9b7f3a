/** Schemas of fuel fill-ups and the economy they give. */
import { t } from 'elysia'
import { CarRef, CostAndOdometer, date, DistanceInput, MoneyInput, PageInfo, PageQuery, strict, Whole } from '../shared/model.ts'

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
    cost: t.Optional(MoneyInput),
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
  car: t.String(),
  /** "10 gal", as typed. */
  volume: t.String(),
  litres: t.Number(),
  ...CostAndOdometer,
  full: t.Boolean(),
  missed: t.Boolean(),
  date: t.String(),
  /** Economy since the previous full fill-up ("34.1 mpg" / "6.9 L/100km"); null when it cannot be known. */
  economy: t.Nullable(t.String()),
})
export type FillupView = typeof FillupView.static

export const FillupList = t.Object({
  car: t.String(),
  fillups: t.Array(FillupView),
  /** Economy over every stretch that can be known. */
  average: t.Nullable(t.String()),
  ...PageInfo,
})
