/**
 * Opens a process's own SQLite file (WAL, synchronous=NORMAL, foreign keys, busy timeout)
 * and applies its numbered migrations on `PRAGMA user_version`, each in one transaction.
 * Checkpoints wait for a quiet moment (`checkpoint`, called when the process's requests stop)
 * rather than falling on whichever write fills 1,000 pages of WAL. Every service opens its
 * database so (services/lib/db.ts), and so does the Slack bot its installation store.
 */
import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

/** Migration N (1-based) is `migrations[N - 1]`; never edit one that has shipped, add the next. */
export type Migration = string | ((db: Database) => void)

/**
 * WAL pages after which a write checkpoints by itself (SQLite's default is 1,000, about 4 MB).
 * A checkpoint copies the WAL back into the database and syncs both; falling on a write in the
 * middle of a burst it cost that request, and those queued behind it, a few milliseconds, and
 * the items service about a tenth of its CPU in a burst of writes. The service checkpoints when
 * it goes quiet instead; this bound keeps the WAL under about 40 MB under load that never pauses.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000

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
  db.exec(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`)
  migrate(db, migrations)
  return db
}

/** Copies what the WAL holds back into the database, without waiting on readers; the pages it moved. */
export function checkpoint(db: Database): { log: number; checkpointed: number } {
  const row = db.query('PRAGMA wal_checkpoint(PASSIVE)').get() as { busy: number; log: number; checkpointed: number }
  return { log: row.log, checkpointed: row.checkpointed }
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
