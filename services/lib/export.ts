/**
 * The export read route every service with garage data mounts: `GET /export?kind=…&after=…`
 * pages through one kind of a tenant's rows in id order, so the worker can write a whole garage
 * into a zip a page at a time (queue/handlers/shared/export.ts) and no process ever holds all of
 * it. Rows are the service's own columns (minus `tenant` and internal keys), with JSON columns
 * parsed; `next` is the `after` of the next page, null after the last.
 *
 * Each kind is one SQL statement with the parameters `$tenant`, `$after`, `$limit` and, when
 * the kind can be narrowed to one car, `$car` (its `byCar` statement). A kind without a `key`
 * is small (settings, roles) and answered in one page.
 */
import type { Database, Statement } from 'bun:sqlite'
import { Elysia, t } from 'elysia'
import { requestScope } from './http.ts'
import { wholeNumber } from './whole.ts'

export type ExportKind = {
  /** Every row of the tenant after `$after`, ordered by the key, at most `$limit`. */
  sql: string
  /** The same narrowed to car `$car`; absent when the kind is not of one car. */
  byCar?: string
  /** The integer column the pages follow; absent: one page holds every row. */
  key?: string
  /** Columns left out of the rows. */
  omit?: readonly string[]
  /** Columns holding JSON text, answered parsed. */
  json?: readonly string[]
}

/** Rows per page unless the caller asks for fewer or more. */
export const EXPORT_PAGE = 1_000
export const EXPORT_PAGE_MAX = 5_000

export const ExportPage = t.Object({
  kind: t.String(),
  /** The columns of every row, in order (also when there are none). */
  columns: t.Array(t.String()),
  rows: t.Array(t.Record(t.String(), t.Unknown())),
  next: t.Union([t.Integer(), t.Null()]),
})
export type ExportPage = typeof ExportPage.static

/** One page of `kind` for `tenant`. */
export function exportPage(
  db: Database,
  kinds: Record<string, ExportKind>,
  cache: Map<string, Statement>,
  tenant: string,
  query: { kind: string; after?: number; limit?: number; car?: number },
): ExportPage {
  const spec = kinds[query.kind]!
  const byCar = query.car !== undefined && spec.byCar !== undefined
  const cacheKey = `${query.kind}${byCar ? ':car' : ''}`
  let statement = cache.get(cacheKey)
  if (!statement) {
    statement = db.prepare(byCar ? spec.byCar! : spec.sql)
    cache.set(cacheKey, statement)
  }
  const limit = spec.key ? Math.min(query.limit ?? EXPORT_PAGE, EXPORT_PAGE_MAX) : -1
  const params: Record<string, string | number> = { $tenant: tenant, $after: query.after ?? 0, $limit: limit }
  if (byCar) params.$car = query.car!
  const raw = statement.all(params as never) as Record<string, unknown>[]
  const omit = new Set(['tenant', ...(spec.omit ?? [])])
  const rows = raw.map((row) => {
    const out: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(row)) {
      if (omit.has(name)) continue
      out[name] = spec.json?.includes(name) && typeof value === 'string' ? JSON.parse(value) : value
    }
    return out
  })
  const last = raw.at(-1)
  const next = spec.key && raw.length === limit && last ? Number(last[spec.key]) : null
  const columns = statement.columnNames.filter((name) => !omit.has(name))
  return { kind: query.kind, columns, rows, next }
}

/** The `GET /export` route over `kinds`, mounted after the service base's tenant scope. */
export function exportRoutes(db: Database, kinds: Record<string, ExportKind>) {
  const cache = new Map<string, Statement>()
  const names = Object.keys(kinds)
  return new Elysia({ name: `export:${names.join(',')}` }).get(
    '/export',
    ({ request, query }) => exportPage(db, kinds, cache, requestScope(request).tenant, query),
    {
      query: t.Object({
        kind: t.Union(names.map((n) => t.Literal(n))),
        after: t.Optional(wholeNumber('after', 0)),
        limit: t.Optional(wholeNumber('limit', 1, EXPORT_PAGE_MAX)),
        car: t.Optional(wholeNumber('car', 1)),
      }),
      response: ExportPage,
      detail: { summary: "One page of one kind of the garage's data, in id order, for /garage export" },
    },
  )
}
