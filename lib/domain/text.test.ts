/** Numbers and money written in each of a garage's number formats. */
import { describe, expect, test } from 'bun:test'
import { formatMoney } from './money.ts'
import { formatNumber, inFormat, plural } from './text.ts'

const NBSP = '\u00a0'

describe('inFormat', () => {
  test('the default format is left as Intl wrote it', () => {
    expect(inFormat('52,000.5', '1,234.5')).toBe('52,000.5')
    expect(inFormat('-1,234,567.89', '1,234.5')).toBe('-1,234,567.89')
  })

  test('1.234,5 swaps the separators; 1 234,5 groups with a no-break space', () => {
    expect(inFormat('52,000.5', '1.234,5')).toBe('52.000,5')
    expect(inFormat('1,234,567.89', '1.234,5')).toBe('1.234.567,89')
    expect(inFormat('52,000.5', '1 234,5')).toBe(`52${NBSP}000,5`)
    expect(inFormat('1,234,567.89', '1 234,5')).toBe(`1${NBSP}234${NBSP}567,89`)
    // a number without groups only changes its decimal point
    expect(inFormat('6.5', '1.234,5')).toBe('6,5')
    expect(inFormat('6.5', '1 234,5')).toBe('6,5')
  })

  test('negative numbers keep their sign', () => {
    expect(inFormat('-1,234.5', '1.234,5')).toBe('-1.234,5')
    expect(inFormat('-1,234.5', '1 234,5')).toBe(`-1${NBSP}234,5`)
    expect(inFormat('+1,000 km', '1.234,5')).toBe('+1.000 km')
  })

  test('currency symbols and codes stay where Intl put them', () => {
    expect(inFormat('$1,234.50', '1.234,5')).toBe('$1.234,50')
    expect(inFormat('-€1,234.50', '1.234,5')).toBe('-€1.234,50')
    expect(inFormat('CHF 1,234.50', '1 234,5')).toBe(`CHF 1${NBSP}234,50`)
    expect(inFormat('12.345 BHD', '1.234,5')).toBe('12,345 BHD')
  })

  test('only a separator between two digits changes: the punctuation of a sentence stays', () => {
    expect(inFormat('Recorded 1,240.5 km. Next, 2,000 km.', '1.234,5')).toBe(
      'Recorded 1.240,5 km. Next, 2.000 km.',
    )
  })
})

describe('formatNumber and formatMoney in a garage format', () => {
  test('the same value in the three formats', () => {
    expect(formatNumber(83_000, 1, 0, '1,234.5')).toBe('83,000')
    expect(formatNumber(83_000, 1, 0, '1.234,5')).toBe('83.000')
    expect(formatNumber(1234.5, 1, 0, '1 234,5')).toBe(`1${NBSP}234,5`)
    expect(formatNumber(7.5, 1, 1, '1.234,5')).toBe('7,5')
  })

  test('money', () => {
    expect(formatMoney(123_450, 'EUR', 0, '1.234,5')).toBe('€1.234,50')
    expect(formatMoney(-123_450, 'USD', 0, '1.234,5')).toBe('-$1.234,50')
    expect(formatMoney(150_000, 'USD', 0, '1 234,5')).toBe(`$1${NBSP}500,00`)
    expect(formatMoney(12_000, 'JPY', 0, '1.234,5')).toBe('¥12.000')
    expect(formatMoney(189.9, 'USD', 1, '1.234,5')).toBe('$1,899')
  })
})

test('a count reads one way in every number format: grouped with a narrow no-break space', () => {
  expect(plural(1, 'reading')).toBe('1 reading')
  expect(plural(3, 'reading')).toBe('3 readings')
  expect(plural(12345, 'fill-up')).toBe('12\u202f345 fill-ups')
  expect(plural(1234567, 'entry', 'entries')).toBe('1\u202f234\u202f567 entries')
})
