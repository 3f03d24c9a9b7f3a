/**
 * Numbers that read two ways: the parsers mark them, the garage's number format settles them,
 * and no text is read as two different numbers without being marked.
 */
import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { formatIn, NUMBER_FORMATS, type NumberFormat, SEPARATORS } from '../lib/domain/numbers.ts'
import { parseLine } from './grammar.ts'
import { readNumber } from './parsing.ts'
import { settleTwoWay } from './two-way.ts'
import { parsers } from './values.ts'

const distanceOf = (text: string) => {
  const r = parsers.distance(text, { name: 'reading', type: 'distance', description: '' })
  if (!r.ok) throw new Error(r.error)
  return r.value
}

/** The number `text` is in garage format `format`, as the worker ends up reading it; undefined when refused. */
function readInGarage(text: string, format: NumberFormat): number | undefined {
  const read = readNumber(text)
  if (!read) return undefined
  const settled = settleTwoWay({ n: { value: read.value, text, unit: null, ...(read.readings ? { readings: read.readings } : {}) } }, format, 'USD')
  return settled.ok ? (settled.payload as { n: { value: number } }).n.value : undefined
}

/**
 * What a number written in one format means, by that format's own rules alone (the oracle):
 * digits grouped by threes with its group separator (the first group not starting with 0), and
 * an optional decimal part after its decimal separator.
 */
function strictRead(text: string, format: NumberFormat): number | undefined {
  const { group, decimal } = SEPARATORS[format]
  const esc = (c: string) => c.replace(/[.]/, '\\.')
  const m = new RegExp(`^(\\d+|[1-9]\\d{0,2}(?:${esc(group)}\\d{3})+)(?:${esc(decimal)}(\\d+))?$`).exec(text)
  if (!m) return undefined
  return Number(`${m[1]!.split(group).join('')}${m[2] ? `.${m[2]}` : ''}`)
}

describe('two-way numbers are marked by the parsers', () => {
  test.each([
    ['83.000', 83, [83, 83000]],
    ['52,000', 52000, [52, 52000]],
    ['25.000', 25, [25, 25000]],
    ['1,500', 1500, [1.5, 1500]],
  ] as const)('%p reads as %p by default, marked %p', (text, value, readings) => {
    expect(readNumber(text)).toMatchObject({ value, readings })
  })
  test.each([
    ['83000', 83000],
    ['83 000', 83000],
    ['1,234.5', 1234.5],
    ['1.234,5', 1234.5],
    ['1 234,5', 1234.5],
    ['52,000.5', 52000.5],
    ['1,234,567', 1234567],
    ['1.234.567', 1234567],
    ['11,2', 11.2],
    ['1234,567', 1234.567],
    ['0.500', 0.5],
    ['83.5', 83.5],
  ])('%p reads one way: %p', (text, value) => {
    const read = readNumber(text)
    expect(read?.value).toBe(value)
    expect(read?.readings).toBeUndefined()
  })
  test('the payload carries both readings, the default reading as value', () => {
    expect(distanceOf('83.000 km')).toEqual({ value: 83, unit: 'km', text: '83.000 km', readings: [83, 83000] })
    const r = parseLine('/calc loan "25.000" 5% 60')
    if (!r.ok) throw new Error(r.error)
    expect(r.payload).toMatchObject({ amount: { value: 25, text: '25.000', readings: [25, 25000] } })
  })
  test('plain numbers cannot carry two readings, so a two-way one is refused naming both', () => {
    const hours = { name: 'hours', type: 'number', description: '' } as const
    expect(parsers.number('1.500', hours)).toEqual({
      ok: false,
      error: 'hours: "1.500" reads as 1.5 or 1,500; type 1.5 or 1500',
    })
    expect(parsers.integer('2,018', { name: 'year', type: 'integer', description: '' })).toMatchObject({ ok: false })
  })
})

describe('the garage settles them', () => {
  const odometer = (text: string) => ({ car: 'golf', reading: distanceOf(text) })
  test('where the separator is the decimal one, it is refused naming the field and both readings', () => {
    expect(settleTwoWay(odometer('83.000 km'), '1,234.5', 'USD')).toEqual({
      ok: false,
      field: 'reading',
      error:
        'reading: "83.000 km" reads as 83 km or 83,000 km; type 83 km or 83000 km (this garage writes numbers 1,234.5)',
    })
    expect(settleTwoWay(odometer('52,000 mi'), '1.234,5', 'USD')).toEqual({
      ok: false,
      field: 'reading',
      error:
        'reading: "52,000 mi" reads as 52 mi or 52.000 mi; type 52 mi or 52000 mi (this garage writes numbers 1.234,5)',
    })
    const loan = parseLine('/calc loan amount:25.000 rate:5% months:60')
    if (!loan.ok) throw new Error(loan.error)
    expect(settleTwoWay(loan.payload, '1,234.5', 'USD')).toMatchObject({
      ok: false,
      error: 'amount: "25.000" reads as $25 or $25,000; type 25 or 25000 (this garage writes numbers 1,234.5)',
    })
  })
  test('where it is the group separator, the thousands reading is taken and the readings go', () => {
    expect(settleTwoWay(odometer('83.000 km'), '1.234,5', 'EUR')).toEqual({
      ok: true,
      payload: { car: 'golf', reading: { value: 83000, unit: 'km', text: '83.000 km' } },
    })
    expect(settleTwoWay(odometer('52,000 mi'), '1,234.5', 'USD')).toEqual({
      ok: true,
      payload: { car: 'golf', reading: { value: 52000, unit: 'mi', text: '52,000 mi' } },
    })
  })
  test('a two-way distance inside a threshold is settled too', () => {
    const r = parseLine('/garage settings urgent:"30 d, 1.000 km"')
    if (!r.ok) throw new Error(r.error)
    expect(settleTwoWay(r.payload, '1.234,5', 'EUR')).toMatchObject({
      ok: true,
      payload: { urgent: { days: 30, distance: { value: 1000, unit: 'km' } } },
    })
    expect(settleTwoWay(r.payload, '1,234.5', 'USD')).toMatchObject({ ok: false, field: 'urgent' })
  })
  test('"1.234,5 km" is read the same in every garage', () => {
    for (const format of NUMBER_FORMATS) expect(readInGarage('1.234,5', format)).toBe(1234.5)
  })
})

/** Strings made of digits and separators, shaped like numbers more often than not. */
const numberText = fc.oneof(
  fc.stringMatching(/^[0-9]{1,7}([.,' ][0-9]{1,4}){0,3}$/),
  fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom('.', ',', ' '), fc.integer({ min: 0, max: 999 })).map(
    ([a, s, b]) => `${a}${s}${String(b).padStart(3, '0')}`,
  ),
)

describe('properties', () => {
  test('no text is read as two different numbers without being marked two-way', () => {
    fc.assert(
      fc.property(numberText, (text) => {
        const read = readNumber(text)
        const meanings = new Set(
          NUMBER_FORMATS.map((f) => strictRead(text, f)).filter((n): n is number => n !== undefined),
        )
        if (meanings.size > 1) expect(read?.readings).toBeDefined()
        if (read && !read.readings) {
          // one way: the same number in every garage
          for (const f of NUMBER_FORMATS) expect(readInGarage(text, f)).toBe(read.value)
        }
        // whatever a garage takes it as is what its own format says it is
        for (const f of NUMBER_FORMATS) {
          const got = readInGarage(text, f)
          const own = strictRead(text, f)
          if (got !== undefined && own !== undefined) expect(got).toBe(own)
        }
      }),
      { numRuns: 3000 },
    )
  })
  test('every number written in a garage format reads back as itself there', () => {
    const amounts = fc.oneof(
      fc.integer({ min: 0, max: 1_000_000_000 }),
      fc.integer({ min: 0, max: 100_000_000_00 }).map((n) => n / 100),
      fc.integer({ min: 0, max: 10_000_000 }).map((n) => n / 10),
    )
    fc.assert(
      fc.property(amounts, fc.constantFrom(...NUMBER_FORMATS), (n, format) => {
        expect(readInGarage(formatIn(n, format), format)).toBe(n)
      }),
      { numRuns: 3000 },
    )
  })
})
