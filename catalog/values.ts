/**
 * One parser per option type (see `OptionType` in command.ts), shared by every platform.
 * Text from the terminal, Slack or a modal and values Discord delivers already typed (numbers
 * arrive as numbers, attachments as objects) go through the same function, so a value is
 * checked the same way wherever it was typed. Every error names the field and says what is
 * expected, e.g. `odometer: "abc" is not a distance; use e.g. 52,000 mi or 83 000 km`.
 */
import type { Attachment, Distance, Option, OptionType, ValueOf, Volume } from './command.ts'

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string }

type Parser<K extends OptionType> = (raw: unknown, option: Option) => ParseResult<ValueOf<K>>

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value })
const fail = (option: Option, message: string): { ok: false; error: string } => ({
  ok: false,
  error: `${option.name}: ${message}`,
})

/** How a raw value is shown back in an error: quoted text, or the JSON of a typed value. */
const show = (raw: unknown) =>
  typeof raw === 'string' ? JSON.stringify(raw) : (JSON.stringify(raw) ?? String(raw))

/** Largest magnitudes accepted when an option sets no `max` (keeps money in safe integer minor units). */
const SANE_MAX: Partial<Record<OptionType, number>> = {
  distance: 100_000_000,
  volume: 1_000_000,
  money: 1_000_000_000_000,
  integer: Number.MAX_SAFE_INTEGER,
  number: 1e15,
}

const SPACES = /[\s\u00a0\u202f\u2009']/g

/**
 * A plain decimal number as people type it: `52,000`, `83 000`, `1'000`, `52000.5`, `11,2`
 * (decimal comma), `1.234.567,8`, `5k`. Signs are kept; exponents, NaN and Infinity are not
 * numbers here. Returns undefined when the text is not a number.
 */
export function parseDecimal(text: string): number | undefined {
  let s = text.trim()
  let sign = 1
  if (s.startsWith('-') || s.startsWith('\u2212')) {
    sign = -1
    s = s.slice(1).trim()
  } else if (s.startsWith('+')) s = s.slice(1).trim()
  let factor = 1
  const suffix = /^(.*\d)\s*([kK])$/.exec(s)
  if (suffix) {
    factor = 1000
    s = suffix[1]!
  }
  // Group separators typed as spaces (83 000, 83 000 with a no-break space) or apostrophes (1'000).
  if (/^\d{1,3}([\s\u00a0\u202f\u2009']\d{3})+([.,]\d+)?$/.test(s)) s = s.replace(SPACES, '')
  let normal: string
  if (/^\d+(\.\d+)?$/.test(s)) normal = s
  else if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) normal = s.replace(/,/g, '')
  else if (/^\d{1,3}(\.\d{3}){2,}(,\d+)?$/.test(s) || /^\d{1,3}(\.\d{3})+,\d+$/.test(s))
    normal = s.replace(/\./g, '').replace(',', '.')
  else if (/^\d+,\d{1,2}$/.test(s)) normal = s.replace(',', '.')
  else if (/^\.\d+$/.test(s)) normal = `0${s}`
  else return undefined
  const value = sign * Number(normal) * factor
  return Number.isFinite(value) ? value : undefined
}

function checkBounds(option: Option, value: number, shown: string, unit = ''): string | undefined {
  const max = option.max ?? SANE_MAX[option.type]
  if (option.min !== undefined && value < option.min)
    return `${shown} is too small; the smallest accepted is ${option.min}${unit}`
  if (max !== undefined && value > max) return `${shown} is too large; the largest accepted is ${max}${unit}`
  return undefined
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

/** Text of a raw value, or undefined when it is neither text nor a number. */
function textOf(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim()
  if (typeof raw === 'number') return String(raw)
  return undefined
}

function measured<U extends string>(
  kind: 'distance' | 'volume',
  units: Record<string, U>,
  hint: string,
): (raw: unknown, option: Option) => ParseResult<{ value: number; unit: U | null; text: string }> {
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
    const value = parseDecimal(number)
    const u = unit === '' ? null : units[unit]
    if (value === undefined || u === undefined)
      return fail(
        option,
        u === undefined && value !== undefined
          ? `${show(text)} has an unknown unit "${unit}"; use e.g. ${hint}`
          : `${show(text)} is not a ${kind}; use e.g. ${hint}`,
      )
    if (value < 0) return fail(option, `${show(text)} is negative; a ${kind} cannot be below 0`)
    const bad = checkBounds(option, value, show(text))
    return bad ? fail(option, bad) : ok({ value, unit: u, text })
  }
}

const distance = measured('distance', DISTANCE_UNITS, '52,000 mi or 83 000 km')
const volume = measured('volume', VOLUME_UNITS, '11.2 gal or 42 L')

const CURRENCY = /^(?:[$€£¥₹₩₽₺₪฿₫₱]|[A-Z]{3}|[A-Z]{1,2}\$)\s*|\s*(?:[$€£¥₹₩₽₺₪฿₫₱]|[A-Za-z]{3})$/

const money: Parser<'money'> = (raw, option) => {
  const hint = '89.90 or $1,200.50'
  let value: number | undefined
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
      const n = parseDecimal(s)
      value = n === undefined ? undefined : negative ? -n : n
    }
    const decimals = /[.,](\d+)$/.exec(s)?.[1]
    if (value !== undefined && decimals && decimals.length > 3 && !/^\d{1,3}(,\d{3})+$/.test(s))
      return fail(option, `${show(text)} has too many decimals; use e.g. ${hint}`)
  }
  if (value === undefined) return fail(option, `${show(text)} is not an amount of money; use e.g. ${hint}`)
  if (value < 0 && (option.min ?? -Infinity) >= 0)
    return fail(option, `${show(text)} is negative; an amount here cannot be below 0`)
  const bad = checkBounds(option, value, show(text))
  return bad ? fail(option, bad) : ok({ value, text })
}

const percent: Parser<'percent'> = (raw, option) => {
  const text = textOf(raw)
  const hint = '8.25%'
  if (!text) return fail(option, `no percentage given; use e.g. ${hint}`)
  const value = parseDecimal(text.replace(/\s*%$/, ''))
  if (value === undefined) return fail(option, `${show(raw)} is not a percentage; use e.g. ${hint}`)
  const bounded = { ...option, min: option.min ?? 0, max: option.max ?? 100 }
  const bad = checkBounds(bounded, value, show(raw), '%')
  return bad ? fail(option, bad) : ok(value)
}

const economy: Parser<'economy'> = (raw, option) => {
  const hint = '6.5 L/100km or 34 mpg'
  const text = textOf(raw)
  if (!text) return fail(option, `no fuel economy given; use e.g. ${hint}`)
  const { number, unit } = splitUnit(text)
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

const period: Parser<'period'> = (raw, option) => {
  const hint = '90d, 12m or 1y'
  const text = textOf(raw)
  if (!text) return fail(option, `no period given; use e.g. ${hint}`)
  const days = periodDays(text)
  if (days === undefined) return fail(option, `${show(text)} is not a period; use e.g. ${hint}`)
  if (days < 1) return fail(option, `${show(text)} is shorter than a day; use e.g. ${hint}`)
  if (days > 36_500) return fail(option, `${show(text)} is longer than 100 years`)
  return ok({ days, text })
}

const threshold: Parser<'threshold'> = (raw, option) => {
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

const date: Parser<'date'> = (raw, option) => {
  const text = textOf(raw)
  const m = text ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) : null
  if (!text || !m) return fail(option, `${show(raw)} is not a date; use YYYY-MM-DD, e.g. 2024-03-15`)
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const probe = new Date(Date.UTC(y, mo - 1, d))
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d)
    return fail(option, `${show(text)} is not a calendar date`)
  if (y < 1886 || y > 2200) return fail(option, `${show(text)} is outside the years 1886-2200`)
  return ok(text)
}

const YES = new Set(['yes', 'y', 'true', 'on', '1'])
const NO = new Set(['no', 'n', 'false', 'off', '0'])

const boolean: Parser<'boolean'> = (raw, option) => {
  if (typeof raw === 'boolean') return ok(raw)
  const text = textOf(raw)?.toLowerCase()
  if (text !== undefined && YES.has(text)) return ok(true)
  if (text !== undefined && NO.has(text)) return ok(false)
  return fail(option, `${show(raw)} is not yes or no`)
}

const integer: Parser<'integer'> = (raw, option) => {
  const text = typeof raw === 'number' ? String(raw) : textOf(raw)
  const value = typeof raw === 'number' ? raw : text ? parseDecimal(text) : undefined
  if (value === undefined || !Number.isFinite(value))
    return fail(option, `${show(raw)} is not a whole number`)
  if (!Number.isInteger(value)) return fail(option, `${show(raw)} is not a whole number`)
  const bad = checkBounds(option, value, show(raw))
  return bad ? fail(option, bad) : ok(value)
}

const number: Parser<'number'> = (raw, option) => {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseDecimal(raw) : undefined
  if (value === undefined || !Number.isFinite(value)) return fail(option, `${show(raw)} is not a number`)
  const bad = checkBounds(option, value, show(raw))
  return bad ? fail(option, bad) : ok(value)
}

const string: Parser<'string'> = (raw, option) => {
  if (typeof raw !== 'string') return fail(option, `${show(raw)} is not text`)
  const text = raw.trim()
  if (text === '') return fail(option, 'is empty; give a value')
  if (option.choices) {
    const choice = option.choices.find((c) => c.toLowerCase() === text.toLowerCase())
    if (!choice) return fail(option, `${show(text)} is not one of ${option.choices.join(', ')}`)
    return ok(choice)
  }
  const length = [...text].length
  if (option.maxLength !== undefined && length > option.maxLength)
    return fail(option, `is ${length} characters long; at most ${option.maxLength} are allowed`)
  return ok(text)
}

const car: Parser<'car'> = (raw, option) => {
  if (typeof raw !== 'string' || raw.trim() === '') return fail(option, 'give a car nickname, e.g. corolla')
  const text = raw.trim()
  const length = [...text].length
  const max = option.maxLength ?? 100
  if (length > max) return fail(option, `is ${length} characters long; a car nickname has at most ${max}`)
  return ok(text)
}

const issue: Parser<'issue'> = (raw, option) => {
  const text = typeof raw === 'number' ? String(raw) : textOf(raw)
  const m = text ? /^#?\s*(\d{1,9})$/.exec(text) : null
  const n = m ? Number(m[1]) : 0
  if (!m || n < 1) return fail(option, `${show(raw)} is not an issue number; use e.g. 12 or #12`)
  return ok(n)
}

const channel: Parser<'channel'> = (raw, option) => {
  const text = textOf(raw)
  const hint = 'pick the channel so it becomes a mention like <#C0123ABCD> (or give its id)'
  if (!text) return fail(option, `no channel given; ${hint}`)
  const mention = /^<#([A-Za-z0-9]{1,30})(?:\|[^>]*)?>$/.exec(text)
  if (mention) return ok(mention[1]!)
  if (/^[A-Za-z0-9_.-]{1,80}$/.test(text)) return ok(text)
  return fail(option, `${show(text)} is not a channel; ${hint}`)
}

const attachment: Parser<'attachment'> = (raw, option) => {
  if (raw && typeof raw === 'object') {
    const a = raw as Partial<Attachment>
    if (
      typeof a.url === 'string' &&
      /^https?:\/\//.test(a.url) &&
      typeof a.filename === 'string' &&
      typeof a.size === 'number' &&
      Number.isInteger(a.size) &&
      a.size >= 0
    ) {
      return ok({
        url: a.url,
        filename: a.filename,
        size: a.size,
        ...(typeof a.contentType === 'string' ? { contentType: a.contentType } : {}),
      })
    }
    return fail(option, 'the attached file is missing its url, name or size')
  }
  return fail(option, 'attach a file (files cannot be typed as text)')
}

/** The parser of each option type. */
export const parsers: { [K in OptionType]: Parser<K> } = {
  string,
  integer,
  number,
  boolean,
  date,
  distance: distance as Parser<'distance'>,
  volume: volume as Parser<'volume'>,
  money,
  percent,
  economy,
  threshold,
  period,
  car,
  issue,
  channel,
  attachment,
}

/** Parses one option's value (text or an already-typed value) into its payload shape. */
export function parseValue(option: Option, raw: unknown): ParseResult<unknown> {
  const parser = parsers[option.type] as Parser<OptionType> | undefined
  if (!parser) return fail(option, `has an unknown type ${option.type}`)
  return parser(raw, option)
}

/** What a value of each type looks like, for help text and forms. */
export const TYPE_HINTS: Record<OptionType, string> = {
  string: 'text',
  integer: 'whole number',
  number: 'number',
  boolean: 'yes/no',
  date: 'YYYY-MM-DD',
  distance: 'distance, e.g. 52,000 mi',
  volume: 'volume, e.g. 42 L',
  money: 'amount, e.g. 89.90',
  percent: 'percent, e.g. 8.25%',
  economy: 'economy, e.g. 6.5 L/100km',
  threshold: 'threshold, e.g. 30 d, 500 mi',
  period: 'period, e.g. 12m',
  car: 'car nickname',
  issue: 'issue number, e.g. #12',
  channel: 'channel',
  attachment: 'file',
}
