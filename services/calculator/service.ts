/**
 * The calculator's pure functions. Everything inside works in kilometres, litres and integer
 * minor units of money; units are converted at the edge (`toKm`, `toLitres`, `toKmPerLitre`)
 * and results are rounded only where a person reads them (or where money changes hands, as a
 * loan's monthly payment does). Nothing here keeps state.
 */
import { dayNumber } from '../../lib/domain/dates.ts'
import { invalid } from '../../lib/domain/invalid.ts'
import { fromKmPerLitre, fromLitres, KM_PER_MI, LITRES_PER_US_GALLON, type VolumeUnit } from '../../lib/domain/units.ts'

/** L/100 km × US mpg = 100 × L/gal ÷ km/mi = 235.2145833… */
export const LP100KM_TIMES_MPG = (100 * LITRES_PER_US_GALLON) / KM_PER_MI

/** A strictly positive, finite number, or a 422 that names the field. */
export function positive(field: string, value: number, shown?: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalid(field, 'is not a number')
  if (!Number.isFinite(value)) throw invalid(field, `${shown ?? value} is too large`)
  if (value === 0) throw invalid(field, `must be more than 0 (got ${shown ?? value})`)
  if (value < 0) throw invalid(field, `cannot be negative (got ${shown ?? value})`)
  return value
}

export type Economy = { kmPerLitre: number; lPer100km: number; mpgUs: number; mpgUk: number }

export function economyOf(kmPerLitre: number): Economy {
  return {
    kmPerLitre,
    lPer100km: fromKmPerLitre(kmPerLitre, 'L/100km'),
    mpgUs: fromKmPerLitre(kmPerLitre, 'mpg'),
    mpgUk: fromKmPerLitre(kmPerLitre, 'impmpg'),
  }
}

/** Economy of one tank: distance driven on a volume of fuel. */
export function fuelEconomy(km: number, litres: number): Economy & { km: number; litres: number } {
  positive('distance', km)
  positive('volume', litres)
  return { km, litres, ...economyOf(km / litres) }
}

/** Fuel needed for a trip and its cost. `priceMinorPerUnit` is the price of one `priceUnit` of fuel. */
export function trip(km: number, kmPerLitre: number, priceMinorPerUnit: number, priceUnit: VolumeUnit) {
  positive('distance', km)
  positive('economy', kmPerLitre)
  positive('price', priceMinorPerUnit)
  const litres = km / kmPerLitre
  const costMinor = fromLitres(litres, priceUnit) * priceMinorPerUnit
  return {
    km,
    litres,
    gallonsUs: fromLitres(litres, 'gal'),
    gallonsImp: fromLitres(litres, 'impgal'),
    /** Exact cost in minor units (a fraction of a cent is kept; round for display). */
    costMinor,
    economy: economyOf(kmPerLitre),
  }
}

export type AmortisationLine = {
  n: number
  paymentMinor: number
  interestMinor: number
  principalMinor: number
  balanceMinor: number
}

export const MAX_LOAN_RATE_PERCENT = 100
export const MAX_LOAN_MONTHS = 600

/**
 * A fixed-rate loan repaid monthly (the annuity formula P·r / (1 − (1 + r)^−n), r = annual/12).
 * The payment is rounded to the minor unit, as a lender bills it; each month's interest is the
 * balance × r rounded to the minor unit; the last payment takes whatever balance remains, so
 * the principal parts sum exactly to the amount borrowed.
 */
export function loan(principalMinor: number, annualRatePercent: number, months: number) {
  if (!Number.isInteger(principalMinor)) throw invalid('amount', 'must be a whole number of minor units')
  positive('amount', principalMinor)
  if (typeof annualRatePercent !== 'number' || !Number.isFinite(annualRatePercent)) {
    throw invalid('rate', 'is not a number')
  }
  if (annualRatePercent < 0) throw invalid('rate', `cannot be negative (got ${annualRatePercent}%)`)
  if (annualRatePercent > MAX_LOAN_RATE_PERCENT) {
    throw invalid(
      'rate',
      `${annualRatePercent}% a year is not a loan rate this calculator accepts (0% to ${MAX_LOAN_RATE_PERCENT}%)`,
    )
  }
  if (!Number.isInteger(months) || months < 1)
    throw invalid('months', `must be a whole number of months, at least 1 (got ${months})`)
  if (months > MAX_LOAN_MONTHS)
    throw invalid('months', `at most ${MAX_LOAN_MONTHS} (50 years); got ${months}`)

  const r = annualRatePercent / 100 / 12
  const exactPayment = r === 0 ? principalMinor / months : (principalMinor * r) / (1 - (1 + r) ** -months)
  const payment = Math.round(exactPayment)
  const lines: AmortisationLine[] = []
  let balance = principalMinor
  let totalInterest = 0
  for (let n = 1; n <= months; n++) {
    const interest = Math.round(balance * r)
    const principal = n === months ? balance : Math.min(balance, payment - interest)
    balance -= principal
    totalInterest += interest
    lines.push({
      n,
      paymentMinor: principal + interest,
      interestMinor: interest,
      principalMinor: principal,
      balanceMinor: balance,
    })
  }
  return {
    principalMinor,
    annualRatePercent,
    months,
    /** The annuity formula's payment before rounding, for checking. */
    exactPaymentMinor: exactPayment,
    monthlyPaymentMinor: payment,
    totalInterestMinor: totalInterest,
    totalPaidMinor: principalMinor + totalInterest,
    lines,
  }
}

// ---------------------------------------------------------------------------------------
// Fuel economy over time

export type FillUp = {
  id?: number | string
  date: string
  odometerKm: number
  litres: number
  costMinor?: number
  /** The tank was filled to the brim. */
  full: boolean
  /** A fill-up before this one was not logged: the distance since the last one is not covered by logged fuel. */
  missed?: boolean
}

export type EconomyEntry = {
  id?: number | string
  date: string
  odometerKm: number
  litres: number
  full: boolean
  /**
   * - `segment`: a full fill-up closing a segment from the previous full one (economy known);
   * - `baseline`: a full fill-up that starts a chain (the first, or the first after a break);
   * - `partial`: its fuel is counted in the next full fill-up;
   * - `no_baseline`: a partial fill-up with no full fill-up before it in the chain;
   * - `missed`: a fill-up before it was not logged, so the chain breaks here (a full one restarts it);
   * - `invalid`: the odometer did not advance since the previous full fill-up.
   */
  status: 'segment' | 'baseline' | 'partial' | 'no_baseline' | 'missed' | 'invalid'
  segment?: { km: number; litres: number; fillUps: number } & Economy
}

/**
 * Economy per full fill-up, the way careful fuel logs do it: fill to full, then the fuel of
 * every fill-up up to and including the next full one (partials summed in) covers the
 * distance between the two full ones. A missed (unlogged) fill-up breaks the chain.
 * Fill-ups are taken in odometer order (date breaks ties).
 */
export function economyOverTime(fillUps: readonly FillUp[]) {
  const sorted = [...fillUps].sort((a, b) => a.odometerKm - b.odometerKm || a.date.localeCompare(b.date))
  const entries: EconomyEntry[] = []
  let anchorKm: number | null = null
  let litres = 0
  let count = 0
  let totalKm = 0
  let totalLitres = 0
  for (const f of sorted) {
    const base = {
      ...(f.id !== undefined ? { id: f.id } : {}),
      date: f.date,
      odometerKm: f.odometerKm,
      litres: f.litres,
      full: f.full,
    }
    if (f.missed) {
      anchorKm = f.full ? f.odometerKm : null
      litres = 0
      count = 0
      entries.push({ ...base, status: 'missed' })
      continue
    }
    if (anchorKm === null) {
      if (f.full) anchorKm = f.odometerKm
      entries.push({ ...base, status: f.full ? 'baseline' : 'no_baseline' })
      continue
    }
    litres += f.litres
    count += 1
    if (!f.full) {
      entries.push({ ...base, status: 'partial' })
      continue
    }
    const km = f.odometerKm - anchorKm
    if (km <= 0 || litres <= 0) {
      entries.push({ ...base, status: 'invalid' })
    } else {
      totalKm += km
      totalLitres += litres
      entries.push({
        ...base,
        status: 'segment',
        segment: { km, litres, fillUps: count, ...economyOf(km / litres) },
      })
    }
    anchorKm = f.odometerKm
    litres = 0
    count = 0
  }
  return {
    entries,
    segments: entries.filter((e) => e.status === 'segment').length,
    average:
      totalLitres > 0 ? { km: totalKm, litres: totalLitres, ...economyOf(totalKm / totalLitres) } : null,
  }
}

// ---------------------------------------------------------------------------------------
// Cost of ownership

export type RecordKind = 'service' | 'repair' | 'upgrade'
export type CostRecord = { date: string; costMinor: number; kind: RecordKind; odometerKm?: number | null }
export type Reading = { date: string; km: number }

/** Yearly loss of value in the declining-balance depreciation model (a common rule of thumb). */
export const DEFAULT_DEPRECIATION_PERCENT = 15
export const DAYS_PER_YEAR = 365.2425
export const DAYS_PER_MONTH = DAYS_PER_YEAR / 12


/**
 * Depreciation between two dates under a declining-balance model: the car is worth
 * price × (1 − d)^years after purchase, d = `ratePercent` a year (15% by default). Straight
 * line needs a lifetime and a residual value nobody knows; a constant yearly fraction matches
 * used-car prices well enough for a running-cost figure. Integer minor units.
 */
export function depreciation(
  priceMinor: number,
  purchaseDate: string,
  from: string,
  to: string,
  ratePercent = DEFAULT_DEPRECIATION_PERCENT,
) {
  const bought = dayNumber(purchaseDate)
  const start = Math.max(dayNumber(from), bought)
  const end = dayNumber(to) + 1
  if (end <= start) return 0
  const keep = 1 - ratePercent / 100
  const value = (day: number) => priceMinor * keep ** ((day - bought) / DAYS_PER_YEAR)
  return Math.round(value(start) - value(end))
}

/**
 * Distance driven from `from` to `to` (inclusive): the highest odometer known by the end minus
 * the odometer at the start (the last reading on or before `from`, else the lowest in the
 * period). Null when fewer than two points say anything.
 */
export function distanceInPeriod(points: readonly Reading[], from: string, to: string): number | null {
  const a = dayNumber(from)
  const b = dayNumber(to)
  let before: number | null = null
  let lowestIn: number | null = null
  let highest: number | null = null
  for (const p of points) {
    const d = dayNumber(p.date)
    if (d > b) continue
    highest = highest === null ? p.km : Math.max(highest, p.km)
    if (d <= a) before = before === null ? p.km : Math.max(before, p.km)
    else lowestIn = lowestIn === null ? p.km : Math.min(lowestIn, p.km)
  }
  const start = before ?? lowestIn
  if (start === null || highest === null) return null
  const km = highest - start
  return km > 0 ? km : null
}

export type CostInput = {
  from: string
  to: string
  records: readonly CostRecord[]
  fillUps: readonly Pick<FillUp, 'date' | 'costMinor' | 'odometerKm'>[]
  readings?: readonly Reading[]
  purchase?: { priceMinor: number; date: string } | null
  depreciationPercent?: number
}

/**
 * What a car cost over a period: fuel, service, repair and upgrade (integer minor units, as
 * recorded), depreciation when the purchase price is known, the total, and the total per
 * month and per kilometre (unrounded rates: per-km × km = total).
 */
export function costOfOwnership(input: CostInput) {
  const a = dayNumber(input.from)
  const b = dayNumber(input.to)
  if (Number.isNaN(a)) throw invalid('from', `is not a date: ${input.from}`)
  if (Number.isNaN(b)) throw invalid('to', `is not a date: ${input.to}`)
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
  const running = byKind.fuel + byKind.service + byKind.repair + byKind.upgrade
  const dep = input.purchase
    ? depreciation(
        input.purchase.priceMinor,
        input.purchase.date,
        input.from,
        input.to,
        input.depreciationPercent,
      )
    : null
  const total = running + (dep ?? 0)
  const points: Reading[] = [
    ...(input.readings ?? []),
    ...input.records.flatMap((r) => (r.odometerKm != null ? [{ date: r.date, km: r.odometerKm }] : [])),
    ...input.fillUps.map((f) => ({ date: f.date, km: f.odometerKm })),
  ]
  const km = distanceInPeriod(points, input.from, input.to)
  const days = b - a + 1
  const months = days / DAYS_PER_MONTH
  return {
    from: input.from,
    to: input.to,
    days,
    months,
    byKindMinor: byKind,
    counts,
    runningMinor: running,
    depreciationMinor: dep,
    depreciationPercent: dep === null ? null : (input.depreciationPercent ?? DEFAULT_DEPRECIATION_PERCENT),
    totalMinor: total,
    perMonthMinor: total / months,
    km,
    perKmMinor: km ? total / km : null,
    runningPerKmMinor: km ? running / km : null,
  }
}
