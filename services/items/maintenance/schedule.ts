/**
 * Maintenance schedules, pure: when an item falls due (by months, by distance, or whichever
 * comes first), how urgent it is today, the distance per day projected from the car's recent
 * readings, and the next garage-local date on which its urgency can rise.
 *
 * Dates are garage-local calendar dates (lib/domain/dates.ts); distances are in the car's own
 * odometer unit.
 */
import { addDays, addMonths, daysBetween, formatDate } from '../../../lib/domain/dates.ts'
import type { Presentation } from '../../../lib/domain/presentation.ts'
import { formatNumber } from '../../../lib/domain/text.ts'
import { formatDistance } from '../shared/distance.ts'

/** Urgency levels, least to most urgent; the index is the rank stored as `announced_level`. */
export const LEVELS = ['not_urgent', 'urgent', 'very_urgent', 'past_due'] as const
export type Level = (typeof LEVELS)[number]
export const levelRank = (level: Level) => LEVELS.indexOf(level)

export const LEVEL_LABEL: Record<Level, string> = {
  not_urgent: 'not urgent',
  urgent: 'urgent',
  very_urgent: 'very urgent',
  past_due: 'past due',
}

// ——— schedules ———

export type Interval = { months: number | null; distance: number | null; fixed: boolean }
export type Due = { date: string | null; odometer: number | null }

/** The next due point counted from when it was (last) done. */
export function dueFrom(interval: Interval, lastDate: string, lastOdometer: number | null): Due {
  return {
    date: interval.months ? addMonths(lastDate, interval.months) : null,
    odometer: interval.distance && lastOdometer !== null ? lastOdometer + interval.distance : null,
  }
}

/**
 * The due point after the item was done on `doneDate` at `doneOdometer`. A fixed schedule
 * counts from the previous due point (advanced by whole intervals until it lies after the
 * moment it was done); otherwise it counts from when it was done.
 */
export function advance(
  interval: Interval,
  previous: Due,
  doneDate: string,
  doneOdometer: number | null,
): Due {
  if (!interval.fixed) return dueFrom(interval, doneDate, doneOdometer)
  let date: string | null = null
  if (interval.months) {
    if (previous.date) {
      let n = 1
      date = addMonths(previous.date, interval.months)
      while (date <= doneDate) date = addMonths(previous.date, interval.months * ++n)
    } else date = addMonths(doneDate, interval.months)
  }
  let odometer: number | null = null
  if (interval.distance) {
    if (previous.odometer !== null) {
      odometer = previous.odometer + interval.distance
      if (doneOdometer !== null && odometer <= doneOdometer) {
        odometer += Math.ceil((doneOdometer - odometer + 1e-9) / interval.distance) * interval.distance
      }
    } else if (doneOdometer !== null) odometer = doneOdometer + interval.distance
  }
  return { date, odometer }
}

// ——— projection ———

export type Reading = { value: number; date: string }
export type Rate = { perDay: number; from: string; to: string; lastValue: number; lastDate: string }

export const PROJECTION_WINDOW_DAYS = 90

/**
 * Distance per day from the readings of the last 90 days (fewer when the car has less
 * history): the distance between the earliest and the latest reading in the window over the
 * days between them. Fewer than two readings on distinct days, or no distance driven: none.
 */
export function projectRate(readings: readonly Reading[], today: string): Rate | null {
  const since = addDays(today, -PROJECTION_WINDOW_DAYS)
  let first: Reading | undefined
  let last: Reading | undefined
  for (const r of readings) {
    if (r.date < since || r.date > today) continue
    if (!first || r.date < first.date || (r.date === first.date && r.value < first.value)) first = r
    if (!last || r.date > last.date || (r.date === last.date && r.value > last.value)) last = r
  }
  if (!first || !last) return null
  const days = daysBetween(first.date, last.date)
  if (days <= 0 || last.value <= first.value) return null
  return {
    perDay: (last.value - first.value) / days,
    from: first.date,
    to: last.date,
    lastValue: last.value,
    lastDate: last.date,
  }
}

/** The date the car is projected to reach `odometer`, counted from its latest reading in the window. */
export function projectedDate(rate: Rate, current: number, odometer: number): string {
  const base = Math.max(current, rate.lastValue)
  if (odometer <= base) return rate.lastDate
  return addDays(rate.lastDate, Math.ceil((odometer - base) / rate.perDay))
}

// ——— urgency ———

/** Thresholds in days and in the car's distance unit; null = that dimension never triggers. */
export type Thresholds = {
  urgentDays: number | null
  urgentDistance: number | null
  veryUrgentDays: number | null
  veryUrgentDistance: number | null
}

export type Evaluation = {
  level: Level
  daysLeft: number | null
  distanceLeft: number | null
  projected: { date: string; days: number; perDay: number } | null
  /** The earlier of the due date and the projected date, in days from today. */
  effectiveDays: number | null
}

export type Situation = { today: string; odometer: number | null; rate: Rate | null; thresholds: Thresholds }

/** How urgent a due point is today: past due, very urgent, urgent or not urgent. */
export function evaluate(due: Due, s: Situation): Evaluation {
  const daysLeft = due.date ? daysBetween(s.today, due.date) : null
  const distanceLeft = due.odometer !== null && s.odometer !== null ? due.odometer - s.odometer : null
  let projected: Evaluation['projected'] = null
  if (due.odometer !== null && s.rate && s.odometer !== null) {
    const date = projectedDate(s.rate, s.odometer, due.odometer)
    projected = { date, days: daysBetween(s.today, date), perDay: s.rate.perDay }
  }
  const candidates = [daysLeft, projected?.days].filter((d): d is number => d !== null && d !== undefined)
  const effectiveDays = candidates.length ? Math.min(...candidates) : null
  const t = s.thresholds
  let level: Level = 'not_urgent'
  if ((effectiveDays !== null && effectiveDays < 0) || (distanceLeft !== null && distanceLeft < 0))
    level = 'past_due'
  else if (within(effectiveDays, t.veryUrgentDays) || within(distanceLeft, t.veryUrgentDistance))
    level = 'very_urgent'
  else if (within(effectiveDays, t.urgentDays) || within(distanceLeft, t.urgentDistance)) level = 'urgent'
  return { level, daysLeft, distanceLeft, projected, effectiveDays }
}

const within = (left: number | null, threshold: number | null) =>
  left !== null && threshold !== null && left <= threshold

/**
 * The first garage-local date after `today` on which the item's level can rise above `rank`
 * by the passing of time alone (a new reading re-evaluates it anyway), or null when time
 * alone never raises it. With a projection, no later than the day its oldest reading leaves
 * the 90-day window, since the projection changes then.
 */
export function nextCheck(due: Due, s: Situation, rank: number): string | null {
  const anchors: string[] = []
  if (due.date) anchors.push(due.date)
  let windowEnd: string | null = null
  if (due.odometer !== null && s.rate && s.odometer !== null) {
    anchors.push(projectedDate(s.rate, s.odometer, due.odometer))
    windowEnd = addDays(s.rate.from, PROJECTION_WINDOW_DAYS + 1)
  }
  const t = s.thresholds
  const dates: string[] = []
  for (const anchor of anchors) {
    if (rank < 1 && t.urgentDays !== null) dates.push(addDays(anchor, -t.urgentDays))
    if (rank < 2 && t.veryUrgentDays !== null) dates.push(addDays(anchor, -t.veryUrgentDays))
    if (rank < 3) dates.push(addDays(anchor, 1))
  }
  if (windowEnd && rank < 3) dates.push(windowEnd)
  const future = dates.filter((d) => d > s.today).sort()
  return future[0] ?? null
}

// ——— wording ———

/** Exact days up to two months; beyond that weeks, then months, then years, each "about". */
const EXACT_DAYS = 60
const WEEKS_UNTIL = 105 // 15 weeks; from then on months
const MONTHS_UNTIL = 548 // a year and a half; from then on years

/** A length of time as people say it: "12 days" (exact), or "7 weeks" / "5 months" / "5 years" (about). */
export function spanOfDays(days: number): { text: string; exact: boolean } {
  const d = Math.abs(days)
  if (d <= EXACT_DAYS) return { text: `${d} ${d === 1 ? 'day' : 'days'}`, exact: true }
  if (d < WEEKS_UNTIL) return { text: `${Math.round(d / 7)} weeks`, exact: false }
  if (d < MONTHS_UNTIL) return { text: `${Math.round(d / (365.25 / 12))} months`, exact: false }
  return { text: `${Math.round(d / 365.25)} years`, exact: false }
}

/** "in 12 days" / "today" / "3 days ago" / "in about 5 months" / "about 5 years ago". */
export function relativeDays(days: number): string {
  if (days === 0) return 'today'
  if (days === 1) return 'tomorrow'
  if (days === -1) return 'yesterday'
  const span = spanOfDays(days)
  const text = span.exact ? span.text : `about ${span.text}`
  return days > 0 ? `in ${text}` : `${text} ago`
}

/**
 * "due 2026-11-01 (in 12 days) or at 53,000 mi (800 mi left; ~9 days, at 42 mi/day)", in the
 * garage's date order and number format ("due 01/11/2026 … at 53.000 mi" in a DD/MM/YYYY, 1.234,5 one).
 */
export function describeDue(due: Due, e: Evaluation, unit: string, shown: Presentation): string {
  const n = shown.numbers
  const parts: string[] = []
  if (due.date && e.daysLeft !== null) parts.push(`${formatDate(due.date, shown.dates)} (${relativeDays(e.daysLeft)})`)
  if (due.odometer !== null) {
    const bits: string[] = []
    if (e.distanceLeft !== null) {
      bits.push(
        e.distanceLeft >= 0
          ? `${formatDistance(e.distanceLeft, unit, n)} left`
          : `${formatDistance(-e.distanceLeft, unit, n)} over`,
      )
    }
    if (e.projected && (e.distanceLeft === null || e.distanceLeft >= 0)) {
      const days = e.projected.days
      bits.push(
        `~${spanOfDays(days).text}${days < 0 ? ' ago' : ''}, at ${formatNumber(e.projected.perDay, 1, 0, n)} ${unit}/day`,
      )
    }
    parts.push(`at ${formatDistance(due.odometer, unit, n)}${bits.length ? ` (${bits.join('; ')})` : ''}`)
  }
  if (parts.length === 0) return 'no due point yet'
  return `due ${parts.join(' or ')}`
}
