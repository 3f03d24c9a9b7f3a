/**
 * A garage's outgoing webhooks: add (with a fresh signing secret, given once), list, remove,
 * resume; the worker's reads for its fan-out and each delivery; and each delivery attempt's
 * outcome, which keeps the failure streak and pauses a webhook failing for the worker's setting.
 */
import type { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import { WEBHOOK_EVENTS } from '../../../lib/contracts/queues.ts'
import { badRequest, notFound } from '../../lib/http.ts'
import type { ChangeActor } from '../changes/log.ts'
import type { DeliveryOutcome, WebhookCreate, WebhookView } from './model.ts'

/** Webhooks a garage may have at once (paused ones count; removed ones do not). */
export const MAX_WEBHOOKS = 10
/** Delivery attempts kept per webhook in its log. */
export const LOG_KEPT = 200

type Row = {
  number: number
  url: string
  events: string
  secret: string
  status: WebhookView['status']
  failures: number
  failing_since: string | null
  paused_at: string | null
  channel: string | null
  created_by: string
  created_at: string
}

const eventsOf = (events: string) => (events === 'all' ? ['all'] : events.split(','))

function view(r: Row): WebhookView {
  return {
    number: r.number,
    url: r.url,
    events: eventsOf(r.events),
    status: r.status,
    failures: r.failures,
    failing_since: r.failing_since,
    paused_at: r.paused_at,
    created_by: r.created_by,
    created_at: r.created_at,
  }
}

function rowOf(db: Database, tenant: string, number: number): Row | null {
  return db.query('SELECT * FROM webhooks WHERE tenant = ? AND number = ?').get(tenant, number) as Row | null
}

function existing(db: Database, tenant: string, number: number): Row {
  const row = rowOf(db, tenant, number)
  if (!row || row.status === 'removed')
    throw notFound(`number: there is no webhook #${number} in this garage (see /garage webhook list)`)
  return row
}

export function addWebhook(db: Database, tenant: string, body: WebhookCreate, now: Date, actor: ChangeActor) {
  if (!/^https?:\/\/[^\s/?#]+[^\s]*$/i.test(body.url))
    throw badRequest('url', 'url: the address must start with https:// and name a host')
  const events = body.events.includes('all') ? 'all' : [...new Set(body.events)].join(',')
  const count = (
    db.query("SELECT COUNT(*) AS n FROM webhooks WHERE tenant = ? AND status != 'removed'").get(tenant) as { n: number }
  ).n
  if (count >= MAX_WEBHOOKS)
    throw badRequest('url', `a garage has at most ${MAX_WEBHOOKS} webhooks; remove one first (/garage webhook remove)`)
  const duplicate = db
    .query("SELECT number FROM webhooks WHERE tenant = ? AND url = ? AND status != 'removed'")
    .get(tenant, body.url) as { number: number } | null
  if (duplicate) throw badRequest('url', `webhook #${duplicate.number} already posts to that address`)
  const next = (
    db.query('SELECT COALESCE(MAX(number), 0) + 1 AS n FROM webhooks WHERE tenant = ?').get(tenant) as { n: number }
  ).n
  const secret = `whsec_${randomBytes(32).toString('hex')}`
  db.query(
    `INSERT INTO webhooks (tenant, number, url, events, secret, channel, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(tenant, next, body.url, events, secret, body.channel ?? null, actor.name, now.toISOString())
  return { webhook: view(existing(db, tenant, next)), secret }
}

export function listWebhooks(db: Database, tenant: string) {
  const rows = db
    .query("SELECT * FROM webhooks WHERE tenant = ? AND status != 'removed' ORDER BY number")
    .all(tenant) as Row[]
  return { webhooks: rows.map(view) }
}

export function removeWebhook(db: Database, tenant: string, number: number): WebhookView {
  existing(db, tenant, number)
  db.query("UPDATE webhooks SET status = 'removed' WHERE tenant = ? AND number = ?").run(tenant, number)
  return view(rowOf(db, tenant, number)!)
}

/** A paused webhook delivers again, its failure streak forgotten. */
export function resumeWebhook(db: Database, tenant: string, number: number): WebhookView {
  existing(db, tenant, number)
  db.query(
    "UPDATE webhooks SET status = 'active', failures = 0, failing_since = NULL, paused_at = NULL WHERE tenant = ? AND number = ?",
  ).run(tenant, number)
  return view(rowOf(db, tenant, number)!)
}

export function activeWebhooks(db: Database, tenant: string) {
  const rows = db
    .query("SELECT number, events FROM webhooks WHERE tenant = ? AND status = 'active' ORDER BY number")
    .all(tenant) as { number: number; events: string }[]
  return { webhooks: rows.map((r) => ({ number: r.number, events: r.events === 'all' ? [...WEBHOOK_EVENTS] : eventsOf(r.events) })) }
}

export function webhookTarget(db: Database, tenant: string, number: number, event: string) {
  const row = rowOf(db, tenant, number)
  if (!row) throw notFound(`number: there is no webhook #${number} in this garage`)
  const delivered = db
    .query('SELECT 1 FROM webhook_deliveries WHERE tenant = ? AND webhook = ? AND event_id = ? AND ok = 1')
    .get(tenant, number, event)
  return { url: row.url, secret: row.secret, status: row.status, delivered: delivered !== null }
}

/**
 * Records one attempt (again for the same event and attempt: kept once) and its streak: a success
 * clears it; a failure counts, and the first failure `pauseAfterHours` or more after the streak
 * began (`pause_after_hours`) pauses an active webhook (`paused_now` is true for that one answer only).
 */
export function recordOutcome(db: Database, tenant: string, o: DeliveryOutcome, now: Date) {
  return db.transaction(() => {
    const row = existing(db, tenant, o.number)
    const at = now.toISOString()
    const added = db
      .query(
        `INSERT INTO webhook_deliveries (tenant, webhook, event_id, event_type, attempt, ok, http_status, error, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, webhook, event_id, attempt) DO NOTHING`,
      )
      .run(tenant, o.number, o.event_id, o.event_type, o.attempt, o.ok ? 1 : 0, o.http_status ?? null, o.error ?? null, at)
    let pausedNow = false
    if (added.changes > 0) {
      if (o.ok) {
        db.query('UPDATE webhooks SET failures = 0, failing_since = NULL WHERE tenant = ? AND number = ?').run(tenant, o.number)
      } else {
        const since = row.failing_since ?? at
        db.query('UPDATE webhooks SET failures = failures + 1, failing_since = ? WHERE tenant = ? AND number = ?').run(
          since,
          tenant,
          o.number,
        )
        if (now.getTime() - Date.parse(since) >= o.pause_after_hours * 3600_000)
          pausedNow =
            db
              .query("UPDATE webhooks SET status = 'paused', paused_at = ? WHERE tenant = ? AND number = ? AND status = 'active'")
              .run(at, tenant, o.number).changes > 0
      }
      db.query(
        `DELETE FROM webhook_deliveries WHERE tenant = ? AND webhook = ? AND id <= (
           SELECT id FROM webhook_deliveries WHERE tenant = ? AND webhook = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
      ).run(tenant, o.number, tenant, o.number, LOG_KEPT)
    }
    const after = rowOf(db, tenant, o.number)!
    const settings = db.query('SELECT reminder_channel FROM tenants WHERE id = ?').get(tenant) as {
      reminder_channel: string | null
    } | null
    return {
      status: after.status,
      paused_now: pausedNow,
      failing_since: after.failing_since,
      notify_channel: settings?.reminder_channel ?? after.channel,
    }
  })()
}

export function deliveryLog(db: Database, tenant: string, number: number | undefined, limit: number) {
  if (number !== undefined) existing(db, tenant, number)
  const rows = db
    .query(
      `SELECT webhook, event_id, event_type, attempt, ok, http_status, error, at FROM webhook_deliveries
       WHERE tenant = ?1 AND (?2 IS NULL OR webhook = ?2) ORDER BY id DESC LIMIT ?3`,
    )
    .all(tenant, number ?? null, limit) as {
    webhook: number
    event_id: string
    event_type: string
    attempt: number
    ok: number
    http_status: number | null
    error: string | null
    at: string
  }[]
  return { deliveries: rows.map((r) => ({ ...r, ok: r.ok === 1 })) }
}
