/**
 * A garage's role mapping (a Discord role or Slack user group → viewer, driver or manager) and
 * who logged a record. The worker decides a member's role from these and the platform's facts
 * (queue/roles.ts); the service only keeps the mapping.
 */
import type { Database } from 'bun:sqlite'
import type { ChangeActor } from '../changes/log.ts'
import type { LoggedQuery, RoleMapping, RoleSet } from './model.ts'

export function listRoles(db: Database, tenant: string): RoleMapping {
  const roles = db
    .query('SELECT ref, role, set_by, set_at FROM garage_roles WHERE tenant = ? ORDER BY ref')
    .all(tenant) as RoleMapping['roles']
  return { roles }
}

export function setRole(
  db: Database,
  tenant: string,
  body: RoleSet,
  now: Date,
  actor: ChangeActor,
): RoleMapping {
  if (body.role === null)
    db.query('DELETE FROM garage_roles WHERE tenant = ? AND ref = ?').run(tenant, body.ref)
  else
    db.query(
      `INSERT INTO garage_roles (tenant, ref, role, set_by, set_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, ref) DO UPDATE SET role = excluded.role, set_by = excluded.set_by, set_at = excluded.set_at`,
    ).run(tenant, body.ref, body.role, actor.name, now.toISOString())
  return listRoles(db, tenant)
}

/**
 * Who logged a record: the actor of its `add` in the change log (a fill-up or reading by its
 * number, a service record by its id), or who made change #ref. Null when the log does not say:
 * a record from before the change log, or a reading a fill-up or service record made.
 */
export function loggedBy(db: Database, tenant: string, q: LoggedQuery): { by: string | null } {
  const row =
    q.kind === 'change'
      ? db.query('SELECT actor_id FROM changes WHERE tenant = ? AND id = ?').get(tenant, q.ref)
      : db
          .query(
            `SELECT actor_id FROM changes WHERE tenant = ? AND kind = ? AND ref = ? AND action = 'add'
             ORDER BY id LIMIT 1`,
          )
          .get(tenant, q.kind, q.ref)
  const by = (row as { actor_id: string } | null)?.actor_id
  return { by: by && by !== 'unknown' ? by : null }
}
