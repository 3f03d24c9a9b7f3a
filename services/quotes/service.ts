/**
 * Quotes per issue, their comparison, estimates and the tip of the day. Every query is scoped
 * by tenant; the worker has already checked that the issue exists in that tenant (issues
 * service) before a quote is created.
 */
import type { Database } from 'bun:sqlite'
import { formatMoney, minorDigits, toMinor } from '../../lib/domain/money.ts'
import { conflict, HttpError, notFound } from '../lib/http.ts'
import { TIPS, type Topic, topicOf } from './tips.ts'

const invalid = (field: string, message: string) =>
  new HttpError(422, 'invalid', `${field}: ${message}`, field)

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

export type Quote = ReturnType<typeof view>

function view(row: Row, today?: string) {
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

export const utcDay = (now: Date) => now.toISOString().slice(0, 10)

export type NewQuote = {
  issue: number
  shop: string
  currency: string
  amount?: { value: number; text?: string }
  parts?: { value: number; text?: string }
  labour?: { value: number; text?: string }
  validUntil?: string
  notes?: string
  by?: string
  today: string
}

/** Validates and stores a quote; every check runs before the insert, so a refusal stores nothing. */
export function createQuote(db: Database, tenant: string, q: NewQuote, now: Date) {
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
    if (Number.isNaN(Date.parse(`${q.validUntil}T00:00:00Z`)))
      throw invalid('valid_until', `${q.validUntil} is not a date`)
    if (q.validUntil < q.today)
      throw invalid('valid_until', `${q.validUntil} is already past (today is ${q.today})`)
  }
  return db.transaction(() => {
    const next = db
      .query('SELECT COALESCE(MAX(number), 0) + 1 AS n FROM quotes WHERE tenant = ?')
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
  if (!row) throw notFound(`no quote ${number} in this garage`)
  return row
}

export function getQuote(db: Database, tenant: string, number: number, today: string) {
  return view(getRow(db, tenant, number), today)
}

/**
 * An issue's quotes side by side: each with total, parts, labour, validity (expired marked);
 * the cheapest valid one marked; the spread between the highest and the lowest total.
 * Quotes in a currency other than the garage's current one are listed but not compared.
 */
export function compareQuotes(db: Database, tenant: string, issue: number, today: string) {
  const rows = db
    .query('SELECT * FROM quotes WHERE tenant = ? AND issue = ? ORDER BY amount_minor, number')
    .all(tenant, issue) as Row[]
  const quotes = rows.map((r) => view(r, today))
  const currency = quotes[0]?.currency ?? null
  const comparable = quotes.filter((q) => q.currency === currency && q.status !== 'rejected')
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
  opts: { by?: string; today: string },
  now: Date,
) {
  return db.transaction(() => {
    const row = getRow(db, tenant, number)
    if (row.status === 'accepted') {
      throw conflict(
        'already_accepted',
        `quote ${number} (${row.shop}) was already accepted on ${row.accepted_at?.slice(0, 10)}; nothing changed`,
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
        `quote ${number} (${row.shop}) expired on ${row.valid_until}; ask the shop for a new one and add it`,
        'id',
      )
    }
    const accepted = db
      .query(
        "UPDATE quotes SET status = 'accepted', accepted_at = ?, accepted_by = ? WHERE id = ? RETURNING *",
      )
      .get(now.toISOString(), opts.by ?? null, row.id) as Row
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

// ---------------------------------------------------------------------------------------
// Estimates

/** Typical book labour hours of common jobs (a garage overrides them with its own). */
export const JOBS: readonly { name: string; hours: number }[] = [
  { name: 'Oil and filter change', hours: 0.5 },
  { name: 'Brake pads, front', hours: 1.5 },
  { name: 'Brake pads, rear', hours: 1.5 },
  { name: 'Brake pads and rotors, front', hours: 2.5 },
  { name: 'Brake fluid flush', hours: 1.0 },
  { name: 'Battery replacement', hours: 0.5 },
  { name: 'Spark plugs, 4-cylinder', hours: 1.0 },
  { name: 'Spark plugs, V6', hours: 2.5 },
  { name: 'Timing belt and water pump', hours: 4.5 },
  { name: 'Water pump', hours: 3.0 },
  { name: 'Alternator', hours: 2.0 },
  { name: 'Starter motor', hours: 1.5 },
  { name: 'Clutch replacement', hours: 6.0 },
  { name: 'Serpentine belt', hours: 0.8 },
  { name: 'Coolant flush', hours: 1.0 },
  { name: 'Thermostat', hours: 1.2 },
  { name: 'Radiator', hours: 2.5 },
  { name: 'Transmission fluid change', hours: 1.0 },
  { name: 'Wheel alignment', hours: 1.0 },
  { name: 'Tyre rotation', hours: 0.5 },
  { name: 'Shock absorbers, front pair', hours: 2.0 },
  { name: 'Struts, front pair', hours: 3.0 },
  { name: 'Engine air filter', hours: 0.2 },
  { name: 'Cabin air filter', hours: 0.3 },
  { name: 'A/C recharge', hours: 1.0 },
  { name: 'Oxygen sensor', hours: 0.8 },
  { name: 'Wheel bearing, front', hours: 2.0 },
  { name: 'CV axle, front', hours: 1.8 },
]

const jobKey = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()

export function listJobs(db: Database, tenant: string) {
  const overrides = new Map(
    (
      db.query('SELECT job_key, hours FROM job_overrides WHERE tenant = ?').all(tenant) as {
        job_key: string
        hours: number
      }[]
    ).map((o) => [o.job_key, o.hours]),
  )
  return JOBS.map((j) => {
    const own = overrides.get(jobKey(j.name))
    return { name: j.name, typicalHours: j.hours, hours: own ?? j.hours, overridden: own !== undefined }
  })
}

/** A catalog job by name: exact (ignoring case and punctuation), else the one job whose name contains every word typed. */
export function findJob(db: Database, tenant: string, name: string) {
  const jobs = listJobs(db, tenant)
  const key = jobKey(name)
  const exact = jobs.find((j) => jobKey(j.name) === key)
  if (exact) return exact
  const words = key.split(' ').filter(Boolean)
  const matches = jobs.filter((j) =>
    words.every((w) =>
      jobKey(j.name)
        .split(' ')
        .some((jw) => jw.startsWith(w.replace(/s$/, ''))),
    ),
  )
  if (matches.length === 1) return matches[0]!
  const list = (matches.length > 1 ? matches : jobs).map((j) => j.name)
  throw invalid(
    'job',
    `${matches.length > 1 ? `"${name}" could be several jobs` : `no job "${name}" in the catalog`}: ${list.slice(0, 12).join('; ')}${list.length > 12 ? '; …' : ''}`,
  )
}

export function overrideJob(db: Database, tenant: string, name: string, hours: number, now: Date) {
  if (!Number.isFinite(hours) || hours <= 0 || hours > 200)
    throw invalid('hours', `must be more than 0 and at most 200 (got ${hours})`)
  const job = findJob(db, tenant, name)
  db.query(
    'INSERT INTO job_overrides (tenant, job_key, hours, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, job_key) DO UPDATE SET hours = excluded.hours, updated_at = excluded.updated_at',
  ).run(tenant, jobKey(job.name), hours, now.toISOString())
  return { ...job, hours, overridden: true }
}

export type EstimateInput = {
  currency: string
  job?: string
  hours?: number
  rate?: { value: number; text?: string }
  parts?: { value: number; text?: string }
  taxPercent?: number
}

/** hours × rate + parts, then tax on the whole; itemised in integer minor units. */
export function estimate(db: Database, tenant: string, input: EstimateInput) {
  const job = input.job ? findJob(db, tenant, input.job) : null
  const hours = input.hours ?? job?.hours
  if (hours === undefined)
    throw invalid('hours', 'give the labour hours (hours:1.5) or a catalog job (job:"Brake pads, front")')
  if (!Number.isFinite(hours) || hours <= 0 || hours > 200)
    throw invalid('hours', `must be more than 0 and at most 200 (got ${hours})`)
  if (!input.rate) throw invalid('rate', "give the shop's hourly labour rate, e.g. rate:120")
  const rate = toMinor('rate', input.rate, input.currency)
  const parts = input.parts ? toMinor('parts', input.parts, input.currency, { allowZero: true }) : 0
  const tax = input.taxPercent ?? 0
  if (!Number.isFinite(tax) || tax < 0 || tax > 50)
    throw invalid('tax', `${tax}% is not a sales tax rate this accepts (0% to 50%)`)
  const labour = Math.round(hours * rate)
  const subtotal = labour + parts
  const taxMinor = Math.round((subtotal * tax) / 100)
  return {
    currency: input.currency,
    job: job ? { name: job.name, hours: job.hours, overridden: job.overridden } : null,
    hours,
    rateMinor: rate,
    labourMinor: labour,
    partsMinor: parts,
    subtotalMinor: subtotal,
    taxPercent: tax,
    taxMinor,
    totalMinor: subtotal + taxMinor,
  }
}

// ---------------------------------------------------------------------------------------
// Tip of the day

/** FNV-1a, 32 bits: a small stable hash (the same tenant gives the same tips on every machine). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * Position `day` of a per-tenant walk through `n` items: start and stride come from the
 * tenant's hash and the stride is coprime with n, so the same tenant gets the same item all
 * day, a different one the next day, and every item once in n days.
 */
export function dailyIndex(tenant: string, day: number, n: number): number {
  if (n <= 1) return 0
  const h = fnv1a(tenant)
  let step = 1 + (fnv1a(`${tenant}#step`) % (n - 1))
  while (gcd(step, n) !== 1) step = (step % (n - 1)) + 1
  return ((((h % n) + (day % n) * step) % n) + n) % n
}

export function tipOfTheDay(tenant: string, date: string, focus?: { text?: string; topic?: string }) {
  const day = Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000)
  if (Number.isNaN(day)) throw invalid('date', `${date} is not a date`)
  const topic: Topic | null = focus?.topic ? topicOf(focus.topic) : focus?.text ? topicOf(focus.text) : null
  const pool = topic ? TIPS.filter((t) => t.topic === topic) : TIPS
  const chosen = pool[dailyIndex(tenant, day, pool.length)]!
  return {
    date,
    focus: focus?.text ?? null,
    tip: { number: TIPS.indexOf(chosen) + 1, topic: chosen.topic, text: chosen.text },
    relevant: topic !== null,
    catalogSize: TIPS.length,
  }
}

export { formatMoney, minorDigits }
