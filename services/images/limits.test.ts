/**
 * The per-garage limits of the images service: the storage quota (IMAGE_QUOTA_MB), the expiry
 * of unfiled photos (IMAGE_UNFILED_DAYS, with an injected clock), removal of links and files,
 * and the decoder queue's fairness between garages.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { createApp } from './app.ts'
import { DecoderBusy, DecoderPool } from './pool.ts'

const token = 'test-service-token-0123456789abcdef'
const dirs: string[] = []
const stops: (() => unknown)[] = []
afterAll(async () => {
  for (const s of stops) await s()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function service(
  env: Record<string, string>,
  now: () => Date,
  dir = mkdtempSync(join(tmpdir(), 'cm-img-limits-')),
) {
  dirs.push(dir)
  const app = createApp({ dataDir: dir, token, config: parseConfig(env), now })
  stops.push(() => app.stop())
  const call = async (tenant: string, method: string, path: string, body?: string | Uint8Array, key?: string) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': tenant }
    if (key) headers['idempotency-key'] = key
    if (typeof body === 'string') headers['content-type'] = 'application/json'
    else if (body) headers['content-type'] = 'application/octet-stream'
    const res = await app.handle(
      new Request(`http://localhost${path}`, { method, headers, ...(body ? { body } : {}) }),
    )
    return { status: res.status, body: (await res.json().catch(() => null)) as any }
  }
  const upload = (tenant: string, bytes: Uint8Array, query = '') =>
    call(tenant, 'POST', `/images?uploader=u1${query}`, bytes)
  const files = () =>
    readdirSync(join(dir, 'images'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort()
  return { app, dir, call, upload, files }
}

// Noise does not compress: each photo is close to its raw size.
let big: Uint8Array[] = []
beforeAll(async () => {
  big = await Promise.all([1, 2, 3].map((seed) => makeJpeg(1000, 1000, { seed, quality: 100 })))
})

describe('the per-garage storage quota', () => {
  test('an upload that would pass IMAGE_QUOTA_MB is refused with the garage figures; nothing is stored', async () => {
    // One photo fits in 1 MB, two do not.
    expect(big[0]!.byteLength).toBeLessThan(1024 * 1024)
    expect(big[0]!.byteLength + big[1]!.byteLength).toBeGreaterThan(1024 * 1024)
    const s = service({ IMAGE_QUOTA_MB: '1' }, () => new Date('2026-01-01T00:00:00Z'))
    expect((await s.upload('local:a', big[0]!, '&car_id=1&car=golf')).status).toBe(201)
    const before = s.files()
    expect(before).toHaveLength(3)
    const refused = await s.upload('local:a', big[1]!, '&car_id=1&car=golf')
    expect(refused.status).toBe(413)
    expect(refused.body.error.code).toBe('over_quota')
    expect(refused.body.error.message).toBe(
      `This garage's photos use ${Math.round(big[0]!.byteLength / 1048576)} MB of its 1 MB; remove some with /photo remove`,
    )
    expect(s.files()).toEqual(before)
    expect((await s.call('local:a', 'GET', '/images')).body.total).toBe(1)
    // The same bytes again add nothing, so they are taken; another garage has its own quota.
    expect((await s.upload('local:a', big[0]!, '&issue=4')).status).toBe(201)
    expect((await s.upload('local:b', big[1]!)).status).toBe(201)
  })

  test('a photo two garages keep counts for both', async () => {
    const s = service({ IMAGE_QUOTA_MB: '1' }, () => new Date('2026-01-01T00:00:00Z'))
    expect((await s.upload('local:b', big[0]!)).status).toBe(201)
    expect((await s.upload('local:a', big[0]!)).status).toBe(201)
    // local:a stores nothing new for it, but it is a's photo too: the next one does not fit.
    const refused = await s.upload('local:a', big[1]!)
    expect(refused.status).toBe(413)
    expect(refused.body.error.message).toStartWith("This garage's photos use ")
  })
})

describe('unfiled photos expire', () => {
  test('after IMAGE_UNFILED_DAYS the unfiled link goes, and the files once no link remains', async () => {
    let clock = new Date('2026-03-01T12:00:00Z')
    const s = service({ IMAGE_UNFILED_DAYS: '7' }, () => clock)
    const unfiled = await s.upload('local:a', big[0]!)
    const shared = await s.upload('local:a', big[1]!)
    const filedElsewhere = await s.upload('local:b', big[1]!, '&car_id=3&car=golf')
    const filed = await s.upload('local:a', big[2]!, '&car_id=1&car=golf')
    expect([unfiled.status, shared.status, filedElsewhere.status, filed.status]).toEqual([201, 201, 201, 201])
    expect(s.files()).toHaveLength(9)

    clock = new Date('2026-03-08T11:00:00Z')
    expect(s.app.decorator.expireUnfiled()).toEqual({ links: 0, files: 0 })

    clock = new Date('2026-03-08T13:00:00Z')
    expect(s.app.decorator.expireUnfiled()).toEqual({ links: 2, files: 1 })
    const a = (await s.call('local:a', 'GET', '/images')).body
    expect(a.photos.map((p: { car: string | null }) => p.car)).toEqual(['golf'])
    // local:b still files the shared photo: its files stay.
    const sha = unfiled.body.photo.sha256 as string
    expect(s.files().some((f) => f.startsWith(sha))).toBe(false)
    expect(s.files()).toHaveLength(6)
    expect((await s.call('local:b', 'GET', `/images/${shared.body.photo.sha256}/256`)).status).toBe(200)
  })

  test('the sweep also runs at start', async () => {
    const at = new Date('2026-03-01T12:00:00Z')
    const first = service({}, () => at)
    expect((await first.upload('local:a', big[0]!)).status).toBe(201)
    await first.app.stop()
    const later = service({}, () => new Date('2026-03-20T12:00:00Z'), first.dir)
    expect((await later.call('local:a', 'GET', '/images')).body.total).toBe(0)
    expect(later.files()).toEqual([])
  })
})

describe('removing links', () => {
  test('by number, by code prefix, by car; files go with the last link', async () => {
    const s = service({}, () => new Date('2026-01-01T00:00:00Z'))
    const onCar = await s.upload('local:a', big[0]!, '&car_id=5&car=golf')
    const onIssue = await s.upload('local:a', big[0]!, '&issue=2')
    const other = await s.upload('local:a', big[1]!, '&car_id=5&car=golf')
    const json = (o: unknown) => JSON.stringify(o)
    const byCar = await s.call('local:a', 'POST', '/images/remove', json({ car_id: 5 }), 'k1')
    expect(byCar.status).toBe(200)
    expect(byCar.body.removed.map((p: { id: number }) => p.id)).toEqual([
      onCar.body.photo.id,
      other.body.photo.id,
    ])
    expect(byCar.body.files_removed).toBe(1)
    // A retried request answers the same.
    expect((await s.call('local:a', 'POST', '/images/remove', json({ car_id: 5 }), 'k1')).body).toEqual(
      byCar.body,
    )
    // The issue's link keeps the first photo's files.
    expect(s.files()).toHaveLength(3)
    const sha = onIssue.body.photo.sha256 as string
    expect((await s.call('local:b', 'POST', '/images/remove', json({ sha: sha.slice(0, 6) }))).status).toBe(
      404,
    )
    const bySha = await s.call('local:a', 'POST', '/images/remove', json({ sha: sha.slice(0, 6) }))
    expect(bySha.body.files_removed).toBe(1)
    expect(s.files()).toEqual([])
    expect(
      (await s.call('local:a', 'POST', '/images/remove', json({ id: onIssue.body.photo.id }))).status,
    ).toBe(404)
    expect((await s.call('local:a', 'POST', '/images/remove', json({}))).status).toBe(422)
  })
})

describe('the decoder queue is fair between garages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-fair-'))
  dirs.push(dir)
  let job: { input: string; out256: string; out1024: string; maxPixels: number; quality: number }
  beforeAll(async () => {
    writeFileSync(join(dir, 'p.jpg'), await makeJpeg(1200, 900, { seed: 9 }))
    job = {
      input: join(dir, 'p.jpg'),
      out256: join(dir, 'a.jpg'),
      out1024: join(dir, 'b.jpg'),
      maxPixels: 5e7,
      quality: 80,
    }
  })

  test("garage A's burst fills its share and is refused as busy; garage B's photo is still taken, and served next", async () => {
    const pool = new DecoderPool({ maxMemoryMb: 2048, maxWaiting: 16, maxWaitingPerTenant: 3 })
    stops.push(() => pool.close())
    const order: string[] = []
    const run = (tenant: string, n: number) =>
      pool.decode(job, tenant).then(
        () => order.push(`${tenant}${n}`),
        (e) => e,
      )
    // One being decoded and three waiting: A's share is full.
    const a = [1, 2, 3, 4].map((n) => run('A', n))
    const refused = await pool.decode(job, 'A').catch((e) => e)
    expect(refused).toBeInstanceOf(DecoderBusy)
    expect((refused as Error).message).toBe('this garage already has 3 photos waiting to be decoded')
    expect(pool.waitingFor('A')).toBe(3)
    const b = run('B', 1)
    expect(pool.waitingFor('B')).toBe(1)
    await Promise.all([...a, b])
    // B's photo did not wait behind all of A's: it went right after the one A had in the decoder.
    expect(order).toEqual(['A1', 'B1', 'A2', 'A3', 'A4'])
  }, 30_000)

  test('the rotation serves garages in turn, each in its own order', async () => {
    const pool = new DecoderPool({ maxMemoryMb: 2048 })
    stops.push(() => pool.close())
    const order: string[] = []
    const all = [
      ['A', 1],
      ['A', 2],
      ['A', 3],
      ['B', 1],
      ['B', 2],
      ['C', 1],
    ].map(([t, n]) => pool.decode(job, t as string).then(() => order.push(`${t}${n}`)))
    await Promise.all(all)
    expect(order).toEqual(['A1', 'B1', 'C1', 'A2', 'B2', 'A3'])
  }, 30_000)
})
