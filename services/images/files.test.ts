/**
 * The images service's short-lived files: stored from a streamed body, answered to the same
 * garage only, one id per Idempotency-Key, gone after a day and swept from the disk; and the
 * export read route pages a garage's photos without another garage's.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { createApp } from './app.ts'
import { FILE_KEEP_MS } from './files.ts'

const TOKEN = 'files-token-0123456789abcdef'
let dataDir: string
let clock = new Date('2026-06-01T12:00:00Z')
let app: ReturnType<typeof createApp>

const headers = (tenant: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${TOKEN}`,
  'x-tenant': tenant,
  ...extra,
})
const post = (tenant: string, body: Uint8Array | ReadableStream<Uint8Array>, key?: string, name = 'export.zip') =>
  app.handle(
    new Request(`http://images/files?name=${name}&type=application/zip`, {
      method: 'POST',
      headers: headers(tenant, key ? { 'idempotency-key': key } : {}),
      body,
    }),
  )
const get = (tenant: string, id: string) => app.handle(new Request(`http://images/files/${id}`, { headers: headers(tenant) }))

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cm-files-'))
  app = createApp({ dataDir, token: TOKEN, now: () => clock, config: parseConfig({ DATA_DIR: dataDir }) })
})
afterAll(async () => {
  await app.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

test('a streamed file is kept for its garage only, under one id per Idempotency-Key', async () => {
  const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])]
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(chunk)
      c.close()
    },
  })
  const first = await post('local:a', stream, 'job-1')
  expect(first.status).toBe(200)
  const file = (await first.json()) as { id: string; bytes: number; name: string; type: string }
  expect(file).toMatchObject({ bytes: 5, name: 'export.zip', type: 'application/zip' })
  const again = (await (await post('local:a', new Uint8Array([9]), 'job-1')).json()) as { id: string }
  expect(again.id).toBe(file.id)
  expect(((await (await post('local:b', new Uint8Array([9]), 'job-1')).json()) as { id: string }).id).not.toBe(file.id)

  const mine = await get('local:a', file.id)
  expect(mine.status).toBe(200)
  expect(mine.headers.get('content-type')).toBe('application/zip')
  expect(new Uint8Array(await mine.arrayBuffer())).toEqual(new Uint8Array([9]))
  expect((await get('local:b', file.id)).status).toBe(404)
  const noToken = await app.handle(new Request(`http://images/files/${file.id}`, { headers: { 'x-tenant': 'local:a' } }))
  expect(noToken.status).toBe(401)
  expect((await post('local:a', new Uint8Array([1]), undefined, '../../etc/passwd')).status).toBe(422)
})

test('a file is gone after a day, and the next upload sweeps it from the disk', async () => {
  const old = (await (await post('local:a', new Uint8Array([1]), 'old')).json()) as { id: string }
  clock = new Date(clock.getTime() + FILE_KEEP_MS + 1)
  expect((await get('local:a', old.id)).status).toBe(404)
  expect(existsSync(join(dataDir, 'files', old.id))).toBe(true)
  await post('local:a', new Uint8Array([2]), 'new')
  expect(existsSync(join(dataDir, 'files', old.id))).toBe(false)
  expect(readdirSync(join(dataDir, 'files')).every((f) => !f.endsWith('.tmp'))).toBe(true)
})

test('the export route pages photo links of the garage only, and refuses an unknown kind', async () => {
  const page = await app.handle(new Request('http://images/export?kind=photos', { headers: headers('local:a') }))
  expect(page.status).toBe(200)
  expect(await page.json()).toMatchObject({ kind: 'photos', rows: [], next: null })
  expect((await app.handle(new Request('http://images/export?kind=cars', { headers: headers('local:a') }))).status).toBe(422)
  expect((await app.handle(new Request('http://images/export?kind=photos', { headers: { authorization: `Bearer ${TOKEN}` } }))).status).toBe(400)
})
