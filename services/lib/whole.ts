/**
 * A whole number in a query string or path parameter. Elysia's `t.Numeric` takes any numeric
 * string ("1.5", "1e21"), and a fraction bound as a SQLite LIMIT is a "datatype mismatch" 500;
 * this refuses it at the schema with a 422 that names the parameter and says what it takes.
 */
import { t } from 'elysia'
import { badRequest } from './http.ts'

export function wholeNumber(name: string, min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const message = `${name} must be a whole number from ${min} to ${max}`
  return t
    .Transform(t.Union([t.String({ format: 'numeric' }), t.Integer({ minimum: min, maximum: max })]))
    .Decode((value) => {
      const n =
        typeof value === 'number' ? value : /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : Number.NaN
      if (!Number.isSafeInteger(n) || n < min || n > max) throw badRequest(name, message)
      return n
    })
    .Encode((n) => n)
}
