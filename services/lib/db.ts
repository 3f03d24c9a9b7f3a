/**
 * Opens a service's own SQLite file (WAL, synchronous=NORMAL, foreign keys, busy timeout)
 * and applies its numbered migrations on `PRAGMA user_version`, each in one transaction.
 */
import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

/** Migration N (1-based) is `migrations[N - 1]`; never edit one that has shipped, add the next. */
export type Migration = string | ((db: Database) => void)

export function openDatabase(path: string, migrations: readonly Migration[]): Database {
  // bun:sqlite keeps the 20 most recent statements compiled; a service uses several dozen, and
  // mixed traffic would otherwise keep recompiling them.
  Database.MAX_QUERY_CACHE_SIZE = Math.max(Database.MAX_QUERY_CACHE_SIZE, 256)
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path, { create: true, strict: true })
  db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = NORMAL')
  db.exec('PRAGMA foreign_keys = ON')
  db.exec('PRAGMA busy_timeout = 5000')
  migrate(db, migrations)
  return db
}

export function migrate(db: Database, migrations: readonly Migration[]): void {
  const current = (db.query('PRAGMA user_version').get() as { user_version: number }).user_version
  if (current > migrations.length) {
    throw new Error(`database is at schema ${current}, newer than this code (${migrations.length})`)
  }
  for (let version = current + 1; version <= migrations.length; version++) {
    const step = migrations[version - 1]!
    db.transaction(() => {
      if (typeof step === 'string') db.exec(step)
      else step(db)
      db.exec(`PRAGMA user_version = ${version}`)
    })()
  }
}

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
