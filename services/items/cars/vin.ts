/** Vehicle identification numbers: 17 characters, no I, O or Q, and the North-American check digit. */
import { clip } from '../../../lib/domain/text.ts'
import { badRequest, conflict } from '../../lib/http.ts'

const VIN_VALUES: Record<string, number> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
}
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]

/** The North-American check digit (position 9) a VIN should have. */
export function vinCheckDigit(vin: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const c = vin[i]!
    const v = /[0-9]/.test(c) ? Number(c) : (VIN_VALUES[c] ?? 0)
    sum += v * VIN_WEIGHTS[i]!
  }
  const r = sum % 11
  return r === 10 ? 'X' : String(r)
}

/**
 * A VIN upper-cased (empty clears it); a wrong check digit is a 409 asking for confirm, since
 * VINs from outside North America may not use one.
 */
export function checkVin(value: string, confirm: boolean): string | null {
  const vin = value.trim().toUpperCase()
  if (vin.length === 0) return null
  if (vin.length !== 17)
    throw badRequest('vin', `vin: a VIN has 17 characters ("${clip(vin, 40)}" has ${vin.length})`)
  if (/[IOQ]/.test(vin)) throw badRequest('vin', 'vin: a VIN never contains I, O or Q (did you mean 1 or 0?)')
  if (!/^[A-Z0-9]{17}$/.test(vin)) throw badRequest('vin', 'vin: only letters and digits')
  const expected = vinCheckDigit(vin)
  if (!confirm && vin[8] !== expected) {
    throw conflict(
      'confirm_vin',
      `vin: the check digit (9th character) is ${vin[8]} but ${expected} was expected; VINs from outside North America may not use one — add confirm:yes if ${vin} is right`,
      'vin',
    )
  }
  return vin
}
