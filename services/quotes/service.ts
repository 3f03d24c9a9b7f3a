/**
 * Shop quotes per issue: adding one, comparing an issue's quotes, accepting one, and linking
 * the service record that logged its work. Every query is scoped by tenant; the worker has
 * already checked that the issue exists in that tenant (issues service) before a quote is
 * created. A quote reaches its car only through its issue (which holds the car's id), so it
 * names no car itself; a removed car's quotes go by its issues' numbers (`removeIssueQuotes`).
 */
import type { Database } from 'bun:sqlite'
import { DEFAULT_DATE_ORDER, type DateOrder, formatDate, isDate, isDateOrder } from '../../lib/domain/dates.ts'
import { invalid } from '../../lib/domain/invalid.ts'
import { formatMoney as moneyIn, toMinor } from '../../lib/domain/money.ts'
import { DEFAULT_NUMBER_FORMAT, isNumberFormat, type NumberFormat } from '../../lib/domain/numbers.ts'
import { conflict, notFound } from '../lib/http.ts'
import type { LoggedQuery, Quote, QuoteChange, QuoteChangeList, QuoteChangesQuery, QuoteCreate, QuoteEdit } from './model.ts'

/**
 * How the garage writes numbers and dates, for the texts this service makes (a change's fields,
 * a refusal's figures). Only items keeps the settings; the worker sends them as X-Numbers and
 * X-Dates, and a caller that sends none gets the defaults.
 */
export type Format = { numbers: NumberFormat; dates: DateOrder }
export const DEFAULT_FORMAT: Format = { numbers: DEFAULT_NUMBER_FORMAT, dates: DEFAULT_DATE_ORDER }
export const formatOf = (headers: Record<string, string | undefined>): Format => {
  const numbers = headers['x-numbers']
  const dates = headers['x-dates']
  return {
    numbers: isNumberFormat(numbers) ? numbers : DEFAULT_NUMBER_FORMAT,
    dates: isDateOrder(dates) ? dates : DEFAULT_DATE_ORDER,
  }
}

type Row = {
  id: number
  tenant: string
  number: number
  issue: number
  shop: string
  currency: string
  amount_minor: number
  amount_text: string | null
  parts_minor: number | null
  labour_minor: number | null
  valid_until: string | null
  notes: string | null
  status: 'open' | 'accepted' | 'rejected'
  accepted_at: string | null
  accepted_by: string | null
  record_id: number | null
  created_by: string | null
  created_at: string
}

function view(row: Row, today?: string): Quote {
  return {
    number: row.number,
    issue: row.issue,
    shop: row.shop,
    currency: row.currency,
    amountMinor: row.amount_minor,
    amountText: row.amount_text,
    partsMinor: row.parts_minor,
    labourMinor: row.labour_minor,
    validUntil: row.valid_until,
    expired: today !== undefined && row.valid_until !== null && row.valid_until < today,
    notes: row.notes,
    status: row.status,
    acceptedAt: row.accepted_at,
    acceptedBy: row.accepted_by,
    recordId: row.record_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
  }
}

/** A quote as the route received it, with the garage's today decided. */
export type NewQuote = QuoteCreate & { today: string }

/** Validates and stores a quote; every check runs before the insert, so a refusal stores nothing. */
export function createQuote(db: Database, tenant: string, q: NewQuote, now: Date, f: Format = DEFAULT_FORMAT) {
  const formatMoney = (minor: number, currency: string) => moneyIn(minor, currency, 0, f.numbers)
  const shop = q.shop.trim()
  if (!shop) throw invalid('shop', "give the shop's name")
  const parts = q.parts ? toMinor('parts', q.parts, q.currency, { allowZero: true }) : null
  const labour = q.labour ? toMinor('labor', q.labour, q.currency, { allowZero: true }) : null
  let amount: number
  if (q.amount) {
    amount = toMinor('amount', q.amount, q.currency)
    if (parts !== null && labour !== null && parts + labour > amount) {
      throw invalid(
        'amount',
        `${q.amount.text ?? q.amount.value} is less than parts + labour (${formatMoney(parts + labour, q.currency)}); the total includes both`,
      )
    }
    if ((parts ?? 0) > amount)
      throw invalid('parts', `parts (${formatMoney(parts!, q.currency)}) are more than the total`)
    if ((labour ?? 0) > amount)
      throw invalid('labor', `labour (${formatMoney(labour!, q.currency)}) is more than the total`)
  } else if (parts !== null && labour !== null) {
    amount = parts + labour
    if (amount === 0) throw invalid('amount', 'a quote of 0 is not a quote')
  } else {
    throw invalid('amount', "give the quote's total (amount:640), or both parts and labor")
  }
  if (q.validUntil !== undefined) {
    if (!isDate(q.validUntil)) throw invalid('valid_until', `${q.validUntil} is not a date`)
    if (q.validUntil < q.today)
      throw invalid(
        'valid_until',
        `${formatDate(q.validUntil, f.dates)} is already past (today is ${formatDate(q.today, f.dates)})`,
      )
  }
  return db.transaction(() => {
    const next = db
      .query(
        'INSERT INTO quote_numbers (tenant, last) VALUES (?, 1) ON CONFLICT (tenant) DO UPDATE SET last = last + 1 RETURNING last AS n',
      )
      .get(tenant) as { n: number }
    const row = db
      .query(
        `INSERT INTO quotes (tenant, number, issue, shop, currency, amount_minor, amount_text, parts_minor, labour_minor, valid_until, notes, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(
        tenant,
        next.n,
        q.issue,
        shop,
        q.currency,
        amount,
        q.amount?.text ?? null,
        parts,
        labour,
        q.validUntil ?? null,
        q.notes?.trim() || null,
        q.by ?? null,
        now.toISOString(),
      ) as Row
    keepChange(db, tenant, row.number, { action: 'add', issue: row.issue, before: null, after: kept(row) }, q, now)
    const accepted = db
      .query("SELECT number FROM quotes WHERE tenant = ? AND issue = ? AND status = 'accepted'")
      .get(tenant, q.issue) as { number: number } | null
    return { quote: view(row, q.today), issueHasAccepted: accepted?.number ?? null }
  })()
}

function getRow(db: Database, tenant: string, number: number): Row {
  const row = db
    .query('SELECT * FROM quotes WHERE tenant = ? AND number = ?')
    .get(tenant, number) as Row | null
  if (!row) throw notFound(`no quote ${number} in this garage${removedNote(db, tenant, number)}`)
  return row
}

/** ": it was removed (change #Q7); undo that to bring it back", when its removal is kept and not undone. */
function removedNote(db: Database, tenant: string, number: number): string {
  const removal = db
    .query(
      "SELECT id FROM quote_changes WHERE tenant = ? AND number = ? AND action = 'remove' AND undone_by IS NULL ORDER BY id DESC LIMIT 1",
    )
    .get(tenant, number) as { id: number } | null
  return removal
    ? `: it was removed (change ${changeName(removal.id)}); /garage undo change:Q${removal.id} brings it back`
    : ''
}

export function getQuote(db: Database, tenant: string, number: number, today: string) {
  return view(getRow(db, tenant, number), today)
}

/**
 * An issue's quotes side by side: each with total, parts, labour, validity (expired marked);
 * the cheapest valid one marked; the spread between the highest and the lowest total.
 * Quotes in a currency other than the first one's are listed but not compared. The comparison
 * is of what the shops asked, so it stays the same after one quote is accepted (which marks
 * the others rejected): the spread and the cheapest still count every quote.
 */
export function compareQuotes(db: Database, tenant: string, issue: number, today: string) {
  const rows = db
    .query('SELECT * FROM quotes WHERE tenant = ? AND issue = ? ORDER BY amount_minor, number')
    .all(tenant, issue) as Row[]
  const quotes = rows.map((r) => view(r, today))
  const currency = quotes[0]?.currency ?? null
  const comparable = quotes.filter((q) => q.currency === currency)
  const live = comparable.filter((q) => !q.expired)
  const cheapest = (live.length > 0 ? live : comparable)[0] ?? null
  const totals = comparable.map((q) => q.amountMinor)
  const high = totals.length > 0 ? Math.max(...totals) : null
  const low = totals.length > 0 ? Math.min(...totals) : null
  return {
    issue,
    currency,
    today,
    quotes: quotes.map((q) => ({ ...q, cheapest: cheapest !== null && q.number === cheapest.number })),
    cheapest: cheapest?.number ?? null,
    accepted: quotes.find((q) => q.status === 'accepted')?.number ?? null,
    highestMinor: high,
    lowestMinor: low,
    spreadMinor: high !== null && low !== null ? high - low : null,
    /** Spread as a percentage of the lowest total. */
    spreadPercent: high !== null && low ? ((high - low) / low) * 100 : null,
  }
}

/**
 * Accepts a quote: exactly once per issue. Accepting it again, or another quote of an issue
 * that already has one accepted, is a 409 that says which. The issue's other open quotes
 * become rejected. An expired quote cannot be accepted (ask the shop to renew it).
 */
export function acceptQuote(
  db: Database,
  tenant: string,
  number: number,
  opts: Actor & { today: string },
  now: Date,
  f: Format = DEFAULT_FORMAT,
) {
  return db.transaction(() => {
    const row = getRow(db, tenant, number)
    if (row.status === 'accepted') {
      const on = row.accepted_at ? ` on ${formatDate(row.accepted_at.slice(0, 10), f.dates)}` : ''
      throw conflict(
        'already_accepted',
        `quote ${number} (${row.shop}) was already accepted${on}; nothing changed`,
        'id',
      )
    }
    const other = db
      .query("SELECT number, shop FROM quotes WHERE tenant = ? AND issue = ? AND status = 'accepted'")
      .get(tenant, row.issue) as { number: number; shop: string } | null
    if (other) {
      throw conflict(
        'issue_has_accepted',
        `issue #${row.issue} already has an accepted quote: ${other.number} (${other.shop}); only one quote per issue can be accepted`,
        'id',
      )
    }
    if (row.valid_until !== null && row.valid_until < opts.today) {
      throw conflict(
        'expired',
        `quote ${number} (${row.shop}) expired on ${formatDate(row.valid_until, f.dates)}; ask the shop for a new one and add it`,
        'id',
      )
    }
    const accepted = db
      .query(
        "UPDATE quotes SET status = 'accepted', accepted_at = ?, accepted_by = ? WHERE id = ? RETURNING *",
      )
      .get(now.toISOString(), opts.by ?? null, row.id) as Row
    keepChange(db, tenant, number, { action: 'accept', issue: row.issue, before: kept(row), after: kept(accepted) }, opts, now)
    const rejected = db
      .query(
        "UPDATE quotes SET status = 'rejected' WHERE tenant = ? AND issue = ? AND status = 'open' RETURNING number",
      )
      .all(tenant, row.issue) as { number: number }[]
    return {
      quote: view(accepted, opts.today),
      rejected: rejected.map((r) => r.number).sort((a, b) => a - b),
    }
  })()
}

/** The accepted quote of an issue (what a service record for that work should carry). */
export function acceptedFor(db: Database, tenant: string, issue: number) {
  const row = db
    .query("SELECT * FROM quotes WHERE tenant = ? AND issue = ? AND status = 'accepted'")
    .get(tenant, issue) as Row | null
  if (!row) throw notFound(`issue #${issue} has no accepted quote`)
  return view(row)
}

/** Remembers the service record that logged the accepted quote's work (idempotent for the same record). */
export function linkRecord(db: Database, tenant: string, issue: number, recordId: number) {
  return db.transaction(() => {
    const quote = acceptedFor(db, tenant, issue)
    if (quote.recordId !== null && quote.recordId !== recordId) {
      throw conflict(
        'already_linked',
        `the accepted quote of issue #${issue} is already linked to service record ${quote.recordId}`,
        'record',
      )
    }
    const row = db
      .query('UPDATE quotes SET record_id = ? WHERE tenant = ? AND number = ? RETURNING *')
      .get(recordId, tenant, quote.number) as Row
    return view(row)
  })()
}

/**
 * The quotes of these issues (a removed car's), removed unless `preview`; answers their
 * numbers. Quotes of no such issue leave nothing to do, so a retried removal is safe.
 */
export function removeIssueQuotes(db: Database, tenant: string, issues: number[], preview: boolean) {
  return db.transaction(() => {
    const where = 'tenant = ? AND issue IN (SELECT value FROM json_each(?))'
    const args = [tenant, JSON.stringify(issues)] as const
    const numbers = (
      db.query(`SELECT number FROM quotes WHERE ${where} ORDER BY number`).all(...args) as { number: number }[]
    ).map((r) => r.number)
    if (!preview) {
      db.query(`DELETE FROM quotes WHERE ${where}`).run(...args)
      // Their changes go too (a removed quote's among them), so no Undo puts back a quote of a removed issue.
      db.query('DELETE FROM quote_changes WHERE tenant = ? AND issue IN (SELECT value FROM json_each(?))').run(...args)
    }
    return { removed: numbers }
  })()
}

/** The columns a change of a quote keeps and an Undo puts back (every one but the row id). */
const COLUMNS = [
  'tenant',
  'number',
  'issue',
  'shop',
  'currency',
  'amount_minor',
  'amount_text',
  'parts_minor',
  'labour_minor',
  'valid_until',
  'notes',
  'status',
  'accepted_at',
  'accepted_by',
  'record_id',
  'created_by',
  'created_at',
] as const
type Kept = Omit<Row, 'id'>
const kept = (row: Row): Kept => {
  const { id: _id, ...rest } = row
  return rest
}

/** Writes a quote's correctable fields (an edit, or an undo putting them back); the row as it is now. */
const writeFields = (db: Database, id: number, q: Kept): Row =>
  db
    .query(
      `UPDATE quotes SET shop = ?, amount_minor = ?, amount_text = ?, parts_minor = ?, labour_minor = ?, valid_until = ?, notes = ?
       WHERE id = ? RETURNING *`,
    )
    .get(q.shop, q.amount_minor, q.amount_text, q.parts_minor, q.labour_minor, q.valid_until, q.notes, id) as Row

/** The fields a person sees change, each as it reads: "amount $640.00 → $600.00". */
function fieldsChanged(before: Kept, after: Kept | null, f: Format) {
  const money = (minor: number, currency: string) => moneyIn(minor, currency, 0, f.numbers)
  const shown = (r: Kept | null): Record<string, string | null> =>
    r === null
      ? {}
      : {
          shop: r.shop,
          amount: money(r.amount_minor, r.currency),
          parts: r.parts_minor === null ? null : money(r.parts_minor, r.currency),
          labor: r.labour_minor === null ? null : money(r.labour_minor, r.currency),
          valid_until: r.valid_until === null ? null : formatDate(r.valid_until, f.dates),
          notes: r.notes,
        }
  const b = shown(before)
  const a = shown(after)
  return Object.keys(b)
    .filter((name) => after === null || b[name] !== a[name])
    .map((name) => ({ name, before: b[name] ?? null, after: after === null ? null : (a[name] ?? null) }))
}

type ChangeRow = {
  id: number
  number: number
  issue: number
  action: 'add' | 'accept' | 'edit' | 'remove' | 'undo'
  before_row: string | null
  after_row: string | null
  actor: string | null
  actor_id: string | null
  at: string
  undoes: number | null
  undone_by: number | null
}

/** Who made a change: the name shown (`by`) and the platform user id (`byId`). */
type Actor = { by?: string; byId?: string }

function keepChange(
  db: Database,
  tenant: string,
  number: number,
  change: { action: ChangeRow['action']; issue: number; before: Kept | null; after: Kept | null; undoes?: ChangeRow },
  actor: Actor,
  now: Date,
): number {
  const { id } = db
    .query(
      `INSERT INTO quote_changes (tenant, number, issue, action, before_row, after_row, actor, actor_id, at, undoes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      tenant,
      number,
      change.issue,
      change.action,
      change.before === null ? null : JSON.stringify(change.before),
      change.after === null ? null : JSON.stringify(change.after),
      actor.by ?? null,
      actor.byId ?? null,
      now.toISOString(),
      change.undoes?.id ?? null,
    ) as { id: number }
  if (change.undoes) db.query('UPDATE quote_changes SET undone_by = ? WHERE id = ?').run(id, change.undoes.id)
  return id
}

/**
 * Corrects a quote: only the fields given change, in the quote's own currency, checked like a
 * new quote's (parts and labour within the total; a total typed as parts + labour follows them).
 * An accepted quote keeps its figures (amount, parts, labor): its amount is what the service
 * record of the work carries, so changing them is a 409 naming the field; its shop, notes and
 * validity can still be corrected. Every check runs before the update, so a refusal changes nothing.
 */
export function editQuote(
  db: Database,
  tenant: string,
  number: number,
  e: QuoteEdit & { today: string },
  now: Date,
  f: Format = DEFAULT_FORMAT,
): QuoteChange {
  const formatMoney = (minor: number, currency: string) => moneyIn(minor, currency, 0, f.numbers)
  return db.transaction((): QuoteChange => {
    const row = getRow(db, tenant, number)
    const before = kept(row)
    const next: Kept = { ...before }
    if (e.shop !== undefined) {
      const shop = e.shop.trim()
      if (!shop) throw invalid('shop', "give the shop's name")
      next.shop = shop
    }
    const figures = e.amount !== undefined || e.parts !== undefined || e.labour !== undefined
    if (figures && row.status === 'accepted') {
      const field = e.amount !== undefined ? 'amount' : e.parts !== undefined ? 'parts' : 'labor'
      throw conflict(
        'accepted',
        `${field}: quote ${number} (${row.shop}) is accepted, and its amount is what the service record of issue #${row.issue} carries; its amount, parts and labor cannot be edited (its shop, notes and valid_until can). Nothing changed`,
        field,
      )
    }
    const cur = row.currency
    if (e.parts !== undefined) next.parts_minor = toMinor('parts', e.parts, cur, { allowZero: true })
    if (e.labour !== undefined) next.labour_minor = toMinor('labor', e.labour, cur, { allowZero: true })
    if (e.amount !== undefined) {
      next.amount_minor = toMinor('amount', e.amount, cur)
      next.amount_text = e.amount.text ?? null
    } else if (row.amount_text === null && next.parts_minor !== null && next.labour_minor !== null) {
      // a total that was never typed is parts + labour, and follows them
      next.amount_minor = next.parts_minor + next.labour_minor
      if (next.amount_minor === 0) throw invalid('amount', 'a quote of 0 is not a quote')
    }
    if (next.parts_minor !== null && next.labour_minor !== null && next.parts_minor + next.labour_minor > next.amount_minor)
      throw invalid(
        e.amount !== undefined ? 'amount' : e.parts !== undefined ? 'parts' : 'labor',
        `parts + labour (${formatMoney(next.parts_minor + next.labour_minor, cur)}) would be more than the total (${formatMoney(next.amount_minor, cur)}); the total includes both`,
      )
    if ((next.parts_minor ?? 0) > next.amount_minor)
      throw invalid('parts', `parts (${formatMoney(next.parts_minor!, cur)}) would be more than the total (${formatMoney(next.amount_minor, cur)})`)
    if ((next.labour_minor ?? 0) > next.amount_minor)
      throw invalid('labor', `labour (${formatMoney(next.labour_minor!, cur)}) would be more than the total (${formatMoney(next.amount_minor, cur)})`)
    if (e.validUntil !== undefined) {
      if (!isDate(e.validUntil)) throw invalid('valid_until', `${e.validUntil} is not a date`)
      if (e.validUntil < e.today)
        throw invalid(
          'valid_until',
          `${formatDate(e.validUntil, f.dates)} is already past (today is ${formatDate(e.today, f.dates)})`,
        )
      next.valid_until = e.validUntil
    }
    if (e.notes !== undefined) next.notes = e.notes.trim() || null
    const fields = fieldsChanged(before, next, f)
    if (fields.length === 0) throw conflict('unchanged', `quote ${number} already reads like that; nothing changed`, 'number')
    const updated = writeFields(db, row.id, next)
    const change = keepChange(db, tenant, number, { action: 'edit', issue: row.issue, before, after: kept(updated) }, e, now)
    return { change, action: 'edit', undoes: null, undid: null, quote: view(updated, e.today), removed: false, fields }
  })()
}

/**
 * Removes a quote, keeping it whole in its change so its Undo puts it back under its number
 * (numbers are never given twice). An accepted quote is not removed (409): the issue's work and
 * its service record stand on it.
 */
export function removeQuote(
  db: Database,
  tenant: string,
  number: number,
  opts: Actor & { today: string },
  now: Date,
  f: Format = DEFAULT_FORMAT,
): QuoteChange {
  return db.transaction((): QuoteChange => {
    const row = getRow(db, tenant, number)
    if (row.status === 'accepted')
      throw conflict(
        'accepted',
        `quote ${number} (${row.shop}) is accepted for issue #${row.issue}; an accepted quote is not removed. Nothing changed`,
        'number',
      )
    db.query('DELETE FROM quotes WHERE id = ?').run(row.id)
    const change = keepChange(db, tenant, number, { action: 'remove', issue: row.issue, before: kept(row), after: null }, opts, now)
    return {
      change,
      action: 'remove',
      undoes: null,
      undid: null,
      quote: view(row, opts.today),
      removed: true,
      fields: fieldsChanged(kept(row), null, f),
    }
  })()
}

/**
 * Undoes an edit or a removal of a quote: once, and only while it is the quote's latest change
 * (a later edit or removal is undone first). An edit's figures are not put back on a quote
 * accepted since. Every refusal is a 409 (another garage's change a 404) and changes nothing.
 */
export function undoQuoteChange(
  db: Database,
  tenant: string,
  changeId: number,
  opts: Actor & { today: string },
  now: Date,
  f: Format = DEFAULT_FORMAT,
  label: (change: number) => string = (change) => `#${change}`,
): QuoteChange {
  const formatMoney = (minor: number, currency: string) => moneyIn(minor, currency, 0, f.numbers)
  return db.transaction((): QuoteChange => {
    const ch = db
      .query('SELECT * FROM quote_changes WHERE tenant = ? AND id = ?')
      .get(tenant, changeId) as ChangeRow | null
    if (!ch) throw notFound(`no quote change ${label(changeId)} in this garage`)
    if (ch.action === 'undo')
      throw conflict('not_undoable', `change ${label(changeId)} is itself an undo; nothing changed`, 'change')
    if (ch.action === 'add')
      throw conflict(
        'not_undoable',
        `change ${label(changeId)} added quote ${ch.number}; an addition is not undone: remove the quote with /quote remove number:${ch.number}. Nothing changed`,
        'change',
      )
    if (ch.action === 'accept')
      throw conflict(
        'not_undoable',
        `change ${label(changeId)} accepted quote ${ch.number}; an acceptance is not undone (the issue's work and its service record stand on it). Nothing changed`,
        'change',
      )
    if (ch.undone_by !== null) {
      const by = db.query('SELECT actor FROM quote_changes WHERE id = ?').get(ch.undone_by) as { actor: string | null } | null
      throw conflict(
        'already_undone',
        `change ${label(changeId)} of quote ${ch.number} was already undone; nothing changed (${by?.actor ?? 'someone'} undid it: change ${label(ch.undone_by)})`,
        'change',
      )
    }
    const later = db
      .query(
        "SELECT id FROM quote_changes WHERE tenant = ? AND number = ? AND id > ? AND action IN ('edit', 'remove') AND undone_by IS NULL ORDER BY id DESC LIMIT 1",
      )
      .get(tenant, ch.number, ch.id) as { id: number } | null
    if (later)
      throw conflict(
        'changed_since',
        `quote ${ch.number} was changed again since (change ${label(later.id)}); undo that first. Nothing changed`,
        'change',
      )
    const before = JSON.parse(ch.before_row ?? 'null') as Kept
    if (ch.action === 'remove') {
      const restored = db
        .query(`INSERT INTO quotes (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) RETURNING *`)
        .get(...COLUMNS.map((c) => before[c])) as Row
      const change = keepChange(
        db,
        tenant,
        ch.number,
        { action: 'undo', issue: ch.issue, before: null, after: kept(restored), undoes: ch },
        opts,
        now,
      )
      return {
        change,
        action: 'undo',
        undoes: ch.id,
        undid: 'remove',
        quote: view(restored, opts.today),
        removed: false,
        fields: fieldsChanged(kept(restored), null, f),
      }
    }
    const row = getRow(db, tenant, ch.number)
    const now_ = kept(row)
    const figures = now_.amount_minor !== before.amount_minor || now_.parts_minor !== before.parts_minor || now_.labour_minor !== before.labour_minor
    if (row.status === 'accepted' && figures)
      throw conflict(
        'accepted',
        `quote ${ch.number} was accepted since, with its amount ${formatMoney(row.amount_minor, row.currency)}; its figures are not put back. Nothing changed`,
        'change',
      )
    const updated = writeFields(db, row.id, before)
    const fields = fieldsChanged(now_, kept(updated), f)
    const change = keepChange(
      db,
      tenant,
      ch.number,
      { action: 'undo', issue: ch.issue, before: now_, after: kept(updated), undoes: ch },
      opts,
      now,
    )
    return { change, action: 'undo', undoes: ch.id, undid: 'edit', quote: view(updated, opts.today), removed: false, fields }
  })()
}

/** A change as the garage's history names it: "#Q7". */
export const changeName = (id: number) => `#Q${id}`

const UNDOABLE = "action IN ('edit', 'remove') AND undone_by IS NULL"

/**
 * The garage's changes of its quotes (added, accepted, edited, removed, undone), newest first, a
 * page at a time: of some issues (a car's), of one actor (their id), or only those that can still
 * be undone (an edit or a removal not undone yet). Each with the fields a person sees: all of them
 * for an add or a removal, the amount for an acceptance, before → after for an edit or an undo.
 */
export function listChanges(db: Database, tenant: string, q: QuoteChangesQuery, f: Format): QuoteChangeList {
  const where = ['tenant = ?']
  const args: (string | number)[] = [tenant]
  if (q.issues !== undefined) {
    where.push('issue IN (SELECT value FROM json_each(?))')
    args.push(JSON.stringify(q.issues === '' ? [] : q.issues.split(',').map(Number)))
  }
  if (q.actor !== undefined) {
    where.push('actor_id = ?')
    args.push(q.actor)
  }
  if (q.undoable === 'yes') where.push(UNDOABLE)
  const clause = where.join(' AND ')
  const limit = q.limit ?? 10
  const page = q.page ?? 1
  const rows = db
    .query(`SELECT * FROM quote_changes WHERE ${clause} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`)
    .all(...args, limit, (page - 1) * limit) as ChangeRow[]
  const { total } = db.query(`SELECT count(*) AS total FROM quote_changes WHERE ${clause}`).get(...args) as {
    total: number
  }
  const changes = rows.map((c) => {
    const before = c.before_row === null ? null : (JSON.parse(c.before_row) as Kept)
    const after = c.after_row === null ? null : (JSON.parse(c.after_row) as Kept)
    const shown = (after ?? before)!
    // an add or a removal shows what the quote said (its shop is in the entry already)
    const whole = () => fieldsChanged(shown, null, f).filter((x) => x.before !== null && x.name !== 'shop')
    const fields =
      c.action === 'add'
        ? whole().map((x) => ({ name: x.name, before: null, after: x.before }))
        : c.action === 'remove'
          ? whole()
          : c.action === 'accept'
            ? [{ name: 'amount', before: null, after: moneyIn(shown.amount_minor, shown.currency, 0, f.numbers) }]
            : before && after
              ? fieldsChanged(before, after, f)
              : whole()
    return {
      id: c.id,
      at: c.at,
      actor: c.actor,
      actor_id: c.actor_id,
      action: c.action,
      number: c.number,
      issue: c.issue,
      shop: shown.shop,
      fields,
      undoable: (c.action === 'edit' || c.action === 'remove') && c.undone_by === null,
      undoes: c.undoes,
      undone_by: c.undone_by,
    }
  })
  return { changes, total, next_page: page * limit < total ? page + 1 : null }
}

/** Who added quote #ref (its `add` change) or made change #Q<ref>, by their platform user id; null when not known. */
export function loggedBy(db: Database, tenant: string, q: LoggedQuery): { by: string | null } {
  const row = (
    q.kind === 'quote'
      ? db
          .query(
            "SELECT actor_id FROM quote_changes WHERE tenant = ? AND number = ? AND action = 'add' ORDER BY id LIMIT 1",
          )
          .get(tenant, q.ref)
      : db.query('SELECT actor_id FROM quote_changes WHERE tenant = ? AND id = ?').get(tenant, q.ref)
  ) as { actor_id: string | null } | null
  return { by: row?.actor_id ?? null }
}
