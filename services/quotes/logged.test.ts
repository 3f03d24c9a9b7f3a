/**
 * Who added a quote or made a change of one (`GET /logged`), by their platform user id, for a
 * driver's "only your own" check in the worker: this garage's only (another's answers like a
 * missing one), null when not known, a kind or reference that is not one refused with 422.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from './app.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-quote-logged-'))
const token = 'test-service-token-0123456789abcdef'
const app = createApp({ dataDir: dir, token, now: () => new Date('2026-04-01T10:00:00Z') })

afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:q-alpha'
const B = 'local:q-beta'

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

test('who added a quote and who changed it, by id; another garage learns nothing', async () => {
  const added = await call('POST', '/quotes', A, {
    issue: 1,
    shop: 'Joe',
    currency: 'USD',
    amount: { value: 100 },
    by: 'Ann',
    byId: 'U0ANN',
  })
  expect(added.status).toBe(201)
  const edit = await call('POST', '/quotes/1/edit', A, { notes: 'with rotors', by: 'Bob', byId: 'U0BOB' })
  expect(edit.status).toBe(200)
  // one without an id (a caller from before ids were kept)
  expect(
    (
      await call('POST', '/quotes', A, {
        issue: 1,
        shop: 'Old',
        currency: 'USD',
        amount: { value: 50 },
        by: 'Cy',
      })
    ).status,
  ).toBe(201)

  expect((await by(A, 'quote', 1)).body).toEqual({ by: 'U0ANN' })
  expect((await by(A, 'change', (edit.body as { change: number }).change)).body).toEqual({ by: 'U0BOB' })
  expect((await by(A, 'quote', 2)).body).toEqual({ by: null })
  for (const [kind, ref] of [
    ['quote', 1],
    ['change', (edit.body as { change: number }).change],
  ] as const) {
    expect(await by(B, kind, ref)).toEqual(await by(A, kind, 999_999))
    expect((await by(B, kind, ref)).body).toEqual({ by: null })
  }
  expect((await by(A, 'issue', 1)).status).toBe(422)
  expect((await by(A, 'quote', '1.5')).status).toBe(422)
})
