/**
 * The calculator's pure functions: fuel economy (one tank, a trip, over time) and the cost of
 * ownership; the loan is in loan.ts. Everything inside works in kilometres, litres and integer
 * minor units of money; units are converted at the edge (`toKm`, `toLitres`, `toKmPerLitre`)
 * and results are rounded only where a person reads them (or where money changes hands, as a
 * loan's monthly payment does). Nothing here keeps state.
 */
import { addMonths, dayNumber, isDate } from '../../lib/domain/dates.ts'
import {
  calendarMonths,
  chargesInPeriod,
  distanceInPeriod,
  EXPENSE_KINDS,
  expensesInPeriod,
  fuelSegments,
  type OdometerPoint,
} from '../../lib/domain/figures.ts'
import { invalid } from '../../lib/domain/invalid.ts'
import { figure, positive, TOO_EXTREME } from './checks.ts'
import {
  fromKmPerLitre,
  fromLitres,
  KM_PER_MI,
  LITRES_PER_US_GALLON,
  type VolumeUnit,
} from '../../lib/domain/units.ts'
import { loan } from './loan.ts'
import type { CarLoan, CostInput, CostRecord, Economy, FillUp } from './model.ts'

/** L/100 km × US mpg = 100 × L/gal ÷ km/mi = 235.2145833… */
export const LP100KM_TIMES_MPG = (100 * LITRES_PER_US_GALLON) / KM_PER_MI

export { figure, positive } from './checks.ts'


export function economyOf(kmPerLitre: number): Economy {
  return {
    kmPerLitre,
    lPer100km: fromKmPerLitre(kmPerLitre, 'L/100km'),
    mpgUs: fromKmPerLitre(kmPerLitre, 'mpg'),
    mpgUk: fromKmPerLitre(kmPerLitre, 'impmpg'),
  }
}

/** Every unit of an economy is a finite number (a ratio of extreme values can overflow one). */
const finiteEconomy = (e: Economy) =>
  Number.isFinite(e.kmPerLitre) &&
  Number.isFinite(e.lPer100km) &&
  Number.isFinite(e.mpgUs) &&
  Number.isFinite(e.mpgUk)

/** `economyOf`, refused naming `field` when a unit overflows. */
function economyFrom(field: string, kmPerLitre: number): Economy {
  const economy = economyOf(kmPerLitre)
  if (!finiteEconomy(economy)) throw invalid(field, TOO_EXTREME)
  return economy
}

/** Economy of one tank: distance driven on a volume of fuel. */
export function fuelEconomy(km: number, litres: number): Economy & { km: number; litres: number } {
  positive('distance', km)
  positive('volume', litres)
  return { km, litres, ...economyFrom('volume', km / litres) }
}

/** Fuel needed for a trip and its cost. `priceMinorPerUnit` is the price of one `priceUnit` of fuel. */
export function trip(km: number, kmPerLitre: number, priceMinorPerUnit: number, priceUnit: VolumeUnit) {
  positive('distance', km)
  positive('economy', kmPerLitre)
  positive('price', priceMinorPerUnit)
  const economy = economyFrom('economy', kmPerLitre)
  const litres = figure('distance', km / kmPerLitre)
  const costMinor = figure('price', fromLitres(litres, priceUnit) * priceMinorPerUnit)
  return {
    km,
    litres,
    gallonsUs: fromLitres(litres, 'gal'),
    gallonsImp: fromLitres(litres, 'impgal'),
    /** Exact cost in minor units (a fraction of a cent is kept; round for display). */
    costMinor,
    economy,
  }
}

// ---------------------------------------------------------------------------------------
// Fuel economy over time

/**
 * Economy per full-to-full segment (lib/domain/figures.ts `fuelSegments`, the one computation
 * every command uses) in every unit, and the average over the segments that can be measured.
 */
export function economyOverTime(fillUps: readonly FillUp[]) {
  const { entries, segments, total } = fuelSegments(fillUps)
  return {
    entries: entries.map(({ fillUp: f, status, segment }) => {
      const economy = segment && economyOf(segment.km / segment.litres)
      const measured = economy && finiteEconomy(economy)
      return {
        ...(f.id !== undefined ? { id: f.id } : {}),
        date: f.date,
        odometerKm: f.odometerKm,
        litres: f.litres,
        full: f.full,
        status: segment && !measured ? ('invalid' as const) : status,
        ...(segment && measured ? { segment: { ...segment, ...economy } } : {}),
      }
    }),
    segments,
    average: total
      ? { km: figure('fillUps', total.km), litres: figure('fillUps', total.litres), ...economyFrom('fillUps', total.km / total.litres) }
      : null,
  }
}

// ---------------------------------------------------------------------------------------
// Cost of ownership

type RecordKind = CostRecord['kind']

/** Yearly loss of value in the declining-balance depreciation model (a common rule of thumb). */
export const DEFAULT_DEPRECIATION_PERCENT = 15
export const DAYS_PER_YEAR = 365.2425

/**
 * Depreciation between two dates under a declining-balance model: the car is worth
 * price × (1 − d)^years after purchase, d = `ratePercent` a year (15% by default). Straight
 * line needs a lifetime and a residual value nobody knows; a constant yearly fraction matches
 * used-car prices well enough for a running-cost figure. A value known later (`valuation`: a
 * valuation or the sale price, after the purchase) sets d instead, so the curve runs through
 * it: (1 − d) = (value ÷ price)^(1 ÷ years between them). After `soldOn` the car loses nothing.
 * Each date is taken at the start of its day; `to` is counted to its end. Integer minor units.
 */
export function depreciationOver(
  priceMinor: number,
  purchaseDate: string,
  from: string,
  to: string,
  opts: { ratePercent?: number; valuation?: { minor: number; date: string } | null; soldOn?: string | null } = {},
): { minor: number; ratePercent: number } {
  const bought = dayNumber(purchaseDate)
  const v = opts.valuation
  const years = v ? (dayNumber(v.date) - bought) / DAYS_PER_YEAR : 0
  const keep =
    v && years > 0 && priceMinor > 0 ? (v.minor / priceMinor) ** (1 / years) : 1 - (opts.ratePercent ?? DEFAULT_DEPRECIATION_PERCENT) / 100
  const ratePercent = (1 - keep) * 100
  const start = Math.max(dayNumber(from), bought)
  const end = Math.min(dayNumber(to) + 1, opts.soldOn ? dayNumber(opts.soldOn) : Number.POSITIVE_INFINITY)
  if (end <= start) return { minor: 0, ratePercent }
  const value = (day: number) => priceMinor * keep ** ((day - bought) / DAYS_PER_YEAR)
  return { minor: Math.round(value(start) - value(end)), ratePercent }
}

/** `depreciationOver` at a fixed yearly rate (15% by default). */
export function depreciation(
  priceMinor: number,
  purchaseDate: string,
  from: string,
  to: string,
  ratePercent = DEFAULT_DEPRECIATION_PERCENT,
) {
  return depreciationOver(priceMinor, purchaseDate, from, to, { ratePercent }).minor
}

/** The kinds of cost in the order a breakdown lists them (`CostResult.kinds`). */
export const COST_KINDS = [
  'fuel',
  'electricity',
  'service',
  'repair',
  'upgrade',
  ...EXPENSE_KINDS.filter((k) => k !== 'loan'),
  'loan_interest',
  'depreciation',
] as const
export type CostKindName = (typeof COST_KINDS)[number]

/**
 * The interest of a car's loan paid from `from` to `to` (inclusive): payment n falls n calendar
 * months after the loan's start (`addMonths`: the 31st falls on a shorter month's last day), and
 * its interest is the amortisation's (loan.ts: balance × rate ÷ 12, to the minor unit).
 */
export function loanInterestIn(l: CarLoan, from: string, to: string) {
  const a = dayNumber(from)
  const b = dayNumber(to)
  let minor = 0
  let payments = 0
  for (const line of loan(l.principalMinor, l.ratePercent, l.months).lines) {
    const due = dayNumber(addMonths(l.start, line.n))
    if (due < a || due > b) continue
    minor += line.interestMinor
    payments += 1
  }
  return { minor, payments }
}

/**
 * What a car cost over a period, the one computation `/calc cost` and `/car stats` show. Each
 * record counts on its date: fuel (every fill-up, AdBlue too), electricity (charges), service,
 * repair and upgrade records, expenses by kind, the interest of the car's loan (each payment's
 * interest on the day the payment falls due), and depreciation when the purchase price is known.
 *
 * What is not a cost of ownership: a loan payment (an expense of kind `loan`) is money paid
 * back; its principal part is the car itself, whose cost is its depreciation, and its interest
 * part is counted from the loan's schedule. Counting the payment too would count the car twice,
 * so loan payments are reported beside the total (`loanPayments`), never in it. A lease payment
 * is a cost (nothing is bought with it), as is every other expense kind.
 *
 * Per month is the total ÷ calendar months of the period; per km the total ÷ the distance driven
 * in it (unrounded rates: per-km × km = total). Integer minor units in, as recorded.
 */
export function costOfOwnership(input: CostInput) {
  if (!isDate(input.from)) throw invalid('from', `is not a date: ${input.from}`)
  if (!isDate(input.to)) throw invalid('to', `is not a date: ${input.to}`)
  const a = dayNumber(input.from)
  const b = dayNumber(input.to)
  if (b < a) throw invalid('to', `${input.to} is before ${input.from}`)
  const inPeriod = (date: string) => {
    const d = dayNumber(date)
    return d >= a && d <= b
  }
  const byKind: Record<RecordKind | 'fuel', number> = { fuel: 0, service: 0, repair: 0, upgrade: 0 }
  const counts: Record<RecordKind | 'fuel', number> = { fuel: 0, service: 0, repair: 0, upgrade: 0 }
  for (const r of input.records) {
    if (!inPeriod(r.date)) continue
    byKind[r.kind] += r.costMinor
    counts[r.kind] += 1
  }
  for (const f of input.fillUps) {
    if (!inPeriod(f.date)) continue
    byKind.fuel += f.costMinor ?? 0
    counts.fuel += 1
  }
  figure('fillUps', byKind.fuel)
  const charges = input.charges ?? []
  const electricity = chargesInPeriod(charges, input.from, input.to)
  const paid = expensesInPeriod(input.expenses ?? [], input.from, input.to)
  const loanPayments = { minor: paid.byKind.loan?.minor ?? 0, count: paid.byKind.loan?.count ?? 0 }
  const interest = input.loan ? loanInterestIn(input.loan, input.from, input.to) : null
  const kinds: { kind: CostKindName; minor: number; count: number }[] = [
    { kind: 'fuel', minor: byKind.fuel, count: counts.fuel },
  ]
  if (electricity.count > 0) kinds.push({ kind: 'electricity', minor: electricity.minor, count: electricity.count })
  for (const k of ['service', 'repair', 'upgrade'] as const) kinds.push({ kind: k, minor: byKind[k], count: counts[k] })
  for (const k of EXPENSE_KINDS) {
    const e = paid.byKind[k]
    if (e && k !== 'loan') kinds.push({ kind: k, minor: e.minor, count: e.count })
  }
  if (interest) kinds.push({ kind: 'loan_interest', minor: interest.minor, count: interest.payments })
  const running = figure(
    'records',
    kinds.reduce((sum, k) => sum + k.minor, 0),
  )
  const lost = input.purchase
    ? depreciationOver(input.purchase.priceMinor, input.purchase.date, input.from, input.to, {
        ratePercent: input.depreciationPercent,
        valuation: input.valuation,
        soldOn: input.soldOn,
      })
    : null
  const dep = lost?.minor ?? null
  if (dep !== null) kinds.push({ kind: 'depreciation', minor: dep, count: 0 })
  const total = figure('purchase', running + (dep ?? 0))
  const points: OdometerPoint[] = [
    ...(input.readings ?? []),
    ...input.records.flatMap((r) => (r.odometerKm != null ? [{ date: r.date, km: r.odometerKm }] : [])),
    ...input.fillUps.flatMap((f) => (f.odometerKm !== null ? [{ date: f.date, km: f.odometerKm }] : [])),
    // a charge's odometer is a reading too (it makes none of its own)
    ...charges.flatMap((c) => (c.odometerKm !== null ? [{ date: c.date, km: c.odometerKm }] : [])),
  ]
  const driven = distanceInPeriod(points, input.from, input.to)
  const km = driven?.km ?? null
  const days = b - a + 1
  const months = calendarMonths(input.from, input.to)
  return {
    from: input.from,
    to: input.to,
    days,
    months,
    byKindMinor: byKind,
    counts,
    kinds,
    electricity,
    loanPayments,
    loanInterest: interest,
    runningMinor: running,
    depreciationMinor: dep,
    depreciationPercent: lost?.ratePercent ?? null,
    /** The value the depreciation runs through, when one is known (else the yearly rate is the default or given one). */
    valuation: lost && input.valuation ? input.valuation : null,
    totalMinor: total,
    perMonthMinor: figure('records', total / months),
    km,
    /** The days the distance covers: the whole period, or from / to the readings inside it. */
    distance: driven && { from: driven.from, to: driven.to, whole: driven.whole },
    perKmMinor: km ? figure('readings', total / km) : null,
    runningPerKmMinor: km ? running / km : null,
    energyPerKmMinor: km ? (byKind.fuel + electricity.minor) / km : null,
  }
}
