/** POST /images/remove for a car removed with its issues: every link of the car and of its issues, previewed first. */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { createApp } from './app.ts'

const token = 'test-service-token-0123456789abcdef'
const dir = mkdtempSync(join(tmpdir(), 'cm-images-car-'))
const app = createApp({
  dataDir: dir,
  token,
  config: parseConfig({}),
  now: () => new Date('2026-11-20T12:00:00Z'),
})
afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:images-car-a'
const B = 'local:images-car-b'

async function call(method: string, path: string, tenant: string, body?: unknown, key?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': tenant }
  if (body !== undefined)
    headers['content-type'] = body instanceof Uint8Array ? 'application/octet-stream' : 'application/json'
  if (key) headers['idempotency-key'] = key
  const res = await app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body),
    }),
  )
  return { status: res.status, body: (await res.json()) as any }
}

let seed = 900
async function upload(tenant: string, query: Record<string, string | number>, bytes?: Uint8Array) {
  const qs = new URLSearchParams({
    uploader: 'u1',
    ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
  })
  const r = await call('POST', `/images?${qs}`, tenant, bytes ?? (await makeJpeg(48, 32, { seed: ++seed })))
  expect(r.status).toBe(201)
  return r.body.photo as { id: number; sha256: string }
}

test("with issues, a car's removal takes its own photos, those filed on its issues, and nothing else", async () => {
  const own = await upload(A, { car_id: 3, car: 'golf' })
  const onIssue = await upload(A, { car_id: 3, car: 'golf', issue: 4 })
  const issueOnly = await upload(A, { issue: 5 })
  const otherCar = await upload(A, { car_id: 9, car: 'polo' })
  const shared = await makeJpeg(48, 32, { seed: 42 })
  const sharedHere = await upload(A, { car_id: 3, car: 'golf' }, shared)
  await upload(A, { car_id: 9, car: 'polo' }, shared)
  const otherGarage = await upload(B, { car_id: 3, car: 'golf', issue: 4 })

  const preview = await call('POST', '/images/remove', A, { car_id: 3, issues: [4, 5], preview: true })
  expect(preview.status).toBe(200)
  expect(preview.body.removed.map((p: { id: number }) => p.id)).toEqual([
    own.id,
    onIssue.id,
    issueOnly.id,
    sharedHere.id,
  ])
  // The shared photo stays linked (polo), so three files would go.
  expect(preview.body.files_removed).toBe(3)
  expect((await call('GET', '/images?car=3', A, undefined)).body.total).toBe(3)

  const gone = await call('POST', '/images/remove', A, { car_id: 3, issues: [4, 5] }, 'job-photos')
  expect(gone.body.removed.map((p: { id: number }) => p.id)).toEqual([
    own.id,
    onIssue.id,
    issueOnly.id,
    sharedHere.id,
  ])
  expect(gone.body.files_removed).toBe(3)
  expect((await call('GET', '/images?car=3', A)).body.total).toBe(0)
  expect((await call('GET', '/images?issue=5', A)).body.total).toBe(0)
  expect((await call('GET', '/images?car=9', A)).body.photos.map((p: { id: number }) => p.id)).toContain(
    otherCar.id,
  )
  expect((await call('GET', '/images?car=3', B)).body.photos.map((p: { id: number }) => p.id)).toEqual([
    otherGarage.id,
  ])
  // Replayed under its key; again under a new key there is nothing left.
  expect(
    (await call('POST', '/images/remove', A, { car_id: 3, issues: [4, 5] }, 'job-photos')).body.removed,
  ).toHaveLength(4)
  expect(
    (await call('POST', '/images/remove', A, { car_id: 3, issues: [] }, 'job-again')).body.removed,
  ).toEqual([])
})

test('issues without car_id, or not whole numbers, are a 4xx naming the field', async () => {
  const alone = await call('POST', '/images/remove', A, { issues: [1] })
  expect(alone.status).toBe(422)
  expect(JSON.stringify(alone.body)).toContain('issues')
  for (const body of [
    { car_id: 1, issues: [0] },
    { car_id: 1, issues: 'all' },
    { car_id: 1, preview: 'maybe' },
  ]) {
    const r = await call('POST', '/images/remove', A, body)
    expect({ body, status: r.status }).toEqual({ body, status: 422 })
  }
})
