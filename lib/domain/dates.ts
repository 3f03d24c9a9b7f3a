/**
 * Garage-local calendar dates. A date is `YYYY-MM-DD` in the garage's timezone, and all
 * arithmetic is on day numbers (days since 1970-01-01), never on millisecond offsets, so a
 * daylight-saving change moves nothing by an hour. "Today" is always the garage's today.
 */
import { invalid } from './invalid.ts'
import { clip } from './text.ts'

const DAY_MS = 86_400_000

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isDate(text: string): boolean {
  const m = DATE_RE.exec(text)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (mo < 1 || mo > 12 || d < 1) return false
  return d <= daysInMonth(y, mo)
}

/** Milliseconds of a UTC calendar day; unlike Date.UTC, years 0-99 are not taken as 1900-1999. */
function utcDay(year: number, monthIndex: number, day: number): number {
  const d = new Date(0)
  d.setUTCFullYear(year, monthIndex, day)
  return d.getTime()
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcDay(year, month, 0)).getUTCDate()
}

// ——— the order a garage writes dates in ———

/** How a garage writes dates: `/garage settings dates:`. YYYY-MM-DD takes no slashed date. */
export const DATE_ORDERS = ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY'] as const
export type DateOrder = (typeof DATE_ORDERS)[number]
export const DEFAULT_DATE_ORDER: DateOrder = 'YYYY-MM-DD'
export const isDateOrder = (v: unknown): v is DateOrder => DATE_ORDERS.includes(v as DateOrder)

/** A date written with slashes (or dots): `3/4/2026`, `03.04.2026`; the day and month are not yet told apart. */
export const SLASHED_DATE = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/

const iso = (y: string, m: string, d: string) => `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`

/** The two readings of a slashed date: day first and month first; each null when it is no calendar date. */
export function slashedReadings(text: string): { dayFirst: string | null; monthFirst: string | null } | null {
  const m = SLASHED_DATE.exec(text.trim())
  if (!m) return null
  const [, a, b, y] = m as unknown as [string, string, string, string]
  const dayFirst = iso(y, b, a)
  const monthFirst = iso(y, a, b)
  return { dayFirst: isDate(dayFirst) ? dayFirst : null, monthFirst: isDate(monthFirst) ? monthFirst : null }
}

/** A date as a garage writes it: 2026-04-03 is 03/04/2026 in a DD/MM/YYYY garage. */
export function formatDate(date: string, order: DateOrder): string {
  const m = DATE_RE.exec(date)
  if (!m || order === 'YYYY-MM-DD') return date
  return order === 'DD/MM/YYYY' ? `${m[3]}/${m[2]}/${m[1]}` : `${m[2]}/${m[3]}/${m[1]}`
}

/** The long name of a date, which reads one way in every garage: "3 April 2026". */
export function longDate(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' })
}

/**
 * A slashed date read in the garage's order, or why it cannot be: in a DD/MM or MM/DD garage the
 * text is read that way only; in a YYYY-MM-DD garage a date that reads two ways is refused naming
 * both, and one that reads one way only (25/03/2026) is that date.
 */
export function readSlashed(text: string, order: DateOrder): { date: string } | { error: string } | null {
  const r = slashedReadings(text)
  if (!r) return null
  const shown = `"${clip(text.trim(), 20)}"`
  if (order !== 'YYYY-MM-DD') {
    const date = order === 'DD/MM/YYYY' ? r.dayFirst : r.monthFirst
    return date
      ? { date }
      : { error: `${shown} is not a date in ${order}, the order this garage writes dates in (/garage settings dates: changes it)` }
  }
  if (r.dayFirst && r.monthFirst && r.dayFirst !== r.monthFirst)
    return {
      error: `${shown} reads two ways: ${longDate(r.dayFirst)} or ${longDate(r.monthFirst)}. Write it YYYY-MM-DD (${r.dayFirst} or ${r.monthFirst}), or tell the garage its order with /garage settings dates:DD/MM/YYYY or dates:MM/DD/YYYY`,
    }
  const date = r.dayFirst ?? r.monthFirst
  return date ? { date } : { error: `${shown} is not a calendar date` }
}

/** Days since 1970-01-01 of a calendar date. */
export function dayNumber(date: string): number {
  const m = DATE_RE.exec(date)
  if (!m) throw new Error(`not a date: ${date}`)
  return utcDay(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS
}

export function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

export const addDays = (date: string, days: number) => fromDayNumber(dayNumber(date) + days)
export const daysBetween = (from: string, to: string) => dayNumber(to) - dayNumber(from)

/** Adds calendar months; a day past the end of the target month is clamped (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(date: string, months: number): string {
  const m = DATE_RE.exec(date)
  if (!m) throw new Error(`not a date: ${date}`)
  const total = Number(m[1]) * 12 + (Number(m[2]) - 1) + months
  const year = Math.floor(total / 12)
  const month = (total % 12) + 1
  const day = Math.min(Number(m[3]), daysInMonth(year, month))
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

// ——— timezones ———

const formatters = new Map<string, Intl.DateTimeFormat>()

/** True when the IANA timezone exists (as this runtime knows it). */
export function isTimezone(tz: string): boolean {
  if (!tz || tz.length > 64) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

/** The garage-local calendar date and hour at an instant. */
export function localClock(now: Date, timezone: string): { date: string; hour: number; minute: number } {
  let f = formatters.get(timezone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    formatters.set(timezone, f)
  }
  const parts: Record<string, string> = {}
  for (const p of f.formatToParts(now)) parts[p.type] = p.value
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
  }
}

/** Today's date in the garage's timezone, at the clock's instant. */
export const garageToday = (now: Date, timezone: string) => localClock(now, timezone).date

/** The latest calendar date anywhere on Earth at this instant (UTC+14), a bound for the claim query. */
export const latestDateOnEarth = (now: Date) =>
  new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10)

/** The earliest date a car record can have (the first car). */
export const FIRST_CAR_DATE = '1886-01-01'

/**
 * A date a person gave for a record: a real calendar date, not after the garage's today and
 * not before the first car. Refusals name the field and say what to give, their dates in the
 * garage's `order`.
 */
export function checkDate(field: string, value: string, today: string, order: DateOrder = DEFAULT_DATE_ORDER): string {
  if (!isDate(value)) throw invalid(field, `"${clip(value, 40)}" is not a date; use YYYY-MM-DD`)
  if (value > today)
    throw invalid(field, `${formatDate(value, order)} is in the future (today is ${formatDate(today, order)})`)
  if (value < FIRST_CAR_DATE) throw invalid(field, `${value} is before the first car (1886)`)
  return value
}
