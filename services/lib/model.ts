/** Schemas every service's API shares (callers import their types: queue/ reads only API types). */
import { t } from 'elysia'

/** What a garage holds (or held) in a service, by kind: `[{ kind: 'cars', count: 2 }]`. */
export const TenantCounts = t.Object({
  kinds: t.Array(t.Object({ kind: t.String(), count: t.Integer() })),
  /** Whether it was deleted (false: a preview). */
  deleted: t.Boolean(),
})
export type TenantCounts = typeof TenantCounts.static
