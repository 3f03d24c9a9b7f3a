/**
 * Distances as people type them and as the garage reads them. The conversions and the unit of
 * a garage are lib/domain/units.ts; this keeps what was typed beside the value.
 */
import { convertDistance, convertMeter, distanceUnitOf, sameMeter, type Units } from '../../../lib/domain/units.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import { formatNumber } from '../../../lib/domain/text.ts'
import { badRequest } from '../../lib/http.ts'
import type { DistanceInput, MeterUnit, ThresholdInput } from './model.ts'

/** "52,000 mi": a distance in the garage's number format ("52.000 mi" in a `1.234,5` garage). */
export const formatDistance = (value: number, unit: string, numbers: NumberFormat) =>
  `${formatNumber(value, 1, 0, numbers)} ${unit}`

/**
 * A typed distance in the unit it was typed in (a bare number is in the garage's unit, or in
 * hours for a car on an hour meter), with its text as typed; a bare number is shown back with
 * the unit it was taken in ("52000" → "52000 mi", "83 000" → "83 000 km", "1250" → "1250 h").
 */
export function typedDistance(
  d: DistanceInput,
  units: Units,
  carUnit?: MeterUnit,
): { value: number; unit: MeterUnit; text: string } {
  const unit = d.unit ?? (carUnit === 'h' ? 'h' : distanceUnitOf(units))
  const typed = d.text?.trim()
  const text = typed && d.unit ? typed : `${typed || formatNumber(d.value)} ${unit}`
  return { value: d.value, unit, text }
}

/**
 * Refuses engine hours for a car whose meter counts distance, and a distance for one on an hour
 * meter, naming the way to switch the meter; nothing is converted between the two.
 */
export function checkMeter(field: string, text: string, typed: MeterUnit, carUnit: MeterUnit): void {
  if (sameMeter(typed, carUnit)) return
  throw badRequest(
    field,
    typed === 'h'
      ? `${field}: ${text} is engine hours, but this car's meter counts distance (${carUnit}); for an hour meter use /car edit meter:hours (only while it has no readings)`
      : `${field}: ${text} is a distance, but this car runs on an hour meter; give engine hours, e.g. "1,250 h", or use /car edit meter:distance (only while it has no readings)`,
  )
}

/** A typed distance (or engine hours) in the car's unit, with its text as typed. */
export function inCarUnit(
  field: string,
  d: DistanceInput,
  carUnit: MeterUnit,
  units: Units,
): { value: number; text: string } {
  if (!Number.isFinite(d.value) || d.value < 0)
    throw badRequest(field, `${field}: must be a distance of 0 or more`)
  const typed = typedDistance(d, units, carUnit)
  checkMeter(field, typed.text, typed.unit, carUnit)
  return { value: convertMeter(typed.value, typed.unit, carUnit), text: typed.text }
}

/**
 * An urgency threshold as typed: days, a distance (in km, as thresholds are stored) or both;
 * refuses one with neither, or a distance beyond any service interval.
 */
export function typedThreshold(
  field: string,
  input: ThresholdInput,
  units: Units,
  numbers: NumberFormat,
): { days: number | null; km: number | null } {
  if (input.days === undefined && input.distance === undefined) {
    throw badRequest(field, `${field}: give days, a distance or both, e.g. "30 d, 500 mi"`)
  }
  let km: number | null = null
  if (input.distance) {
    if (input.distance.unit === 'h')
      throw badRequest(field, `${field}: thresholds are days or a distance; an hour-meter car's items are urgent by days`)
    const unit = input.distance.unit ?? distanceUnitOf(units)
    km = convertDistance(input.distance.value, unit, 'km')
    if (!Number.isFinite(km) || km < 0) throw badRequest(field, `${field}: the distance must be 0 or more`)
    if (km > 100_000)
      throw badRequest(field, `${field}: ${formatDistance(input.distance.value, unit, numbers)} is too far ahead`)
  }
  const days = input.days ?? null
  if (days !== null && (!Number.isInteger(days) || days < 0 || days > 3650)) {
    throw badRequest(field, `${field}: days must be 0-3650`)
  }
  return { days, km }
}
