import { describe, expect, test } from 'bun:test'
import { calendarMonths, distanceInPeriod, fuelSegments, odometerAt } from './figures.ts'

const fill = (date: string, odometerKm: number | null, litres: number, full = true, missed = false) => ({
  date,
  odometerKm,
  litres,
  full,
  missed,
})

describe('fuel economy segments', () => {
  test('a fill-up without its odometer puts its fuel in the segment around it (hand-checked)', () => {
    // 40 L at 10,000 km (baseline), a partial 20 L with no odometer, then a full 30 L at 10,700 km:
    // the segment is 700 km on 50 L = 7.14 L/100 km. Leaving the partial out would say 30 L (4.3 L/100 km).
    const r = fuelSegments([
      fill('2026-01-01', 10_000, 40),
      fill('2026-01-08', null, 20, false),
      fill('2026-01-15', 10_700, 30),
    ])
    expect(r.entries.map((e) => e.status)).toEqual(['baseline', 'partial', 'segment'])
    expect(r.total).toEqual({ km: 700, litres: 50 })
  })

  test('a full fill-up without its odometer: its own segment is unknown, the longer one around it is measured', () => {
    const r = fuelSegments([
      fill('2026-01-01', 10_000, 40),
      fill('2026-01-08', null, 35), // full, odometer unknown: 10,000 → ? cannot be measured alone
      fill('2026-01-15', 11_000, 30), // full at both ends: 10,000 → 11,000 on 35 + 30 L
      fill('2026-01-22', 11_500, 33),
    ])
    expect(r.entries.map((e) => e.status)).toEqual(['baseline', 'unknown', 'segment', 'segment'])
    expect(r.entries[2]?.segment).toEqual({ km: 1_000, litres: 65, fillUps: 2 })
    expect(r.total).toEqual({ km: 1_500, litres: 98 })
  })

  test('after an unknown full one and no later odometer, nothing is made up', () => {
    const r = fuelSegments([fill('2026-01-01', 10_000, 40), fill('2026-01-08', null, 35), fill('2026-01-15', null, 30, false)])
    expect(r.entries.map((e) => e.status)).toEqual(['baseline', 'unknown', 'partial'])
    expect(r.total).toBeNull()
  })

  test('fill-ups are taken in the order they happened, whatever order they were typed in', () => {
    const typed = [fill('2026-01-15', 10_700, 30), fill('2026-01-01', 10_000, 40), fill('2026-01-08', 10_300, 20, false)]
    expect(fuelSegments(typed).total).toEqual({ km: 700, litres: 50 })
  })

  test('within a day fill-ups go as they were logged, whatever order a list gives them in', () => {
    // Three fill-ups of one day, listed newest first, the middle one without its odometer.
    const r = fuelSegments([
      // #2 was removed and brought back by an undo: a new row, but still the second logged.
      { id: 3, logged: 3, ...fill('2026-12-02', 84_300, 30) },
      { id: 9, logged: 2, ...fill('2026-12-02', null, 20, false) },
      { id: 1, logged: 1, ...fill('2026-12-02', 83_600, 40) },
    ])
    expect(r.entries.map((e) => [e.fillUp.id, e.status])).toEqual([
      [1, 'baseline'],
      [9, 'partial'],
      [3, 'segment'],
    ])
    expect(r.total).toEqual({ km: 700, litres: 50 })
  })

  test('a missed fill-up breaks the chain; a standstill odometer is invalid', () => {
    const r = fuelSegments([
      fill('2026-01-01', 10_000, 40),
      fill('2026-01-08', 10_600, 40, true, true),
      fill('2026-01-15', 10_600, 5),
      fill('2026-01-22', 11_100, 35),
    ])
    expect(r.entries.map((e) => e.status)).toEqual(['baseline', 'missed', 'invalid', 'segment'])
    expect(r.total).toEqual({ km: 500, litres: 35 })
  })

  test('no full fill-up with an odometer: nothing can be measured', () => {
    expect(fuelSegments([fill('2026-01-01', null, 40), fill('2026-01-08', null, 40)]).total).toBeNull()
  })
})

describe('distance over a period', () => {
  // A reading is the odometer at the end of its day.
  const readings = [
    { date: '2026-01-01', km: 10_000 },
    { date: '2026-01-29', km: 12_800 }, // 100 km a day
    { date: '2026-02-28', km: 14_300 }, // 50 km a day
  ]

  test('both ends are interpolated from the readings around them (hand-checked)', () => {
    // 15 to 28 January: from the start of the 15th (10,000 + 13 × 100) to the end of the 28th (12,700).
    expect(distanceInPeriod(readings, '2026-01-15', '2026-01-28')).toEqual({
      km: 1_400,
      from: '2026-01-15',
      to: '2026-01-28',
      whole: true,
    })
    // Across a change of pace, 26 January to 4 February: the start of the 26th is 24 days of 100 km
    // after the first reading (12,400), the end of the 4th 6 days of 50 km after the second (13,100).
    expect(distanceInPeriod(readings, '2026-01-26', '2026-02-04')?.km).toBeCloseTo(700, 9)
    expect(odometerAt(readings, Date.UTC(2026, 0, 15) / 86_400_000)).toBe(11_300)
  })

  test('a period the readings do not reach says which days the distance covers', () => {
    const r = distanceInPeriod(readings, '2026-02-01', '2026-03-31')
    // The start of 1 February is 2 days of 50 km after the second reading (12,900); nothing is known
    // after the last reading, so the distance runs to it.
    expect(r).toEqual({ km: 14_300 - 12_900, from: '2026-02-01', to: '2026-02-28', whole: false })
    // Before the first reading nothing is known: from it to the end of the 10th, 9 days of 100 km.
    expect(distanceInPeriod(readings, '2025-12-01', '2026-01-10')).toEqual({
      km: 900,
      from: '2026-01-01',
      to: '2026-01-10',
      whole: false,
    })
    expect(distanceInPeriod(readings, '2025-12-01', '2025-12-31')).toBeNull()
    // From the first reading to the end of the 31st: 12,900 (2 days of 50 km after the second).
    expect(distanceInPeriod(readings, '2025-12-01', '2026-01-31')).toEqual({
      km: 2_900,
      from: '2026-01-01',
      to: '2026-01-31',
      whole: false,
    })
  })
})

describe('calendar months', () => {
  test('each month counts the share of its own days the period holds', () => {
    expect(calendarMonths('2026-01-01', '2026-03-31')).toBeCloseTo(3, 12)
    expect(calendarMonths('2026-02-15', '2026-02-28')).toBeCloseTo(0.5, 12)
    expect(calendarMonths('2026-01-17', '2026-02-14')).toBeCloseTo(15 / 31 + 14 / 28, 12)
    expect(calendarMonths('2024-01-01', '2024-12-31')).toBeCloseTo(12, 12)
  })
})
