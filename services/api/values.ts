/**
 * A quantity sent to the API as a person types it ("53,400 mi", "83 000 km", "11.2 gal") or as
 * a plain number, read as the chat reads it (lib/domain/numbers.ts): a number that reads two
 * ways ("83.000") is taken only where the garage's number format settles it, and refused with
 * a 422 naming the field otherwise, never silently taken as 83.
 */
import { InvalidValue } from '../../lib/domain/invalid.ts'
import { formatIn, type NumberFormat, readDigits, readIn } from '../../lib/domain/numbers.ts'

const DISTANCE_UNITS: Record<string, 'km' | 'mi' | 'h'> = {
  km: 'km', kms: 'km', kilometer: 'km', kilometers: 'km', kilometre: 'km', kilometres: 'km',
  mi: 'mi', mile: 'mi', miles: 'mi',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
}
const VOLUME_UNITS: Record<string, 'L' | 'gal' | 'impgal'> = {
  l: 'L', litre: 'L', litres: 'L', liter: 'L', liters: 'L',
  gal: 'gal', gallon: 'gal', gallons: 'gal', 'us gal': 'gal',
  impgal: 'impgal', 'imp gal': 'impgal', 'uk gal': 'impgal',
}

type Read = { value: number; unit: string | null; text: string }

function read(field: string, raw: number | string, format: NumberFormat, units: Record<string, string> | null, hint: string): Read {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < 0) throw new InvalidValue(field, `${field}: ${raw} is not a valid value; use e.g. ${hint}`)
    // Shown back as the garage writes numbers ("52,900"), as a typed value would be.
    return { value: raw, unit: null, text: formatIn(raw, format, 3) }
  }
  const text = raw.trim()
  const m = /^(.*?\d)\s*([A-Za-z][A-Za-z ]*)?$/.exec(text)
  const numberText = (m?.[1] ?? text).replace(/^[$€£¥]\s*/, '')
  const unitText = (m?.[2] ?? '').trim().toLowerCase().replace(/\s+/g, ' ')
  const unit = unitText === '' ? null : units ? (units[unitText] ?? undefined) : undefined
  if (unit === undefined)
    throw new InvalidValue(field, `${field}: "${text}" has an unknown unit "${unitText}"; use e.g. ${hint}`)
  const n = readDigits(numberText)
  if (!n) throw new InvalidValue(field, `${field}: "${text}" is not a number; use e.g. ${hint}`)
  let value = n.value
  if (n.readings && n.separator) {
    const settled = readIn(n.readings, n.separator, format)
    // As in the chat: the thousands reading where the garage groups with that separator; asked otherwise.
    if (settled !== undefined) value = settled
    else
      throw new InvalidValue(
        field,
        `${field}: "${text}" reads two ways (${n.readings[0]} or ${n.readings[1]}); write it without the separator, e.g. ${n.readings[1]}, or as a JSON number`,
      )
  }
  return { value, unit, text }
}

export const readDistance = (field: string, raw: number | string, format: NumberFormat) => {
  const r = read(field, raw, format, DISTANCE_UNITS, '"53,400 mi" or 86000')
  return { value: r.value, unit: r.unit as 'km' | 'mi' | 'h' | null, text: r.text }
}
export const readVolume = (field: string, raw: number | string, format: NumberFormat) => {
  const r = read(field, raw, format, VOLUME_UNITS, '"11.2 gal" or 42')
  if (r.value <= 0) throw new InvalidValue(field, `${field}: a fill-up of ${r.text} is nothing; give the volume bought`)
  return { value: r.value, unit: r.unit as 'L' | 'gal' | 'impgal' | null, text: r.text }
}
export const readMoney = (field: string, raw: number | string, format: NumberFormat) => {
  const r = read(field, raw, format, null, '"89.90" or 89.9')
  return { value: r.value, text: r.text }
}
