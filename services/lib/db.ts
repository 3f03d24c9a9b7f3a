/**
 * A service's database: opened and migrated by lib/sqlite.ts; here the idempotency table every
 * service keeps, and its pruning.
 */
import type { Database } from 'bun:sqlite'

export { checkpoint, type Migration, migrate, openDatabase, WAL_AUTOCHECKPOINT_PAGES } from '../../lib/sqlite.ts'

/** The idempotency table every service keeps (include it in the service's first migration). */
export const IDEMPOTENCY_TABLE = `
CREATE TABLE idempotency (
  tenant TEXT NOT NULL,
  key TEXT NOT NULL,
  route TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, key, route)
) WITHOUT ROWID;
`

/**
 * The index the pruning of old idempotency keys reads. Created by `serviceApp` with IF NOT
 * EXISTS rather than as a numbered migration: the table is the same in every service, while
 * each service numbers its own migrations, so one statement here covers all of them.
 */
export const IDEMPOTENCY_CREATED_INDEX =
  'CREATE INDEX IF NOT EXISTS idempotency_created_at ON idempotency (created_at)'

/**
 * Deletes at most `limit` idempotency keys stored before `before` (epoch ms, as `created_at`
 * holds them), oldest first; how many it deleted. One small transaction, so a request waits
 * for one batch at most.
 */
export function pruneIdempotency(db: Database, before: number, limit: number): number {
  return db
    .query(
      `DELETE FROM idempotency WHERE (tenant, key, route) IN
         (SELECT tenant, key, route FROM idempotency WHERE created_at < ? ORDER BY created_at LIMIT ?)`,
    )
    .run(before, limit).changes
}
