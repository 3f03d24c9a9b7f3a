/** Free text a person gave (a name, a title, notes): trimmed, within its length. */
import { badRequest } from '../../lib/http.ts'

/** The text trimmed; empty is null unless `required` (then refused); longer than `max` characters is refused. */
export function checkText(field: string, value: string, max: number, required: boolean): string | null {
  const trimmed = value.trim()
  if (required && trimmed.length === 0) throw badRequest(field, `${field}: cannot be empty`)
  if ([...trimmed].length > max) throw badRequest(field, `${field}: at most ${max} characters`)
  return trimmed.length ? trimmed : null
}
