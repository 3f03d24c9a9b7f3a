/**
 * The issues of a Car Manager export brought into a garage by /garage import, after the items
 * service stored the import's cars and records (import #N there): each issue with its comments
 * (removed ones stay removed), its status history and its photos' links (their originals go to the
 * images service), in one transaction. An issue the garage has
 * already (the same car, title and opening time) is not added twice, so importing the same file
 * again adds nothing. New issues and comments take the garage's next numbers. The issues an import
 * added are remembered under its number, so its undo removes those not changed since.
 */
import type { Database } from 'bun:sqlite'
import { Elysia, t } from 'elysia'
import type { serviceApp } from '../lib/app.ts'
import { requestScope } from '../lib/http.ts'
import { Severity, Status } from './model.ts'

const strict = { additionalProperties: false } as const
const Instant = t.String({ minLength: 10, maxLength: 40 })
const who = t.String({ minLength: 1, maxLength: 200 })

export const ImportedIssue = t.Object(
  {
    /** Its number in the exporting garage (answered with the number it has here). */
    number: t.Integer({ minimum: 1 }),
    /** The car's id in this garage's items service, and its nickname. */
    car_id: t.Integer({ minimum: 1 }),
    car: t.String({ minLength: 1, maxLength: 100 }),
    title: t.String({ minLength: 1, maxLength: 200 }),
    details: t.Nullable(t.String({ maxLength: 4000 })),
    severity: Severity,
    status: Status,
    resolution: t.Nullable(t.String({ maxLength: 4000 })),
    opened_by: who,
    created_at: Instant,
    updated_at: Instant,
    closed_at: t.Nullable(Instant),
    comments: t.Array(
      t.Object(
        {
          author: who,
          text: t.String({ minLength: 1, maxLength: 4000 }),
          created_at: Instant,
          edited_at: t.Nullable(Instant),
          removed_at: t.Nullable(Instant),
        },
        strict,
      ),
      { maxItems: 1000 },
    ),
    history: t.Array(
      t.Object(
        {
          actor: who,
          actor_id: t.Nullable(t.String({ maxLength: 64 })),
          field: t.String({ minLength: 1, maxLength: 40 }),
          old_value: t.Nullable(t.String({ maxLength: 4000 })),
          new_value: t.Nullable(t.String({ maxLength: 4000 })),
          at: Instant,
        },
        strict,
      ),
      { maxItems: 2000 },
    ),
    /** The photos linked to it, whose originals the same import brings to the images service. */
    photos: t.Optional(
      t.Array(
        t.Object({ sha256: t.String({ pattern: '^[0-9a-f]{64}$' }), added_by: who, added_at: Instant }, strict),
        { maxItems: 1000 },
      ),
    ),
  },
  strict,
)
export type ImportedIssue = typeof ImportedIssue.static

export const IssuesImport = t.Object(
  {
    /** The import's number in the items service. */
    import: t.Integer({ minimum: 1 }),
    issues: t.Array(ImportedIssue, { maxItems: 10_000 }),
  },
  strict,
)
export type IssuesImport = typeof IssuesImport.static

/** What a preview asks: the same rows without an import yet. */
export const IssuesImportCheck = t.Object({ issues: t.Array(ImportedIssue, { maxItems: 10_000 }) }, strict)

export const IssuesImported = t.Object({
  added: t.Integer(),
  known: t.Integer(),
  /** The export's issue numbers and the numbers they have in this garage (new or found). */
  numbers: t.Array(t.Object({ from: t.Integer(), to: t.Integer() })),
})
export type IssuesImported = typeof IssuesImported.static

export const ImportRef = t.Object({ import: t.Integer({ minimum: 1 }) }, strict)

/** The quotes linked to the issues an import added, by their numbers here (known after the quotes service imported them). */
export const ImportLinks = t.Object(
  {
    import: t.Integer({ minimum: 1 }),
    links: t.Array(
      t.Object(
        {
          issue: t.Integer({ minimum: 1 }),
          quote: t.Integer({ minimum: 1 }),
          added_by: who,
          added_at: Instant,
        },
        strict,
      ),
      { maxItems: 20_000 },
    ),
  },
  strict,
)
export type ImportLinks = typeof ImportLinks.static

/** Links quotes to the issues import #N added (an issue it did not add is left as it is); answers how many are new. */
export function importLinks(db: Database, tenant: string, body: ImportLinks): { linked: number } {
  return db.transaction(() => {
    let linked = 0
    const issue = db.query(
      `SELECT i.id FROM issues i JOIN issue_imports m ON m.issue_id = i.id AND m.tenant = i.tenant
       WHERE i.tenant = ? AND i.number = ? AND m.import = ?`,
    )
    const link = db.query(
      'INSERT INTO issue_quotes (issue_id, quote_id, added_by, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    )
    for (const l of body.links) {
      const row = issue.get(tenant, l.issue, body.import) as { id: number } | null
      if (row) linked += link.run(row.id, l.quote, l.added_by, l.added_at).changes
    }
    return { linked }
  })()
}
export const IssuesUndone = t.Object({
  removed: t.Integer(),
  /** Numbers of the issues kept: changed since the import. */
  kept: t.Array(t.Integer()),
})
export type IssuesUndone = typeof IssuesUndone.static

const known = (db: Database, tenant: string, i: ImportedIssue) =>
  db
    .query('SELECT number FROM issues WHERE tenant = ? AND car_id = ? AND title = ? AND created_at = ?')
    .get(tenant, i.car_id, i.title.trim(), i.created_at) as { number: number } | null

/** What importing would do: how many issues are new and how many the garage has; writes nothing. */
export function checkIssues(
  db: Database,
  tenant: string,
  body: typeof IssuesImportCheck.static,
): IssuesImported {
  const numbers: IssuesImported['numbers'] = []
  let added = 0
  for (const i of body.issues) {
    const found = known(db, tenant, i)
    if (found) numbers.push({ from: i.number, to: found.number })
    else added++
  }
  return { added, known: numbers.length, numbers }
}

/** Stores the new issues with their comments and history in one transaction. */
export function importIssues(db: Database, tenant: string, body: IssuesImport): IssuesImported {
  return db.transaction(() => {
    const numbers: IssuesImported['numbers'] = []
    let added = 0
    const nextIssue = db.query(
      'INSERT INTO issue_numbers (tenant, last) VALUES (?, 1) ON CONFLICT (tenant) DO UPDATE SET last = last + 1 RETURNING last',
    )
    const nextComment = db.query(
      'INSERT INTO comment_numbers (tenant, last) VALUES (?, 1) ON CONFLICT (tenant) DO UPDATE SET last = last + 1 RETURNING last',
    )
    const insertIssue = db.query(
      `INSERT INTO issues (tenant, number, car_id, car, title, details, severity, status, resolution, opened_by,
         created_at, updated_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    const insertComment = db.query(
      `INSERT INTO issue_comments (tenant, number, issue_id, author, text, created_at, edited_at, removed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const insertHistory = db.query(
      'INSERT INTO issue_history (issue_id, actor, actor_id, field, old_value, new_value, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    const remember = db.query(
      'INSERT INTO issue_imports (tenant, import, issue_id, updated_at) VALUES (?, ?, ?, ?)',
    )
    const insertPhoto = db.query(
      'INSERT INTO issue_photos (issue_id, sha256, added_by, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    )
    for (const i of body.issues) {
      const found = known(db, tenant, i)
      if (found) {
        numbers.push({ from: i.number, to: found.number })
        continue
      }
      const { last: number } = nextIssue.get(tenant) as { last: number }
      const { id } = insertIssue.get(
        tenant,
        number,
        i.car_id,
        i.car,
        i.title.trim(),
        i.details,
        i.severity,
        i.status,
        i.resolution,
        i.opened_by,
        i.created_at,
        i.updated_at,
        i.closed_at,
      ) as { id: number }
      for (const c of i.comments) {
        const { last } = nextComment.get(tenant) as { last: number }
        insertComment.run(tenant, last, id, c.author, c.text, c.created_at, c.edited_at, c.removed_at)
      }
      for (const h of i.history)
        insertHistory.run(id, h.actor, h.actor_id, h.field, h.old_value, h.new_value, h.at)
      for (const p of i.photos ?? []) insertPhoto.run(id, p.sha256, p.added_by, p.added_at)
      remember.run(tenant, body.import, id, i.updated_at)
      numbers.push({ from: i.number, to: number })
      added++
    }
    return { added, known: numbers.length - added, numbers }
  })()
}

/** Removes the issues import #N added, but for those changed since (a comment, a status, an edit). */
export function undoIssues(db: Database, tenant: string, ref: number): IssuesUndone {
  return db.transaction(() => {
    const rows = db
      .query(
        `SELECT i.id, i.number, i.updated_at AS current, m.updated_at AS imported FROM issue_imports m
         JOIN issues i ON i.id = m.issue_id AND i.tenant = m.tenant WHERE m.tenant = ? AND m.import = ?`,
      )
      .all(tenant, ref) as { id: number; number: number; current: string; imported: string }[]
    const kept: number[] = []
    let removed = 0
    for (const r of rows) {
      if (r.current !== r.imported) {
        kept.push(r.number)
        continue
      }
      db.query('DELETE FROM issues WHERE id = ? AND tenant = ?').run(r.id, tenant)
      removed++
    }
    db.query('DELETE FROM issue_imports WHERE tenant = ? AND import = ?').run(tenant, ref)
    return { removed, kept }
  })()
}

/** `POST /imports/check`, `POST /imports` and `POST /imports/undo`, each once per Idempotency-Key. */
export const issuesImportRoutes = (db: Database, once: ReturnType<typeof serviceApp>['once']) =>
  new Elysia({ name: 'issues-imports' })
    .post(
      '/imports/check',
      ({ request, body, set }) =>
        once({ ...requestScope(request), set }, 'POST /imports/check', (tenant) =>
          checkIssues(db, tenant, body),
        ),
      {
        body: IssuesImportCheck,
        response: IssuesImported,
        detail: { summary: "What importing an export's issues would add; writes nothing" },
      },
    )
    .post(
      '/imports',
      ({ request, body, set }) =>
        once({ ...requestScope(request), set }, 'POST /imports', (tenant) => importIssues(db, tenant, body)),
      {
        body: IssuesImport,
        response: IssuesImported,
        detail: { summary: "Import an export's issues with their comments and history, in one transaction" },
      },
    )
    .post(
      '/imports/links',
      ({ request, body, set }) =>
        once({ ...requestScope(request), set }, 'POST /imports/links', (tenant) =>
          importLinks(db, tenant, body),
        ),
      {
        body: ImportLinks,
        response: t.Object({ linked: t.Integer() }),
        detail: { summary: 'Link the quotes of an import to the issues it added' },
      },
    )
    .post(
      '/imports/undo',
      ({ request, body, set }) =>
        once({ ...requestScope(request), set }, 'POST /imports/undo', (tenant) =>
          undoIssues(db, tenant, body.import),
        ),
      {
        body: ImportRef,
        response: IssuesUndone,
        detail: { summary: 'Remove the issues import #N added, but for those changed since' },
      },
    )
