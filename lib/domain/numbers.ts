/**
 * Number formats: how a garage writes numbers, how a typed number is read, and which typed
 * numbers read two ways. A number whose only separator is one `.` or `,` followed by exactly
 * three digits (`83.000`, `52,000`) is a decimal in one format and a thousands group in
 * another; every other form reads one way in every garage.
 */

/** The formats a garage can choose; the first is the default. */
export const NUMBER_FORMATS = ['1,234.5', '1.234,5', '1 234,5'] as const
export type NumberFormat = (typeof NUMBER_FORMATS)[number]
export const DEFAULT_NUMBER_FORMAT: NumberFormat = '1,234.5'

/** The group and decimal separators of a format. */
export const SEPARATORS: Readonly<Record<NumberFormat, { group: string; decimal: string }>> = {
  '1,234.5': { group: ',', decimal: '.' },
  '1.234,5': { group: '.', decimal: ',' },
  '1 234,5': { group: ' ', decimal: ',' },
}

export const isNumberFormat = (s: unknown): s is NumberFormat =>
  typeof s === 'string' && (NUMBER_FORMATS as readonly string[]).includes(s)

/**
 * A number read from text, before the garage is known. `readings` is set when it reads two ways:
 * `[decimal, thousands]` (the separator taken as a decimal point, then as a thousands group);
 * `value` is then the reading of the default format, and `separator` the one typed.
 */
export type ReadNumber = { value: number; readings?: [number, number]; separator?: '.' | ',' }

const SPACES = /[\s\u00a0\u202f\u2009']/g

/**
 * Reads the digits and separators of a number (no sign, no suffix): `52,000.5`, `1.234,5`,
 * `83 000`, `1 234,5`, `11,2`, `52000.5`, `.5`; undefined when it is not a number.
 */
export function readDigits(text: string): ReadNumber | undefined {
  let s = text
  // Spaces or apostrophes group thousands; then the one separator left is the decimal one.
  if (/^\d{1,3}([\s\u00a0\u202f\u2009']\d{3})+([.,]\d+)?$/.test(s)) {
    s = s.replace(SPACES, '').replace(',', '.')
    return { value: Number(s) }
  }
  if (/^\d+$/.test(s)) return { value: Number(s) }
  const one = /^(\d+)([.,])(\d+)$/.exec(s)
  if (one) {
    const [, whole, sep, frac] = one as unknown as [string, string, '.' | ',', string]
    const decimal = Number(`${whole}.${frac}`)
    if (frac.length === 3 && /^[1-9]\d{0,2}$/.test(whole)) {
      const thousands = Number(`${whole}${frac}`)
      return { value: sep === '.' ? decimal : thousands, readings: [decimal, thousands], separator: sep }
    }
    // One comma and three digits after a longer whole part ("1234,567") or any other count of
    // digits ("11,2", "52000.5") is a decimal in every format.
    return { value: decimal }
  }
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) return { value: Number(s.replace(/,/g, '')) }
  if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(s)) return { value: Number(s.replace(/\./g, '').replace(',', '.')) }
  if (/^\.\d+$/.test(s)) return { value: Number(`0${s}`) }
  return undefined
}

/**
 * The reading of a two-way number in a garage's format: the thousands reading where the typed
 * separator is the garage's group separator; undefined (ask) where it is its decimal separator.
 * A format whose group is a space has no `.` group: a `.` there reads as a decimal… which is
 * not its decimal separator either, so it is asked about too.
 */
export function readIn(
  readings: readonly [number, number],
  separator: '.' | ',',
  format: NumberFormat,
): number | undefined {
  const { group } = SEPARATORS[format]
  return separator === group ? readings[1] : undefined
}

/** The separator of a two-way reading pair given the default-format value it came with. */
export const separatorOf = (value: number, readings: readonly [number, number]): '.' | ',' =>
  value === readings[0] ? '.' : ','

const grouped = new Map<number, Intl.NumberFormat>()

/** A number written in a garage's format: grouped, at most `maxDigits` decimals. */
export function formatIn(value: number, format: NumberFormat, maxDigits = 2): string {
  let f = grouped.get(maxDigits)
  if (!f) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: maxDigits })
    grouped.set(maxDigits, f)
  }
  const { group, decimal } = SEPARATORS[format]
  return f.format(value).replace(/[,.]/g, (c) => (c === ',' ? group : decimal))
}

/** A number as it is typed in a garage's format: no groups, the garage's decimal separator. */
export function typedIn(value: number, format: NumberFormat, maxDigits = 3): string {
  const rounded = Math.round(value * 10 ** maxDigits) / 10 ** maxDigits
  return String(rounded).replace('.', SEPARATORS[format].decimal)
}
