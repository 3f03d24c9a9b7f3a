/**
 * GET /changes (the garage's history of its quotes: added, accepted, edited, removed, undone;
 * newest first, paged, per tenant, per issues, per actor, undoable ones) with its fields in the
 * number format and date order the caller sends (X-Numbers, X-Dates), POST /changes/:id/undo
 * (#Q<id>), and migration 4, which lists the adds and acceptances made before it.
 */
import { Database } from 'bun:sqlite'
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from '../lib/db.ts'
import { createApp } from './app.ts'
import { migrations } from './migrations.ts'

const token = 'quotes-test-token-0123456789'
const dir = mkdtempSync(join(tmpdir(), 'cm-quote-history-'))
let clock = new Date('2026-11-20T15:00:00Z')
const app = createApp({ dataDir: dir, token, now: () => clock })
afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:qh-a'
const B = 'local:qh-b'
const today = '2026-11-20'
const ann = { by: 'Ann', byId: 'u-ann' }
const bob = { by: 'Bob', byId: 'u-bob' }
const usd = (value: number) => ({ value, text: `$${value}` })

async function call(
  method: string,
  path: string,
  opts: { tenant?: string; body?: unknown; format?: [string, string] } = {},
) {
  clock = new Date(clock.getTime() + 60_000)
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': opts.tenant ?? A }
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (opts.format) {
    headers['x-numbers'] = opts.format[0]
    headers['x-dates'] = opts.format[1]
  }
  const res = await app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
  )
  // biome-ignore lint/suspicious/noExplicitAny: bodies are checked field by field
  return { status: res.status, body: (await res.json()) as any }
}

type Entry = {
  id: number
  action: string
  actor: string | null
  number: number
  issue: number
  fields: { name: string; before: string | null; after: string | null }[]
  undoable: boolean
  undone_by: number | null
}
const history = async (query = '', opts: { tenant?: string; format?: [string, string] } = {}) =>
  (await call('GET', `/changes${query}`, opts)).body as {
    changes: Entry[]
    total: number
    next_page: number | null
  }
const line = (e: Entry) =>
  `${e.action} ${e.number} by ${e.actor}: ${e.fields.map((f) => `${f.name} ${f.before ?? '—'} → ${f.after ?? '—'}`).join(', ')}`

test('every change of a quote is listed newest first, in the format the caller sends', async () => {
  const add = (issue: number, shop: string, amount: number, who = ann, tenant = A) =>
    call('POST', '/quotes', {
      tenant,
      body: { issue, shop, currency: 'USD', amount: usd(amount), today, ...who },
    })
  expect((await add(1, 'Joe', 1234.5)).status).toBe(201)
  expect((await add(1, 'Ace', 1300, bob)).status).toBe(201)
  expect((await add(2, 'Bo', 90)).status).toBe(201)
  expect((await add(1, 'Other', 10, ann, B)).status).toBe(201)
  expect(
    (
      await call('POST', '/quotes/1/edit', {
        body: { validUntil: '2026-12-24', today, ...ann },
        format: ['1.234,5', 'DD/MM/YYYY'],
      })
    ).body.fields,
  ).toEqual([{ name: 'valid_until', before: null, after: '24/12/2026' }])
  expect((await call('POST', '/quotes/3/remove', { body: { today, ...bob } })).status).toBe(200)
  expect((await call('POST', '/quotes/1/accept', { body: { today, ...ann } })).status).toBe(200)

  const h = await history('', { format: ['1.234,5', 'DD/MM/YYYY'] })
  expect(h.total).toBe(6)
  expect(h.changes.map(line)).toEqual([
    'accept 1 by Ann: amount — → $1.234,50',
    'remove 3 by Bob: amount $90,00 → —',
    'edit 1 by Ann: valid_until — → 24/12/2026',
    'add 3 by Ann: amount — → $90,00',
    'add 2 by Bob: amount — → $1.300,00',
    'add 1 by Ann: amount — → $1.234,50',
  ])
  expect(h.changes.map((c) => c.undoable)).toEqual([false, true, true, false, false, false])
  // without a format: the defaults
  expect(line((await history()).changes[0]!)).toBe('accept 1 by Ann: amount — → $1,234.50')

  expect((await history('?issues=2')).changes.map((c) => `${c.action} ${c.number}`)).toEqual([
    'remove 3',
    'add 3',
  ])
  expect((await history('?issues=')).total).toBe(0)
  expect((await history('?actor=u-bob&undoable=yes')).changes.map((c) => `${c.action} ${c.number}`)).toEqual([
    'remove 3',
  ])
  const paged = await history('?limit=4&page=2')
  expect(paged.changes.map((c) => `${c.action} ${c.number}`)).toEqual(['add 2', 'add 1'])
  expect(paged.next_page).toBeNull()
  expect((await history('', { tenant: B })).changes.map((c) => `${c.action} ${c.number}`)).toEqual(['add 1'])
  expect((await call('GET', '/changes?issues=1;2')).status).toBe(422)
})

test('undo #Q<id>: an edit or a removal once; an add or an acceptance is refused saying what to do; never across garages', async () => {
  const h = (await history()).changes
  const removal = h.find((c) => c.action === 'remove')!
  const accept = h.find((c) => c.action === 'accept')!
  const add = h.find((c) => c.action === 'add' && c.number === 2)!

  const back = await call('POST', `/changes/${removal.id}/undo`, { body: { today, ...ann } })
  expect(back.status).toBe(200)
  expect(back.body.undid).toBe('remove')
  expect((await call('GET', `/quotes/3?today=${today}`)).status).toBe(200)
  const undo = (await history()).changes[0]!
  expect(undo.action).toBe('undo')
  const twice = await call('POST', `/changes/${removal.id}/undo`, { body: { today, ...ann } })
  expect(twice.status).toBe(409)
  expect(twice.body.error.message).toBe(
    `change #Q${removal.id} of quote 3 was already undone; nothing changed (Ann undid it: change #Q${undo.id})`,
  )
  expect((await history()).changes.find((c) => c.id === removal.id)!.undone_by).toBe(undo.id)

  const added = await call('POST', `/changes/${add.id}/undo`, { body: { today, ...bob } })
  expect(added.status).toBe(409)
  expect(added.body.error.message).toBe(
    `change #Q${add.id} added quote 2; an addition is not undone: remove the quote with /quote remove number:2. Nothing changed`,
  )
  const accepted = await call('POST', `/changes/${accept.id}/undo`, { body: { today, ...ann } })
  expect(accepted.status).toBe(409)
  expect(accepted.body.error.message).toContain(
    `change #Q${accept.id} accepted quote 1; an acceptance is not undone`,
  )
  // the edit of quote 1 before its acceptance: its validity may still go back
  const edit = h.find((c) => c.action === 'edit')!
  expect((await call('POST', `/changes/${edit.id}/undo`, { body: { today, ...ann } })).status).toBe(200)
  expect((await call('GET', `/quotes/1?today=${today}`)).body.validUntil).toBeNull()

  const foreign = await call('POST', `/changes/${edit.id}/undo`, { tenant: B, body: { today, ...ann } })
  expect(foreign.status).toBe(404)
  expect(foreign.body.error.message).toBe(`no quote change #Q${edit.id} in this garage`)
  expect((await history('?undoable=yes')).total).toBe(0)
})

test('migration 4 lists the adds and acceptances made before it, and keeps the changes there were', () => {
  const db = new Database(':memory:')
  migrate(db, migrations.slice(0, 3))
  const row = (number: number, status: string, accepted: string | null) =>
    db
      .query(
        `INSERT INTO quotes (tenant, number, issue, shop, currency, amount_minor, status, accepted_at, accepted_by, created_by, created_at)
         VALUES ('t', ?, 7, 'Joe', 'USD', 64000, ?, ?, ?, 'Ann', ?)`,
      )
      .run(number, status, accepted, accepted ? 'Bob' : null, `2026-01-0${number}T10:00:00.000Z`)
  row(1, 'accepted', '2026-01-05T10:00:00.000Z')
  row(2, 'rejected', null)
  db.query(
    `INSERT INTO quote_changes (tenant, number, action, before_row, after_row, actor, at)
     VALUES ('t', 3, 'remove', ?, NULL, 'Cy', '2026-01-04T10:00:00.000Z')`,
  ).run(
    JSON.stringify({
      tenant: 't',
      number: 3,
      issue: 8,
      shop: 'Bo',
      currency: 'USD',
      amount_minor: 9000,
      created_by: 'Cy',
      created_at: '2026-01-03T10:00:00.000Z',
    }),
  )
  migrate(db, migrations)
  const rows = db.query('SELECT number, issue, action, actor, at FROM quote_changes ORDER BY at').all()
  expect(rows).toEqual([
    { number: 1, issue: 7, action: 'add', actor: 'Ann', at: '2026-01-01T10:00:00.000Z' },
    { number: 2, issue: 7, action: 'add', actor: 'Ann', at: '2026-01-02T10:00:00.000Z' },
    { number: 3, issue: 8, action: 'add', actor: 'Cy', at: '2026-01-03T10:00:00.000Z' },
    { number: 3, issue: 8, action: 'remove', actor: 'Cy', at: '2026-01-04T10:00:00.000Z' },
    { number: 1, issue: 7, action: 'accept', actor: 'Bob', at: '2026-01-05T10:00:00.000Z' },
  ])
  db.close()
})
