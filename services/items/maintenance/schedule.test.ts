import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import {
  advance,
  describeDue,
  relativeDays,
  dueFrom,
  evaluate,
  nextCheck,
  projectRate,
  type Situation,
  type Thresholds,
} from './schedule.ts'
import { addDays, addMonths, daysBetween, isDate, isTimezone, localClock } from '../../../lib/domain/dates.ts'
import { DEFAULT_PRESENTATION } from '../../../lib/domain/presentation.ts'

const th: Thresholds = { urgentDays: 30, urgentDistance: 500, veryUrgentDays: 7, veryUrgentDistance: 100 }
const at = (today: string, extra: Partial<Situation> = {}): Situation => ({
  today,
  odometer: null,
  rate: null,
  thresholds: th,
  ...extra,
})

describe('calendar dates', () => {
  test('months are added on the calendar, clamping to the end of the month', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28')
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29')
    expect(addMonths('2026-05-01', 6)).toBe('2026-11-01')
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15')
  })
  test('isDate refuses impossible dates', () => {
    expect(isDate('2026-02-29')).toBe(false)
    expect(isDate('2028-02-29')).toBe(true)
    expect(isDate('2026-13-01')).toBe(false)
    expect(isDate('26-01-01')).toBe(false)
  })
  test('day arithmetic is exact across every DST change (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40_000 }),
        fc.integer({ min: -800, max: 800 }),
        (start, delta) => {
          const d = addDays('1990-01-01', start)
          expect(daysBetween(d, addDays(d, delta))).toBe(delta)
        },
      ),
    )
  })
  test('timezones: known ones accepted, invented ones refused', () => {
    expect(isTimezone('America/Chicago')).toBe(true)
    expect(isTimezone('Mars/Olympus')).toBe(false)
    expect(isTimezone('')).toBe(false)
  })
  test('local clock follows the garage timezone, including across DST', () => {
    // 2026-03-08 is the US spring-forward day; 14:30 UTC is 09:30 CDT (UTC-5) that day, 08:30 CST the day before.
    expect(localClock(new Date('2026-03-08T14:30:00Z'), 'America/Chicago')).toEqual({
      date: '2026-03-08',
      hour: 9,
      minute: 30,
    })
    expect(localClock(new Date('2026-03-07T14:30:00Z'), 'America/Chicago')).toEqual({
      date: '2026-03-07',
      hour: 8,
      minute: 30,
    })
    expect(localClock(new Date('2026-03-07T23:30:00Z'), 'Pacific/Auckland').date).toBe('2026-03-08')
  })
})

describe('due points', () => {
  const six = { months: 6, distance: 5000, fixed: false }
  test('from when it was done: months and distance', () => {
    expect(dueFrom(six, '2026-05-01', 48000)).toEqual({ date: '2026-11-01', odometer: 53000 })
    expect(dueFrom({ months: null, distance: 5000, fixed: false }, '2026-05-01', 48000)).toEqual({
      date: null,
      odometer: 53000,
    })
  })
  test('not fixed: done late counts from when it was done', () => {
    expect(advance(six, { date: '2026-11-01', odometer: 53000 }, '2026-11-20', 53200)).toEqual({
      date: '2027-05-20',
      odometer: 58200,
    })
  })
  test('fixed: done late counts from the previous due point', () => {
    const fixed = { ...six, fixed: true }
    expect(advance(fixed, { date: '2026-11-01', odometer: 53000 }, '2026-11-20', 53200)).toEqual({
      date: '2027-05-01',
      odometer: 58000,
    })
    // Done more than a whole interval late: advanced by whole intervals past the done point.
    expect(advance(fixed, { date: '2026-11-01', odometer: 53000 }, '2027-06-01', 59000)).toEqual({
      date: '2027-11-01',
      odometer: 63000,
    })
  })
})

describe('urgency', () => {
  const due = { date: '2026-11-01', odometer: null }
  test('by days: every level in order', () => {
    expect(evaluate(due, at('2026-09-01')).level).toBe('not_urgent')
    expect(evaluate(due, at('2026-10-02')).level).toBe('urgent')
    expect(evaluate(due, at('2026-10-25')).level).toBe('very_urgent')
    expect(evaluate(due, at('2026-11-01')).level).toBe('very_urgent')
    expect(evaluate(due, at('2026-11-02')).level).toBe('past_due')
  })
  test('by distance alone when there is no projection (fewer than two readings)', () => {
    const d = { date: null, odometer: 53000 }
    expect(evaluate(d, at('2026-06-01', { odometer: 52000 })).level).toBe('not_urgent')
    expect(evaluate(d, at('2026-06-01', { odometer: 52600 })).level).toBe('urgent')
    expect(evaluate(d, at('2026-06-01', { odometer: 52950 })).level).toBe('very_urgent')
    expect(evaluate(d, at('2026-06-01', { odometer: 53001 })).level).toBe('past_due')
    expect(projectRate([{ value: 52000, date: '2026-05-30' }], '2026-06-01')).toBeNull()
  })
  test('60 mi/day reaches a 5,000 mi item by projection long before the calendar date', () => {
    const readings = Array.from({ length: 31 }, (_, i) => ({
      value: 48000 + 60 * i,
      date: addDays('2026-05-01', i),
    }))
    const today = '2026-05-31'
    const rate = projectRate(readings, today)
    expect(rate?.perDay).toBeCloseTo(60)
    const item = dueFrom({ months: 6, distance: 5000, fixed: false }, '2026-05-01', 48000)
    const s = at(today, { odometer: 49800, rate })
    const e = evaluate(item, s)
    // 3,200 mi left at 60 mi/day: ~54 days, while the calendar says 154 days.
    expect(e.daysLeft).toBe(154)
    expect(e.projected?.days).toBe(54)
    expect(e.level).toBe('not_urgent')
    expect(describeDue(item, e, 'mi', DEFAULT_PRESENTATION)).toBe(
      'due 2026-11-01 (in about 5 months) or at 53,000 mi (3,200 mi left; ~54 days, at 60 mi/day)',
    )
    // the same in a garage that writes 1.234,5 and DD/MM/YYYY, and in a 1 234,5 MM/DD/YYYY one
    expect(describeDue(item, e, 'mi', { numbers: '1.234,5', dates: 'DD/MM/YYYY' })).toBe(
      'due 01/11/2026 (in about 5 months) or at 53.000 mi (3.200 mi left; ~54 days, at 60 mi/day)',
    )
    expect(describeDue(item, e, 'mi', { numbers: '1 234,5', dates: 'MM/DD/YYYY' })).toBe(
      'due 11/01/2026 (in about 5 months) or at 53\u00a0000 mi (3\u00a0200 mi left; ~54 days, at 60 mi/day)',
    )
    // Urgent 30 days before the projected date, not the calendar date.
    const urgentOn = nextCheck(item, s, 0)
    expect(urgentOn).toBe(addDays('2026-07-24', -30))
    expect(evaluate(item, at(urgentOn!, { odometer: 49800, rate })).level).toBe('urgent')
    expect(urgentOn! < addDays('2026-11-01', -30)).toBe(true)
  })
  test('readings older than 90 days do not project', () => {
    expect(
      projectRate(
        [
          { value: 1000, date: '2026-01-01' },
          { value: 2000, date: '2026-01-31' },
        ],
        '2026-06-01',
      ),
    ).toBeNull()
  })
  test('nextCheck names the first day a level rises, and nothing after past due', () => {
    expect(nextCheck(due, at('2026-09-01'), 0)).toBe('2026-10-02')
    expect(nextCheck(due, at('2026-10-02'), 1)).toBe('2026-10-25')
    expect(nextCheck(due, at('2026-10-25'), 2)).toBe('2026-11-02')
    expect(nextCheck(due, at('2026-11-02'), 3)).toBeNull()
    expect(nextCheck({ date: null, odometer: 5000 }, at('2026-11-02', { odometer: 100 }), 0)).toBeNull()
  })
})

describe('wording', () => {
  test('exact days up to two months, then about weeks, months, years; the same when past', () => {
    const cases: [number, string][] = [
      [0, 'today'],
      [1, 'tomorrow'],
      [-1, 'yesterday'],
      [12, 'in 12 days'],
      [60, 'in 60 days'],
      [61, 'in about 9 weeks'],
      [104, 'in about 15 weeks'],
      [105, 'in about 3 months'],
      [154, 'in about 5 months'],
      [547, 'in about 18 months'],
      [548, 'in about 2 years'],
      [1826, 'in about 5 years'],
      [-3, '3 days ago'],
      [-60, '60 days ago'],
      [-154, 'about 5 months ago'],
      [-1826, 'about 5 years ago'],
    ]
    for (const [days, text] of cases) expect([days, relativeDays(days)]).toEqual([days, text])
  })
})
