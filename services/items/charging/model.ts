/** Schemas of charges: electricity put into an electric or plug-in hybrid car, and the consumption it gives. */
import { t } from 'elysia'
import {
  CarRef,
  CostAndOdometer,
  date,
  DistanceInput,
  MoneyInput,
  PageInfo,
  PageQuery,
  strict,
  text,
  Whole,
} from '../shared/model.ts'

export const CHARGE_PLACES = ['home', 'public', 'fast'] as const

export const ChargeCreate = t.Object(
  {
    car: CarRef,
    /** The energy put in as typed: "42 kWh", "42" (kWh), "42000 Wh" (checked by the service). */
    energy: text(100),
    /** The total; with `price_per` it must agree with price × energy (to a cent), without it it is computed. */
    cost: t.Optional(MoneyInput),
    /** The price per kWh as typed: "0.30/kWh". */
    price_per: t.Optional(text(100)),
    /** State of charge before and after: "20-80%". */
    soc: t.Optional(text(40)),
    odometer: t.Optional(DistanceInput),
    /** home, public or fast (checked by the service, which lists them). */
    where: t.Optional(t.String({ maxLength: 20 })),
    date: t.Optional(date),
  },
  strict,
)
export type ChargeCreate = typeof ChargeCreate.static

/** Which charge: its number in this garage (#N). */
export const ChargeNumber = t.Object({ number: t.Integer({ minimum: 1, maximum: 1e12 }) }, strict)

/** Charge #N's changes: the fields of a charge, each optional; what is left out stays. */
export const ChargeEdit = t.Composite([ChargeNumber, t.Partial(ChargeCreate)], strict)
export type ChargeEdit = typeof ChargeEdit.static
export type ChargeChanges = Omit<ChargeEdit, 'number'>

export const ChargesQuery = t.Object({ car: CarRef, ...PageQuery })

export const ChargeView = t.Object({
  id: Whole(),
  /** The charge's number in this garage (#N), what edit and remove take. */
  number: Whole(),
  car: t.String(),
  /** "42 kWh", as typed. */
  energy: t.String(),
  kwh: t.Number(),
  ...CostAndOdometer,
  /** "$0.300/kWh" when a price per kWh was given. */
  price: t.Nullable(t.String()),
  /** "20–80%" */
  soc: t.Nullable(t.String()),
  where: t.Nullable(t.String()),
  date: t.String(),
  /** Consumption since the previous charge with an odometer ("17.5 kWh/100 km", "3.6 mi/kWh"); null when it cannot be known. */
  consumption: t.Nullable(t.String()),
  /** On a write's answer: the change it made (what Undo takes). */
  change: t.Optional(Whole()),
})
export type ChargeView = typeof ChargeView.static

export const ChargeList = t.Object({
  car: t.String(),
  charges: t.Array(ChargeView),
  /** Consumption over every stretch between charges with their odometer. */
  average: t.Nullable(t.String()),
  ...PageInfo,
})

/** A removed charge as it was, and the change it made. */
export const ChargeRemoved = t.Object({
  removed: ChargeView,
  average: t.Nullable(t.String()),
  change: Whole(),
})
export type ChargeRemoved = typeof ChargeRemoved.static
