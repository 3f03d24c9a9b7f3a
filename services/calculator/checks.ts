/** The calculator's checks of what a person gave: positive numbers, and figures that stay finite. */
import { invalid } from '../../lib/domain/invalid.ts'

/** A strictly positive, finite number, or a 422 that names the field. */
export function positive(field: string, value: number, shown?: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalid(field, 'is not a number')
  if (!Number.isFinite(value)) throw invalid(field, `${shown ?? value} is too large`)
  if (value === 0) throw invalid(field, `must be more than 0 (got ${shown ?? value})`)
  if (value < 0) throw invalid(field, `cannot be negative (got ${shown ?? value})`)
  return value
}

export const TOO_EXTREME = 'is too large or too small to calculate with'

/**
 * A figure worked out from what a person gave, when it is a number JSON can carry; values so
 * large or small that it overflows are refused, naming the field they came from.
 */
export function figure(field: string, value: number): number {
  if (!Number.isFinite(value)) throw invalid(field, TOO_EXTREME)
  return value
}

