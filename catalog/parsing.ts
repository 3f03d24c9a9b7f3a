/**
 * What every option parser shares: the result, how a field's error is worded, how a raw value is
 * shown back, and numbers as people type them with the bounds an option sets.
 */
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
