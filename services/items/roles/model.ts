/** Schemas of a garage's role mapping and of "who logged this record". */
import { t } from 'elysia'
import { strict } from '../shared/model.ts'

export const RoleName = t.Union([t.Literal('viewer'), t.Literal('driver'), t.Literal('manager')])

/** A Discord role id (the guild's id is @everyone) or a Slack user group id. */
export const RoleRef = t.String({ pattern: '^[A-Za-z0-9]{1,30}$' })

export const RoleMapping = t.Object({
  roles: t.Array(t.Object({ ref: t.String(), role: RoleName, set_by: t.String(), set_at: t.String() })),
})
export type RoleMapping = typeof RoleMapping.static

/** Maps `ref` to a role, or (`role: null`) forgets it. */
export const RoleSet = t.Object({ ref: RoleRef, role: t.Nullable(RoleName) }, strict)
export type RoleSet = typeof RoleSet.static

/** A fill-up or reading by its number, a service record by its id, a change by its id. */
export const LoggedQuery = t.Object({
  kind: t.Union([t.Literal('fuel'), t.Literal('charge'), t.Literal('service'), t.Literal('reading'), t.Literal('change')]),
  ref: t.Numeric({ minimum: 1 }),
})
export type LoggedQuery = typeof LoggedQuery.static

/** Who logged it (`<platform>:<user id>`), or null when that is not known (before the change log, or made by another record). */
export const LoggedBy = t.Object({ by: t.Nullable(t.String()) })
