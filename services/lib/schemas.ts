/** Field schemas that more than one service takes the same way. */
import { t } from 'elysia'
import { wholeNumber } from './whole.ts'

/** A calendar date written YYYY-MM-DD (whether it is a real date is the domain's `isDate`). */
export const Day = t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })

/** A photo's content address: the sha256 of its bytes, lowercase hex. */
export const Sha256 = t.String({ pattern: '^[0-9a-f]{64}$' })

export const Currency = t.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 code of the garage currency (items GET /settings)',
})

/**
 * The query fields of a service's change list for the garage's history (issues #I, quotes #Q):
 * one actor's changes (platform user id), only those that can still be undone, and a page.
 */
export const changePaging = {
  actor: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  undoable: t.Optional(t.Union([t.Literal('yes'), t.Literal('no')])),
  limit: t.Optional(wholeNumber('limit', 1, 100)),
  page: t.Optional(wholeNumber('page', 1, 1_000_000)),
}
