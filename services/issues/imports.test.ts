/**
 * The import routes of the issues service (services/issues/imports.ts): an export's issues with
 * their comments (a removed one stays removed) and history in one transaction, numbered anew in
 * the garage; the same issues again add nothing; a preview check writes nothing; another garage
 * sees none of it; undo removes what the import added but for an issue changed since.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from './app.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-issue-imports-'))
const token = 'test-service-token-0123456789abcdef'
const app = createApp({ dataDir: dir, token, now: () => new Date('2026-06-01T10:00:00Z') })

afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:imp-alpha'
const B = 'local:imp-beta'
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

const issue = (number: number, title: string, extra: Record<string, unknown> = {}) => ({
  number,
  car_id: 7,
  car: 'golf',
  title,
  details: null,
  severity: 'high',
  status: 'waiting_parts',
  resolution: null,
  opened_by: 'Ann',
  created_at: `2026-05-0${number}T08:00:00.000Z`,
  updated_at: `2026-05-0${number}T09:00:00.000Z`,
  closed_at: null,
  comments: [
    {
      author: 'Ann',
      text: 'Worse when cold',
      created_at: '2026-05-01T08:30:00.000Z',
      edited_at: null,
      removed_at: null,
    },
    {
      author: 'Bob',
      text: 'a typo',
      created_at: '2026-05-01T08:40:00.000Z',
      edited_at: null,
      removed_at: '2026-05-01T08:41:00.000Z',
    },
  ],
  history: [
    {
      actor: 'Ann',
      actor_id: 'u1',
      field: 'opened',
      old_value: null,
      new_value: `high: ${title}`,
      at: '2026-05-01T08:00:00.000Z',
    },
    {
      actor: 'Ann',
      actor_id: 'u1',
      field: 'status',
      old_value: 'open',
      new_value: 'waiting_parts',
      at: '2026-05-01T09:00:00.000Z',
    },
  ],
  ...extra,
})

test('a preview check writes nothing; the import adds each issue with its comments and history, numbered anew', async () => {
  // the garage has an issue of its own first: the imported ones come after it
  expect(
    (
      await call('POST', '/issues', A, {
        car_id: 7,
        car: 'golf',
        title: 'Own one',
        actor: { id: 'u1', name: 'Ann' },
      })
    ).status,
  ).toBe(201)
  const body = { import: 4, issues: [issue(5, 'Squeak'), issue(6, 'Belt slips')] }
  const check = await call('POST', '/imports/check', A, { issues: body.issues })
  expect(check.body).toEqual({ added: 2, known: 0, numbers: [] })
  expect((await call('GET', '/issues?all=yes', A)).body.issues).toHaveLength(1)

  const done = await call('POST', '/imports', A, body, 'import-4')
  expect(done.status).toBe(200)
  expect(done.body).toEqual({
    added: 2,
    known: 0,
    numbers: [
      { from: 5, to: 2 },
      { from: 6, to: 3 },
    ],
  })
  const shown = (await call('GET', '/issues/2', A)).body
  expect(shown.title).toBe('Squeak')
  expect(shown.status).toBe('waiting_parts')
  expect(shown.created_at).toBe('2026-05-05T08:00:00.000Z')
  // the removed comment stays removed
  expect(shown.comments.map((c: { text: string }) => c.text)).toEqual(['Worse when cold'])
  expect(shown.history.map((h: { field: string }) => h.field)).toEqual(['opened', 'status'])
  // the same key answers the first result again; the same issues under another key add nothing
  expect((await call('POST', '/imports', A, body, 'import-4')).body).toEqual(done.body)
  const again = await call('POST', '/imports', A, { ...body, import: 5 })
  expect(again.body).toEqual({
    added: 0,
    known: 2,
    numbers: [
      { from: 5, to: 2 },
      { from: 6, to: 3 },
    ],
  })
  expect((await call('GET', '/issues?all=yes', A)).body.issues).toHaveLength(3)
  // another garage sees none of it, and its undo of #4 removes nothing of A's
  expect((await call('GET', '/issues?all=yes', B)).body.issues).toHaveLength(0)
  expect((await call('POST', '/imports/undo', B, { import: 4 })).body).toEqual({ removed: 0, kept: [] })
  expect((await call('GET', '/issues?all=yes', A)).body.issues).toHaveLength(3)
})

test('links the quotes only to issues the import added', async () => {
  const links = [
    { issue: 2, quote: 9, added_by: 'Ann', added_at: '2026-05-05T10:00:00.000Z' },
    { issue: 1, quote: 9, added_by: 'Ann', added_at: '2026-05-05T10:00:00.000Z' },
  ]
  expect((await call('POST', '/imports/links', A, { import: 4, links })).body).toEqual({ linked: 1 })
  expect((await call('GET', '/issues/2', A)).body.quotes).toEqual([9])
  expect((await call('GET', '/issues/1', A)).body.quotes).toEqual([])
})

test('undo removes what the import added, but for an issue changed since', async () => {
  expect(
    (
      await call('POST', '/issues/3/comments', A, {
        text: 'Still slipping',
        actor: { id: 'u2', name: 'Bob' },
      })
    ).status,
  ).toBe(200)
  const undone = await call('POST', '/imports/undo', A, { import: 4 })
  expect(undone.body).toEqual({ removed: 1, kept: [3] })
  expect((await call('GET', '/issues/2', A)).status).toBe(404)
  expect((await call('GET', '/issues/3', A)).body.title).toBe('Belt slips')
  expect((await call('GET', '/issues/1', A)).body.title).toBe('Own one')
  // once undone, again removes nothing
  expect((await call('POST', '/imports/undo', A, { import: 4 })).body).toEqual({ removed: 0, kept: [] })
})

test('a row that does not fit the schema is refused whole (422), nothing stored', async () => {
  const bad = { import: 9, issues: [issue(7, 'Fine'), { ...issue(8, 'Bad'), severity: 'urgent' }] }
  expect((await call('POST', '/imports', A, bad)).status).toBe(422)
  expect(
    (await call('GET', '/issues?all=yes', A)).body.issues.map((i: { title: string }) => i.title),
  ).not.toContain('Fine')
})
