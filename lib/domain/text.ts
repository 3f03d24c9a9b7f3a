/** Small rules of how Car Manager writes things: cut text, count things, write numbers. */
import { DEFAULT_NUMBER_FORMAT, type NumberFormat, SEPARATORS } from './numbers.ts'

/** `text` cut to at most `max` characters, the cut marked with an ellipsis. */
export const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

/**
 * "1 reading", "3 readings", "12 345 fill-ups"; `many` for words that do not just take an s. A
 * count is grouped with a narrow no-break space, which reads one way in every number format
 * (a comma or a full stop would be a decimal separator in some garage).
 */
export const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US').replace(/,/g, '\u202f')} ${n === 1 ? one : many}`

const formats = new Map<string, Intl.NumberFormat>()

/**
 * Digits written the `1,234.5` way rewritten in a garage's format: `52,000.5` is `52.000,5` in a
 * `1.234,5` garage and `52 000,5` (no-break space) in a `1 234,5` one. Only a separator between
 * two digits changes, so a currency symbol, a sign or the full stop of a sentence stays as it is.
 */
export function inFormat(text: string, numbers: NumberFormat): string {
  if (numbers === DEFAULT_NUMBER_FORMAT) return text
  const { group, decimal } = SEPARATORS[numbers]
  const g = group === ' ' ? '\u00a0' : group
  return text.replace(/(?<=\d)[,.](?=\d)/g, (c) => (c === ',' ? g : decimal))
}

/**
 * A number as the garage reads it ("52,000", "6.5"; "52.000", "6,5" in a `1.234,5` garage):
 * grouped, at most `maxDigits` decimals.
 */
export function formatNumber(value: number, maxDigits = 1, minDigits = 0, numbers: NumberFormat = DEFAULT_NUMBER_FORMAT): string {
  const key = `${maxDigits}:${minDigits}`
  let f = formats.get(key)
  if (!f) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: maxDigits, minimumFractionDigits: minDigits })
    formats.set(key, f)
  }
  return inFormat(f.format(value), numbers)
}
