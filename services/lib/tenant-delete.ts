/**
 * A garage deleted in one service: every row of the tenant in every table that has a `tenant`
 * column (so a table added later goes too), in one transaction, with the foreign keys checked at
 * its end. The answer counts the rows of the kinds a person knows ("cars", "fill-ups"), by the
 * labels the service gives its tables. Deleting a garage that has nothing left deletes nothing
 * and answers zeros, so the route is idempotent; a preview counts without deleting.
 */
import type { Database } from 'bun:sqlite'
import { Elysia } from 'elysia'
import type { serviceApp } from './app.ts'
import { requestScope } from './http.ts'
import { TenantCounts } from './model.ts'

/** Every table with a `tenant` column (the idempotency keys too: their answers hold the garage's data). */
export function tenantTables(db: Database): string[] {
  const tables = db
    .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[]
  return tables
    .map((x) => x.name)
    .filter((name) =>
      (db.query(`PRAGMA table_info("${name}")`).all() as { name: string }[]).some((c) => c.name === 'tenant'),
    )
}

function counted(db: Database, tenant: string, labels: Readonly<Record<string, string>>) {
  return Object.entries(labels).map(([table, kind]) => ({
    kind,
    count: (db.query(`SELECT count(*) AS n FROM "${table}" WHERE tenant = ?`).get(tenant) as { n: number }).n,
  }))
}

/**
 * Counts (`preview`) or deletes the tenant's rows. `labels`: table → kind shown; `before` and
 * `after` run in the transaction around the deletion (rows keyed otherwise: the items service's
 * `tenants` by id, the images no garage links to any more).
 */
export function tenantDelete(
  db: Database,
  tenant: string,
  labels: Readonly<Record<string, string>>,
  opts: { preview?: boolean; before?: () => void; after?: () => void } = {},
): TenantCounts {
  if (opts.preview) return { kinds: counted(db, tenant, labels), deleted: false }
  return db.transaction(() => {
    db.exec('PRAGMA defer_foreign_keys = ON')
    const kinds = counted(db, tenant, labels)
    opts.before?.()
    for (const table of tenantTables(db)) db.query(`DELETE FROM "${table}" WHERE tenant = ?`).run(tenant)
    opts.after?.()
    return { kinds, deleted: true }
  })()
}

/** `GET /tenant` (the counts) and `DELETE /tenant` (once per Idempotency-Key) of a service whose rows are all its garage's. */
export const tenantDeleteRoutes = (
  name: string,
  db: Database,
  once: ReturnType<typeof serviceApp>['once'],
  labels: Readonly<Record<string, string>>,
) =>
  new Elysia({ name: `${name}-tenant-delete` })
    .get(
      '/tenant',
      ({ request }) => tenantDelete(db, requestScope(request).tenant, labels, { preview: true }),
      {
        response: TenantCounts,
        detail: { summary: 'What deleting the garage would delete, by kind' },
      },
    )
    .delete(
      '/tenant',
      ({ request, set }) =>
        once({ ...requestScope(request), set }, 'DELETE /tenant', (tenant) =>
          tenantDelete(db, tenant, labels),
        ),
      {
        response: TenantCounts,
        detail: { summary: 'Delete the garage: every row of it (again: nothing left, zeros)' },
      },
    )
