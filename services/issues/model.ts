/**
 * Schemas of the issues service: request bodies, queries and responses. Types are derived from
 * them (`typeof X.static`). Length limits live here so a refusal names the field (422).
 */
import { t } from 'elysia'
import { changePaging, Sha256 } from '../lib/schemas.ts'
import { wholeNumber } from '../lib/whole.ts'

const strict = { additionalProperties: false } as const

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const
export const STATUSES = ['open', 'in_progress', 'waiting_parts', 'resolved', 'wont_fix'] as const
/** Statuses that mean the issue is finished; every other status is "open" for listings. */
export const CLOSED_STATUSES = ['resolved', 'wont_fix'] as const

export const Severity = t.Union([
  t.Literal('low'),
  t.Literal('medium'),
  t.Literal('high'),
  t.Literal('critical'),
])
export type Severity = (typeof SEVERITIES)[number]
export const Status = t.Union([
  t.Literal('open'),
  t.Literal('in_progress'),
  t.Literal('waiting_parts'),
  t.Literal('resolved'),
  t.Literal('wont_fix'),
])
export type Status = (typeof STATUSES)[number]

/** Who did it, as the platform named them (shown in the history). */
export const Actor = t.Object(
  { id: t.String({ minLength: 1, maxLength: 64 }), name: t.String({ maxLength: 200 }) },
  strict,
)
export type Actor = typeof Actor.static

export const IssueCreate = t.Object(
  {
    /** The car's id in the items service (the worker resolved the nickname there first). */
    car_id: t.Integer({ minimum: 1 }),
    /** The car's nickname, kept for display and search. */
    car: t.String({ minLength: 1, maxLength: 100 }),
    title: t.String({ minLength: 1, maxLength: 200 }),
    details: t.Optional(t.String({ maxLength: 4000 })),
    severity: t.Optional(Severity),
    actor: Actor,
  },
  strict,
)
export type IssueCreate = typeof IssueCreate.static

export const IssueQuery = t.Object({
  /** Car id in the items service. */
  car: t.Optional(wholeNumber('car', 1)),
  status: t.Optional(Status),
  /** `yes` lists closed issues too. */
  all: t.Optional(t.Union([t.Literal('yes'), t.Literal('no'), t.Literal('true'), t.Literal('false')])),
  /** Autocomplete: a number prefix ("1", "#12") or words of the title or car. */
  q: t.Optional(t.String({ maxLength: 100 })),
  limit: t.Optional(wholeNumber('limit', 1, 100)),
})
export type IssueQuery = typeof IssueQuery.static

export const NumberParams = t.Object({ number: wholeNumber('number', 1, 1_000_000_000) })

/** A car by its id in the items service. */
export const CarParams = t.Object({ car: wholeNumber('car', 1) })

/**
 * A car's issues as its removal sees them: their numbers, and their comments and links to
 * photos and quotes that go with them (GET: what would go; DELETE: what went).
 */
export const CarIssues = t.Object({
  numbers: t.Array(t.Integer()),
  comments: t.Integer(),
  photos: t.Integer(),
  quotes: t.Integer(),
})
export type CarIssues = typeof CarIssues.static

export const CommentCreate = t.Object(
  { text: t.String({ minLength: 1, maxLength: 4000 }), actor: Actor },
  strict,
)
export type CommentCreate = typeof CommentCreate.static

export const StatusChange = t.Object(
  { status: Status, note: t.Optional(t.String({ maxLength: 4000 })), actor: Actor },
  strict,
)
export type StatusChange = typeof StatusChange.static

export const IssueClose = t.Object(
  {
    resolution: t.String({ minLength: 1, maxLength: 4000 }),
    /** The service record (items/maintenance) that fixed it. */
    record_id: t.Optional(t.Integer({ minimum: 1 })),
    /** `resolved` (default) or `wont_fix`. */
    status: t.Optional(t.Union([t.Literal('resolved'), t.Literal('wont_fix')])),
    actor: Actor,
  },
  strict,
)
export type IssueClose = typeof IssueClose.static

export const PhotoLink = t.Object({ sha256: Sha256, actor: Actor }, strict)
export type PhotoLink = typeof PhotoLink.static

export const QuoteLink = t.Object({ quote_id: t.Integer({ minimum: 1 }), actor: Actor }, strict)
export type QuoteLink = typeof QuoteLink.static

export const IssueSummary = t.Object({
  number: t.Integer(),
  car_id: t.Integer(),
  car: t.String(),
  title: t.String(),
  severity: Severity,
  status: Status,
  created_at: t.String(),
  updated_at: t.String(),
})
export type IssueSummary = typeof IssueSummary.static

export const HistoryEntry = t.Object({
  actor: t.String(),
  field: t.String(),
  old: t.Union([t.String(), t.Null()]),
  new: t.Union([t.String(), t.Null()]),
  at: t.String(),
})
export type HistoryEntry = typeof HistoryEntry.static

/** A comment as an issue shows it: its number in the garage (shown as #C3), and when it was last edited. */
export const Comment = t.Object({
  number: t.Integer(),
  author: t.String(),
  text: t.String(),
  created_at: t.String(),
  edited_at: t.Union([t.String(), t.Null()]),
})
export type Comment = typeof Comment.static

export const Issue = t.Object({
  number: t.Integer(),
  car_id: t.Integer(),
  car: t.String(),
  title: t.String(),
  details: t.Union([t.String(), t.Null()]),
  severity: Severity,
  status: Status,
  resolution: t.Union([t.String(), t.Null()]),
  record_id: t.Union([t.Integer(), t.Null()]),
  opened_by: t.String(),
  created_at: t.String(),
  updated_at: t.String(),
  closed_at: t.Union([t.String(), t.Null()]),
  comments: t.Array(Comment),
  history: t.Array(HistoryEntry),
  photos: t.Array(t.Object({ sha256: t.String(), added_by: t.String(), added_at: t.String() })),
  quotes: t.Array(t.Integer()),
})
export type Issue = typeof Issue.static

export const IssueList = t.Object({ issues: t.Array(IssueSummary), total: t.Integer() })
export type IssueList = typeof IssueList.static

/** A comment by its number in the garage. */
export const CommentParams = t.Object({ number: wholeNumber('number', 1, 1_000_000_000) })
/** A change of a comment by its id. */
export const ChangeParams = t.Object({ change: wholeNumber('change', 1, Number.MAX_SAFE_INTEGER) })

export const CommentEdit = t.Object(
  { text: t.String({ minLength: 1, maxLength: 4000 }), actor: Actor },
  strict,
)
export type CommentEdit = typeof CommentEdit.static

/** Who removes a comment, or undoes a change of one. */
/**
 * Who opened an issue, wrote a comment, or made a change: `ref` is the issue's number, the
 * comment's (#C3), an entry of the garage's history (#I12, `entry`) or a change of a comment (its
 * Undo button's id, `comment_change`).
 */
export const LoggedQuery = t.Object({
  kind: t.Union([t.Literal('issue'), t.Literal('comment'), t.Literal('entry'), t.Literal('comment_change')]),
  ref: wholeNumber('ref', 1, 1_000_000_000),
})
export type LoggedQuery = typeof LoggedQuery.static
/** Their platform user id, or null when that is not known. */
export const LoggedBy = t.Object({ by: t.Nullable(t.String()) })

export const ActorOnly = t.Object({ actor: Actor }, strict)
export type ActorOnly = typeof ActorOnly.static

/**
 * A change of a comment (an edit, a removal, or the undo of one of them): the comment as it is
 * now (`removed` when it is gone), its text before and after, and the issue it belongs to.
 */
export const CommentChange = t.Object({
  change: t.Integer(),
  action: t.Union([t.Literal('edit'), t.Literal('remove'), t.Literal('undo')]),
  /** For an undo: the change it undid, and what that change was. */
  undoes: t.Union([t.Integer(), t.Null()]),
  undid: t.Union([t.Literal('edit'), t.Literal('remove'), t.Null()]),
  issue: t.Integer(),
  issue_title: t.String(),
  comment: t.Composite([Comment, t.Object({ removed: t.Boolean() })]),
  before: t.String(),
  after: t.String(),
})
export type CommentChange = typeof CommentChange.static

/**
 * The garage's changes of its issues (/garage history): of one car (its items id), one issue, one
 * actor (their platform user id), or (`undoable: yes`) only those that can still be undone.
 */
export const ChangesQuery = t.Object({
  car: t.Optional(wholeNumber('car', 1)),
  issue: t.Optional(wholeNumber('issue', 1, 1_000_000_000)),
  ...changePaging,
})
export type ChangesQuery = typeof ChangesQuery.static

/**
 * One change of an issue as the garage's history shows it (named #I<id>): who (name, and id when
 * it was kept), when, what (`field`, with its value before and after, as in an issue's history),
 * the issue and its car's items id; whether it can still be undone (an edit or removal of a
 * comment not undone yet), and the entries it undid or was undone by.
 */
export const ChangeEntry = t.Object({
  id: t.Integer(),
  at: t.String(),
  actor: t.String(),
  actor_id: t.Nullable(t.String()),
  issue: t.Integer(),
  issue_title: t.String(),
  car_id: t.Integer(),
  /** The car's nickname the issue was filed under (the worker names it as items calls it now). */
  car: t.String(),
  field: t.String(),
  old: t.Nullable(t.String()),
  new: t.Nullable(t.String()),
  undoable: t.Boolean(),
  undoes: t.Nullable(t.Integer()),
  undone_by: t.Nullable(t.Integer()),
})
export type ChangeEntry = typeof ChangeEntry.static

export const ChangeList = t.Object({
  changes: t.Array(ChangeEntry),
  total: t.Integer(),
  next_page: t.Nullable(t.Integer()),
})
export type ChangeList = typeof ChangeList.static

/** A change of the garage's history by its id (#I12 is 12). */
export const EntryParams = t.Object({ id: wholeNumber('id', 1, Number.MAX_SAFE_INTEGER) })
