/**
 * Schemas of the quotes service: requests and responses; types are derived from them. Money
 * arrives as typed ({ value, text }) with the garage currency and leaves as integer minor units.
 */
import { t } from 'elysia'
import { changePaging, Currency, Day } from '../lib/schemas.ts'
import { wholeNumber } from '../lib/whole.ts'

export const TypedMoney = t.Object({ value: t.Number(), text: t.Optional(t.String({ maxLength: 64 })) })

export const NumberParams = t.Object({ number: wholeNumber('number', 1, 1_000_000_000) })
export const IssueParams = t.Object({ issue: wholeNumber('issue', 1, 1_000_000_000) })

/** What a quote is given besides its issue, shop and currency, when added or edited. */
const quoteFields = {
  amount: t.Optional(TypedMoney),
  parts: t.Optional(TypedMoney),
  labour: t.Optional(TypedMoney),
  validUntil: t.Optional(Day),
  notes: t.Optional(t.String({ maxLength: 1000 })),
  by: t.Optional(t.String({ maxLength: 200 })),
  /** Who, by platform user id (the garage's history finds "the asker's last change" by it). */
  byId: t.Optional(t.String({ maxLength: 64 })),
  /** Today in the garage's timezone (the worker knows it); defaults to the service's UTC date. */
  today: t.Optional(Day),
}

export const QuoteCreate = t.Object({
  issue: t.Integer({ minimum: 1 }),
  shop: t.String({ minLength: 1, maxLength: 100 }),
  currency: Currency,
  ...quoteFields,
})
export type QuoteCreate = typeof QuoteCreate.static

/** `today` (the garage's date) decides which quotes count as expired. */
export const QuoteQuery = t.Object({ today: t.Optional(Day) })
export const QuoteListQuery = t.Object({
  issue: wholeNumber('issue', 1, 1_000_000_000),
  today: t.Optional(Day),
})

export const AcceptBody = t.Object({
  by: t.Optional(t.String({ maxLength: 200 })),
  byId: t.Optional(t.String({ maxLength: 64 })),
  today: t.Optional(Day),
})

export const RecordLink = t.Object({ recordId: t.Integer({ minimum: 1 }) })

/** The quotes of these issues go (a car removed with its issues); `preview` only answers which. */
export const QuotesRemove = t.Object(
  {
    issues: t.Array(t.Integer({ minimum: 1 }), { maxItems: 100_000 }),
    preview: t.Optional(t.Boolean()),
  },
  { additionalProperties: false },
)
export type QuotesRemove = typeof QuotesRemove.static
/** The numbers of the quotes removed (or, for a preview, that would be). */
export const QuotesRemoved = t.Object({ removed: t.Array(t.Integer()) })

export const EstimateBody = t.Object({
  currency: Currency,
  job: t.Optional(t.String({ minLength: 1, maxLength: 100 })),
  hours: t.Optional(t.Number()),
  rate: t.Optional(TypedMoney),
  parts: t.Optional(TypedMoney),
  taxPercent: t.Optional(t.Number()),
})
export type EstimateBody = typeof EstimateBody.static

export const JobOverride = t.Object({
  job: t.String({ minLength: 1, maxLength: 100 }),
  hours: t.Number(),
})

export const TipQuery = t.Object({
  /** The garage's calendar day (YYYY-MM-DD); defaults to the service's UTC date. */
  date: t.Optional(Day),
  /** What is most urgent in the garage, e.g. "Your Corolla's oil change is due in ~9 days". */
  focus: t.Optional(t.String({ maxLength: 300 })),
  /** Name of that item ("Oil change"), to pick a tip on the same topic. */
  topic: t.Optional(t.String({ maxLength: 100 })),
})

/** A correction of a quote: only the fields given change (in the quote's own currency). */
export const QuoteEdit = t.Object(
  { shop: t.Optional(t.String({ minLength: 1, maxLength: 100 })), ...quoteFields },
  { additionalProperties: false },
)
export type QuoteEdit = typeof QuoteEdit.static

/** Who removes a quote or undoes a change of one. */
export const ByBody = t.Object(
  { by: t.Optional(t.String({ maxLength: 200 })), byId: t.Optional(t.String({ maxLength: 64 })), today: t.Optional(Day) },
  { additionalProperties: false },
)

/** A quote by its number (`quote`), or a change of one by its id (#Q5, its Undo button's: `change`). */
export const LoggedQuery = t.Object({
  kind: t.Union([t.Literal('quote'), t.Literal('change')]),
  ref: wholeNumber('ref', 1, Number.MAX_SAFE_INTEGER),
})
export type LoggedQuery = typeof LoggedQuery.static
/** Who added it or made it (their platform user id), or null when that is not known (from before it was kept, or none such). */
export const LoggedBy = t.Object({ by: t.Nullable(t.String()) })

export const ChangeParams = t.Object({ change: wholeNumber('change', 1, Number.MAX_SAFE_INTEGER) })

// ——— responses ———

export const Quote = t.Object({
  number: t.Integer(),
  issue: t.Integer(),
  shop: t.String(),
  currency: t.String(),
  amountMinor: t.Integer(),
  /** The total as it was typed ("$640"), shown back as it was understood. */
  amountText: t.Nullable(t.String()),
  partsMinor: t.Nullable(t.Integer()),
  labourMinor: t.Nullable(t.Integer()),
  validUntil: t.Nullable(t.String()),
  /** Past its validUntil on the garage's today (false when no today was given). */
  expired: t.Boolean(),
  notes: t.Nullable(t.String()),
  status: t.Union([t.Literal('open'), t.Literal('accepted'), t.Literal('rejected')]),
  acceptedAt: t.Nullable(t.String()),
  acceptedBy: t.Nullable(t.String()),
  /** The service record (items) that logged the accepted quote's work. */
  recordId: t.Nullable(t.Integer()),
  createdBy: t.Nullable(t.String()),
  createdAt: t.String(),
})
export type Quote = typeof Quote.static

export const QuoteCreated = t.Object({
  quote: Quote,
  /** The number of the issue's already accepted quote, if it has one. */
  issueHasAccepted: t.Nullable(t.Integer()),
})

export const QuoteAccepted = t.Object({
  quote: Quote,
  /** The issue's other open quotes, rejected by this acceptance. */
  rejected: t.Array(t.Integer()),
})

export const QuoteComparison = t.Object({
  issue: t.Integer(),
  /** The currency the quotes are compared in (the first quote's); null when there are none. */
  currency: t.Nullable(t.String()),
  today: t.String(),
  quotes: t.Array(t.Composite([Quote, t.Object({ cheapest: t.Boolean() })])),
  cheapest: t.Nullable(t.Integer()),
  accepted: t.Nullable(t.Integer()),
  highestMinor: t.Nullable(t.Integer()),
  lowestMinor: t.Nullable(t.Integer()),
  spreadMinor: t.Nullable(t.Integer()),
  /** Spread as a percentage of the lowest total. */
  spreadPercent: t.Nullable(t.Number()),
})

export const Job = t.Object({
  name: t.String(),
  /** The catalog's book hours. */
  typicalHours: t.Number(),
  /** The hours this garage uses: its own override, else the book hours. */
  hours: t.Number(),
  overridden: t.Boolean(),
})
export type Job = typeof Job.static

export const JobList = t.Object({ jobs: t.Array(Job) })

export const Estimate = t.Object({
  currency: t.String(),
  job: t.Nullable(t.Object({ name: t.String(), hours: t.Number(), overridden: t.Boolean() })),
  hours: t.Number(),
  rateMinor: t.Integer(),
  labourMinor: t.Integer(),
  partsMinor: t.Integer(),
  subtotalMinor: t.Integer(),
  taxPercent: t.Number(),
  taxMinor: t.Integer(),
  totalMinor: t.Integer(),
})

export const Tip = t.Object({
  date: t.String(),
  focus: t.Nullable(t.String()),
  tip: t.Object({ number: t.Integer(), topic: t.String(), text: t.String() }),
  /** The tip was chosen for the garage's focus (its topic was recognised). */
  relevant: t.Boolean(),
  catalogSize: t.Integer(),
})

/**
 * An edit, a removal, or the undo of one, of a quote: the quote as it is now (`removed` when it
 * is gone) and each field that changed, shown as before → after.
 */
export const QuoteChange = t.Object({
  change: t.Integer(),
  action: t.Union([t.Literal('edit'), t.Literal('remove'), t.Literal('undo')]),
  undoes: t.Nullable(t.Integer()),
  undid: t.Nullable(t.Union([t.Literal('edit'), t.Literal('remove')])),
  quote: Quote,
  removed: t.Boolean(),
  fields: t.Array(
    t.Object({ name: t.String(), before: t.Nullable(t.String()), after: t.Nullable(t.String()) }),
  ),
})
export type QuoteChange = typeof QuoteChange.static

/**
 * The garage's changes of its quotes (/garage history): of some issues (`issues`: numbers,
 * comma-separated: a car's), of one actor (platform user id), or (`undoable: yes`) only those
 * that can still be undone.
 */
export const QuoteChangesQuery = t.Object({
  issues: t.Optional(t.String({ pattern: '^([0-9]{1,10}(,[0-9]{1,10})*)?$', maxLength: 20_000 })),
  ...changePaging,
})
export type QuoteChangesQuery = typeof QuoteChangesQuery.static

/** One change of a quote as the garage's history shows it (named #Q<id>). */
export const QuoteChangeEntry = t.Object({
  id: t.Integer(),
  at: t.String(),
  actor: t.Nullable(t.String()),
  actor_id: t.Nullable(t.String()),
  action: t.Union([t.Literal('add'), t.Literal('accept'), t.Literal('edit'), t.Literal('remove'), t.Literal('undo')]),
  number: t.Integer(),
  issue: t.Integer(),
  shop: t.String(),
  fields: t.Array(t.Object({ name: t.String(), before: t.Nullable(t.String()), after: t.Nullable(t.String()) })),
  undoable: t.Boolean(),
  undoes: t.Nullable(t.Integer()),
  undone_by: t.Nullable(t.Integer()),
})
export type QuoteChangeEntry = typeof QuoteChangeEntry.static

export const QuoteChangeList = t.Object({
  changes: t.Array(QuoteChangeEntry),
  total: t.Integer(),
  next_page: t.Nullable(t.Integer()),
})
export type QuoteChangeList = typeof QuoteChangeList.static
