/**
 * What every option parser shares: the result, how a field's error is worded, how a raw value is
 * shown back, and numbers as people type them with the bounds an option sets.
 */
import {
  DEFAULT_NUMBER_FORMAT,
  formatIn,
  type ReadNumber,
  readDigits,
  typedIn,
} from '../lib/domain/numbers.ts'
import type { Option, OptionType, ValueOf } from './command.ts'

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string }

export type Parser<K extends OptionType> = (raw: unknown, option: Option) => ParseResult<ValueOf<K>>

export const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value })
export const fail = (option: Option, message: string): { ok: false; error: string } => ({
  ok: false,
  error: `${option.name}: ${message}`,
})

/** How a raw value is shown back in an error: quoted text, or the JSON of a typed value. */
export const show = (raw: unknown) =>
  typeof raw === 'string' ? JSON.stringify(raw) : (JSON.stringify(raw) ?? String(raw))

/** Largest magnitudes accepted when an option sets no `max` (keeps money in safe integer minor units). */
const SANE_MAX: Partial<Record<OptionType, number>> = {
  distance: 100_000_000,
  volume: 1_000_000,
  money: 1_000_000_000_000,
  integer: Number.MAX_SAFE_INTEGER,
  number: 1e15,
}

/**
 * A plain decimal number as people type it: `52,000`, `83 000`, `1'000`, `52000.5`, `11,2`
 * (decimal comma), `1.234.567,8`, `5k`. Signs are kept; exponents, NaN and Infinity are not
 * numbers here. `readings` is set when it reads two ways (`83.000`, `52,000`: see
 * lib/domain/numbers.ts), `value` being then the default format's reading; `k` says a thousands
 * suffix was used. Undefined when the text is not a number.
 */
export function readNumber(text: string): (ReadNumber & { k: boolean }) | undefined {
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
  const read = readDigits(s)
  if (!read) return undefined
  const value = sign * read.value * factor
  if (!Number.isFinite(value)) return undefined
  const k = factor !== 1
  if (!read.readings) return { value, k }
  const readings: [number, number] = [sign * read.readings[0] * factor, sign * read.readings[1] * factor]
  return { value, readings, separator: read.separator, k }
}

/** The number `readNumber` reads (the default format's reading of a two-way number). */
export const parseDecimal = (text: string): number | undefined => readNumber(text)?.value

/** "reads as 1.5 or 1,500; type 1.5 or 1500", the refusal of a two-way number no garage can settle. */
export const twoWayHint = (readings: readonly [number, number], unit = '') =>
  `reads as ${formatIn(readings[0], DEFAULT_NUMBER_FORMAT, 3)}${unit} or ${formatIn(readings[1], DEFAULT_NUMBER_FORMAT, 3)}${unit}; type ${typedIn(readings[0], DEFAULT_NUMBER_FORMAT)}${unit} or ${typedIn(readings[1], DEFAULT_NUMBER_FORMAT)}${unit}`

export function checkBounds(option: Option, value: number, shown: string, unit = ''): string | undefined {
  const max = option.max ?? SANE_MAX[option.type]
  if (option.min !== undefined && value < option.min)
    return `${shown} is too small; the smallest accepted is ${option.min}${unit}`
  if (max !== undefined && value > max) return `${shown} is too large; the largest accepted is ${max}${unit}`
  return undefined
}

/** Text of a raw value, or undefined when it is neither text nor a number. */
export function textOf(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.trim()
  if (typeof raw === 'number') return String(raw)
  return undefined
}
