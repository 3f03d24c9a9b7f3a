/**
 * The rules of a car's own fields, defined once: the catalog's options take their limits from
 * here (a test holds them equal) and the items service checks stored values with these
 * functions, so what chat accepts and what the garage stores cannot drift apart.
 */
import { invalid } from './invalid.ts'
import { clip, plural } from './text.ts'

/** The first car (Benz Patent-Motorwagen): no model year or record date is earlier. */
export const FIRST_CAR_YEAR = 1886
/** Makers sell next year's model from this year on; one more year is allowed for pre-orders. */
export const MODEL_YEARS_AHEAD = 2

/** Longest value of each text field of a car, in characters. */
export const CAR_TEXT_LIMITS = { nickname: 32, make: 60, model: 60, plate: 20, vin: 17 } as const
export type CarTextField = keyof typeof CAR_TEXT_LIMITS

/** The latest model year a car can have at `now`. */
export const maxModelYear = (now: Date) => now.getUTCFullYear() + MODEL_YEARS_AHEAD

export function checkYear(year: number, now: Date): number {
  const max = maxModelYear(now)
  if (!Number.isSafeInteger(year) || year < FIRST_CAR_YEAR || year > max) {
    throw invalid('year', `${year} is not a model year; use ${FIRST_CAR_YEAR}-${max}`)
  }
  return year
}

const NICKNAME = new RegExp(`^[\\p{L}\\p{N}_-]{1,${CAR_TEXT_LIMITS.nickname}}$`, 'u')

/** A nickname: one word of letters, digits, - and _, at most 32 characters. */
export function checkNickname(value: string): string {
  const nickname = value.trim()
  const max = CAR_TEXT_LIMITS.nickname
  if (nickname.length === 0) throw invalid('nickname', 'give the car a short name, e.g. corolla')
  if ([...nickname].length > max) {
    throw invalid('nickname', `at most ${max} characters (this one has ${[...nickname].length})`)
  }
  if (/\s/.test(nickname)) throw invalid('nickname', `no spaces ("${clip(nickname, 40)}"); use - or _ instead`)
  if (!NICKNAME.test(nickname)) {
    throw invalid('nickname', `use only letters, digits, - and _ ("${clip(nickname, 40)}" has other characters)`)
  }
  return nickname
}

/** An optional text field trimmed; empty means cleared (null), absent means unchanged. */
export function checkCarText(field: Exclude<CarTextField, 'nickname'>, value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  const max = CAR_TEXT_LIMITS[field]
  if ([...trimmed].length > max) throw invalid(field, `at most ${max} characters`)
  return trimmed.length === 0 ? null : trimmed
}

/** "3 odometer readings, 2 maintenance items and 1 service record": what is recorded for a car. */
export function recordedFor(counts: { readings: number; items: number; records: number; fillups: number }): string {
  const parts = [plural(counts.readings, 'odometer reading')]
  if (counts.items) parts.push(plural(counts.items, 'maintenance item'))
  if (counts.records) parts.push(plural(counts.records, 'service record'))
  if (counts.fillups) parts.push(plural(counts.fillups, 'fill-up'))
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`
}
