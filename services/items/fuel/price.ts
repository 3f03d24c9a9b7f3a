/**
 * What people type at a pump or a charger, read in the garage's number format and currency: a
 * price per unit ("1.899/L", "$3.45/gal", "0.30/kWh"), an amount of energy ("42 kWh") and a
 * state of charge ("20-80%"). A cost and a price given together must agree.
 */
import { formatMoney, toMinor } from '../../../lib/domain/money.ts'
import { type NumberFormat, readDigits, SEPARATORS } from '../../../lib/domain/numbers.ts'
import { clip, formatNumber } from '../../../lib/domain/text.ts'
import { badRequest } from '../../lib/http.ts'

export type PriceUnit = 'L' | 'gal' | 'impgal' | 'kWh'

const UNIT_WORDS: Readonly<Record<string, PriceUnit>> = {
  l: 'L',
  litre: 'L',
  liter: 'L',
  litres: 'L',
  liters: 'L',
  ltr: 'L',
  gal: 'gal',
  gallon: 'gal',
  usgal: 'gal',
  'gal(us)': 'gal',
  impgal: 'impgal',
  ukgal: 'impgal',
  'gal(uk)': 'impgal',
  kwh: 'kWh',
}

/** "/L", "/gal", "/gal (UK)", "/kWh": a unit as a price shows it. */
export const PER_LABEL: Readonly<Record<PriceUnit, string>> = {
  L: 'L',
  gal: 'gal',
  impgal: 'gal (UK)',
  kWh: 'kWh',
}

/** A number as typed in the garage's format; a two-way one ("1.899") is read the garage's way. */
function readNumber(text: string, numbers: NumberFormat): number | undefined {
  const r = readDigits(text)
  if (!r) return undefined
  if (!r.readings || !r.separator) return r.value
  return r.separator === SEPARATORS[numbers].group ? r.readings[1] : r.readings[0]
}

/**
 * `price_per` as typed: an amount in the garage currency per unit, the unit one of `units`
 * (without one, the first of them). The amount is in minor units and may carry a fraction.
 */
export function readUnitPrice(
  text: string,
  units: readonly PriceUnit[],
  currency: string,
  numbers: NumberFormat,
): { minor: number; unit: PriceUnit; text: string } {
  const typed = text.trim()
  const [amount, per] = typed.split(/\s*(?:\/|\bper\b)\s*/i, 2) as [string, string | undefined]
  const unit =
    per === undefined || per.trim() === '' ? units[0]! : UNIT_WORDS[per.toLowerCase().replace(/\s+/g, '')]
  const example = units[0] === 'kWh' ? '"0.30/kWh"' : '"1.899/L" or "3.45/gal"'
  if (!unit || !units.includes(unit))
    throw badRequest(
      'price_per',
      `price_per: "${clip(typed, 40)}" is not a price per ${units.map((u) => PER_LABEL[u]).join(', ')}; e.g. ${example}`,
    )
  const digits = amount.replace(/[^\d.,\s']/g, '').trim()
  const value = readNumber(digits, numbers)
  if (value === undefined)
    throw badRequest('price_per', `price_per: "${clip(typed, 40)}" has no price in it; e.g. ${example}`)
  const minor = toMinor('price_per', { value, text: amount }, currency, { fractional: true })
  return { minor, unit, text: typed }
}

/** A price per unit as shown: "$3.450/gal" (a tenth of a cent kept). */
export const priceText = (minor: number, unit: PriceUnit, currency: string, numbers: NumberFormat) =>
  `${formatMoney(minor, currency, 1, numbers)}/${PER_LABEL[unit]}`

/**
 * The total of `quantity` (in the price's unit) at a price, in whole minor units; refused when a
 * cost was given too and differs from it by more than a cent of rounding, naming both.
 */
export function settleCost(
  quantity: number,
  price: { minor: number; text: string },
  cost: { minor: number; text: string } | null,
  currency: string,
  numbers: NumberFormat,
  what: string,
): { minor: number; text: string } {
  const computed = Math.round(price.minor * quantity)
  if (cost === null) return { minor: computed, text: formatMoney(computed, currency, 0, numbers) }
  if (Math.abs(cost.minor - price.minor * quantity) > 1)
    throw badRequest(
      'cost',
      `cost: ${formatMoney(cost.minor, currency, 0, numbers)} and price_per: ${price.text} disagree: ${price.text} × ${what} is ${formatMoney(computed, currency, 0, numbers)}. Give one of them, or both as on the receipt`,
    )
  return cost
}

/** `energy` as typed: "42 kWh", "42kWh", "42" (kWh), "42000 Wh"; another unit is refused. */
export function readEnergy(text: string, numbers: NumberFormat): { kwh: number; text: string } {
  const typed = text.trim()
  const m = /^([\d.,\s']+?)\s*([a-zA-Z]*)$/.exec(typed)
  const unit = m?.[2]?.toLowerCase() ?? ''
  if (!m || !['', 'kwh', 'wh'].includes(unit))
    throw badRequest(
      'energy',
      `energy: "${clip(typed, 40)}" is not an amount of energy; give kWh, e.g. "42 kWh"`,
    )
  const value = readNumber(m[1]!.trim(), numbers)
  if (value === undefined || !(value > 0))
    throw badRequest('energy', `energy: must be more than 0 kWh (got "${clip(typed, 40)}")`)
  const kwh = unit === 'wh' ? value / 1000 : value
  if (kwh > 1000) throw badRequest('energy', `energy: ${clip(typed, 40)} is more than a car's battery takes`)
  return { kwh, text: unit === '' ? `${formatNumber(kwh, 3, 0, numbers)} kWh` : typed }
}

/** `soc` as typed: "20-80%", "20%–80%", "20 to 80"; each 0–100, the first below the second. */
export function readSoc(text: string): { from: number; to: number } {
  const typed = text.trim()
  const m = /^(\d{1,3}(?:[.,]\d+)?)\s*%?\s*(?:-|–|to)\s*(\d{1,3}(?:[.,]\d+)?)\s*%?$/i.exec(typed)
  if (!m)
    throw badRequest(
      'soc',
      `soc: "${clip(typed, 40)}" is not a state of charge before and after; e.g. "20-80%"`,
    )
  const from = Number(m[1]!.replace(',', '.'))
  const to = Number(m[2]!.replace(',', '.'))
  if (from > 100 || to > 100) throw badRequest('soc', `soc: ${typed} is outside 0–100%`)
  if (from >= to) throw badRequest('soc', `soc: ${typed} goes down; give it as before-after, e.g. "20-80%"`)
  return { from, to }
}
