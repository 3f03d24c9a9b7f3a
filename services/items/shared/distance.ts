/**
 * Distances as people type them and as the garage reads them. The conversions and the unit of
 * a garage are lib/domain/units.ts; this keeps what was typed beside the value.
 */
import { convertDistance, distanceUnitOf, type Units } from '../../../lib/domain/units.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import { formatNumber } from '../../../lib/domain/text.ts'
import { badRequest } from '../../lib/http.ts'
import type { DistanceInput, DistanceUnit, ThresholdInput } from './model.ts'

/** "52,000 mi": a distance in the garage's number format ("52.000 mi" in a `1.234,5` garage). */
export const formatDistance = (value: number, unit: string, numbers: NumberFormat) =>
  `${formatNumber(value, 1, 0, numbers)} ${unit}`

/**
 * A typed distance in the unit it was typed in (a bare number is in the garage's unit), with
 * its text as typed; a bare number is shown back with the unit it was taken in ("52000" →
 * "52000 mi", "83 000" → "83 000 km").
 */
export function typedDistance(
  d: DistanceInput,
  units: Units,
): { value: number; unit: DistanceUnit; text: string } {
  const unit = d.unit ?? distanceUnitOf(units)
  const typed = d.text?.trim()
  const text = typed && d.unit ? typed : `${typed || formatNumber(d.value)} ${unit}`
  return { value: d.value, unit, text }
}

/** A typed distance in the car's unit, with its text as typed. */
export function inCarUnit(
  field: string,
  d: DistanceInput,
  carUnit: DistanceUnit,
  units: Units,
): { value: number; text: string } {
  if (!Number.isFinite(d.value) || d.value < 0)
    throw badRequest(field, `${field}: must be a distance of 0 or more`)
  const typed = typedDistance(d, units)
  return { value: convertDistance(typed.value, typed.unit, carUnit), text: typed.text }
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
