/** A car's issues for its removal: GET counts them, DELETE removes them with what hangs on them. */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from './app.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-issues-car-'))
const token = 'test-service-token-0123456789abcdef'
const app = createApp({ dataDir: dir, token, now: () => new Date('2026-11-20T10:00:00Z') })
afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:car-issues-a'
const B = 'local:car-issues-b'
const ann = { id: 'u1', name: 'Ann' }

async function call(
  method: string,
  path: string,
  opts: { tenant?: string; body?: unknown; key?: string } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` }
  if (opts.tenant !== undefined) headers['x-tenant'] = opts.tenant
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (opts.key) headers['idempotency-key'] = opts.key
  const res = await app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
  )
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

const open = async (tenant: string, car_id: number, title: string) =>
  (await call('POST', '/issues', { tenant, body: { car_id, car: `car${car_id}`, title, actor: ann } })).body
    .number as number

test("GET counts a car's issues, comments and links; DELETE removes them once, in its garage only", async () => {
  const one = await open(A, 7, 'Squeak')
  const two = await open(A, 7, 'Rattle')
  const other = await open(A, 8, 'Other car')
  const elsewhere = await open(B, 7, "Another garage's car 7")
  await call('POST', `/issues/${one}/comments`, { tenant: A, body: { text: 'still there', actor: ann } })
  await call('POST', `/issues/${two}/comments`, { tenant: A, body: { text: 'worse', actor: ann } })
  await call('POST', `/issues/${one}/photos`, { tenant: A, body: { sha256: 'a'.repeat(64), actor: ann } })
  await call('POST', `/issues/${two}/quotes`, { tenant: A, body: { quote_id: 3, actor: ann } })

  const preview = await call('GET', '/cars/7/issues', { tenant: A })
  expect(preview).toEqual({ status: 200, body: { numbers: [one, two], comments: 2, photos: 1, quotes: 1 } })
  // Counting changes nothing.
  expect((await call('GET', `/issues/${one}`, { tenant: A })).status).toBe(200)

  const gone = await call('DELETE', '/cars/7/issues', { tenant: A, key: 'job-1-issues' })
  expect(gone).toEqual({ status: 200, body: { numbers: [one, two], comments: 2, photos: 1, quotes: 1 } })
  expect((await call('GET', `/issues/${one}`, { tenant: A })).status).toBe(404)
  expect((await call('GET', `/issues/${two}`, { tenant: A })).status).toBe(404)
  // The same key answers the first result again; a new one finds nothing left (a retried removal).
  expect((await call('DELETE', '/cars/7/issues', { tenant: A, key: 'job-1-issues' })).body.numbers).toEqual([
    one,
    two,
  ])
  expect((await call('DELETE', '/cars/7/issues', { tenant: A, key: 'job-2-issues' })).body).toEqual({
    numbers: [],
    comments: 0,
    photos: 0,
    quotes: 0,
  })
  // Another car and another garage's car 7 keep theirs; numbers are not given again.
  expect((await call('GET', `/issues/${other}`, { tenant: A })).status).toBe(200)
  expect((await call('GET', `/issues/${elsewhere}`, { tenant: B })).status).toBe(200)
  expect(await open(A, 7, 'New car, same id')).toBe(other + 1)
})

test('bad input is a 4xx naming the car; no tenant, no answer', async () => {
  for (const path of ['/cars/0/issues', '/cars/abc/issues', '/cars/1.5/issues']) {
    const r = await call('DELETE', path, { tenant: A })
    expect(r.status).toBe(422)
    expect(JSON.stringify(r.body)).toContain('car')
  }
  expect((await call('GET', '/cars/7/issues')).status).toBeGreaterThanOrEqual(400)
  expect((await call('GET', '/cars/7/issues')).status).toBeLessThan(500)
})
