/**
 * The figures a garage reads, each computed here once and used by every command that shows
 * it: fuel economy segments between full fill-ups, the distance driven over a period, and how
 * many calendar months a period spans. Everything inside is kilometres, litres and day numbers.
 * A figure that cannot be known is null (or its entry says why), never a guess.
 */
import { addMonths, dayNumber, fromDayNumber } from './dates.ts'

/** A fill-up as logged: `odometerKm` null when none was given. */
export type FuelEntry = {
  id?: number | string
  /** Its place in the order the fill-ups were logged (a per-garage number), kept by an undo. */
  logged?: number
  date: string
  odometerKm: number | null
  litres: number
  full: boolean
  missed?: boolean
  /** The tank it went into (`tankOf` its fuel); segments chain only fill-ups of the same tank. */
  tank?: string
}

/**
 * What a fill-up is to the economy:
 * - `segment`: a full fill-up with its odometer closing a segment from the previous full one;
 * - `baseline`: a full fill-up with its odometer that starts a chain;
 * - `partial`: its fuel is counted in the next full fill-up (with or without its odometer);
 * - `no_baseline`: a fill-up before any chain started;
 * - `missed`: a fill-up before it was not logged: the chain breaks here (a full one with its
 *   odometer restarts it);
 * - `unknown`: a full fill-up without its odometer: where its own segment ends is not known, but
 *   the tank was full at both ends of the longer one, so its fuel (and any before it) counts in
 *   the segment the next full fill-up with an odometer closes, from the last one that had it;
 * - `invalid`: the odometer did not advance since the previous full fill-up.
 */
export type FuelStatus = 'segment' | 'baseline' | 'partial' | 'no_baseline' | 'missed' | 'unknown' | 'invalid'

export type FuelSegment = { km: number; litres: number; fillUps: number }

export type FuelEntryResult<F extends FuelEntry> = { fillUp: F; status: FuelStatus; segment?: FuelSegment }

/**
 * Economy per full-to-full segment, the way careful fuel logs do it: fill to full, then the fuel
 * of every fill-up up to and including the next full one (partials summed in, with or without
 * their odometer) covers the distance between the two full ones. Fill-ups are taken in the
 * order they happened: by date, and within a day as they were logged (`logged`; a fill-up
 * without its odometer has nothing else to place it by).
 */
/** The order fill-ups were logged in; without it the given order stands (the sort is stable). */
const loggedOrder = (a: FuelEntry, b: FuelEntry) =>
  a.logged !== undefined && b.logged !== undefined ? a.logged - b.logged : 0

export function fuelSegments<F extends FuelEntry>(fillUps: readonly F[]) {
  const ordered = [...fillUps].sort((a, b) => dayNumber(a.date) - dayNumber(b.date) || loggedOrder(a, b))
  const entries: FuelEntryResult<F>[] = []
  // One chain per tank: a dual-fuel car's LPG and petrol fill-ups never close each other's segments.
  const chains = new Map<string, { anchorKm: number | null; litres: number; count: number }>()
  const tanks = new Map<string, { km: number; litres: number }>()
  let totalKm = 0
  let totalLitres = 0
  for (const f of ordered) {
    const tank = f.tank ?? ''
    let chain = chains.get(tank)
    if (!chain) chains.set(tank, (chain = { anchorKm: null, litres: 0, count: 0 }))
    const restart = () => {
      chain.anchorKm = f.full ? f.odometerKm : null
      chain.litres = 0
      chain.count = 0
    }
    if (f.missed) {
      entries.push({ fillUp: f, status: 'missed' })
      restart()
      continue
    }
    if (chain.anchorKm === null) {
      const starts = f.full && f.odometerKm !== null
      entries.push({ fillUp: f, status: starts ? 'baseline' : 'no_baseline' })
      restart()
      continue
    }
    chain.litres += f.litres
    chain.count += 1
    if (!f.full) {
      entries.push({ fillUp: f, status: 'partial' })
      continue
    }
    if (f.odometerKm === null) {
      entries.push({ fillUp: f, status: 'unknown' })
      continue
    }
    const km: number = f.odometerKm - chain.anchorKm
    const litres = chain.litres
    if (km <= 0 || litres <= 0) {
      entries.push({ fillUp: f, status: 'invalid' })
    } else {
      totalKm += km
      totalLitres += litres
      const t = tanks.get(tank) ?? { km: 0, litres: 0 }
      tanks.set(tank, { km: t.km + km, litres: t.litres + litres })
      entries.push({ fillUp: f, status: 'segment', segment: { km, litres, fillUps: chain.count } })
    }
    restart()
  }
  return {
    entries,
    segments: entries.filter((e) => e.status === 'segment').length,
    /** Over every segment that can be measured; null when none can. */
    total: totalLitres > 0 ? { km: totalKm, litres: totalLitres } : null,
    /** The same per tank (`tank` of the fill-ups; '' for those without one). */
    tanks,
  }
}

/** An odometer reading: the car's distance in km on a date. */
export type OdometerPoint = { date: string; km: number }

/**
 * The odometer at the start of a day, interpolated between the readings around it (a reading
 * is taken as of the end of its day). Null outside the readings: nothing says what it was.
 */
export function odometerAt(points: readonly OdometerPoint[], day: number): number | null {
  let before: { day: number; km: number } | null = null
  let after: { day: number; km: number } | null = null
  for (const p of points) {
    const d = dayNumber(p.date) + 1
    if (d <= day && (before === null || d > before.day || (d === before.day && p.km > before.km))) before = { day: d, km: p.km }
    if (d >= day && (after === null || d < after.day || (d === after.day && p.km < after.km))) after = { day: d, km: p.km }
  }
  if (before === null || after === null) return null
  if (after.day === before.day) return before.km
  return before.km + ((after.km - before.km) * (day - before.day)) / (after.day - before.day)
}

/**
 * The distance driven from the start of `from` to the end of `to`, with the odometer
 * interpolated at both ends from the readings around them. Where the readings do not reach an
 * end, the distance is measured from the first or to the last reading inside the period, and
 * `from` / `to` say which days it covers. Null when fewer than two points say anything.
 */
export function distanceInPeriod(
  points: readonly OdometerPoint[],
  from: string,
  to: string,
): { km: number; from: string; to: string; whole: boolean } | null {
  const a = dayNumber(from)
  const b = dayNumber(to) + 1
  const inside = points.filter((p) => dayNumber(p.date) >= a && dayNumber(p.date) < b)
  const first = inside.reduce<OdometerPoint | null>((m, p) => (m === null || p.date < m.date || (p.date === m.date && p.km < m.km) ? p : m), null)
  const last = inside.reduce<OdometerPoint | null>((m, p) => (m === null || p.date > m.date || (p.date === m.date && p.km > m.km) ? p : m), null)
  const startKm = odometerAt(points, a)
  const endKm = odometerAt(points, b)
  const start = startKm !== null ? { km: startKm, date: from } : first && { km: first.km, date: first.date }
  const end = endKm !== null ? { km: endKm, date: to } : last && { km: last.km, date: last.date }
  if (!start || !end) return null
  const km = end.km - start.km
  if (!(km > 0)) return null
  return { km, from: start.date, to: end.date, whole: startKm !== null && endKm !== null }
}

/**
 * How many calendar months the days from `from` to `to` (inclusive) make: each month counts
 * the share of its own days the period holds (1 January to 31 March is 3; 15 to 28 February
 * 2026 is 0.5).
 */
export function calendarMonths(from: string, to: string): number {
  const end = dayNumber(to) + 1
  let months = 0
  let day = dayNumber(from)
  while (day < end) {
    const first = `${fromDayNumber(day).slice(0, 7)}-01`
    const monthStart = dayNumber(first)
    const monthEnd = dayNumber(addMonths(first, 1))
    const stop = Math.min(end, monthEnd)
    months += (stop - day) / (monthEnd - monthStart)
    day = stop
  }
  return months
}

/**
 * What a car's expenses are (besides fuel and service records), one word each: the kinds
 * `/expense log kind:` takes and the cost figures sum by.
 */
export const EXPENSE_KINDS = [
  'insurance',
  'registration',
  'tax',
  'inspection',
  'parking',
  'toll',
  'loan',
  'lease',
  'wash',
  'fine',
  'other',
] as const
export type ExpenseKind = (typeof EXPENSE_KINDS)[number]

/** How often a recurring expense renews (`every:`), in calendar months. */
export const RENEWAL_MONTHS = { '1m': 1, '3m': 3, '6m': 6, '12m': 12, '1y': 12 } as const
export type RenewalEvery = keyof typeof RENEWAL_MONTHS
export const RENEWAL_FORMS = Object.keys(RENEWAL_MONTHS) as RenewalEvery[]

/** An expense as the cost figures take it. */
export type ExpenseEntry = { date: string; kind: ExpenseKind; costMinor: number }

/**
 * The expenses paid from `from` to `to` (inclusive), summed by kind: every one of them counts.
 * Kinds with none are left out; `totalMinor` is their sum.
 */
export function expensesInPeriod(expenses: readonly ExpenseEntry[], from: string, to: string) {
  const a = dayNumber(from)
  const b = dayNumber(to)
  const byKind: Partial<Record<ExpenseKind, { minor: number; count: number }>> = {}
  let totalMinor = 0
  let count = 0
  for (const e of expenses) {
    const d = dayNumber(e.date)
    if (d < a || d > b) continue
    const k = (byKind[e.kind] ??= { minor: 0, count: 0 })
    k.minor += e.costMinor
    k.count += 1
    totalMinor += e.costMinor
    count += 1
  }
  return { byKind, totalMinor, count }
}

/**
 * Fuels as they are bought (`/fuel log fuel:`). Each goes into a tank: petrol grades and
 * ethanol blends share the petrol tank, LPG and CNG have their own (a dual-fuel car keeps two
 * tanks' economy apart); AdBlue is not fuel and has no economy.
 */
export const FUEL_TYPES = ['petrol_91', 'petrol_95', 'petrol_98', 'diesel', 'e10', 'e85', 'lpg', 'cng', 'adblue'] as const
export type FuelType = (typeof FUEL_TYPES)[number]
export type Tank = 'petrol' | 'diesel' | 'lpg' | 'cng'
export const TANKS: readonly Tank[] = ['petrol', 'diesel', 'lpg', 'cng']

const TANK_OF: Readonly<Record<FuelType, Tank | null>> = {
  petrol_91: 'petrol',
  petrol_95: 'petrol',
  petrol_98: 'petrol',
  e10: 'petrol',
  e85: 'petrol',
  diesel: 'diesel',
  lpg: 'lpg',
  cng: 'cng',
  adblue: null,
}

/** The tank a fuel goes into; null for AdBlue, which is not fuel. */
export const tankOf = (fuel: FuelType): Tank | null => TANK_OF[fuel]

/** "petrol 95", "E10", "LPG", "AdBlue": a fuel as a reply shows it. */
export const FUEL_LABEL: Readonly<Record<FuelType, string>> = {
  petrol_91: 'petrol 91',
  petrol_95: 'petrol 95',
  petrol_98: 'petrol 98',
  diesel: 'diesel',
  e10: 'E10',
  e85: 'E85',
  lpg: 'LPG',
  cng: 'CNG',
  adblue: 'AdBlue',
}
export const TANK_LABEL: Readonly<Record<Tank, string>> = { petrol: 'petrol', diesel: 'diesel', lpg: 'LPG', cng: 'CNG' }

const squeezed = (text: string) => text.trim().toLowerCase().replace(/[\s_-]+/g, '')

/** A fuel as typed ("petrol 95", "E10", "95"), or undefined. */
export function readFuel(text: string): FuelType | undefined {
  const s = squeezed(text)
  return FUEL_TYPES.find((f) => squeezed(f) === s || squeezed(f) === `petrol${s}`)
}

/** A tank as typed: its name ("petrol", "lpg") or a fuel that goes into it ("diesel", "e10"); undefined otherwise. */
export function readTank(text: string): Tank | undefined {
  const s = squeezed(text)
  const named = TANKS.find((t) => t === s)
  if (named) return named
  const fuel = readFuel(text)
  return fuel ? (tankOf(fuel) ?? undefined) : undefined
}

/** A charge as the cost figures take it: energy in kWh, cost in minor units (0 when free or not known). */
export type ChargeEntry = { date: string; kwh: number; costMinor: number; odometerKm: number | null; logged?: number }

/**
 * Electricity use per stretch between charges with their odometer: the energy of every charge
 * after one up to and including the next covers the distance between them (each charge puts
 * back what was used since the last; one without its odometer counts in the next). A plug-in
 * hybrid's stretch is all of its distance, petrol-driven too: what it costs per distance in
 * electricity, beside what it costs in fuel. The same rules as fill-ups (`fuelSegments`), every
 * charge taken as filling the battery to where it was left.
 */
export function chargeSegments<C extends ChargeEntry>(charges: readonly C[]) {
  const r = fuelSegments(charges.map((c) => ({ date: c.date, logged: c.logged, odometerKm: c.odometerKm, litres: c.kwh, full: true, charge: c })))
  return {
    entries: r.entries.map((e) => ({ charge: e.fillUp.charge, status: e.status, ...(e.segment ? { segment: { km: e.segment.km, kwh: e.segment.litres } } : {}) })),
    total: r.total ? { km: r.total.km, kwh: r.total.litres } : null,
  }
}

/** The charges from `from` to `to` (inclusive): what they cost, how many and how much energy. */
export function chargesInPeriod(charges: readonly ChargeEntry[], from: string, to: string) {
  const a = dayNumber(from)
  const b = dayNumber(to)
  let minor = 0
  let count = 0
  let kwh = 0
  for (const c of charges) {
    const d = dayNumber(c.date)
    if (d < a || d > b) continue
    minor += c.costMinor
    kwh += c.kwh
    count += 1
  }
  return { minor, count, kwh }
}
