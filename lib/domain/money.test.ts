import { describe, expect, test } from 'bun:test'
import { currenciesNamed, formatMoney, minorDigits, toMinor } from './money.ts'

describe('money in minor units', () => {
  test("minor digits are the currency's own", () => {
    expect(minorDigits('USD')).toBe(2)
    expect(minorDigits('JPY')).toBe(0)
    expect(minorDigits('BHD')).toBe(3)
  })

  test('typed amounts become exact minor units of the garage currency', () => {
    expect(toMinor('cost', { value: 41.3, text: '41.30' }, 'USD')).toBe(4130)
    expect(toMinor('cost', { value: 0.1 + 0.2, text: '0.30' }, 'USD')).toBe(30)
    expect(toMinor('cost', { value: 12000, text: '¥12,000' }, 'JPY')).toBe(12000)
    expect(toMinor('price', { value: 1.899, text: '1.899' }, 'USD', { fractional: true })).toBeCloseTo(189.9, 9)
  })

  test('another currency, too many decimals, zero and negatives are refused naming the field', () => {
    expect(() => toMinor('cost', { value: 45, text: '£45' }, 'USD')).toThrow('cost: "£45" looks like GBP (£)')
    expect(() => toMinor('cost', { value: 45, text: '45 EUR' }, 'USD')).toThrow('cost: "45 EUR" is in EUR')
    expect(() => toMinor('cost', { value: 1.005, text: '1.005' }, 'USD')).toThrow('more than 2 decimals')
    expect(() => toMinor('cost', { value: 0, text: '0' }, 'USD')).toThrow('must be more than 0')
    expect(toMinor('cost', { value: 0, text: '0' }, 'USD', { allowZero: true })).toBe(0)
    expect(() => toMinor('cost', { value: -5, text: '-5' }, 'USD')).toThrow('cannot be negative')
  })

  test('a $ is any dollar; a code is exact', () => {
    expect(currenciesNamed('$45')?.currencies).toContain('CAD')
    expect(currenciesNamed('45 usd')).toEqual({ shown: 'USD', currencies: ['USD'] })
    expect(currenciesNamed('45')).toBeNull()
  })

  test('amounts are written as the garage reads them, the same from the cache as fresh', () => {
    expect(formatMoney(123450, 'USD')).toBe('$1,234.50')
    expect(formatMoney(123450, 'USD')).toBe('$1,234.50')
    expect(formatMoney(12000, 'JPY')).toBe('¥12,000')
    expect(formatMoney(189.9, 'USD', 1)).toBe('$1.899')
    expect(formatMoney(12345, 'BHD')).toMatch(/^BHD\s12\.345$/)
  })
})
