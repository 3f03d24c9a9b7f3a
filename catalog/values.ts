/**
 * One parser per option type (see `OptionType` in command.ts), shared by every platform.
 * Text from the terminal, Slack or a modal and values Discord delivers already typed (numbers
 * arrive as numbers, attachments as objects) go through the same function, so a value is
 * checked the same way wherever it was typed. Every error names the field and says what is
 * expected, e.g. `odometer: "abc" is not a distance; use e.g. 52,000 mi or 83 000 km`.
 * The parsers of numbers and amounts (distance, volume, money, …) are in quantities.ts, what every parser
 * shares in parsing.ts; this file has the others and the registry.
 */
import { FIRST_CAR_YEAR } from '../lib/domain/car.ts'
import { isDate, SLASHED_DATE, slashedReadings } from '../lib/domain/dates.ts'
import type { Attachment, Option, OptionType } from './command.ts'
import { fail, ok, type ParseResult, type Parser, show, textOf } from './parsing.ts'
import {
  distance,
  economy,
  integer,
  money,
  number,
  percent,
  period,
  threshold,
  volume,
} from './quantities.ts'

export { type ParseResult, parseDecimal } from './parsing.ts'

/** Latest year a date option takes; the service that stores a date judges it against its own today. */
const LAST_DATE_YEAR = 2200

/** Days before today a relative date means ("today" 0, "yesterday" 1, "3 days ago" 3); undefined otherwise. */
function daysAgo(text: string): number | undefined {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ')
  if (t === 'today') return 0
  if (t === 'yesterday') return 1
  const m = /^(\d{1,5}) days? ago$/.exec(t)
  return m ? Number(m[1]) : undefined
}

const date: Parser<'date'> = (raw, option) => {
  const text = textOf(raw)
  const ago = text === undefined ? undefined : daysAgo(text)
  if (ago !== undefined) {
    if (ago > 36_500) return fail(option, `${show(text)} is more than 100 years ago`)
    // The garage's today is known only to the worker, which settles it (catalog/two-way.ts).
    return ok(`today-${ago}`)
  }
  const slashed = text === undefined ? null : SLASHED_DATE.exec(text)
  if (slashed) {
    // Day or month first is the garage's to say: the worker reads it in the garage's order.
    const [, a, b, y] = slashed as unknown as [string, string, string, string]
    const year = Number(y)
    if (year < FIRST_CAR_YEAR || year > LAST_DATE_YEAR)
      return fail(option, `${show(text)} is outside the years ${FIRST_CAR_YEAR}-${LAST_DATE_YEAR}`)
    const r = slashedReadings(text!)
    if (!r?.dayFirst && !r?.monthFirst) return fail(option, `${show(text)} is not a calendar date`)
    return ok(`${Number(a)}/${Number(b)}/${y}`)
  }
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text))
    return fail(
      option,
      `${show(raw)} is not a date; use YYYY-MM-DD (e.g. 2024-03-15), DD/MM/YYYY or MM/DD/YYYY as the garage writes dates, today, yesterday or 3 days ago`,
    )
  if (!isDate(text)) return fail(option, `${show(text)} is not a calendar date`)
  const year = Number(text.slice(0, 4))
  if (year < FIRST_CAR_YEAR || year > LAST_DATE_YEAR)
    return fail(option, `${show(text)} is outside the years ${FIRST_CAR_YEAR}-${LAST_DATE_YEAR}`)
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

/**
 * A Discord role (Discord delivers its id) or a Slack user group (the text has its mention,
 * `<!subteam^S0123|@drivers>`); a bare id is taken as it is (the terminal chat).
 */
const role: Parser<'role'> = (raw, option) => {
  const text = textOf(raw)
  const hint = 'pick a role (Discord) or mention a user group like @drivers (Slack)'
  if (!text) return fail(option, `no role given; ${hint}`)
  const mention = /^<(?:@&|!subteam\^)([A-Za-z0-9]{1,30})(?:\|[^>]*)?>$/.exec(text)
  if (mention) return ok(mention[1]!)
  if (/^[A-Za-z0-9]{1,30}$/.test(text)) return ok(text)
  return fail(option, `${show(text)} is not a role or user group; ${hint}`)
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
  role,
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
  date: 'YYYY-MM-DD, 15/3/2024 or 3 days ago',
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
  role: 'role or user group',
}
