/**
 * Comments by their number in the garage (#C1, #C2 …): edit and remove, each kept as a change
 * with the text before and after, and the Undo of a change: once, only while it is the
 * comment's latest change, never across garages, replayed for a repeated Idempotency-Key.
 */
import { Database } from 'bun:sqlite'
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from '../lib/db.ts'
import { createApp } from './app.ts'
import { migrations } from './migrations.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-issue-comments-'))
const token = 'test-service-token-0123456789abcdef'
const app = createApp({ dataDir: dir, token, now: () => new Date('2025-04-01T10:00:00Z') })

afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:c-alpha'
const B = 'local:c-beta'
const ann = { id: 'u1', name: 'Ann' }

async function call(method: string, path: string, tenant: string, body?: unknown, key?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': tenant }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (key) headers['idempotency-key'] = key
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

const comments = async (tenant: string, issue: number) =>
  (await call('GET', `/issues/${issue}`, tenant)).body.comments as {
    number: number
    text: string
    edited_at: string | null
  }[]

test('comments are numbered per garage across issues, and a status note is one too', async () => {
  for (const t of [A, B]) {
    await call('POST', '/issues', t, { car_id: 1, car: 'corolla', title: 'Brakes', actor: ann })
    await call('POST', '/issues', t, { car_id: 1, car: 'corolla', title: 'Wipers', actor: ann })
  }
  await call('POST', '/issues/1/comments', A, { text: 'Pads worn', actor: ann })
  await call('POST', '/issues/2/comments', A, { text: 'Streaks', actor: ann })
  await call('POST', '/issues/1/status', A, { status: 'in_progress', note: 'Booked', actor: ann })
  await call('POST', '/issues/1/comments', B, { text: 'B first', actor: ann })
  expect((await comments(A, 1)).map((c) => [c.number, c.text])).toEqual([
    [1, 'Pads worn'],
    [3, 'Booked'],
  ])
  expect((await comments(A, 2)).map((c) => c.number)).toEqual([2])
  expect((await comments(B, 1)).map((c) => c.number)).toEqual([1])
})

test('edit keeps before and after, and its undo puts the text back; undo twice is a 409', async () => {
  const edit = await call('POST', '/comments/1/edit', A, { text: 'Pads at 2 mm', actor: ann }, 'e1')
  expect(edit.status).toBe(200)
  expect(edit.body).toMatchObject({ action: 'edit', issue: 1, before: 'Pads worn', after: 'Pads at 2 mm' })
  expect(edit.body.comment).toMatchObject({ number: 1, text: 'Pads at 2 mm', removed: false })
  // the same key replays the first answer, and edits once
  const replay = await call('POST', '/comments/1/edit', A, { text: 'Pads at 2 mm', actor: ann }, 'e1')
  expect(replay.body.change).toBe(edit.body.change)
  expect((await comments(A, 1))[0]).toMatchObject({
    text: 'Pads at 2 mm',
    edited_at: '2025-04-01T10:00:00.000Z',
  })
  const issue = (await call('GET', '/issues/1', A)).body
  expect(issue.history.at(-1)).toMatchObject({ field: 'comment_edit', old: '#C1', new: 'Pads at 2 mm' })

  const undo = await call('POST', `/comment-changes/${edit.body.change}/undo`, A, { actor: ann }, 'u1')
  expect(undo.status).toBe(200)
  expect(undo.body).toMatchObject({ action: 'undo', undoes: edit.body.change, undid: 'edit' })
  expect((await comments(A, 1))[0]).toMatchObject({ text: 'Pads worn', edited_at: null })
  const again = await call('POST', `/comment-changes/${edit.body.change}/undo`, A, { actor: ann })
  expect(again.status).toBe(409)
  expect(again.body.error.message).toContain('already undone')
  // the undo itself is not undone by its id
  const undoUndo = await call('POST', `/comment-changes/${undo.body.change}/undo`, A, { actor: ann })
  expect([undoUndo.status, undoUndo.body.error.code]).toEqual([409, 'not_undoable'])
  expect((await comments(A, 1))[0]!.text).toBe('Pads worn')
})

test('undo of an edit after a later edit is refused until the later one is undone', async () => {
  const first = await call('POST', '/comments/2/edit', A, { text: 'Streaks left', actor: ann })
  const second = await call('POST', '/comments/2/edit', A, { text: 'Streaks both sides', actor: ann })
  const early = await call('POST', `/comment-changes/${first.body.change}/undo`, A, { actor: ann })
  expect(early.status).toBe(409)
  expect(early.body.error.message).toBe(
    `comment #C2 was changed again since (change #${second.body.change}); undo that first. Nothing changed`,
  )
  expect((await comments(A, 2))[0]!.text).toBe('Streaks both sides')
  expect((await call('POST', `/comment-changes/${second.body.change}/undo`, A, { actor: ann })).status).toBe(
    200,
  )
  expect((await call('POST', `/comment-changes/${first.body.change}/undo`, A, { actor: ann })).status).toBe(
    200,
  )
  expect((await comments(A, 2))[0]).toMatchObject({ text: 'Streaks', edited_at: null })
})

test('remove hides the comment; editing or removing it again is a 409; its undo puts it back', async () => {
  const gone = await call('POST', '/comments/3/remove', A, { actor: ann })
  expect(gone.status).toBe(200)
  expect(gone.body).toMatchObject({
    action: 'remove',
    before: 'Booked',
    comment: { number: 3, removed: true },
  })
  expect((await comments(A, 1)).map((c) => c.number)).toEqual([1])
  const edit = await call('POST', '/comments/3/edit', A, { text: 'x', actor: ann })
  expect(edit.status).toBe(409)
  expect(edit.body.error.message).toBe(
    'comment #C3 was removed; undo its removal first to edit it. Nothing changed',
  )
  const twice = await call('POST', '/comments/3/remove', A, { actor: ann })
  expect([twice.status, twice.body.error.message]).toEqual([
    409,
    'comment #C3 was already removed; nothing changed',
  ])
  expect((await call('POST', `/comment-changes/${gone.body.change}/undo`, A, { actor: ann })).status).toBe(
    200,
  )
  expect((await comments(A, 1)).map((c) => [c.number, c.text])).toEqual([
    [1, 'Pads worn'],
    [3, 'Booked'],
  ])
})

test("another garage's comment or change is a 404 like a missing one, and nothing changes", async () => {
  const mine = await call('POST', '/comments/1/edit', A, { text: 'Pads at 1 mm', actor: ann })
  const foreign = await call('POST', `/comment-changes/${mine.body.change}/undo`, B, { actor: ann })
  const missing = await call('POST', '/comment-changes/987654/undo', B, { actor: ann })
  expect(foreign.status).toBe(404)
  expect(foreign.body.error.message).toBe(`no comment change #${mine.body.change} in this garage`)
  expect(missing.body.error.message).toBe('no comment change #987654 in this garage')
  const editA = await call('POST', '/comments/3/edit', B, { text: 'hijack', actor: ann })
  expect([editA.status, editA.body.error.message]).toEqual([404, 'no comment #C3 in this garage'])
  expect((await call('POST', '/comments/3/remove', B, { actor: ann })).status).toBe(404)
  expect((await comments(A, 1)).map((c) => c.text)).toEqual(['Pads at 1 mm', 'Booked'])
})

test('bad input names the field: 422, nothing stored', async () => {
  const before = await comments(A, 1)
  const blank = await call('POST', '/comments/1/edit', A, { text: '   ', actor: ann })
  expect([blank.status, blank.body.error.field]).toEqual([422, 'text'])
  const long = await call('POST', '/comments/1/edit', A, { text: 'x'.repeat(4001), actor: ann })
  expect([long.status, long.body.error.field]).toEqual([422, 'text'])
  const frac = await call('POST', '/comments/1.5/edit', A, { text: 'y', actor: ann })
  expect([frac.status, frac.body.error.field]).toEqual([422, 'number'])
  const badChange = await call('POST', '/comment-changes/abc/undo', A, { actor: ann })
  expect([badChange.status, badChange.body.error.field]).toEqual([422, 'change'])
  const same = await call('POST', '/comments/1/edit', A, { text: 'Pads at 1 mm', actor: ann })
  expect([same.status, same.body.error.code]).toEqual([409, 'unchanged'])
  expect(await comments(A, 1)).toEqual(before)
})

test('a removed quote is unlinked from its issue once, in its garage only', async () => {
  await call('POST', '/issues/2/quotes', A, { quote_id: 7, actor: ann })
  await call('POST', '/issues/2/quotes', B, { quote_id: 7, actor: ann })
  const gone = await call('POST', '/issues/2/quotes/remove', A, { quote_id: 7, actor: ann })
  expect(gone.status).toBe(200)
  expect(gone.body.quotes).toEqual([])
  expect(gone.body.history.at(-1)).toMatchObject({ field: 'quote_unlink', old: '7', new: null })
  const again = await call('POST', '/issues/2/quotes/remove', A, { quote_id: 7, actor: ann })
  expect(again.body.history.filter((h: { field: string }) => h.field === 'quote_unlink')).toHaveLength(1)
  expect((await call('GET', '/issues/2', B)).body.quotes).toEqual([7])
})

test('the migration numbers comments already stored, per garage, and counts on from there', () => {
  const db = new Database(':memory:')
  db.exec('PRAGMA foreign_keys = ON')
  migrate(db, migrations.slice(0, 1))
  const issue = (tenant: string, n: number) =>
    (
      db
        .query(
          "INSERT INTO issues (tenant, number, car_id, car, title, severity, status, opened_by, created_at, updated_at) VALUES (?, ?, 1, 'c', 't', 'low', 'open', 'a', 'x', 'x') RETURNING id",
        )
        .get(tenant, n) as { id: number }
    ).id
  const a1 = issue(A, 1)
  const b1 = issue(B, 1)
  const a2 = issue(A, 2)
  for (const id of [a1, b1, a2, a1])
    db.query("INSERT INTO issue_comments (issue_id, author, text, created_at) VALUES (?, 'a', 'x', 'x')").run(
      id,
    )
  migrate(db, migrations)
  expect(db.query('SELECT tenant, number FROM issue_comments ORDER BY id').all()).toEqual([
    { tenant: A, number: 1 },
    { tenant: B, number: 1 },
    { tenant: A, number: 2 },
    { tenant: A, number: 3 },
  ])
  expect(db.query('SELECT tenant, last FROM comment_numbers ORDER BY tenant').all()).toEqual([
    { tenant: A, last: 3 },
    { tenant: B, last: 1 },
  ])
  db.close()
})
