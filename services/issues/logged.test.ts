/**
 * Who opened an issue, wrote a comment or made a change (`GET /logged`), by their platform user
 * id, for a driver's "only your own" check in the worker: this garage's only (another's answers
 * like a missing one), null when not known, a kind or reference that is not one refused with 422.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from './app.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-issue-logged-'))
const token = 'test-service-token-0123456789abcdef'
const app = createApp({ dataDir: dir, token, now: () => new Date('2026-04-01T10:00:00Z') })

afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:l-alpha'
const B = 'local:l-beta'

async function call(method: string, path: string, tenant: string, body?: unknown) {
  const res = await app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-tenant': tenant,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  )
  return { status: res.status, body: await res.json() }
}
const by = async (tenant: string, kind: string, ref: number | string) =>
  call('GET', `/logged?kind=${kind}&ref=${ref}`, tenant)

test('the opener, the comment’s author and each change’s maker, by id; another garage learns nothing', async () => {
  const ann = { id: 'U0ANN', name: 'Ann' }
  const bob = { id: 'U0BOB', name: 'Bob' }
  expect(
    (await call('POST', '/issues', A, { car_id: 1, car: 'golf', title: 'Rattle', actor: ann })).status,
  ).toBe(201)
  expect((await call('POST', '/issues/1/comments', A, { text: 'At 50', actor: bob })).status).toBe(200)
  const edit = await call('POST', '/comments/1/edit', A, { text: 'At 60', actor: ann })
  expect(edit.status).toBe(200)

  expect((await by(A, 'issue', 1)).body).toEqual({ by: 'U0ANN' })
  expect((await by(A, 'comment', 1)).body).toEqual({ by: 'U0BOB' })
  expect((await by(A, 'comment_change', (edit.body as { change: number }).change)).body).toEqual({
    by: 'U0ANN',
  })
  const entries = (
    (await call('GET', '/changes', A)).body as { changes: { id: number; actor_id: string | null }[] }
  ).changes
  for (const e of entries) expect((await by(A, 'entry', e.id)).body).toEqual({ by: e.actor_id })

  // another garage: as for nothing at all
  for (const [kind, ref] of [
    ['issue', 1],
    ['comment', 1],
    ['comment_change', (edit.body as { change: number }).change],
    ['entry', entries[0]!.id],
  ] as const) {
    expect(await by(B, kind, ref)).toEqual(await by(A, kind, 999_999))
    expect((await by(B, kind, ref)).body).toEqual({ by: null })
  }
  expect((await by(A, 'photo', 1)).status).toBe(422)
  expect((await by(A, 'issue', 'x')).status).toBe(422)
  expect((await by(A, 'issue', 0)).status).toBe(422)
})
