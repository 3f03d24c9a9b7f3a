/**
 * The import routes of the quotes service (services/quotes/imports.ts): an export's quotes in one
 * transaction, numbered anew, their status kept; the same quotes again add nothing; a preview
 * check writes nothing; another garage sees none of it; undo removes what the import added but
 * for a quote changed since.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from './app.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-quote-imports-'))
const token = 'test-service-token-0123456789abcdef'
const app = createApp({ dataDir: dir, token, now: () => new Date('2026-06-01T10:00:00Z') })

afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:qimp-alpha'
const B = 'local:qimp-beta'
let keys = 0

async function call(method: string, path: string, tenant: string, body?: unknown, key = `k${++keys}`) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': tenant }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET') headers['idempotency-key'] = key
  const res = await app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  )
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

const quote = (number: number, shop: string, extra: Record<string, unknown> = {}) => ({
  number,
  issue: 2,
  shop,
  currency: 'EUR',
  amount_minor: 24_000,
  amount_text: '240',
  parts_minor: null,
  labour_minor: null,
  valid_until: null,
  notes: 'OEM bushing',
  status: 'open',
  accepted_at: null,
  accepted_by: null,
  created_by: 'Ann',
  created_at: `2026-05-0${number}T08:00:00.000Z`,
  ...extra,
})

const listed = async (tenant: string) =>
  (
    (await call('GET', '/quotes?issue=2', tenant)).body.quotes as {
      number: number
      shop: string
      status: string
    }[]
  ).map((q) => `#${q.number} ${q.shop} ${q.status}`)

test('check writes nothing; import numbers them anew with their status; the same again adds nothing; other garages see none', async () => {
  const body = { import: 3, quotes: [quote(4, 'Corner Garage'), quote(5, 'Dealer', { status: 'rejected' })] }
  expect((await call('POST', '/imports/check', A, { quotes: body.quotes })).body).toEqual({
    added: 2,
    known: 0,
    numbers: [],
  })
  expect(await listed(A)).toEqual([])
  const done = await call('POST', '/imports', A, body, 'import-3')
  expect(done.body).toEqual({
    added: 2,
    known: 0,
    numbers: [
      { from: 4, to: 1 },
      { from: 5, to: 2 },
    ],
  })
  expect(await listed(A)).toEqual(['#1 Corner Garage open', '#2 Dealer rejected'])
  expect((await call('POST', '/imports', A, body, 'import-3')).body).toEqual(done.body)
  expect((await call('POST', '/imports', A, { ...body, import: 4 })).body).toEqual({
    added: 0,
    known: 2,
    numbers: [
      { from: 4, to: 1 },
      { from: 5, to: 2 },
    ],
  })
  expect(await listed(A)).toHaveLength(2)
  expect(await listed(B)).toEqual([])
  expect((await call('POST', '/imports/undo', B, { import: 3 })).body).toEqual({ removed: 0, kept: [] })
  expect(await listed(A)).toHaveLength(2)
})

test('undo removes what the import added, but for a quote changed since', async () => {
  expect(
    (await call('POST', '/quotes/1/accept', A, { actor: { id: 'u1', name: 'Ann' } })).status,
  ).toBeLessThan(300)
  expect((await call('POST', '/imports/undo', A, { import: 3 })).body).toEqual({ removed: 1, kept: [1] })
  expect(await listed(A)).toEqual(['#1 Corner Garage accepted'])
})

test('a quote that does not fit is refused whole (422), nothing stored', async () => {
  const bad = { import: 7, quotes: [quote(6, 'Fine'), quote(7, 'Bad', { currency: 'euro' })] }
  expect((await call('POST', '/imports', A, bad)).status).toBe(422)
  expect((await listed(A)).join()).not.toContain('Fine')
})

test('two accepted quotes for one issue, or one for an issue with one already, are refused naming the quote; nothing is stored', async () => {
  const C = 'local:qimp-accepted'
  const accepted = (n: number, shop: string) =>
    quote(n, shop, { status: 'accepted', accepted_at: `2026-05-0${n}T09:00:00.000Z`, accepted_by: 'Ann' })
  const two = { import: 7, quotes: [accepted(1, 'Corner Garage'), accepted(2, 'Dealer')] }
  for (const path of ['/imports/check', '/imports']) {
    const r = await call('POST', path, C, two)
    expect(r.status).toBe(422)
    expect(r.body.error.message).toBe('quote 2: issue 2 has an accepted quote already; an issue accepts one')
  }
  expect(await listed(C)).toEqual([])
  expect((await call('POST', '/imports', C, { import: 8, quotes: [accepted(1, 'Corner Garage')] })).status).toBe(200)
  const again = await call('POST', '/imports', C, { import: 9, quotes: [accepted(3, 'Third')] })
  expect(again.status).toBe(422)
  expect(again.body.error.message).toBe('quote 3: issue 2 has an accepted quote already; an issue accepts one')
  // the same file again is known, not a second acceptance
  expect((await call('POST', '/imports', C, { import: 10, quotes: [accepted(1, 'Corner Garage')] })).body.known).toBe(1)
})
