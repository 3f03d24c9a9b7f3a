/** The role mapping routes, and who logged a record (for a driver's "only your own" check). */
import { actorOf } from '../changes/log.ts'
import { type Feature, featureRoutes } from '../shared/routes.ts'
import { LoggedBy, LoggedQuery, RoleMapping, RoleSet } from './model.ts'
import { listRoles, loggedBy, setRole } from './service.ts'

export const roleRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/roles', ({ tenant }) => listRoles(db, tenant), {
      response: RoleMapping,
      detail: {
        summary: "The garage's Discord roles or Slack user groups mapped to viewer, driver or manager",
      },
    })
    .put(
      '/roles',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'PUT /roles', (t) =>
          setRole(db, t, body, now(), actorOf(headers['x-actor'])),
        ),
      {
        body: RoleSet,
        response: RoleMapping,
        detail: { summary: 'Map a role or user group (role null: forget it)' },
      },
    )
    .get('/roles/logged', ({ tenant, query }) => loggedBy(db, tenant, query), {
      query: LoggedQuery,
      response: LoggedBy,
      detail: { summary: 'Who logged a fill-up, service record or reading, or made a change' },
    })
