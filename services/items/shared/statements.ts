/**
 * Statements of the hot reads (GET /cars, GET /cars/:car, a new reading's checks), prepared once
 * per database and kept: bun:sqlite's `db.query` cache holds a bounded number, and the
 * maintenance statements of this service would push these out of it. `closeStatements`
 * finalizes them before the database closes.
 */
import type { Database, Statement } from 'bun:sqlite'

const statements = new WeakMap<Database, Map<string, Statement>>()

export function prepared(db: Database, sql: string): Statement {
  let byText = statements.get(db)
  if (!byText) {
    byText = new Map()
    statements.set(db, byText)
  }
  let statement = byText.get(sql)
  if (!statement) {
    statement = db.prepare(sql)
    byText.set(sql, statement)
  }
  return statement
}

/** Finalizes the statements prepared on this database (call before `db.close()`). */
export function closeStatements(db: Database): void {
  for (const statement of statements.get(db)?.values() ?? []) statement.finalize()
  statements.delete(db)
}

/**
 * Runs several reads in one read transaction: one snapshot for all of them, and one WAL
 * read lock (two fcntl calls) instead of one per statement. Inside a caller's transaction it
 * simply runs.
 */
export function readTogether<T>(db: Database, read: () => T): T {
  if (db.inTransaction) return read()
  prepared(db, 'BEGIN').run()
  try {
    return read()
  } finally {
    prepared(db, 'COMMIT').run()
  }
}
