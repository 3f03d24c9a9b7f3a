/**
 * DELETE /tenant in the images service: every photo link of the garage goes, and the stored
 * photos only it linked to with their files (original and thumbnails); a photo another garage
 * keeps stays with its files. Idempotent: a second delete deletes nothing and answers zeros.
 */
import { afterAll, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { createApp } from './app.ts'

const token = 'test-service-token-0123456789abcdef'
const dir = mkdtempSync(join(tmpdir(), 'cm-images-tenant-'))
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

const A = 'local:images-tenant-a'
const B = 'local:images-tenant-b'

async function call(method: string, path: string, tenant: string, body?: Uint8Array, key?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': tenant }
  if (body) headers['content-type'] = 'application/octet-stream'
  if (key) headers['idempotency-key'] = key
  const res = await app.handle(new Request(`http://localhost${path}`, { method, headers, body }))
  return { status: res.status, body: (await res.json()) as any }
}

const original = (sha: string) => join(dir, 'images', sha.slice(0, 2), sha)

test("a garage's deletion takes its links and the photos only it had, with their files; another garage's photo stays", async () => {
  const own = await call(
    'POST',
    '/images?uploader=u1&car_id=3&car=golf',
    A,
    await makeJpeg(48, 32, { seed: 7 }),
  )
  const shared = await makeJpeg(48, 32, { seed: 8 })
  const mine = await call('POST', '/images?uploader=u1&car_id=3&car=golf', A, shared)
  await call('POST', '/images?uploader=u2&car_id=5&car=polo', B, shared)
  const ownSha = own.body.photo.sha256 as string
  const sharedSha = mine.body.photo.sha256 as string
  expect(existsSync(original(ownSha))).toBe(true)

  expect((await call('GET', '/tenant', A)).body).toEqual({
    kinds: [
      { kind: 'photos', count: 2 },
      { kind: 'files', count: 0 },
    ],
    deleted: false,
  })
  const gone = await call('DELETE', '/tenant', A, undefined, 'delete-a')
  expect(gone.status).toBe(200)
  expect(gone.body).toEqual({
    kinds: [
      { kind: 'photos', count: 2 },
      { kind: 'files', count: 0 },
    ],
    deleted: true,
  })
  expect(existsSync(original(ownSha))).toBe(false)
  expect(existsSync(original(sharedSha))).toBe(true)
  expect(
    (await call('GET', '/images?car=5', B)).body.photos.map((p: { sha256: string }) => p.sha256),
  ).toEqual([sharedSha])
  // the same request again answers its first result; a new one finds nothing left
  expect((await call('DELETE', '/tenant', A, undefined, 'delete-a')).body.kinds[0].count).toBe(2)
  expect((await call('DELETE', '/tenant', A, undefined, 'delete-a-again')).body.kinds[0].count).toBe(0)
})
