/**
 * GET /changes (the garage's history of its issues: newest first, paged, per tenant, per car,
 * issue or actor, undoable ones) and POST /changes/:id/undo (#I<id>): a comment's edit or removal
 * is undone once, while nothing later depends on it; anything else is refused saying why.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from './app.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-issue-changes-'))
const token = 'test-service-token-0123456789abcdef'
let clock = new Date('2026-04-01T10:00:00Z')
const app = createApp({ dataDir: dir, token, now: () => clock })

afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:ch-alpha'
const B = 'local:ch-beta'
const ann = { id: 'u-ann', name: 'Ann' }
const bob = { id: 'u-bob', name: 'Bob' }

async function call(method: string, path: string, tenant: string, body?: unknown) {
  clock = new Date(clock.getTime() + 60_000)
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': tenant }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  )
  const text = await res.text()
  // biome-ignore lint/suspicious/noExplicitAny: bodies are checked field by field
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any }
}

type Entry = {
  id: number
  field: string
  actor: string
  issue: number
  car_id: number
  undoable: boolean
  undone_by: number | null
}
const changes = async (query = '', tenant = A) =>
  (await call('GET', `/changes${query}`, tenant)).body as {
    changes: Entry[]
    total: number
    next_page: number | null
  }

test('the history lists issue changes newest first, paged, per car, issue and actor; never another garage’s', async () => {
  await call('POST', '/issues', A, { car_id: 1, car: 'corolla', title: 'Brakes', actor: ann })
  await call('POST', '/issues', A, { car_id: 2, car: 'civic', title: 'Wipers', actor: bob })
  await call('POST', '/issues', B, { car_id: 1, car: 'golf', title: 'Other garage', actor: ann })
  await call('POST', '/issues/1/comments', A, { text: 'Pads worn', actor: ann })
  await call('POST', '/issues/1/quotes', A, { quote_id: 1, actor: ann })
  await call('POST', '/comments/1/edit', A, { text: 'Pads at 2 mm', actor: ann })

  const all = await changes()
  // the quote's link is left to the quotes service's own history
  expect(all.changes.map((c) => [c.field, c.actor, c.issue])).toEqual([
    ['comment_edit', 'Ann', 1],
    ['comment', 'Ann', 1],
    ['opened', 'Bob', 2],
    ['opened', 'Ann', 1],
  ])
  expect(all.total).toBe(4)
  expect(all.changes[0]!.undoable).toBe(true)
  expect(all.changes.slice(1).every((c) => !c.undoable)).toBe(true)

  const page = await changes('?limit=3&page=2')
  expect(page.changes.map((c) => c.field)).toEqual(['opened'])
  expect(page.next_page).toBeNull()
  expect((await changes('?limit=3')).next_page).toBe(2)
  expect((await changes('?car=2')).changes.map((c) => [c.field, c.car_id])).toEqual([['opened', 2]])
  expect((await changes('?issue=1')).total).toBe(3)
  expect((await changes('?actor=u-bob')).changes.map((c) => c.field)).toEqual(['opened'])
  expect((await changes('?actor=u-ann&undoable=yes')).changes.map((c) => c.field)).toEqual(['comment_edit'])
  expect((await changes('', B)).changes.map((c) => c.issue)).toEqual([1])
  expect((await changes('', B)).total).toBe(1)
})

test('undo #I<id>: once; refused when a later change depends on it, for another kind of change, or another garage', async () => {
  const annEdit = (await changes('?undoable=yes')).changes[0]!
  await call('POST', '/comments/1/edit', A, { text: 'Pads at 1 mm', actor: bob })
  const bobEdit = (await changes('?actor=u-bob&undoable=yes')).changes[0]!

  const stale = await call('POST', `/changes/${annEdit.id}/undo`, A, { actor: ann })
  expect(stale.status).toBe(409)
  expect(stale.body.error.message).toBe(
    `comment #C1 was changed again since (change #I${bobEdit.id}); undo that first. Nothing changed`,
  )

  const undone = await call('POST', `/changes/${bobEdit.id}/undo`, A, { actor: bob })
  expect(undone.status).toBe(200)
  expect(undone.body.comment.text).toBe('Pads at 2 mm')
  const undoEntry = (await changes()).changes[0]!
  expect(undoEntry.field).toBe('comment_undo')
  expect((await changes()).changes.find((c) => c.id === bobEdit.id)!.undone_by).toBe(undoEntry.id)

  const twice = await call('POST', `/changes/${bobEdit.id}/undo`, A, { actor: bob })
  expect(twice.status).toBe(409)
  expect(twice.body.error.message).toBe(
    `change #I${bobEdit.id} of comment #C1 was already undone; nothing changed (Bob undid it: change #I${undoEntry.id})`,
  )
  const ofUndo = await call('POST', `/changes/${undoEntry.id}/undo`, A, { actor: bob })
  expect(ofUndo.status).toBe(409)
  expect(ofUndo.body.error.message).toBe(
    `change: #I${undoEntry.id} is itself an undo and cannot be undone; nothing changed`,
  )

  const opened = (await changes('?issue=2')).changes[0]!
  const notUndone = await call('POST', `/changes/${opened.id}/undo`, A, { actor: bob })
  expect(notUndone.status).toBe(409)
  expect(notUndone.body.error.message).toBe(
    `change: #I${opened.id} (its opening of issue #2) is not undone from the history; close it with /issue close. Nothing changed`,
  )
  const foreign = await call('POST', `/changes/${annEdit.id}/undo`, B, { actor: ann })
  expect(foreign.status).toBe(404)
  expect(foreign.body.error.message).toBe(
    `change: there is no change #I${annEdit.id} in this garage (see /garage history)`,
  )

  // now Ann's edit is the comment's latest: it goes, and the comment reads as it first did
  const back = await call('POST', `/changes/${annEdit.id}/undo`, A, { actor: ann })
  expect(back.status).toBe(200)
  expect(back.body.comment.text).toBe('Pads worn')
  expect((await changes('?undoable=yes')).total).toBe(0)
})

test('a removed comment cannot be edited, and its removal is undone from the history', async () => {
  await call('POST', '/comments/1/remove', A, { actor: ann })
  const edit = await call('POST', '/comments/1/edit', A, { text: 'again', actor: ann })
  expect(edit.status).toBe(409)
  expect(edit.body.error.message).toBe(
    'comment #C1 was removed; undo its removal first to edit it. Nothing changed',
  )
  const removal = (await changes('?actor=u-ann&undoable=yes')).changes[0]!
  expect(removal.field).toBe('comment_remove')
  expect((await call('POST', `/changes/${removal.id}/undo`, A, { actor: ann })).status).toBe(200)
  expect((await call('GET', '/issues/1', A)).body.comments.map((c: { text: string }) => c.text)).toEqual([
    'Pads worn',
  ])
})
