/**
 * The quotes of a Car Manager export brought into a garage by /garage import, after the issues
 * service imported their issues (each quote names its issue by the number it has here), in one
 * transaction. A quote the garage has already (the same issue, shop, amount and time) is not added
 * twice. New quotes take the garage's next numbers; the record an accepted quote became is a
 * record of the exporting garage and is not linked. The quotes an import added are remembered
 * under its number (import #N of the items service), so its undo removes those not changed since.
 */
import type { Database } from 'bun:sqlite'
import { Elysia, t } from 'elysia'
import type { serviceApp } from '../lib/app.ts'
import { badRequest, requestScope } from '../lib/http.ts'

const strict = { additionalProperties: false } as const
const Instant = t.String({ minLength: 10, maxLength: 40 })
const Minor = t.Nullable(t.Integer({ minimum: 0 }))

export const ImportedQuote = t.Object(
  {
    /** Its number in the exporting garage (answered with the number it has here). */
    number: t.Integer({ minimum: 1 }),
    /** The issue's number in this garage. */
    issue: t.Integer({ minimum: 1 }),
    shop: t.String({ minLength: 1, maxLength: 100 }),
    currency: t.String({ pattern: '^[A-Z]{3}$' }),
    amount_minor: t.Integer({ minimum: 0 }),
    amount_text: t.Nullable(t.String({ maxLength: 100 })),
    parts_minor: Minor,
    labour_minor: Minor,
    valid_until: t.Nullable(t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    notes: t.Nullable(t.String({ maxLength: 1000 })),
    status: t.Union([t.Literal('open'), t.Literal('accepted'), t.Literal('rejected')]),
    accepted_at: t.Nullable(Instant),
    accepted_by: t.Nullable(t.String({ maxLength: 200 })),
    created_by: t.Nullable(t.String({ maxLength: 200 })),
    created_at: Instant,
  },
  strict,
)
export type ImportedQuote = typeof ImportedQuote.static

export const QuotesImport = t.Object(
  {
    /** The import's number in the items service. */
    import: t.Integer({ minimum: 1 }),
    quotes: t.Array(ImportedQuote, { maxItems: 10_000 }),
  },
  strict,
)
export type QuotesImport = typeof QuotesImport.static

/** What a preview asks: the same rows without an import yet. */
export const QuotesImportCheck = t.Object({ quotes: t.Array(ImportedQuote, { maxItems: 10_000 }) }, strict)

export const QuotesImported = t.Object({
  added: t.Integer(),
  known: t.Integer(),
  /** The export's quote numbers and the numbers they have here (new or found). */
  numbers: t.Array(t.Object({ from: t.Integer(), to: t.Integer() })),
})
export type QuotesImported = typeof QuotesImported.static
export const ImportRef = t.Object({ import: t.Integer({ minimum: 1 }) }, strict)
export const QuotesUndone = t.Object({
  removed: t.Integer(),
  /** Numbers of the quotes kept: changed since the import. */
  kept: t.Array(t.Integer()),
})
export type QuotesUndone = typeof QuotesUndone.static

const knownNumber = (db: Database, tenant: string, q: ImportedQuote) =>
  (
    db
      .query(
        'SELECT number FROM quotes WHERE tenant = ? AND issue = ? AND shop = ? AND amount_minor = ? AND currency = ? AND created_at = ?',
      )
      .get(tenant, q.issue, q.shop.trim(), q.amount_minor, q.currency, q.created_at) as {
      number: number
    } | null
  )?.number

/**
 * An issue has one accepted quote at most (quotes_one_accepted): a file that accepts two for one
 * issue, or one for an issue that has one already, is refused naming the quote, before anything
 * is written. A garage's own export never holds such a pair.
 */
function checkAccepted(db: Database, tenant: string, quotes: readonly ImportedQuote[]): void {
  const accepted = new Set<number>()
  const has = db.query("SELECT 1 FROM quotes WHERE tenant = ? AND issue = ? AND status = 'accepted' LIMIT 1")
  for (const q of quotes) {
    if (q.status !== 'accepted' || knownNumber(db, tenant, q) !== undefined) continue
    if (accepted.has(q.issue) || has.get(tenant, q.issue))
      throw badRequest('quotes', `quote ${q.number}: issue ${q.issue} has an accepted quote already; an issue accepts one`)
    accepted.add(q.issue)
  }
}

/** What importing would do; writes nothing. */
export function checkQuotes(
  db: Database,
  tenant: string,
  body: typeof QuotesImportCheck.static,
): QuotesImported {
  checkAccepted(db, tenant, body.quotes)
  const numbers: QuotesImported['numbers'] = []
  for (const q of body.quotes) {
    const to = knownNumber(db, tenant, q)
    if (to !== undefined) numbers.push({ from: q.number, to })
  }
  return { added: body.quotes.length - numbers.length, known: numbers.length, numbers }
}

export function importQuotes(db: Database, tenant: string, body: QuotesImport): QuotesImported {
  return db.transaction(() => {
    checkAccepted(db, tenant, body.quotes)
    let added = 0
    const numbers: QuotesImported['numbers'] = []
    const next = db.query(
      'INSERT INTO quote_numbers (tenant, last) VALUES (?, 1) ON CONFLICT (tenant) DO UPDATE SET last = last + 1 RETURNING last AS n',
    )
    const insert = db.query(
      `INSERT INTO quotes (tenant, number, issue, shop, currency, amount_minor, amount_text, parts_minor, labour_minor,
         valid_until, notes, status, accepted_at, accepted_by, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    const remember = db.query(
      'INSERT INTO quote_imports (tenant, import, quote_id, status) VALUES (?, ?, ?, ?)',
    )
    for (const q of body.quotes) {
      const known = knownNumber(db, tenant, q)
      if (known !== undefined) {
        numbers.push({ from: q.number, to: known })
        continue
      }
      const { n } = next.get(tenant) as { n: number }
      const { id } = insert.get(
        tenant,
        n,
        q.issue,
        q.shop.trim(),
        q.currency,
        q.amount_minor,
        q.amount_text,
        q.parts_minor,
        q.labour_minor,
        q.valid_until,
        q.notes,
        q.status,
        q.accepted_at,
        q.accepted_by,
        q.created_by,
        q.created_at,
      ) as { id: number }
      remember.run(tenant, body.import, id, q.status)
      numbers.push({ from: q.number, to: n })
      added++
    }
    return { added, known: body.quotes.length - added, numbers }
  })()
}

/** Removes the quotes import #N added, but for those changed since (accepted, rejected, edited). */
export function undoQuotes(db: Database, tenant: string, ref: number): QuotesUndone {
  return db.transaction(() => {
    const rows = db
      .query(
        `SELECT q.id, q.number, q.status AS current, m.status AS imported,
           (SELECT count(*) FROM quote_changes c WHERE c.tenant = q.tenant AND c.number = q.number) AS changes
         FROM quote_imports m JOIN quotes q ON q.id = m.quote_id AND q.tenant = m.tenant
         WHERE m.tenant = ? AND m.import = ?`,
      )
      .all(tenant, ref) as {
      id: number
      number: number
      current: string
      imported: string
      changes: number
    }[]
    const kept: number[] = []
    let removed = 0
    for (const r of rows) {
      if (r.current !== r.imported || r.changes > 0) {
        kept.push(r.number)
        continue
      }
      db.query('DELETE FROM quotes WHERE id = ? AND tenant = ?').run(r.id, tenant)
      removed++
    }
    db.query('DELETE FROM quote_imports WHERE tenant = ? AND import = ?').run(tenant, ref)
    return { removed, kept }
  })()
}

/** `POST /imports/check`, `POST /imports` and `POST /imports/undo`, each once per Idempotency-Key. */
export const quotesImportRoutes = (db: Database, once: ReturnType<typeof serviceApp>['once']) =>
  new Elysia({ name: 'quotes-imports' })
    .post(
      '/imports/check',
      ({ request, body, set }) =>
        once({ ...requestScope(request), set }, 'POST /imports/check', (tenant) =>
          checkQuotes(db, tenant, body),
        ),
      {
        body: QuotesImportCheck,
        response: QuotesImported,
        detail: { summary: "What importing an export's quotes would add; writes nothing" },
      },
    )
    .post(
      '/imports',
      ({ request, body, set }) =>
        once({ ...requestScope(request), set }, 'POST /imports', (tenant) => importQuotes(db, tenant, body)),
      {
        body: QuotesImport,
        response: QuotesImported,
        detail: { summary: "Import an export's quotes in one transaction" },
      },
    )
    .post(
      '/imports/undo',
      ({ request, body, set }) =>
        once({ ...requestScope(request), set }, 'POST /imports/undo', (tenant) =>
          undoQuotes(db, tenant, body.import),
        ),
      {
        body: ImportRef,
        response: QuotesUndone,
        detail: { summary: 'Remove the quotes import #N added, but for those changed since' },
      },
    )
