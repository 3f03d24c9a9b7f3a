/** Request and response schemas of the calculator. Units travel with their values; the routes convert them at the edge. */
import type { TSchema } from '@sinclair/typebox'
import { t } from 'elysia'
import { EXPENSE_KINDS } from '../../lib/domain/figures.ts'
import { Currency, Day } from '../lib/schemas.ts'

export const DistanceUnit = t.Union([t.Literal('km'), t.Literal('mi')])
export const VolumeUnit = t.Union([t.Literal('L'), t.Literal('gal'), t.Literal('impgal')])
export const EconomyUnit = t.Union([
  t.Literal('L/100km'),
  t.Literal('km/L'),
  t.Literal('mpg'),
  t.Literal('impmpg'),
])

export const Distance = t.Object({ value: t.Number(), unit: DistanceUnit })
export const Volume = t.Object({ value: t.Number(), unit: VolumeUnit })

export const FuelBody = t.Object({ distance: Distance, volume: Volume })

export const TripBody = t.Object({
  distance: Distance,
  economy: t.Object({ value: t.Number(), unit: EconomyUnit }),
  /** Price of one `per` of fuel in minor units (may carry a fraction: 1.899 a litre). */
  price: t.Object({ minor: t.Number(), per: VolumeUnit }),
  currency: Currency,
})

export const LoanBody = t.Object({
  amountMinor: t.Integer(),
  ratePercent: t.Number(),
  months: t.Integer(),
  currency: Currency,
})

/** A fill-up as the items service logged it, in km and litres. */
export const FillUp = t.Object({
  id: t.Optional(t.Union([t.Integer(), t.String()])),
  /** Its place in the order the fill-ups were logged (within a day, the order they happened in). */
  logged: t.Optional(t.Integer()),
  date: Day,
  /** Null when the fill-up was logged without its odometer: it still counts in cost and fuel. */
  odometerKm: t.Nullable(t.Number({ minimum: 0 })),
  litres: t.Number({ minimum: 0 }),
  costMinor: t.Optional(t.Integer()),
  /** The tank was filled to the brim. */
  full: t.Boolean(),
  /** A fill-up before this one was not logged: the distance since the last one is not covered by logged fuel. */
  missed: t.Optional(t.Boolean()),
})
export type FillUp = typeof FillUp.static

export const EconomyBody = t.Object({ fillUps: t.Array(FillUp, { maxItems: 100_000 }) })

/** A service, repair or upgrade record with what it cost. */
export const CostRecord = t.Object({
  date: Day,
  costMinor: t.Integer(),
  kind: t.Union([t.Literal('service'), t.Literal('repair'), t.Literal('upgrade')]),
  odometerKm: t.Optional(t.Nullable(t.Number({ minimum: 0 }))),
})
export type CostRecord = typeof CostRecord.static

/** An expense (lib/domain/figures.ts EXPENSE_KINDS) with what it cost. */
export const Expense = t.Object({
  date: Day,
  kind: t.UnionEnum(EXPENSE_KINDS),
  costMinor: t.Integer({ minimum: 0 }),
})

/** A charge: energy in kWh, cost in minor units (0 when free or not known), odometer in km. */
export const Charge = t.Object({
  date: Day,
  kwh: t.Number({ exclusiveMinimum: 0 }),
  costMinor: t.Integer({ minimum: 0 }),
  odometerKm: t.Nullable(t.Number({ minimum: 0 })),
  logged: t.Optional(t.Integer()),
})

/**
 * A car's fixed-rate loan: the amount borrowed, the annual rate, the term and the day it started;
 * payment n falls n calendar months after `start` (loan.ts gives each payment's interest).
 */
export const CarLoan = t.Object({
  principalMinor: t.Integer({ minimum: 1 }),
  ratePercent: t.Number({ minimum: 0, maximum: 100 }),
  months: t.Integer({ minimum: 1, maximum: 600 }),
  start: Day,
})
export type CarLoan = typeof CarLoan.static

/** An odometer reading. */
export const Reading = t.Object({ date: Day, km: t.Number({ minimum: 0 }) })
export type Reading = typeof Reading.static

export const CostBody = t.Object({
  currency: Currency,
  from: Day,
  to: Day,
  records: t.Array(CostRecord, { maxItems: 100_000 }),
  fillUps: t.Array(
    t.Object({ date: Day, costMinor: t.Optional(t.Integer()), odometerKm: t.Nullable(t.Number({ minimum: 0 })) }),
    { maxItems: 100_000 },
  ),
  readings: t.Optional(t.Array(Reading, { maxItems: 100_000 })),
  purchase: t.Optional(t.Nullable(t.Object({ priceMinor: t.Integer({ minimum: 0 }), date: Day }))),
  depreciationPercent: t.Optional(t.Number({ minimum: 0, maximum: 100 })),
  /** Insurance, tax, tolls …: each counts on its date; `loan` ones are payments, not costs (see costOfOwnership). */
  expenses: t.Optional(t.Array(Expense, { maxItems: 100_000 })),
  /** Charges of an electric or plug-in hybrid car: their cost is electricity; their odometer is a reading. */
  charges: t.Optional(t.Array(Charge, { maxItems: 100_000 })),
  /** The car's loan: its interest, payment by payment, is a cost of ownership. */
  loan: t.Optional(t.Nullable(CarLoan)),
  /** A value the car had after its purchase (a valuation, or its sale price): depreciation runs through it. */
  valuation: t.Optional(t.Nullable(t.Object({ minor: t.Integer({ minimum: 1 }), date: Day }))),
  /** The day the car was sold or scrapped: it loses no value after it. */
  soldOn: t.Optional(t.Nullable(Day)),
})
/** What a cost of ownership is worked out from (the body's currency only labels the answer). */
export type CostInput = Omit<typeof CostBody.static, 'currency'>

// ——— responses (distances in km, volumes in litres, money in minor units of the body's currency) ———

export const Economy = t.Object({
  kmPerLitre: t.Number(),
  lPer100km: t.Number(),
  mpgUs: t.Number(),
  mpgUk: t.Number(),
})
export type Economy = typeof Economy.static

export const FuelResult = t.Composite([t.Object({ km: t.Number(), litres: t.Number() }), Economy])

export const TripResult = t.Object({
  km: t.Number(),
  litres: t.Number(),
  gallonsUs: t.Number(),
  gallonsImp: t.Number(),
  /** Exact cost in minor units (a fraction of a cent is kept; round for display). */
  costMinor: t.Number(),
  economy: Economy,
  currency: t.String(),
  price: t.Object({ minor: t.Number(), per: VolumeUnit }),
})

/** One month of a loan's amortisation. */
export const AmortisationLine = t.Object({
  n: t.Integer(),
  paymentMinor: t.Integer(),
  interestMinor: t.Integer(),
  principalMinor: t.Integer(),
  balanceMinor: t.Integer(),
})
export type AmortisationLine = typeof AmortisationLine.static

export const LoanResult = t.Object({
  principalMinor: t.Integer(),
  annualRatePercent: t.Number(),
  months: t.Integer(),
  /** The annuity formula's payment before rounding, for checking. */
  exactPaymentMinor: t.Number(),
  monthlyPaymentMinor: t.Integer(),
  totalInterestMinor: t.Integer(),
  totalPaidMinor: t.Integer(),
  lines: t.Array(AmortisationLine),
  currency: t.String(),
})

const Segment = t.Object({ km: t.Number(), litres: t.Number() })

/** A fill-up as the economy over time reads it. */
export const EconomyEntry = t.Object({
  id: t.Optional(t.Union([t.Integer(), t.String()])),
  date: t.String(),
  odometerKm: t.Nullable(t.Number()),
  litres: t.Number(),
  full: t.Boolean(),
  /**
   * - `segment`: a full fill-up closing a segment from the previous full one (economy known);
   * - `baseline`: a full fill-up that starts a chain (the first, or the first after a break);
   * - `partial`: its fuel is counted in the next full fill-up;
   * - `no_baseline`: a partial fill-up with no full fill-up before it in the chain;
   * - `missed`: a fill-up before it was not logged, so the chain breaks here (a full one restarts it);
   * - `unknown`: a full fill-up without its odometer: the segment it closes cannot be measured;
   * - `invalid`: the odometer did not advance since the previous full fill-up (or the figures
   *   are too extreme to compute).
   */
  status: t.Union([
    t.Literal('segment'),
    t.Literal('baseline'),
    t.Literal('partial'),
    t.Literal('no_baseline'),
    t.Literal('missed'),
    t.Literal('unknown'),
    t.Literal('invalid'),
  ]),
  segment: t.Optional(t.Composite([Segment, t.Object({ fillUps: t.Integer() }), Economy])),
})
export type EconomyEntry = typeof EconomyEntry.static

export const EconomyResult = t.Object({
  entries: t.Array(EconomyEntry),
  segments: t.Integer(),
  average: t.Nullable(t.Composite([Segment, Economy])),
})

/** One kind of cost of a period: `kind` is 'fuel', 'electricity', a record kind, an expense kind, 'loan_interest' or 'depreciation'. */
export const CostKind = t.Object({ kind: t.String(), minor: t.Number(), count: t.Integer() })

const byKind = <T extends TSchema>(value: T) =>
  t.Object({ fuel: value, service: value, repair: value, upgrade: value })

export const CostResult = t.Object({
  from: t.String(),
  to: t.String(),
  days: t.Integer(),
  months: t.Number(),
  byKindMinor: byKind(t.Number()),
  counts: byKind(t.Integer()),
  runningMinor: t.Number(),
  depreciationMinor: t.Nullable(t.Number()),
  depreciationPercent: t.Nullable(t.Number()),
  /** The value depreciation runs through (a valuation or the sale price); null: the yearly rate alone. */
  valuation: t.Nullable(t.Object({ minor: t.Integer(), date: t.String() })),
  totalMinor: t.Number(),
  perMonthMinor: t.Number(),
  km: t.Nullable(t.Number()),
  /** The days `km` covers: the whole period, or from the first / to the last reading inside it. */
  distance: t.Nullable(t.Object({ from: t.String(), to: t.String(), whole: t.Boolean() })),
  perKmMinor: t.Nullable(t.Number()),
  runningPerKmMinor: t.Nullable(t.Number()),
  /**
   * Every kind of cost of the period, in this order: fuel, electricity, service, repair,
   * upgrade, each expense kind but loan (EXPENSE_KINDS order), loan interest, depreciation; a
   * kind with nothing recorded is left out (fuel, service, repair and upgrade are always there).
   * Their sum is `totalMinor`.
   */
  kinds: t.Array(CostKind),
  /** Electricity bought by charging: its cost, how many charges and how much energy. */
  electricity: t.Object({ minor: t.Number(), count: t.Integer(), kwh: t.Number() }),
  /**
   * The loan payments logged as expenses (kind loan): money paid back, not a cost of ownership
   * (the principal is the car, whose cost is its depreciation; the interest is `loanInterest`).
   */
  loanPayments: t.Object({ minor: t.Number(), count: t.Integer() }),
  /** Interest of the car's loan in the period (payments falling due in it); null when the car has no loan. */
  loanInterest: t.Nullable(t.Object({ minor: t.Number(), payments: t.Integer() })),
  /** Fuel and electricity per km: a plug-in hybrid's energy cost per distance; null without a distance. */
  energyPerKmMinor: t.Nullable(t.Number()),
  currency: t.String(),
})
