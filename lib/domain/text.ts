/** Small rules of how Car Manager writes things: cut text, count things, write numbers. */

/** `text` cut to at most `max` characters, the cut marked with an ellipsis. */
export const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

/** "1 reading", "3 readings"; `many` for words that do not just take an s. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

const formats = new Map<string, Intl.NumberFormat>()

/** A number as the garage reads it ("52,000", "6.5"): grouped, at most `maxDigits` decimals. */
export function formatNumber(value: number, maxDigits = 1, minDigits = 0): string {
  const key = `${maxDigits}:${minDigits}`
  let f = formats.get(key)
  if (!f) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: maxDigits, minimumFractionDigits: minDigits })
    formats.set(key, f)
  }
  return f.format(value)
}
