/**
 * Parsers of the option types that are numbers and amounts: whole and decimal numbers as people
 * type them, distances and volumes with their units, money, percentages, fuel economy, periods
 * ("12m") and maintenance thresholds ("30 d, 500 mi").
 */
import type { Distance, Option, ValueOf, Volume } from './command.ts'
import {
  checkBounds,
  fail,
  ok,
  type ParseResult,
  type Parser,
  parseDecimal,
  readNumber,
  show,
  textOf,
  twoWayHint,
} from './parsing.ts'

/** The readings of a two-way number, to put on its value (nothing for a number that reads one way). */
const twoWay = (read: { readings?: [number, number] }) => (read.readings ? { readings: read.readings } : {})

/** The refusal of a two-way number where the value cannot carry both readings (a plain number). */
function oneWay(option: Option, raw: unknown, text: string | undefined): ParseResult<never> | undefined {
  const read = text === undefined ? undefined : readNumber(text)
  return read?.readings ? fail(option, `${show(raw)} ${twoWayHint(read.readings)}`) : undefined
}

const DISTANCE_UNITS: Record<string, NonNullable<Distance['unit']>> = {
  km: 'km',
  kms: 'km',
  kilometer: 'km',
  kilometers: 'km',
  kilometre: 'km',
  kilometres: 'km',
  mi: 'mi',
  mile: 'mi',
  miles: 'mi',
  // engine hours, the meter of a tractor, a boat or a generator (a car with meter:hours)
  h: 'h',
  hr: 'h',
  hrs: 'h',
  hour: 'h',
  hours: 'h',
}

const VOLUME_UNITS: Record<string, NonNullable<Volume['unit']>> = {
  l: 'L',
  litre: 'L',
  litres: 'L',
  liter: 'L',
  liters: 'L',
  gal: 'gal',
  gals: 'gal',
  gallon: 'gal',
  gallons: 'gal',
  'us gal': 'gal',
  usgal: 'gal',
  impgal: 'impgal',
  'imp gal': 'impgal',
  'uk gal': 'impgal',
  'imperial gal': 'impgal',
  'imperial gallons': 'impgal',
}

const ECONOMY_UNITS: Record<string, ValueOf<'economy'>['unit']> = {
  'l/100km': 'L/100km',
  'l/100 km': 'L/100km',
  'km/l': 'km/L',
  mpg: 'mpg',
  'us mpg': 'mpg',
  'mpg us': 'mpg',
  impmpg: 'impmpg',
  'imp mpg': 'impmpg',
  'mpg uk': 'impmpg',
  'uk mpg': 'impmpg',
  'mpg imp': 'impmpg',
}

/** Splits "52,000 mi" into number text and unit text (the unit is lower-cased, spaces collapsed). */
function splitUnit(text: string): { number: string; unit: string } {
  const m = /^(.*?\d)\s*([A-Za-z][A-Za-z/ 0-9.]*)?$/.exec(text.trim())
  if (!m) return { number: text.trim(), unit: '' }
  return { number: m[1]!, unit: (m[2] ?? '').trim().toLowerCase().replace(/\s+/g, ' ') }
}

function measured<U extends string>(
  kind: 'distance' | 'volume',
  units: Record<string, U>,
  hint: string,
): (
  raw: unknown,
  option: Option,
) => ParseResult<{ value: number; unit: U | null; text: string; readings?: [number, number] }> {
  return (raw, option) => {
    if (typeof raw === 'number') {
      if (!Number.isFinite(raw)) return fail(option, `${show(raw)} is not a ${kind}; use e.g. ${hint}`)
      if (raw < 0) return fail(option, `${show(raw)} is negative; a ${kind} cannot be below 0`)
      const bad = checkBounds(option, raw, show(raw))
      return bad ? fail(option, bad) : ok({ value: raw, unit: null, text: String(raw) })
    }
    const text = textOf(raw)
    if (!text) return fail(option, `no ${kind} given; use e.g. ${hint}`)
    const split = splitUnit(text)
    let { number, unit } = split
    // "5k mi": the thousands suffix lands in the unit part.
    const k = /^k(?:\s+|$)(.*)$/.exec(unit)
    if (k) {
      number = `${number}k`
      unit = k[1]!
    }
    const read = readNumber(number)
    const value = read?.value
    const u = unit === '' ? null : units[unit]
    if (value === undefined || u === undefined)
      return fail(
        option,
        u === undefined && value !== undefined
          ? `${show(text)} has an unknown unit "${unit}"; use e.g. ${hint}`
          : `${show(text)} is not a ${kind}; use e.g. ${hint}`,
      )
    if (value < 0) return fail(option, `${show(text)} is negative; a ${kind} cannot be below 0`)
    // "52k miles" is not shown back as the 52,000 it means, so it is not taken as one.
    if (read?.k) {
      const whole = `${String(Math.round(value * 1000) / 1000)}${u ? ` ${u}` : ''}`
      return fail(option, `${show(text)}: write the number in full, e.g. ${whole}`)
    }
    const bad = checkBounds(option, value, show(text))
    return bad ? fail(option, bad) : ok({ value, unit: u, text, ...twoWay(read!) })
  }
}

export const distance = measured('distance', DISTANCE_UNITS, '52,000 mi or 83 000 km')
export const volume = measured('volume', VOLUME_UNITS, '11.2 gal or 42 L')

const CURRENCY = /^(?:[$€£¥₹₩₽₺₪฿₫₱]|[A-Z]{3}|[A-Z]{1,2}\$)\s*|\s*(?:[$€£¥₹₩₽₺₪฿₫₱]|[A-Za-z]{3})$/

export const money: Parser<'money'> = (raw, option) => {
  const hint = '89.90 or $1,200.50'
  let value: number | undefined
  let readings: [number, number] | undefined
  let text: string
  if (typeof raw === 'number') {
    value = Number.isFinite(raw) ? raw : undefined
    text = String(raw)
  } else {
    const t = textOf(raw)
    if (!t) return fail(option, `no amount given; use e.g. ${hint}`)
    text = t
    let s = t
    let negative = false
    if (s.startsWith('-') || s.startsWith('\u2212')) {
      negative = true
      s = s.slice(1).trim()
    }
    s = s.replace(CURRENCY, '').trim()
    if (s.startsWith('-')) {
      negative = !negative
      s = s.slice(1).trim()
    }
    if (/[kK]$/.test(s) || !/^[\d\s\u00a0\u202f',.]+$/.test(s)) value = undefined
    else {
      const read = readNumber(s)
      value = read === undefined ? undefined : negative ? -read.value : read.value
      if (read?.readings) readings = negative ? [-read.readings[0], -read.readings[1]] : read.readings
    }
    const decimals = /[.,](\d+)$/.exec(s)?.[1]
    if (value !== undefined && decimals && decimals.length > 3 && !/^\d{1,3}(,\d{3})+$/.test(s))
      return fail(option, `${show(text)} has too many decimals; use e.g. ${hint}`)
  }
  if (value === undefined) return fail(option, `${show(text)} is not an amount of money; use e.g. ${hint}`)
  if (value < 0 && (option.min ?? -Infinity) >= 0)
    return fail(option, `${show(text)} is negative; an amount here cannot be below 0`)
  const bad = checkBounds(option, value, show(text))
  return bad ? fail(option, bad) : ok({ value, text, ...(readings ? { readings } : {}) })
}

export const percent: Parser<'percent'> = (raw, option) => {
  const text = textOf(raw)
  const hint = '8.25%'
  if (!text) return fail(option, `no percentage given; use e.g. ${hint}`)
  const twice = oneWay(option, raw, text.replace(/\s*%$/, ''))
  if (twice) return twice
  const value = parseDecimal(text.replace(/\s*%$/, ''))
  if (value === undefined) return fail(option, `${show(raw)} is not a percentage; use e.g. ${hint}`)
  const bounded = { ...option, min: option.min ?? 0, max: option.max ?? 100 }
  const bad = checkBounds(bounded, value, show(raw), '%')
  return bad ? fail(option, bad) : ok(value)
}

export const economy: Parser<'economy'> = (raw, option) => {
  const hint = '6.5 L/100km or 34 mpg'
  const text = textOf(raw)
  if (!text) return fail(option, `no fuel economy given; use e.g. ${hint}`)
  const { number, unit } = splitUnit(text)
  const twice = oneWay(option, raw, number)
  if (twice) return twice
  const value = parseDecimal(number)
  if (value === undefined) return fail(option, `${show(text)} is not a fuel economy; use e.g. ${hint}`)
  if (unit === '') return fail(option, `${show(text)} has no unit; use e.g. ${hint}`)
  const u = ECONOMY_UNITS[unit.replace(/\s*\/\s*/g, '/')]
  if (!u)
    return fail(option, `${show(text)} has an unknown unit "${unit}"; use L/100km, km/L, mpg or imp mpg`)
  if (!(value > 0)) return fail(option, `${show(text)} must be above 0`)
  const bad = checkBounds(option, value, show(text))
  return bad ? fail(option, bad) : ok({ value, unit: u, text })
}

const PERIOD_UNITS: Record<string, number> = {
  d: 1,
  day: 1,
  days: 1,
  w: 7,
  wk: 7,
  week: 7,
  weeks: 7,
  m: 365 / 12,
  mo: 365 / 12,
  month: 365 / 12,
  months: 365 / 12,
  y: 365,
  yr: 365,
  year: 365,
  years: 365,
}

/** Days in "90d", "12m", "1y", "2 weeks"; undefined when the text is not a period. */
function periodDays(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim())
  if (!m) return undefined
  const per = PERIOD_UNITS[m[2]!.toLowerCase()]
  if (per === undefined) return undefined
  return Math.round(Number(m[1]) * per)
}

export const period: Parser<'period'> = (raw, option) => {
  const hint = '90d, 12m or 1y'
  const text = textOf(raw)
  if (!text) return fail(option, `no period given; use e.g. ${hint}`)
  const days = periodDays(text)
  if (days === undefined) return fail(option, `${show(text)} is not a period; use e.g. ${hint}`)
  if (days < 1) return fail(option, `${show(text)} is shorter than a day; use e.g. ${hint}`)
  if (days > 36_500) return fail(option, `${show(text)} is longer than 100 years`)
  return ok({ days, text })
}

export const threshold: Parser<'threshold'> = (raw, option) => {
  const hint = '"30 d, 500 mi", "14d" or "1000 km"'
  const text = textOf(raw)
  if (!text) return fail(option, `no threshold given; use e.g. ${hint}`)
  // Parts are separated by ";", "or", "and", or a comma that follows a unit or precedes a space
  // (so the thousands comma of "1,000 mi" stays inside its part).
  const parts = text
    .split(/\s*(?:;|\s(?:or|and)\s|,(?=\s)|(?<=[a-z]),)\s*/i)
    .map((p) => p.trim())
    .filter(Boolean)
  const result: ValueOf<'threshold'> = { text }
  for (const part of parts) {
    const days = periodDays(part)
    if (days !== undefined) {
      if (result.days !== undefined) return fail(option, `${show(text)} gives a time twice; use e.g. ${hint}`)
      result.days = days
      continue
    }
    const d = distance(part, { ...option, min: 0, max: undefined })
    if (d.ok && d.value.unit !== null) {
      if (result.distance) return fail(option, `${show(text)} gives a distance twice; use e.g. ${hint}`)
      result.distance = d.value
      continue
    }
    return fail(
      option,
      `"${part}" in ${show(text)} is neither a time (30 d) nor a distance (500 mi); use e.g. ${hint}`,
    )
  }
  if (result.days === undefined && !result.distance)
    return fail(option, `${show(text)} is empty; use e.g. ${hint}`)
  return ok(result)
}

export const integer: Parser<'integer'> = (raw, option) => {
  const text = typeof raw === 'number' ? String(raw) : textOf(raw)
  const twice = typeof raw === 'string' ? oneWay(option, raw, text) : undefined
  if (twice) return twice
  const value = typeof raw === 'number' ? raw : text ? parseDecimal(text) : undefined
  if (value === undefined || !Number.isFinite(value))
    return fail(option, `${show(raw)} is not a whole number`)
  if (!Number.isInteger(value)) return fail(option, `${show(raw)} is not a whole number`)
  const bad = checkBounds(option, value, show(raw))
  return bad ? fail(option, bad) : ok(value)
}

export const number: Parser<'number'> = (raw, option) => {
  const twice = typeof raw === 'string' ? oneWay(option, raw, raw) : undefined
  if (twice) return twice
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseDecimal(raw) : undefined
  if (value === undefined || !Number.isFinite(value)) return fail(option, `${show(raw)} is not a number`)
  const bad = checkBounds(option, value, show(raw))
  return bad ? fail(option, bad) : ok(value)
}
