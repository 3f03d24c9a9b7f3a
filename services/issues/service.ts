/**
 * Issue logic over issues.sqlite, no HTTP. Every query is scoped by tenant; an issue is found
 * by its per-tenant number, so another tenant's number is "not found" exactly like a missing one.
 *
 * An issue points at its car by `car_id`, the car's id in items (every row has had it since
 * migration 1, so no conversion was needed). `car` is only the nickname it was filed under,
 * kept for search and for a reply when items cannot be asked: the worker names the car as items
 * calls it at answer time, so a rename shows everywhere without rewriting rows here. A car's
 * removal takes its issues (`removeCarIssues`), so an id or nickname used again inherits none.
 */
import type { Database } from 'bun:sqlite'
import { invalid } from '../../lib/domain/invalid.ts'
import { clip } from '../../lib/domain/text.ts'
import { conflict, notFound } from '../lib/http.ts'
import type {
  Actor,
  ActorOnly,
  ChangeEntry,
  ChangeList,
  ChangesQuery,
  CarIssues,
  CommentChange,
  CommentCreate,
  CommentEdit,
  Issue,
  IssueClose,
  IssueCreate,
  IssueList,
  IssueQuery,
  IssueSummary,
  LoggedQuery,
  PhotoLink,
  QuoteLink,
  Severity,
  StatusChange,
} from './model.ts'
import { CLOSED_STATUSES } from './model.ts'

type IssueRow = {
  id: number
  number: number
  car_id: number
  car: string
  title: string
  details: string | null
  severity: Severity
  status: Issue['status']
  resolution: string | null
  record_id: number | null
  opened_by: string
  created_at: string
  updated_at: string
  closed_at: string | null
}

const SEVERITY_RANK =
  "CASE severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END"
const OPEN = `status NOT IN (${CLOSED_STATUSES.map((s) => `'${s}'`).join(', ')})`

const who = (actor: Actor) => actor.name || actor.id

function rowOf(db: Database, tenant: string, number: number): IssueRow {
  const row = db
    .query('SELECT * FROM issues WHERE tenant = ? AND number = ?')
    .get(tenant, number) as IssueRow | null
  if (!row) throw notFound(`no issue #${number} in this garage`)
  return row
}

function record(
  db: Database,
  issueId: number,
  actor: Actor,
  field: string,
  old: unknown,
  next: unknown,
  at: string,
): number {
  const row = db
    .query(
      'INSERT INTO issue_history (issue_id, actor, actor_id, field, old_value, new_value, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
    )
    .get(
      issueId,
      who(actor),
      actor.id,
      field,
      old === null || old === undefined ? null : String(old),
      next === null || next === undefined ? null : String(next),
      at,
    ) as { id: number }
  return row.id
}

/** Points a history row at the change of a comment it tells of (by which the garage's history undoes it). */
function linkHistory(db: Database, historyId: number, change: CommentChange): CommentChange {
  db.query('UPDATE issue_history SET change_id = ? WHERE id = ?').run(change.change, historyId)
  return change
}

/**
 * Adds a comment (a status change's note is one too) with the garage's next comment number; the
 * history keeps its first 200 characters.
 */
function comment(db: Database, tenant: string, issueId: number, actor: Actor, text: string, at: string) {
  const { last } = db
    .query(
      'INSERT INTO comment_numbers (tenant, last) VALUES (?, 1) ON CONFLICT (tenant) DO UPDATE SET last = last + 1 RETURNING last',
    )
    .get(tenant) as { last: number }
  const { id } = db
    .query(
      'INSERT INTO issue_comments (tenant, number, issue_id, author, text, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    )
    .get(tenant, last, issueId, who(actor), text, at) as { id: number }
  db.query('INSERT INTO comment_authors (comment_id, author_id) VALUES (?, ?)').run(id, actor.id)
  record(db, issueId, actor, 'comment', null, clip(text, 200), at)
}

function touch(db: Database, id: number, at: string) {
  db.query('UPDATE issues SET updated_at = ? WHERE id = ?').run(at, id)
}

export function createIssue(db: Database, tenant: string, input: IssueCreate, now: Date): Issue {
  const at = now.toISOString()
  const { last } = db
    .query(
      'INSERT INTO issue_numbers (tenant, last) VALUES (?, 1) ON CONFLICT (tenant) DO UPDATE SET last = last + 1 RETURNING last',
    )
    .get(tenant) as { last: number }
  const severity = input.severity ?? 'medium'
  const { id } = db
    .query(
      `INSERT INTO issues (tenant, number, car_id, car, title, details, severity, status, opened_by, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id`,
    )
    .get(
      tenant,
      last,
      input.car_id,
      input.car,
      input.title.trim(),
      input.details?.trim() || null,
      severity,
      who(input.actor),
      at,
      at,
    ) as {
    id: number
  }
  record(db, id, input.actor, 'opened', null, `${severity}: ${input.title.trim()}`, at)
  return getIssue(db, tenant, last)
}

export function getIssue(db: Database, tenant: string, number: number): Issue {
  const row = rowOf(db, tenant, number)
  const comments = db
    .query(
      'SELECT number, author, text, created_at, edited_at FROM issue_comments WHERE issue_id = ? AND removed_at IS NULL ORDER BY id',
    )
    .all(row.id) as Issue['comments']
  const history = db
    .query(
      'SELECT actor, field, old_value AS old, new_value AS new, at FROM issue_history WHERE issue_id = ? ORDER BY id',
    )
    .all(row.id) as Issue['history']
  const photos = db
    .query('SELECT sha256, added_by, added_at FROM issue_photos WHERE issue_id = ? ORDER BY added_at, sha256')
    .all(row.id) as Issue['photos']
  const quotes = (
    db.query('SELECT quote_id FROM issue_quotes WHERE issue_id = ? ORDER BY quote_id').all(row.id) as {
      quote_id: number
    }[]
  ).map((q) => q.quote_id)
  const { id: _id, ...rest } = row
  return { ...rest, comments, history, photos, quotes }
}

const SUMMARY = 'number, car_id, car, title, severity, status, created_at, updated_at'

export function listIssues(db: Database, tenant: string, query: IssueQuery): IssueList {
  const where = ['tenant = ?']
  const args: (string | number)[] = [tenant]
  if (query.car !== undefined) {
    where.push('car_id = ?')
    args.push(query.car)
  }
  if (query.status) {
    where.push('status = ?')
    args.push(query.status)
  } else if (!(query.all === 'yes' || query.all === 'true') && query.q === undefined) {
    where.push(OPEN)
  }
  const q = query.q?.trim()
  if (q) {
    const digits = q.replace(/^#/, '')
    if (/^\d+$/.test(digits)) {
      where.push("CAST(number AS TEXT) LIKE ? ESCAPE '\\'")
      args.push(`${digits}%`)
    } else {
      for (const word of q.toLowerCase().split(/\s+/).slice(0, 5)) {
        where.push("(lower(title) LIKE ? ESCAPE '\\' OR lower(car) LIKE ? ESCAPE '\\')")
        const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
        args.push(like, like)
      }
    }
  }
  const limit = query.limit ?? (q !== undefined ? 25 : 100)
  const order = q
    ? `CASE WHEN ${OPEN} THEN 0 ELSE 1 END, ${SEVERITY_RANK} DESC, number DESC`
    : `CASE WHEN ${OPEN} THEN 0 ELSE 1 END, ${SEVERITY_RANK} DESC, number ASC`
  const clause = where.join(' AND ')
  const issues = db
    .query(`SELECT ${SUMMARY} FROM issues WHERE ${clause} ORDER BY ${order} LIMIT ?`)
    .all(...args, limit) as IssueSummary[]
  const { total } = db.query(`SELECT count(*) AS total FROM issues WHERE ${clause}`).get(...args) as {
    total: number
  }
  return { issues, total }
}

export function addComment(
  db: Database,
  tenant: string,
  number: number,
  input: CommentCreate,
  now: Date,
): Issue {
  const row = rowOf(db, tenant, number)
  const at = now.toISOString()
  comment(db, tenant, row.id, input.actor, input.text, at)
  touch(db, row.id, at)
  return getIssue(db, tenant, number)
}

export function changeStatus(
  db: Database,
  tenant: string,
  number: number,
  input: StatusChange,
  now: Date,
): Issue {
  const row = rowOf(db, tenant, number)
  const at = now.toISOString()
  if (row.status !== input.status) {
    const closing = (CLOSED_STATUSES as readonly string[]).includes(input.status)
    db.query('UPDATE issues SET status = ?, closed_at = ? WHERE id = ?').run(
      input.status,
      closing ? at : null,
      row.id,
    )
    record(db, row.id, input.actor, 'status', row.status, input.status, at)
  }
  if (input.note) comment(db, tenant, row.id, input.actor, input.note, at)
  touch(db, row.id, at)
  return getIssue(db, tenant, number)
}

export function closeIssue(
  db: Database,
  tenant: string,
  number: number,
  input: IssueClose,
  now: Date,
): Issue {
  const row = rowOf(db, tenant, number)
  const at = now.toISOString()
  const status = input.status ?? 'resolved'
  db.query(
    'UPDATE issues SET status = ?, resolution = ?, record_id = ?, closed_at = ?, updated_at = ? WHERE id = ?',
  ).run(status, input.resolution, input.record_id ?? row.record_id, at, at, row.id)
  if (row.status !== status) record(db, row.id, input.actor, 'status', row.status, status, at)
  record(db, row.id, input.actor, 'resolution', row.resolution, input.resolution, at)
  if (input.record_id !== undefined && input.record_id !== row.record_id) {
    record(db, row.id, input.actor, 'record', row.record_id, input.record_id, at)
  }
  return getIssue(db, tenant, number)
}

/** Links a photo or a quote to an issue once; a new link is recorded in the history. */
function link(
  db: Database,
  tenant: string,
  number: number,
  what:
    | { table: 'issue_photos'; column: 'sha256'; field: 'photo' }
    | { table: 'issue_quotes'; column: 'quote_id'; field: 'quote' },
  value: string | number,
  actor: Actor,
  now: Date,
): Issue {
  const row = rowOf(db, tenant, number)
  const at = now.toISOString()
  const added = db
    .query(
      `INSERT INTO ${what.table} (issue_id, ${what.column}, added_by, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    )
    .run(row.id, value, who(actor), at)
  if (added.changes > 0) {
    record(db, row.id, actor, what.field, null, value, at)
    touch(db, row.id, at)
  }
  return getIssue(db, tenant, number)
}

export const linkPhoto = (db: Database, tenant: string, number: number, input: PhotoLink, now: Date): Issue =>
  link(
    db,
    tenant,
    number,
    { table: 'issue_photos', column: 'sha256', field: 'photo' },
    input.sha256,
    input.actor,
    now,
  )

export const linkQuote = (db: Database, tenant: string, number: number, input: QuoteLink, now: Date): Issue =>
  link(
    db,
    tenant,
    number,
    { table: 'issue_quotes', column: 'quote_id', field: 'quote' },
    input.quote_id,
    input.actor,
    now,
  )

/** Unlinks a quote (removed in the quotes service) from an issue; a link already gone changes nothing. */
export function unlinkQuote(db: Database, tenant: string, number: number, input: QuoteLink, now: Date): Issue {
  const row = rowOf(db, tenant, number)
  const at = now.toISOString()
  const gone = db.query('DELETE FROM issue_quotes WHERE issue_id = ? AND quote_id = ?').run(row.id, input.quote_id)
  if (gone.changes > 0) {
    record(db, row.id, input.actor, 'quote_unlink', input.quote_id, null, at)
    touch(db, row.id, at)
  }
  return getIssue(db, tenant, number)
}

/** The car's issues (by its items id) with the counts of what goes with them; nothing changes. */
export function carIssues(db: Database, tenant: string, carId: number): CarIssues {
  const numbers = (
    db.query('SELECT number FROM issues WHERE tenant = ? AND car_id = ? ORDER BY number').all(tenant, carId) as {
      number: number
    }[]
  ).map((r) => r.number)
  const count = (table: string, where = '') =>
    (
      db
        .query(
          `SELECT count(*) AS n FROM ${table} WHERE issue_id IN (SELECT id FROM issues WHERE tenant = ? AND car_id = ?)${where}`,
        )
        .get(tenant, carId) as { n: number }
    ).n
  return {
    numbers,
    comments: count('issue_comments', ' AND removed_at IS NULL'),
    photos: count('issue_photos'),
    quotes: count('issue_quotes'),
  }
}

/**
 * Removes the car's issues with their comments, history and links to photos and quotes (ON
 * DELETE CASCADE), answering what went. A car without issues (left) is not an error: the car's
 * removal retries this step safely. The per-garage numbers are not reused (issue_numbers keeps counting).
 */
export function removeCarIssues(db: Database, tenant: string, carId: number): CarIssues {
  return db.transaction(() => {
    const gone = carIssues(db, tenant, carId)
    db.query('DELETE FROM issues WHERE tenant = ? AND car_id = ?').run(tenant, carId)
    return gone
  })()
}

type CommentRow = {
  id: number
  number: number
  issue_id: number
  author: string
  text: string
  created_at: string
  edited_at: string | null
  removed_at: string | null
}

type ChangeRow = {
  id: number
  comment_id: number
  action: 'edit' | 'remove' | 'undo'
  before_text: string
  after_text: string
  undoes: number | null
  undone_by: number | null
}

/** How a comment is named in every answer: "#C3". */
export const commentName = (number: number) => `#C${number}`

function commentRow(db: Database, tenant: string, number: number): CommentRow {
  const row = db
    .query('SELECT * FROM issue_comments WHERE tenant = ? AND number = ?')
    .get(tenant, number) as CommentRow | null
  if (!row) throw notFound(`no comment ${commentName(number)} in this garage`)
  return row
}

/** Stores a change of a comment and answers it with the comment as it is now. */
function changed(
  db: Database,
  tenant: string,
  commentId: number,
  change: { action: ChangeRow['action']; before: string; after: string; undoes?: ChangeRow },
  actor: Actor,
  at: string,
): CommentChange {
  const { id } = db
    .query(
      `INSERT INTO comment_changes (tenant, comment_id, action, before_text, after_text, actor, at, undoes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(tenant, commentId, change.action, change.before, change.after, who(actor), at, change.undoes?.id ?? null) as {
    id: number
  }
  if (change.undoes) db.query('UPDATE comment_changes SET undone_by = ? WHERE id = ?').run(id, change.undoes.id)
  const c = db.query('SELECT * FROM issue_comments WHERE id = ?').get(commentId) as CommentRow
  const issue = db.query('SELECT number, title FROM issues WHERE id = ?').get(c.issue_id) as {
    number: number
    title: string
  }
  const undid = change.undoes?.action
  return {
    change: id,
    action: change.action,
    undoes: change.undoes?.id ?? null,
    undid: undid === 'edit' || undid === 'remove' ? undid : null,
    issue: issue.number,
    issue_title: issue.title,
    comment: {
      number: c.number,
      author: c.author,
      text: c.text,
      created_at: c.created_at,
      edited_at: c.edited_at,
      removed: c.removed_at !== null,
    },
    before: change.before,
    after: change.after,
  }
}

/**
 * Edits a comment's text; the change keeps the text before and after (for its Undo), and the
 * issue's history says who edited which comment. A removed comment, or the same text, is a 409
 * and nothing changes.
 */
export function editComment(db: Database, tenant: string, number: number, input: CommentEdit, now: Date) {
  return db.transaction(() => {
    const c = commentRow(db, tenant, number)
    if (c.removed_at !== null)
      throw conflict(
        'removed',
        `comment ${commentName(number)} was removed; undo its removal first to edit it. Nothing changed`,
        'number',
      )
    const text = input.text.trim()
    if (!text) throw invalid('text', 'give the new text of the comment')
    if (text === c.text) throw conflict('unchanged', `comment ${commentName(number)} already says that; nothing changed`, 'text')
    const at = now.toISOString()
    db.query('UPDATE issue_comments SET text = ?, edited_at = ? WHERE id = ?').run(text, at, c.id)
    const h = record(db, c.issue_id, input.actor, 'comment_edit', commentName(number), clip(text, 200), at)
    touch(db, c.issue_id, at)
    return linkHistory(db, h, changed(db, tenant, c.id, { action: 'edit', before: c.text, after: text }, input.actor, at))
  })()
}

/** Removes a comment (kept, hidden, so its Undo puts it back as it was); removing it again is a 409. */
export function removeComment(db: Database, tenant: string, number: number, input: ActorOnly, now: Date) {
  return db.transaction(() => {
    const c = commentRow(db, tenant, number)
    if (c.removed_at !== null)
      throw conflict('removed', `comment ${commentName(number)} was already removed; nothing changed`, 'number')
    const at = now.toISOString()
    db.query('UPDATE issue_comments SET removed_at = ? WHERE id = ?').run(at, c.id)
    const h = record(db, c.issue_id, input.actor, 'comment_remove', commentName(number), null, at)
    touch(db, c.issue_id, at)
    return linkHistory(db, h, changed(db, tenant, c.id, { action: 'remove', before: c.text, after: '' }, input.actor, at))
  })()
}

/**
 * Undoes an edit or a removal of a comment: once, and only while it is the comment's latest
 * change (a later edit or removal is undone first). Every refusal is a 409 (another garage's
 * change a 404, like a missing one) and changes nothing.
 */
export function undoCommentChange(
  db: Database,
  tenant: string,
  changeId: number,
  input: ActorOnly,
  now: Date,
  label: (change: number) => string = (change) => `#${change}`,
) {
  return db.transaction(() => {
    const ch = db
      .query('SELECT * FROM comment_changes WHERE tenant = ? AND id = ?')
      .get(tenant, changeId) as ChangeRow | null
    if (!ch) throw notFound(`no comment change #${changeId} in this garage`)
    const c = db.query('SELECT * FROM issue_comments WHERE id = ?').get(ch.comment_id) as CommentRow
    const name = commentName(c.number)
    if (ch.action === 'undo')
      throw conflict('not_undoable', `change ${label(changeId)} is itself an undo; nothing changed`, 'change')
    if (ch.undone_by !== null)
      throw conflict(
        'already_undone',
        `change ${label(changeId)} of comment ${name} was already undone; nothing changed${undoneBy(db, ch.undone_by, label)}`,
        'change',
      )
    const later = db
      .query(
        "SELECT id FROM comment_changes WHERE comment_id = ? AND id > ? AND action != 'undo' AND undone_by IS NULL ORDER BY id DESC LIMIT 1",
      )
      .get(ch.comment_id, ch.id) as { id: number } | null
    if (later)
      throw conflict(
        'changed_since',
        `comment ${name} was changed again since (change ${label(later.id)}); undo that first. Nothing changed`,
        'change',
      )
    const at = now.toISOString()
    if (ch.action === 'edit') {
      // back as it was: its text, and when it was edited before (null when never)
      const prior = db
        .query(
          "SELECT at FROM comment_changes WHERE comment_id = ? AND id < ? AND action = 'edit' AND undone_by IS NULL ORDER BY id DESC LIMIT 1",
        )
        .get(c.id, ch.id) as { at: string } | null
      db.query('UPDATE issue_comments SET text = ?, edited_at = ? WHERE id = ?').run(
        ch.before_text,
        prior?.at ?? null,
        c.id,
      )
    } else {
      db.query('UPDATE issue_comments SET removed_at = NULL WHERE id = ?').run(c.id)
    }
    const h = record(db, c.issue_id, input.actor, 'comment_undo', name, clip(ch.before_text, 200), at)
    touch(db, c.issue_id, at)
    return linkHistory(db, h, changed(
      db,
      tenant,
      c.id,
      { action: 'undo', before: ch.after_text, after: ch.before_text, undoes: ch },
      input.actor,
      at,
    ))
  })()
}

/** " (Ann undid it: change #I9)": who undid a change of a comment. */
function undoneBy(db: Database, undo: number, label: (change: number) => string): string {
  const u = db.query('SELECT actor FROM comment_changes WHERE id = ?').get(undo) as { actor: string } | null
  return u ? ` (${u.actor} undid it: change ${label(undo)})` : ''
}

/** The garage's history entry (issue_history id) of a change of a comment, when one tells of it. */
function entryOf(db: Database, change: number): number | null {
  const row = db.query('SELECT id FROM issue_history WHERE change_id = ?').get(change) as { id: number } | null
  return row?.id ?? null
}

/** A change as the garage's history names it: "#I12" (its issue_history id). */
export const entryName = (id: number) => `#I${id}`

/** The history fields the quotes service keeps itself (its own changes tell of them). */
const QUOTE_FIELDS = "('quote', 'quote_unlink')"
const UNDOABLE = "h.field IN ('comment_edit', 'comment_remove') AND cc.id IS NOT NULL AND cc.undone_by IS NULL"

/**
 * The garage's changes of its issues (opened, status, comments and their edits, removals and
 * undos, resolutions, photos), newest first, a page at a time: of one car (its items id), of one
 * issue, of one actor (their id), or only those that can still be undone. Links to quotes are
 * left to the quotes service's own changes.
 */
export function listChanges(db: Database, tenant: string, q: ChangesQuery): ChangeList {
  const where = ['i.tenant = ?', `h.field NOT IN ${QUOTE_FIELDS}`]
  const args: (string | number)[] = [tenant]
  if (q.car !== undefined) {
    where.push('i.car_id = ?')
    args.push(q.car)
  }
  if (q.issue !== undefined) {
    where.push('i.number = ?')
    args.push(q.issue)
  }
  if (q.actor !== undefined) {
    where.push('h.actor_id = ?')
    args.push(q.actor)
  }
  if (q.undoable === 'yes') where.push(UNDOABLE)
  const from = `FROM issue_history h JOIN issues i ON i.id = h.issue_id LEFT JOIN comment_changes cc ON cc.id = h.change_id
    WHERE ${where.join(' AND ')}`
  const limit = q.limit ?? 10
  const page = q.page ?? 1
  const changes = db
    .query(
      `SELECT h.id, h.at, h.actor, h.actor_id, i.number AS issue, i.title AS issue_title, i.car_id, i.car, h.field,
         h.old_value AS old, h.new_value AS new, (${UNDOABLE}) AS undoable,
         (SELECT u.id FROM issue_history u WHERE u.change_id = cc.undone_by) AS undone_by,
         (SELECT u.id FROM issue_history u WHERE u.change_id = cc.undoes) AS undoes
       ${from} ORDER BY h.at DESC, h.id DESC LIMIT ? OFFSET ?`,
    )
    .all(...args, limit, (page - 1) * limit) as (Omit<ChangeEntry, 'undoable'> & { undoable: number })[]
  const { total } = db.query(`SELECT count(*) AS total ${from}`).get(...args) as { total: number }
  return {
    changes: changes.map((c) => ({ ...c, undoable: c.undoable === 1 })),
    total,
    next_page: page * limit < total ? page + 1 : null,
  }
}

/**
 * Undoes the change the garage's history lists as #I<id>: an edit or a removal of a comment
 * (`undoCommentChange`, its refusals naming changes as the history does). Any other change of an
 * issue is refused (409) saying how to change it back; nothing changes.
 */
export function undoEntry(db: Database, tenant: string, id: number, input: ActorOnly, now: Date): CommentChange {
  const h = db
    .query(
      `SELECT h.field, h.change_id, h.old_value AS old, i.number AS issue FROM issue_history h JOIN issues i ON i.id = h.issue_id
       WHERE i.tenant = ? AND h.id = ? AND h.field NOT IN ${QUOTE_FIELDS}`,
    )
    .get(tenant, id) as { field: string; change_id: number | null; old: string | null; issue: number } | null
  const name = entryName(id)
  if (!h) throw notFound(`change: there is no change ${name} in this garage (see /garage history)`)
  if (h.field === 'comment_undo')
    throw conflict('undo_of_undo', `change: ${name} is itself an undo and cannot be undone; nothing changed`, 'change')
  if (h.field !== 'comment_edit' && h.field !== 'comment_remove')
    throw conflict(
      'not_undoable',
      `change: ${name} (${NOT_UNDONE[h.field]?.[0] ?? h.field} of issue #${h.issue}) is not undone from the history; ${
        NOT_UNDONE[h.field]?.[1] ?? `see /issue show number:${h.issue}`
      }. Nothing changed`,
      'change',
    )
  if (h.change_id === null)
    throw conflict(
      'not_undoable',
      `change: ${name} (of comment ${h.old}) was kept before changes could be undone from the history; edit the comment again instead. Nothing changed`,
      'change',
    )
  return undoCommentChange(db, tenant, h.change_id, input, now, (change) => {
    const entry = entryOf(db, change)
    return entry === null ? `#${change}` : entryName(entry)
  })
}

const NOT_UNDONE: Record<string, [string, string]> = {
  opened: ['its opening', 'close it with /issue close'],
  status: ['a status change', 'set the status again with /issue status'],
  comment: ['a comment', 'remove the comment with /issue comment_remove'],
  resolution: ['its resolution', 'reopen it with /issue status'],
  record: ['the link of a service record', 'close it again with the right record:'],
  photo: ['a photo', 'photos stay with the issue'],
}

/**
 * Who opened issue #ref, wrote comment #C<ref>, made history entry #I<ref> or change <ref> of a
 * comment, by their platform user id (for a driver's "only your own" check, queue/roles.ts); null
 * when that is not known (from before it was kept, or no such record in this garage).
 */
export function loggedBy(db: Database, tenant: string, q: LoggedQuery): { by: string | null } {
  const history = (where: string) =>
    db
      .query(
        `SELECT h.actor_id AS by FROM issue_history h JOIN issues i ON i.id = h.issue_id
         WHERE i.tenant = ? AND ${where} ORDER BY h.id LIMIT 1`,
      )
      .get(tenant, q.ref)
  const row =
    q.kind === 'issue'
      ? history(`i.number = ? AND h.field = 'opened'`)
      : q.kind === 'entry'
        ? history('h.id = ?')
        : q.kind === 'comment_change'
          ? history('h.change_id = ?')
          : db
              .query(
                `SELECT a.author_id AS by FROM comment_authors a JOIN issue_comments c ON c.id = a.comment_id
                 WHERE c.tenant = ? AND c.number = ?`,
              )
              .get(tenant, q.ref)
  return { by: (row as { by: string | null } | null)?.by ?? null }
}
