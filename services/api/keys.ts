/**
 * API keys and calendar feeds: made with 32 random bytes, kept only as their sha256 (a leaked
 * database gives no key), found again by that digest and compared in constant time. A key
 * carries its garage and its role; revoking it is at once (the next request is refused).
 */
import type { Database } from 'bun:sqlite'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { conflict, notFound } from '../lib/http.ts'
import type { ApiRole, KeyView } from './model.ts'

const digest = (secret: string) => Bun.CryptoHasher.hash('sha256', secret, 'hex') as string

/**
 * A secret: a readable prefix and the HMAC-SHA256, under the service token, of a random salt,
 * base64url (URL- and header-safe). The salt, not the secret, is what a write's idempotency
 * answer keeps, so a retried job is answered the same key again while neither the database nor
 * a backup of it holds a usable key.
 */
export const secretOf = (prefix: string, serviceToken: string, salt: string) =>
  `${prefix}${createHmac('sha256', serviceToken).update(salt).digest('base64url')}`
export const newSalt = () => randomBytes(32).toString('base64url')

export const KEY_PREFIX = 'cmk_'
export const FEED_PREFIX = 'cal_'

/** What a request with a key acts as: its garage and role. */
export type KeyHolder = { id: number; tenant: string; name: string; role: ApiRole }

type KeyRow = {
  id: number
  tenant: string
  name: string
  role: ApiRole
  hash: string
  prefix: string
  created_by: string
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

const viewOf = (r: KeyRow): KeyView => ({
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  created_by: r.created_by,
  created_at: r.created_at,
  last_used_at: r.last_used_at,
  revoked_at: r.revoked_at,
})

export function createKey(
  db: Database,
  tenant: string,
  body: { name: string; role: ApiRole; created_by: string },
  now: Date,
  serviceToken: string,
): { salt: string; view: KeyView } {
  const name = body.name.trim()
  const live = db.query('SELECT 1 FROM api_keys WHERE tenant = ? AND name = ? AND revoked_at IS NULL').get(tenant, name)
  if (live) throw conflict('exists', `a key named ${name} exists; revoke it first or choose another name`, 'name')
  const salt = newSalt()
  const key = secretOf(KEY_PREFIX, serviceToken, salt)
  const row = db
    .query(
      `INSERT INTO api_keys (tenant, name, role, hash, prefix, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(tenant, name, body.role, digest(key), key.slice(0, KEY_PREFIX.length + 4), body.created_by, now.toISOString()) as KeyRow
  return { salt, view: viewOf(row) }
}

export function listKeys(db: Database, tenant: string): { keys: KeyView[] } {
  const rows = db
    .query('SELECT * FROM api_keys WHERE tenant = ? ORDER BY revoked_at IS NOT NULL, created_at, id')
    .all(tenant) as KeyRow[]
  return { keys: rows.map(viewOf) }
}

export function revokeKey(db: Database, tenant: string, name: string, now: Date): { revoked: KeyView } {
  const row = db
    .query('UPDATE api_keys SET revoked_at = ? WHERE tenant = ? AND name = ? AND revoked_at IS NULL RETURNING *')
    .get(now.toISOString(), tenant, name.trim()) as KeyRow | null
  if (!row) throw notFound(`no live API key named ${name.trim()}`)
  return { revoked: viewOf(row) }
}

/**
 * The live key an `Authorization: Bearer <key>` header names, or null. The lookup is by the
 * key's digest; the digests are then compared in constant time as well.
 */
export function keyHolder(db: Database, header: string | null): KeyHolder | null {
  if (!header?.startsWith('Bearer ')) return null
  const given = header.slice(7)
  if (!given.startsWith(KEY_PREFIX) || given.length > 200) return null
  const hash = digest(given)
  const row = db
    .query('SELECT id, tenant, name, role, hash FROM api_keys WHERE hash = ? AND revoked_at IS NULL')
    .get(hash) as Pick<KeyRow, 'id' | 'tenant' | 'name' | 'role' | 'hash'> | null
  if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash))) return null
  return { id: row.id, tenant: row.tenant, name: row.name, role: row.role }
}

/** Notes a key's use, at most once a minute per key (a busy tracker does not write on every call). */
export function touchKey(db: Database, id: number, now: Date): void {
  const at = now.toISOString()
  const minuteAgo = new Date(now.getTime() - 60_000).toISOString()
  db.query('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)').run(at, id, minuteAgo)
}

export type Feed = { tenant: string; user_id: string; car: string | null; mine: boolean }

/** A new calendar feed for a member; their previous one (if any) stops working. */
export function createFeed(
  db: Database,
  tenant: string,
  body: { user_id: string; car?: string; mine?: boolean },
  now: Date,
  serviceToken: string,
) {
  return db.transaction(() => {
    const replaced =
      db
        .query('UPDATE calendar_feeds SET revoked_at = ? WHERE tenant = ? AND user_id = ? AND revoked_at IS NULL')
        .run(now.toISOString(), tenant, body.user_id).changes > 0
    const salt = newSalt()
    const token = secretOf(FEED_PREFIX, serviceToken, salt)
    db.query(
      'INSERT INTO calendar_feeds (tenant, user_id, hash, car, mine, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(tenant, body.user_id, digest(token), body.car ?? null, body.mine ? 1 : 0, now.toISOString())
    return { salt, car: body.car ?? null, mine: body.mine === true, replaced }
  })()
}

export function revokeFeed(db: Database, tenant: string, userId: string, now: Date): { revoked: boolean } {
  const changes = db
    .query('UPDATE calendar_feeds SET revoked_at = ? WHERE tenant = ? AND user_id = ? AND revoked_at IS NULL')
    .run(now.toISOString(), tenant, userId).changes
  return { revoked: changes > 0 }
}

/** The live feed of a token, or null. */
export function feedOf(db: Database, token: string): Feed | null {
  if (!token.startsWith(FEED_PREFIX) || token.length > 200) return null
  const hash = digest(token)
  const row = db
    .query('SELECT tenant, user_id, car, mine, hash FROM calendar_feeds WHERE hash = ? AND revoked_at IS NULL')
    .get(hash) as { tenant: string; user_id: string; car: string | null; mine: number; hash: string } | null
  if (!row || !timingSafeEqual(Buffer.from(row.hash), Buffer.from(hash))) return null
  return { tenant: row.tenant, user_id: row.user_id, car: row.car, mine: row.mine === 1 }
}
