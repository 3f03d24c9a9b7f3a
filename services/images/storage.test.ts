/**
 * The photo store and a full disk or a crash: an ENOSPC while writing a photo is 507
 * `storage_full` and stores nothing; a photo's files are in place (fsynced) before its row is
 * inserted; at start the files no row references and leftover temp files are swept, and the
 * referenced ones kept.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { createLogger, silentLogger } from '../../lib/log.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { isStorageFull } from '../lib/storage.ts'
import { createApp } from './app.ts'
import { DecoderPool, DiskFull } from './pool.ts'
import type { ImageStore } from './service.ts'

const token = 'test-service-token-0123456789abcdef'
const config = parseConfig({})
const dirs: string[] = []
const apps: ReturnType<typeof createApp>[] = []
afterAll(async () => {
  for (const a of apps.splice(0)) await a.stop()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function boot(dataDir?: string, log = silentLogger) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'cm-images-storage-'))
  if (!dataDir) dirs.push(dir)
  const app = createApp({ dataDir: dir, token, config, log, now: () => new Date('2026-05-10T12:00:00Z') })
  apps.push(app)
  const upload = async (bytes: Uint8Array, key?: string) => {
    const res = await app.handle(
      new Request('http://localhost/images?uploader=u1', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'x-tenant': 'local:a',
          'content-type': 'application/octet-stream',
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: bytes,
      }),
    )
    return { status: res.status, body: (await res.json()) as any }
  }
  const ready = () =>
    app.handle(new Request('http://localhost/ready', { headers: { authorization: `Bearer ${token}` } }))
  const store = app.decorator.store as ImageStore
  const db = app.decorator.db
  const count = (table: string) => (db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
  return { app, dir, store, db, upload, ready, count }
}

const files = (root: string) =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort()

let photo: Uint8Array
let other: Uint8Array
beforeAll(async () => {
  photo = await makeJpeg(640, 480, { seed: 3 })
  other = await makeJpeg(320, 240, { seed: 4 })
})

describe('a full disk under the photo store', () => {
  test('an ENOSPC writing the photo: 507 storage_full, no row, no file; with room the upload works', async () => {
    const s = boot()
    const write = s.store.write.bind(s.store)
    // The kernel's own ENOSPC: the bytes go to /dev/full instead of the temp file.
    s.store.write = (_path, bytes) => write('/dev/full', bytes)
    const r = await s.upload(photo, 'k1')
    expect(r.status).toBe(507)
    expect(r.body.error.code).toBe('storage_full')
    expect(r.body.error.message).toContain('nothing was saved')
    expect(s.count('images')).toBe(0)
    expect(s.count('photos')).toBe(0)
    expect(s.count('idempotency')).toBe(0)
    expect(files(join(s.dir, 'images'))).toEqual([])

    s.store.write = write
    const ok = await s.upload(photo, 'k1')
    expect(ok.status).toBe(201)
    expect(s.count('photos')).toBe(1)
    expect((await s.ready()).status).toBe(200)
  })

  test('an ENOSPC writing a thumbnail in the decoder process is a full disk, not a bad photo', async () => {
    const s = boot()
    const input = join(s.dir, 'in.jpg')
    writeFileSync(input, photo)
    const pool = new DecoderPool({ maxMemoryMb: 1024, timeoutMs: 30_000 })
    try {
      const error = await pool
        .decode({ input, out256: '/dev/full', out1024: join(s.dir, 'b.jpg'), maxPixels: 5e7, quality: 80 })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(DiskFull)
      expect(isStorageFull(error)).toBe(true)
    } finally {
      pool.close()
    }
  })

  test("a photo's files are in place before its row is inserted", async () => {
    const s = boot()
    const place = s.store.place.bind(s.store)
    const seen: { rowBefore: boolean; filesAfter: boolean }[] = []
    s.store.place = (sha, tmp) => {
      const rowBefore = s.db.query('SELECT 1 FROM images WHERE sha256 = ?').get(sha) !== null
      place(sha, tmp)
      seen.push({ rowBefore, filesAfter: s.store.complete(sha) })
    }
    expect((await s.upload(photo)).status).toBe(201)
    expect(seen).toEqual([{ rowBefore: false, filesAfter: true }])
    expect(s.count('images')).toBe(1)
  })
})

describe('the sweep at start', () => {
  test('files without a row and temp files are deleted and counted; referenced and unknown files stay', async () => {
    const first = boot()
    const kept = await first.upload(photo)
    expect(kept.status).toBe(201)
    const sha = kept.body.photo.sha256 as string
    await first.app.stop()

    const root = join(first.dir, 'images')
    // A crash between the renames and the row: an orphan's three files, in a shard of its own
    // and in the referenced photo's shard.
    const orphan = new Bun.CryptoHasher('sha256').update(other).digest('hex')
    const sibling = `${sha.slice(0, 2)}${'0'.repeat(62)}`
    for (const o of [orphan, sibling]) {
      mkdirSync(join(root, o.slice(0, 2)), { recursive: true })
      for (const name of [o, `${o}.256.jpg`, `${o}.1024.jpg`])
        writeFileSync(join(root, o.slice(0, 2), name), 'x')
    }
    writeFileSync(join(root, 'tmp', `${orphan}-123-abc.orig`), 'x')
    writeFileSync(join(root, 'tmp', `${orphan}-123-abc.256.jpg`), 'x')
    writeFileSync(join(root, sha.slice(0, 2), 'README'), 'not a photo')

    const lines: string[] = []
    const log = createLogger('images', 'info', { write: (line: string) => void lines.push(line) })
    const second = boot(first.dir, log)
    const after = files(root)
    const shard = sha.slice(0, 2)
    expect(after).toEqual(
      [`${shard}/${sha}`, `${shard}/${sha}.1024.jpg`, `${shard}/${sha}.256.jpg`, `${shard}/README`].sort(),
    )
    if (orphan.slice(0, 2) !== shard) expect(existsSync(join(root, orphan.slice(0, 2)))).toBe(false)
    expect(readdirSync(join(root, 'tmp'))).toEqual([])
    const swept = lines.map((l) => JSON.parse(l)).find((l) => /photo store swept/.test(l.msg))
    expect(swept).toMatchObject({ temps: 2, orphans: 6 })

    // The kept photo still answers; the orphan's bytes upload again as new.
    const thumb = await second.app.handle(
      new Request(`http://localhost/images/${sha}/256`, {
        headers: { authorization: `Bearer ${token}`, 'x-tenant': 'local:a' },
      }),
    )
    expect(thumb.status).toBe(200)
    const again = await second.upload(other)
    expect(again.status).toBe(201)
    expect(again.body.stored_before).toBe(false)
  })
})
