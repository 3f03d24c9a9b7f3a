/** Field schemas that more than one service takes the same way. */
import { t } from 'elysia'

/** A calendar date written YYYY-MM-DD (whether it is a real date is the domain's `isDate`). */
export const Day = t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })

/** A photo's content address: the sha256 of its bytes, lowercase hex. */
export const Sha256 = t.String({ pattern: '^[0-9a-f]{64}$' })

export const Currency = t.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 code of the garage currency (items GET /settings)',
})
