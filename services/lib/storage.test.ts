/**
 * A full disk is answered 507 `storage_full`, never 500: a real SQLite database made full (its
 * `max_page_count` set just above its size, on the app's own connection), an ENOSPC from a file
 * write; /ready is 503 with the reason until a write succeeds or there is room; and because
 * every write is one transaction, a refused write stored nothing.
 */
import type { Database } from 'bun:sqlite'
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { t } from 'elysia'
import { silentLogger } from '../../lib/log.ts'
import { createApp as createItems } from '../items/app.ts'
import { serviceApp } from './app.ts'
import { IDEMPOTENCY_TABLE } from './db.ts'
import { isStorageFull, StorageWatch } from './storage.ts'

const TOKEN = 'a-service-token-of-some-length'
const dirs: string[] = []
const stops: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const s of stops.splice(0)) await s()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cm-storage-'))
  dirs.push(d)
  return d
}

const pages = (db: Database) => (db.query('PRAGMA page_count').get() as { page_count: number }).page_count
/** Lets the database grow by `more` pages from its size now (what a nearly full disk leaves). */
const capAt = (db: Database, more: number) => db.exec(`PRAGMA max_page_count = ${pages(db) + more}`)
const uncap = (db: Database) => db.exec('PRAGMA max_page_count = 4294967294')

/** A service whose write stores several big rows in one `once`, and one that writes a file. */
function probe() {
  const dir = freshDir()
  const {
    app: base,
    db,
    once,
    finish,
  } = serviceApp('issues', { dataDir: dir, token: TOKEN, log: silentLogger }, [
    `CREATE TABLE blobs (id INTEGER PRIMARY KEY, batch TEXT NOT NULL, data TEXT NOT NULL); ${IDEMPOTENCY_TABLE}`,
  ])
  const app = finish(
    base
      .post(
        '/blobs',
        ({ body, tenant, idempotencyKey, set }) =>
          once({ tenant, idempotencyKey, set }, 'POST /blobs', () => {
            for (let i = 0; i < body.rows; i++)
              db.query('INSERT INTO blobs (batch, data) VALUES (?, ?)').run(body.batch, 'x'.repeat(3000))
            return { stored: body.rows }
          }),
        {
          body: t.Object({ batch: t.String(), rows: t.Integer() }),
          response: t.Object({ stored: t.Integer() }),
        },
      )
      .post('/file', () => {
        // The kernel's own answer for a write to a full device.
        writeFileSync('/dev/full', new Uint8Array(16))
        return { stored: 1 }
      }),
  )
  stops.push(() => app.stop())
  const call = async (method: string, path: string, body?: unknown, key?: string) => {
    const res = await app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'x-tenant': 'local:a',
          'content-type': 'application/json',
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    )
    return { status: res.status, body: (await res.json()) as any }
  }
  const rows = (batch: string) =>
    (db.query('SELECT count(*) AS n FROM blobs WHERE batch = ?').get(batch) as { n: number }).n
  const keys = () => (db.query('SELECT count(*) AS n FROM idempotency').get() as { n: number }).n
  return { app, db, call, rows, keys }
}

describe('a full disk', () => {
  test('a write that fills the database: 507 storage_full, /ready 503, nothing of it stored; room makes both well again', async () => {
    const p = probe()
    expect((await p.call('POST', '/blobs', { batch: 'before', rows: 2 }, 'k0')).status).toBe(200)
    capAt(p.db, 2)
    // Ten rows of 3 kB need more pages than the two left: the first rows fit, a later one does not.
    const full = await p.call('POST', '/blobs', { batch: 'big', rows: 10 }, 'k1')
    expect(full.status).toBe(507)
    expect(full.body.error.code).toBe('storage_full')
    expect(full.body.error.message).toContain('storage is full')
    expect(full.body.error.message).toContain('nothing was saved')
    // One transaction: none of the rows that did fit, and no idempotency key, was kept.
    expect(p.rows('big')).toBe(0)
    expect(p.keys()).toBe(1)
    const ready = await p.call('GET', '/ready')
    expect(ready.status).toBe(503)
    expect(ready.body).toMatchObject({ ok: false, service: 'issues' })
    expect(ready.body.reason).toContain('database or disk is full')
    // Reads still answer; /ready stays 503 while the database has no room.
    expect((await p.call('GET', '/ready')).status).toBe(503)
    expect((await p.call('GET', '/health')).status).toBe(200)

    uncap(p.db)
    const again = await p.call('POST', '/blobs', { batch: 'big', rows: 10 }, 'k1')
    expect(again.status).toBe(200)
    expect(p.rows('big')).toBe(10)
    expect((await p.call('GET', '/ready')).status).toBe(200)
  })

  test('an ENOSPC from a file write is 507 storage_full too, not a 500', async () => {
    const p = probe()
    const r = await p.call('POST', '/file')
    expect(r.status).toBe(507)
    expect(r.body.error.code).toBe('storage_full')
    // /dev/full is full but the data folder's disk is not: /ready's check finds room there.
    expect((await p.call('GET', '/ready')).status).toBe(200)
  })

  test('the items service: cars added until the database is full; the one refused is not stored', async () => {
    const dir = freshDir()
    const items = createItems({ dataDir: dir, token: TOKEN, log: silentLogger })
    stops.push(() => items.stop())
    const call = async (method: string, path: string, body?: unknown, key?: string) => {
      const res = await items.handle(
        new Request(`http://localhost${path}`, {
          method,
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'x-tenant': 'local:a',
            'content-type': 'application/json',
            ...(key ? { 'idempotency-key': key } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      )
      return { status: res.status, body: (await res.json()) as any }
    }
    const db = items.decorator.db
    capAt(db, 3)
    let refused: { status: number; body: any } | undefined
    let added = 0
    for (let i = 0; i < 500 && !refused; i++) {
      const r = await call(
        'POST',
        '/cars',
        { nickname: `car${i}`, make: 'Toyota', model: 'Corolla' },
        `add-${i}`,
      )
      if (r.status === 201) added++
      else refused = r
    }
    expect(refused?.status).toBe(507)
    expect(refused?.body.error.code).toBe('storage_full')
    expect(added).toBeGreaterThan(0)
    const cars = await call('GET', '/cars')
    expect(cars.body.cars.map((c: { nickname: string }) => c.nickname)).not.toContain(`car${added}`)
    expect(cars.body.cars).toHaveLength(added)
    const key = db.query('SELECT 1 FROM idempotency WHERE key = ?').get(`add-${added}`)
    expect(key).toBeNull()
    expect((await call('GET', '/ready')).status).toBe(503)

    uncap(db)
    const retried = await call('POST', '/cars', { nickname: `car${added}` }, `add-${added}`)
    expect(retried.status).toBe(201)
    expect((await call('GET', '/ready')).status).toBe(200)
  })
})

describe('StorageWatch', () => {
  test('a full write makes it not ready until a write succeeds or the check finds room', () => {
    let room = false
    const w = new StorageWatch(() => room)
    expect(w.state()).toEqual({ ok: true })
    w.failed('storage full: disk')
    expect(w.state()).toEqual({ ok: false, reason: 'storage full: disk' })
    w.wrote()
    expect(w.state()).toEqual({ ok: true })
    w.failed('storage full: disk')
    room = true
    expect(w.state()).toEqual({ ok: true })
    room = false
    expect(w.state()).toEqual({ ok: true })
  })

  test('only SQLITE_FULL and ENOSPC count as a full disk', () => {
    expect(isStorageFull(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(
      true,
    )
    expect(isStorageFull(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(true)
    expect(isStorageFull(Object.assign(new Error('locked'), { code: 'SQLITE_BUSY' }))).toBe(false)
    expect(isStorageFull(new Error('database or disk is full'))).toBe(false)
    expect(isStorageFull(undefined)).toBe(false)
  })
})
