/**
 * The catalog's car options agree with the one authority on a car's fields, lib/domain/car.ts:
 * every option named after a car field, in every command, takes its limit from there, and a
 * value the catalog accepts at that limit is one the domain accepts too (what chat takes, the
 * garage stores), while one past it is refused by both.
 */
import { describe, expect, test } from 'bun:test'
import {
  CAR_TEXT_LIMITS,
  type CarTextField,
  checkCarText,
  checkNickname,
  checkYear,
  FIRST_CAR_YEAR,
  maxModelYear,
} from '../lib/domain/car.ts'
import { InvalidValue } from '../lib/domain/invalid.ts'
import { commands } from './catalog.ts'
import type { Option } from './command.ts'
import { parseValue } from './values.ts'

const TEXT_FIELDS = Object.keys(CAR_TEXT_LIMITS) as CarTextField[]
const CAR_FIELDS: readonly string[] = [...TEXT_FIELDS, 'year']

/** Every option of the catalog named after a car field, with where it is. */
const carOptions = commands.flatMap((command) =>
  command.subcommands.flatMap((sub) =>
    sub.options
      .filter((o) => CAR_FIELDS.includes(o.name))
      .map((option) => ({ where: `/${command.name} ${sub.name} ${option.name}`, option })),
  ),
)

const catalogAccepts = (option: Option, raw: unknown) => parseValue(option, raw).ok

/** The domain's check of a field: the value it keeps, or the InvalidValue it throws. */
function domainCheck(field: string, value: unknown, now: Date): unknown {
  try {
    if (field === 'year') return checkYear(value as number, now)
    if (field === 'nickname') return checkNickname(value as string)
    return checkCarText(field as Exclude<CarTextField, 'nickname'>, value as string)
  } catch (error) {
    if (error instanceof InvalidValue) return error
    throw error
  }
}
const domainAccepts = (field: string, value: unknown, now = new Date()) =>
  !(domainCheck(field, value, now) instanceof InvalidValue)

test('car add and car edit carry every car field, and no other command names one differently', () => {
  const where = carOptions.map((c) => c.where)
  for (const field of CAR_FIELDS) {
    expect(where).toContain(`/car add ${field}`)
    expect(where).toContain(`/car edit ${field}`)
  }
})

describe.each(carOptions)('$where', ({ option }) => {
  if (option.name === 'year') {
    test('is a whole number from the first car year on, with no fixed last year', () => {
      expect(option.type).toBe('integer')
      expect(option.min).toBe(FIRST_CAR_YEAR)
      // The last model year moves with the clock (now + MODEL_YEARS_AHEAD): a fixed max would
      // either refuse next year's models or claim years the garage refuses.
      expect(option.max).toBeUndefined()
    })

    test('the first car year is accepted by both, the year before it by neither', () => {
      expect(catalogAccepts(option, String(FIRST_CAR_YEAR))).toBe(true)
      expect(domainAccepts('year', FIRST_CAR_YEAR)).toBe(true)
      expect(catalogAccepts(option, String(FIRST_CAR_YEAR - 1))).toBe(false)
      expect(domainAccepts('year', FIRST_CAR_YEAR - 1)).toBe(false)
    })

    test('the latest model year of today is accepted by both', () => {
      const now = new Date()
      const latest = maxModelYear(now)
      expect(catalogAccepts(option, String(latest))).toBe(true)
      expect(domainAccepts('year', latest, now)).toBe(true)
      // A year past it passes the catalog (it has no clock) and is the garage's to refuse.
      expect(domainAccepts('year', latest + 1, now)).toBe(false)
    })
    return
  }

  const field = option.name as CarTextField
  const max = CAR_TEXT_LIMITS[field]

  test(`is text of at most CAR_TEXT_LIMITS.${field} (${max}) characters`, () => {
    expect(option.type).toBe('string')
    expect(option.maxLength).toBe(max)
  })

  test.each([
    ['ASCII', 'a'],
    ['accented', 'é'],
    ['digits', '7'],
  ])('%s text at the limit is accepted by both, one character more by neither', (_, char) => {
    const atLimit = char.repeat(max)
    expect(catalogAccepts(option, atLimit)).toBe(true)
    expect(domainCheck(field, atLimit, new Date())).toBe(atLimit)
    const past = char.repeat(max + 1)
    expect(catalogAccepts(option, past)).toBe(false)
    const refusal = domainCheck(field, past, new Date())
    expect(refusal).toBeInstanceOf(InvalidValue)
    expect((refusal as InvalidValue).field).toBe(field)
    expect(parseValue(option, past)).toMatchObject({
      ok: false,
      error: expect.stringMatching(new RegExp(`^${field}: `)),
    })
  })

  test('surrounding spaces do not count, in either', () => {
    const padded = `  ${'b'.repeat(max)}  `
    expect(catalogAccepts(option, padded)).toBe(true)
    expect(domainAccepts(field, padded)).toBe(true)
  })
})
