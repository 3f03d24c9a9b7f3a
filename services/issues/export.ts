/**
 * What the issues service gives to /garage export (services/lib/export.ts): issues (with the
 * photos and quotes linked to each), their comments (removed ones too, with `removed_at`) and
 * their history.
 */
import type { Database } from 'bun:sqlite'
import { type ExportKind, exportRoutes } from '../lib/export.ts'

const LINKS = `, (SELECT json_group_array(json_object('sha256', sha256, 'added_by', added_by, 'added_at', added_at))
     FROM issue_photos WHERE issue_id = issues.id) AS photos,
  (SELECT json_group_array(json_object('quote_id', quote_id, 'added_by', added_by, 'added_at', added_at))
     FROM issue_quotes WHERE issue_id = issues.id) AS quotes`

export const ISSUES_EXPORT: Record<string, ExportKind> = {
  issues: {
    sql: `SELECT *${LINKS} FROM issues WHERE tenant = $tenant AND id > $after ORDER BY id LIMIT $limit`,
    byCar: `SELECT *${LINKS} FROM issues WHERE tenant = $tenant AND car_id = $car AND id > $after ORDER BY id LIMIT $limit`,
    key: 'id',
    json: ['photos', 'quotes'],
  },
  issue_comments: {
    sql: 'SELECT * FROM issue_comments WHERE tenant = $tenant AND id > $after ORDER BY id LIMIT $limit',
    byCar: `SELECT * FROM issue_comments WHERE tenant = $tenant AND id > $after
      AND issue_id IN (SELECT id FROM issues WHERE tenant = $tenant AND car_id = $car) ORDER BY id LIMIT $limit`,
    key: 'id',
  },
  issue_history: {
    sql: `SELECT * FROM issue_history WHERE id > $after
      AND issue_id IN (SELECT id FROM issues WHERE tenant = $tenant) ORDER BY id LIMIT $limit`,
    byCar: `SELECT * FROM issue_history WHERE id > $after
      AND issue_id IN (SELECT id FROM issues WHERE tenant = $tenant AND car_id = $car) ORDER BY id LIMIT $limit`,
    key: 'id',
  },
}

export const issuesExportRoutes = (db: Database) => exportRoutes(db, ISSUES_EXPORT)
