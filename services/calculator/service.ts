/**
 * The calculator's pure functions: fuel economy (one tank, a trip, over time) and the cost of
 * ownership; the loan is in loan.ts. Everything inside works in kilometres, litres and integer
 * minor units of money; units are converted at the edge (`toKm`, `toLitres`, `toKmPerLitre`)
 * and results are rounded only where a person reads them (or where money changes hands, as a
 * loan's monthly payment does). Nothing here keeps state.
 */
import { dayNumber, isDate } from '../../lib/domain/dates.ts'
import { calendarMonths, distanceInPeriod, fuelSegments, type OdometerPoint } from '../../lib/domain/figures.ts'
import { invalid } from '../../lib/domain/invalid.ts'
import {
  fromKmPerLitre,
  fromLitres,
  KM_PER_MI,
  LITRES_PER_US_GALLON,
  type VolumeUnit,
} from '../../lib/domain/units.ts'
import type { CostInput, CostRecord, Economy, FillUp } from './model.ts'

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

const TOO_EXTREME = 'is too large or too small to calculate with'

/**
 * A figure worked out from what a person gave, when it is a number JSON can carry; values so
 * large or small that it overflows are refused, naming the field they came from.
 */
export function figure(field: string, value: number): number {
  if (!Number.isFinite(value)) throw invalid(field, TOO_EXTREME)
  return value
}


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
 * What a car cost over a period: fuel, service, repair and upgrade (integer minor units, as
 * recorded), depreciation when the purchase price is known, the total, and the total per
 * month and per kilometre (unrounded rates: per-km × km = total).
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
  const running = figure('records', byKind.fuel + byKind.service + byKind.repair + byKind.upgrade)
  const dep = input.purchase
    ? depreciation(
        input.purchase.priceMinor,
        input.purchase.date,
        input.from,
        input.to,
        input.depreciationPercent,
      )
    : null
  const total = figure('purchase', running + (dep ?? 0))
  const points: OdometerPoint[] = [
    ...(input.readings ?? []),
    ...input.records.flatMap((r) => (r.odometerKm != null ? [{ date: r.date, km: r.odometerKm }] : [])),
    ...input.fillUps.flatMap((f) => (f.odometerKm !== null ? [{ date: f.date, km: f.odometerKm }] : [])),
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
    runningMinor: running,
    depreciationMinor: dep,
    depreciationPercent: dep === null ? null : (input.depreciationPercent ?? DEFAULT_DEPRECIATION_PERCENT),
    totalMinor: total,
    perMonthMinor: figure('records', total / months),
    km,
    /** The days the distance covers: the whole period, or from / to the readings inside it. */
    distance: driven && { from: driven.from, to: driven.to, whole: driven.whole },
    perKmMinor: km ? figure('readings', total / km) : null,
    runningPerKmMinor: km ? running / km : null,
  }
}
