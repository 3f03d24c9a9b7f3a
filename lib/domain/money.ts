/**
 * Money at the edge: a decimal amount a person typed becomes integer minor units of the
 * garage's currency (2 decimals for USD, 0 for JPY, 3 for KWD), and minor units become text
 * only for display. A currency named in the typed text ("€640", "640 EUR") must be the
 * garage's own: nothing is converted between currencies.
 */
import { invalid } from './invalid.ts'
import { DEFAULT_NUMBER_FORMAT, type NumberFormat } from './numbers.ts'
import { inFormat } from './text.ts'

const digitsOf = new Map<string, number>()

/** Decimal places of a currency's minor unit (ISO 4217, via Intl); remembered per currency. */
export function minorDigits(currency: string): number {
  let digits = digitsOf.get(currency)
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
    } catch {
      digits = 2
    }
    digitsOf.set(currency, digits)
  }
  return digits
}

/**
 * Symbols people type, and the currencies each may mean. `$` alone is ambiguous, so it is
 * accepted in any dollar-, peso- or real-like garage; `€` only in a EUR garage.
 */
const SYMBOLS: [RegExp, readonly string[]][] = [
  [/R\$/, ['BRL']],
  [/C\$|CA\$/, ['CAD']],
  [/A\$|AU\$/, ['AUD']],
  [/NZ\$/, ['NZD']],
  [/HK\$/, ['HKD']],
  [/S\$/, ['SGD']],
  [/US\$/, ['USD']],
  [
    /\$/,
    [
      'USD',
      'CAD',
      'AUD',
      'NZD',
      'HKD',
      'SGD',
      'MXN',
      'ARS',
      'CLP',
      'COP',
      'TWD',
      'BRL',
      'UYU',
      'JMD',
      'TTD',
      'BSD',
      'BBD',
      'BZD',
      'FJD',
      'LRD',
      'NAD',
      'SBD',
      'SRD',
      'XCD',
      'ZWL',
      'KYD',
      'BMD',
      'GYD',
      'BND',
      'CUP',
      'DOP',
    ],
  ],
  [/€/, ['EUR']],
  [/£/, ['GBP', 'EGP', 'GIP', 'FKP', 'SHP', 'LBP', 'SYP']],
  [/¥|円|元/, ['JPY', 'CNY']],
  [/₹/, ['INR']],
  [/₩/, ['KRW']],
  [/₽/, ['RUB']],
  [/₺/, ['TRY']],
  [/₪/, ['ILS']],
  [/₫/, ['VND']],
  [/฿/, ['THB']],
  [/₱/, ['PHP']],
  [/₴/, ['UAH']],
  [/₦/, ['NGN']],
  [/zł/i, ['PLN']],
  [/Kč/, ['CZK']],
  [/\bkr\b/i, ['SEK', 'NOK', 'DKK', 'ISK']],
  [/\bFt\b/, ['HUF']],
  [/\bFr\.?|\bCHF\b/, ['CHF']],
]

let isoCodes: Set<string> | undefined
const knownCodes = () => {
  isoCodes ??= new Set(Intl.supportedValuesOf('currency'))
  return isoCodes
}

/**
 * The currencies a typed amount names, or null when it names none. An ISO code in the text
 * ("640 EUR") is exact; a symbol gives every currency it may mean.
 */
export function currenciesNamed(text: string): { shown: string; currencies: readonly string[] } | null {
  for (const match of text.matchAll(/[A-Za-z]{3}/g)) {
    const code = match[0].toUpperCase()
    const bounded =
      !/[A-Za-z]/.test(text[match.index - 1] ?? '') && !/[A-Za-z]/.test(text[match.index + 3] ?? '')
    if (bounded && knownCodes().has(code)) return { shown: code, currencies: [code] }
  }
  for (const [pattern, currencies] of SYMBOLS) {
    const m = text.match(pattern)
    if (m) return { shown: m[0], currencies }
  }
  return null
}

/**
 * A typed amount in integer minor units of the garage currency. Refuses, naming the field,
 * an amount in another currency, one with more decimals than the currency has, a negative
 * amount (unless allowed) and one too large to keep exactly. `fractional` keeps fractions of
 * the minor unit (a fuel price of 1.899 a litre).
 */
export function toMinor(
  field: string,
  amount: { value: number; text?: string },
  currency: string,
  opts: { allowZero?: boolean; fractional?: boolean } = {},
): number {
  const text = amount.text ?? String(amount.value)
  const named = amount.text ? currenciesNamed(amount.text) : null
  if (named && !named.currencies.includes(currency)) {
    const which =
      named.currencies.length === 1
        ? `is in ${named.currencies[0]}`
        : `looks like ${named.currencies[0]} (${named.shown})`
    throw invalid(
      field,
      `"${text}" ${which}, but this garage keeps its money in ${currency}; enter the amount in ${currency} (change the garage currency with /garage settings currency:)`,
    )
  }
  const value = amount.value
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalid(field, `"${text}" is not an amount`)
  if (!Number.isFinite(value) || Math.abs(value) > 1e12) throw invalid(field, `"${text}" is too large`)
  if (value < 0) throw invalid(field, `cannot be negative (got "${text}")`)
  if (value === 0 && !opts.allowZero) throw invalid(field, `must be more than 0 (got "${text}")`)
  const digits = minorDigits(currency)
  const minor = value * 10 ** digits
  if (opts.fractional) return minor
  const rounded = Math.round(minor)
  if (Math.abs(minor - rounded) > 1e-6 * Math.max(1, Math.abs(minor))) {
    throw invalid(
      field,
      `"${text}" has more than ${digits} decimal${digits === 1 ? '' : 's'}, which ${currency} does not have`,
    )
  }
  return rounded
}

/** Minor units back to the decimal amount a person would type (4130 USD → 41.3). */
export const fromMinor = (minor: number, currency: string) => minor / 10 ** minorDigits(currency)

const formats = new Map<string, Intl.NumberFormat | null>()

/**
 * Minor units as the garage reads them ("$1,234.50", "¥12,000"; "$1.234,50" in a `1.234,5`
 * garage); `extraDigits` keeps up to that
 * many more decimals (a fuel price of $1.899). One Intl formatter per currency and precision,
 * made on first use: making one costs about 20 µs, far more than the read that shows it.
 */
export function formatMoney(
  minor: number,
  currency: string,
  extraDigits = 0,
  numbers: NumberFormat = DEFAULT_NUMBER_FORMAT,
): string {
  const digits = minorDigits(currency)
  const value = fromMinor(minor, currency)
  const key = `${currency}:${extraDigits}`
  let format = formats.get(key)
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits + extraDigits,
      })
    } catch {
      format = null
    }
    formats.set(key, format)
  }
  return inFormat(format ? format.format(value) : `${value.toFixed(digits)} ${currency}`, numbers)
}
