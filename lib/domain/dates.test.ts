import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import {
  addDays,
  addMonths,
  checkDate,
  DATE_ORDERS,
  dayNumber,
  formatDate,
  fromDayNumber,
  garageToday,
  isDate,
  readSlashed,
  slashedReadings,
} from './dates.ts'

describe('garage-local dates', () => {
  test('day numbers round-trip, leap days included, for every year from 0001', () => {
    for (const date of ['1970-01-01', '2024-02-29', '0050-01-01', '0004-02-29', '9999-12-31']) {
      expect(fromDayNumber(dayNumber(date))).toBe(date)
    }
    expect(dayNumber('1970-01-02')).toBe(1)
    expect(isDate('0004-02-29')).toBe(true)
    expect(isDate('0100-02-29')).toBe(false)
    expect(isDate('2026-02-30')).toBe(false)
  })

  test('months are calendar months, clamped at the month end', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28')
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
  })

  test("today is the garage's today, not UTC's", () => {
    const at = new Date('2026-03-01T02:30:00Z')
    expect(garageToday(at, 'UTC')).toBe('2026-03-01')
    expect(garageToday(at, 'America/Los_Angeles')).toBe('2026-02-28')
    expect(garageToday(at, 'Pacific/Kiritimati')).toBe('2026-03-01')
  })

  test('a record date is real, not in the future and not before the first car', () => {
    expect(checkDate('date', '2026-02-28', '2026-03-01')).toBe('2026-02-28')
    expect(() => checkDate('date', '2026-02-30', '2026-03-01')).toThrow('date: "2026-02-30" is not a date; use YYYY-MM-DD')
    expect(() => checkDate('date', '2026-03-02', '2026-03-01')).toThrow('is in the future (today is 2026-03-01)')
    expect(() => checkDate('date', '1885-12-31', '2026-03-01')).toThrow('before the first car')
  })
})

describe('dates as a garage writes them', () => {
  test('a slashed date is read in the garage order; in YYYY-MM-DD one that reads two ways is refused', () => {
    expect(slashedReadings('03/04/2026')).toEqual({ dayFirst: '2026-04-03', monthFirst: '2026-03-04' })
    expect(slashedReadings('31.12.2026')).toEqual({ dayFirst: '2026-12-31', monthFirst: null })
    expect(slashedReadings('2026-04-03')).toBeNull()
    expect(readSlashed('03/04/2026', 'DD/MM/YYYY')).toEqual({ date: '2026-04-03' })
    expect(readSlashed('03/04/2026', 'MM/DD/YYYY')).toEqual({ date: '2026-03-04' })
    expect(readSlashed('05/05/2026', 'YYYY-MM-DD')).toEqual({ date: '2026-05-05' })
    expect(readSlashed('25/03/2026', 'YYYY-MM-DD')).toEqual({ date: '2026-03-25' })
    expect(readSlashed('03/04/2026', 'YYYY-MM-DD')).toEqual({
      error:
        '"03/04/2026" reads two ways: 3 April 2026 or 4 March 2026. Write it YYYY-MM-DD (2026-04-03 or 2026-03-04), or tell the garage its order with /garage settings dates:DD/MM/YYYY or dates:MM/DD/YYYY',
    })
    expect(readSlashed('25/03/2026', 'MM/DD/YYYY')).toEqual({
      error: '"25/03/2026" is not a date in MM/DD/YYYY, the order this garage writes dates in (/garage settings dates: changes it)',
    })
    expect(readSlashed('29/02/2025', 'DD/MM/YYYY')).toMatchObject({ error: expect.stringContaining('is not a date in DD/MM/YYYY') })
  })

  test('dates are shown in the garage order', () => {
    expect(formatDate('2026-04-03', 'YYYY-MM-DD')).toBe('2026-04-03')
    expect(formatDate('2026-04-03', 'DD/MM/YYYY')).toBe('03/04/2026')
    expect(formatDate('2026-04-03', 'MM/DD/YYYY')).toBe('04/03/2026')
  })

  test('property: no slashed date is read two ways; in every order it reads back as it is shown', () => {
    const day = fc.integer({ min: dayNumber('1990-01-01'), max: dayNumber('2100-12-31') }).map(fromDayNumber)
    fc.assert(
      fc.property(day, fc.constantFrom(...DATE_ORDERS), fc.boolean(), (date, order, padded) => {
        const [y, m, d] = date.split('-') as [string, string, string]
        const dm = padded ? `${d}/${m}/${y}` : `${Number(d)}/${Number(m)}/${y}`
        const md = padded ? `${m}/${d}/${y}` : `${Number(m)}/${Number(d)}/${y}`
        // What the garage's order says, read back, is the same date.
        if (order !== 'YYYY-MM-DD') expect(readSlashed(formatDate(date, order), order)).toEqual({ date })
        // In a YYYY-MM-DD garage a slashed date is either the one date both readings agree on,
        // the only reading there is, or refused: never one reading picked of two.
        for (const text of [dm, md]) {
          const read = readSlashed(text, 'YYYY-MM-DD')!
          const r = slashedReadings(text)!
          const valid = [r.dayFirst, r.monthFirst].filter((x): x is string => x !== null)
          if (new Set(valid).size === 2) expect(read).toHaveProperty('error')
          else expect(read).toEqual({ date: valid[0]! })
        }
      }),
      { numRuns: 2_000 },
    )
  })
})
