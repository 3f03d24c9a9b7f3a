/**
 * What the quotes service gives to /garage export (services/lib/export.ts): the garage's quotes
 * (each names its issue by number; the quotes service knows no cars, so the worker keeps one
 * car's by its issues) and its job-hour overrides for estimates.
 */
import type { Database } from 'bun:sqlite'
import { type ExportKind, exportRoutes } from '../lib/export.ts'

export const QUOTES_EXPORT: Record<string, ExportKind> = {
  quotes: {
    sql: 'SELECT * FROM quotes WHERE tenant = $tenant AND id > $after ORDER BY id LIMIT $limit',
    key: 'id',
  },
  job_overrides: { sql: 'SELECT * FROM job_overrides WHERE tenant = $tenant ORDER BY job_key' },
}

export const quotesExportRoutes = (db: Database) => exportRoutes(db, QUOTES_EXPORT)
