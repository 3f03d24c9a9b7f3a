import { describe, expect, test } from 'bun:test'
import { addDays, addMonths, checkDate, dayNumber, fromDayNumber, garageToday, isDate } from './dates.ts'

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
