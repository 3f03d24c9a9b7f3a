import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { createApp } from './app.ts'
import { makeGif, makeJpeg, makePng, makePngBomb, makeWebp } from '../../test/fixtures/images.ts'
import { sniff } from './sniff.ts'
import { decodeJpeg } from './turbojpeg.ts'

const token = 'test-service-token-0123456789abcdef'
const dir = mkdtempSync(join(tmpdir(), 'cm-images-'))
const config = parseConfig({ IMAGE_MAX_BYTES: String(25 * 1024 * 1024) })
const app = createApp({ dataDir: dir, token, config, now: () => new Date('2025-04-01T12:00:00Z') })
afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:alpha'
const B = 'local:beta'

type Json = Record<string, any>
async function upload(
  tenant: string,
  bytes: Uint8Array,
  query: Record<string, string | number> = {},
  key?: string,
) {
  const qs = new URLSearchParams({
    uploader: 'u1',
    uploader_name: 'Ann',
    ...Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
  })
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'x-tenant': tenant,
    'content-type': 'application/octet-stream',
  }
  if (key) headers['idempotency-key'] = key
  const res = await app.handle(
    new Request(`http://localhost/images?${qs}`, { method: 'POST', headers, body: bytes }),
  )
  return { status: res.status, body: (await res.json()) as Json }
}
async function get(tenant: string, path: string) {
  return app.handle(
    new Request(`http://localhost${path}`, {
      headers: { authorization: `Bearer ${token}`, 'x-tenant': tenant },
    }),
  )
}

/** Every file under DATA_DIR/images (to prove a refusal stored nothing). */
function storedFiles(): string[] {
  const root = join(dir, 'images')
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort()
}

/** Every photo row (tenant links) and image row (stored originals). */
function storedRows() {
  const db = new Database(join(dir, 'images.sqlite'), { readonly: true })
  try {
    return {
      photos: db.query('SELECT * FROM photos ORDER BY id').all(),
      images: db.query('SELECT sha256 FROM images ORDER BY sha256').all(),
    }
  } finally {
    db.close()
  }
}

let photo: Uint8Array
beforeAll(async () => {
  photo = await makeJpeg(1600, 1200, { seed: 7 })
})

describe('images service: intake', () => {
  test('stores a JPEG for a car with 256 and 1024 px JPEG thumbnails and records who and when', async () => {
    const r = await upload(A, photo, { car_id: 1, car: 'corolla', filename: 'IMG_1.jpg' })
    expect(r.status).toBe(201)
    expect(r.body.photo).toMatchObject({
      format: 'jpeg',
      width: 1600,
      height: 1200,
      bytes: photo.byteLength,
      car_id: 1,
      car: 'corolla',
      issue: null,
      uploader: 'u1',
      uploader_name: 'Ann',
      filename: 'IMG_1.jpg',
      created_at: '2025-04-01T12:00:00.000Z',
    })
    expect(r.body.photo.sha256).toBe(new Bun.CryptoHasher('sha256').update(photo).digest('hex'))
    expect(r.body.stored_before).toBe(false)
    for (const [size, w, h] of [
      [256, 256, 192],
      [1024, 1024, 768],
    ] as const) {
      const res = await get(A, `/images/${r.body.photo.sha256}/${size}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('image/jpeg')
      const info = sniff(new Uint8Array(await res.arrayBuffer()), 1e9)
      expect([info.format, info.width, info.height]).toEqual(['jpeg', w, h])
    }
  })

  test('the same photo twice is stored once; the tenant link is not repeated', async () => {
    const before = storedFiles()
    const again = await upload(A, photo, { car_id: 1, car: 'corolla' })
    expect(again.status).toBe(200)
    expect(again.body.stored_before).toBe(true)
    expect(again.body.linked_before).toBe(true)
    expect(storedFiles()).toEqual(before)
    const onIssue = await upload(A, photo, { car_id: 1, car: 'corolla', issue: 3 })
    expect(onIssue.status).toBe(201)
    expect(onIssue.body.stored_before).toBe(true)
    expect(storedFiles()).toEqual(before)
    const gallery = (await (await get(A, '/images?issue=3')).json()) as Json
    expect(gallery.photos.map((p: Json) => p.issue)).toEqual([3])
  })

  test('a photo hash is tenant-scoped: another tenant gets 404 until it uploads the same bytes itself', async () => {
    const sha = new Bun.CryptoHasher('sha256').update(photo).digest('hex')
    expect((await get(B, `/images/${sha}/256`)).status).toBe(404)
    expect((await get(B, `/images/${sha}`)).status).toBe(404)
    const missing = await get(B, `/images/${'0'.repeat(64)}/256`)
    expect(missing.status).toBe(404)
    expect(await (await get(B, `/images/${sha}/256`)).json()).toEqual(await missing.json())
    expect(((await (await get(B, '/images?car=1')).json()) as Json).photos).toEqual([])
    const before = storedFiles()
    const mine = await upload(B, photo, { car_id: 9, car: 'civic' }, 'b-1')
    expect(mine.status).toBe(201)
    // The bytes are shared on disk, but B is told only about its own photos: A's is not B's business.
    expect([mine.body.stored_before, mine.body.linked_before]).toEqual([false, false])
    expect(storedFiles()).toEqual(before)
    expect((await get(B, `/images/${sha}/1024`)).status).toBe(200)
    const bGallery = (await (await get(B, '/images')).json()) as Json
    expect(bGallery.photos.map((p: Json) => [p.car, p.uploader_name])).toEqual([['civic', 'Ann']])
    const aGallery = (await (await get(A, '/images?car=1')).json()) as Json
    expect(aGallery.photos.every((p: Json) => p.car === 'corolla')).toBe(true)
    // The same Idempotency-Key answers the first result again.
    const replay = await upload(B, photo, { car_id: 9, car: 'civic' }, 'b-1')
    expect(replay.status).toBe(201)
    expect(replay.body.photo.id).toBe(mine.body.photo.id)
  })

  test('stored_before speaks of this garage only: true once it has those bytes, whoever else has them', async () => {
    const C = 'local:gamma'
    const first = await upload(C, photo, { car_id: 5, car: 'golf' })
    expect([first.status, first.body.stored_before, first.body.linked_before]).toEqual([201, false, false])
    const onIssue = await upload(C, photo, { car_id: 5, car: 'golf', issue: 2 })
    expect([onIssue.status, onIssue.body.stored_before, onIssue.body.linked_before]).toEqual([
      201,
      true,
      false,
    ])
    const again = await upload(C, photo, { car_id: 5, car: 'golf', issue: 2 })
    expect([again.status, again.body.stored_before, again.body.linked_before]).toEqual([200, true, true])
  })

  test('an unfiled photo can be filed on a car later; another tenant cannot touch the link', async () => {
    const loose = await makeJpeg(300, 200, { seed: 3 })
    const r = await upload(A, loose)
    expect(r.status).toBe(201)
    expect(r.body.photo.car_id).toBeNull()
    const unfiled = (await (await get(A, '/images?unfiled=yes')).json()) as Json
    expect(unfiled.photos.map((p: Json) => p.id)).toEqual([r.body.photo.id])
    const post = (tenant: string, body: unknown) =>
      app.handle(
        new Request(`http://localhost/images/links/${r.body.photo.id}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'x-tenant': tenant,
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        }),
      )
    expect((await post(B, { car_id: 9, car: 'civic' })).status).toBe(404)
    const filed = (await (await post(A, { car_id: 2, car: 'civic' })).json()) as Json
    expect(filed).toMatchObject({ id: r.body.photo.id, car_id: 2, car: 'civic' })
    expect(((await (await get(A, '/images?unfiled=yes')).json()) as Json).photos).toEqual([])
  })

  test('EXIF orientation is applied: a 6 (rotate 90° clockwise) photo comes out portrait, red corner top-right', async () => {
    const rotated = await makeJpeg(400, 200, { orientation: 6, seed: 5 })
    const r = await upload(A, rotated, { car_id: 1, car: 'corolla' })
    expect(r.status).toBe(201)
    expect([r.body.photo.width, r.body.photo.height]).toEqual([200, 400])
    const thumb = new Uint8Array(await (await get(A, `/images/${r.body.photo.sha256}/256`)).arrayBuffer())
    const { pixels } = decodeJpeg(thumb)
    expect([pixels.width, pixels.height]).toEqual([128, 256])
    const at = (x: number, y: number) =>
      Array.from(pixels.data.subarray((y * pixels.width + x) * 4, (y * pixels.width + x) * 4 + 3))
    const [r1, g1] = at(pixels.width - 2, 1)
    expect(r1).toBeGreaterThan(180)
    expect(g1).toBeLessThan(80)
    const [r0] = at(1, 1)
    expect(r0).toBeLessThan(180)
  })

  test('PNG, GIF and WebP are accepted, decided from the bytes whatever the name', async () => {
    const png = await upload(A, await makePng(320, 240), { car_id: 1, car: 'corolla', filename: 'photo.jpg' })
    expect(png.status).toBe(201)
    expect(png.body.photo).toMatchObject({ format: 'png', width: 320, height: 240 })
    const gif = await upload(A, await makeGif(100, 80), { car_id: 1, car: 'corolla', filename: 'x.png' })
    expect(gif.status).toBe(201)
    expect(gif.body.photo).toMatchObject({ format: 'gif', width: 100, height: 80 })
    const webp = await upload(A, await makeWebp(300, 200), { car_id: 1, car: 'corolla', filename: 'x.jpg' })
    expect(webp.status).toBe(201)
    expect(webp.body.photo).toMatchObject({ format: 'webp', width: 300, height: 200 })
    const thumb = await get(A, `/images/${webp.body.photo.sha256}/256`)
    const info = sniff(new Uint8Array(await thumb.arrayBuffer()), 1e9)
    expect([info.format, info.width, info.height]).toEqual(['jpeg', 256, 171])
  })
})

describe('images service: the smallest photos', () => {
  test('a 1 × 1 PNG and a 3 × 3 JPEG get both thumbnails at their own size', async () => {
    for (const [bytes, w, h] of [
      [await makePng(1, 1), 1, 1],
      [await makeJpeg(3, 3, { seed: 8 }), 3, 3],
    ] as const) {
      const r = await upload(A, bytes, { car_id: 1, car: 'corolla' })
      expect(r.status).toBe(201)
      for (const size of [256, 1024]) {
        const thumb = new Uint8Array(
          await (await get(A, `/images/${r.body.photo.sha256}/${size}`)).arrayBuffer(),
        )
        const info = sniff(thumb, 1e9)
        expect([info.format, info.width, info.height]).toEqual(['jpeg', w, h])
      }
    }
  })
})

describe('images service: bad input is refused quickly, the service stays up, nothing partial is stored', () => {
  const refused = async (bytes: Uint8Array, query: Record<string, string> = {}) => {
    const before = storedFiles()
    const started = performance.now()
    const r = await upload(A, bytes, { car_id: 1, car: 'corolla', ...query })
    const ms = performance.now() - started
    expect(ms).toBeLessThan(5_000)
    expect(storedFiles()).toEqual(before)
    expect((await get(A, '/health')).status).toBe(200)
    return r
  }

  test('a text file named car.jpg', async () => {
    const r = await refused(new TextEncoder().encode('hello, this is not a photo\n'.repeat(20)), {
      filename: 'car.jpg',
    })
    expect(r.status).toBe(422)
    expect(r.body.error).toMatchObject({ code: 'not_an_image', field: 'body' })
    expect(r.body.error.message).toBe('"car.jpg" is a text file, not a photo (JPEG, PNG, WebP or GIF)')
  })

  test('an unknown binary type', async () => {
    const r = await refused(Uint8Array.from({ length: 600 }, (_, i) => (i * 7) & 3))
    expect(r.status).toBe(422)
    expect(r.body.error.message).toContain('unknown type')
  })

  test('a truncated JPEG', async () => {
    const cut = (await makeJpeg(800, 600, { seed: 11 })).subarray(0, 9_000)
    const r = await refused(cut)
    expect(r.status).toBe(422)
    expect(r.body.error.code).toBe('truncated')
    expect(r.body.error.message).toContain('JPEG is truncated')
  })

  test('a JPEG whose data libjpeg gives up on, and a CMYK JPEG, are refused by name', async () => {
    const bad = await makeJpeg(800, 600, { seed: 12 })
    const dht = bad.findIndex((b, i) => b === 0xff && bad[i + 1] === 0xc4)
    bad.fill(255, dht + 5, dht + 21) // the Huffman table now claims 255 codes of length 1
    const r = await refused(bad)
    expect(r.status).toBe(422)
    expect(r.body.error).toMatchObject({
      code: 'corrupt',
      message: 'the photo could not be decoded (the JPEG data is damaged)',
    })
    const sharp = (await import('sharp')).default
    const cmyk = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c03020' } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer()
    const c = await refused(new Uint8Array(cmyk))
    expect(c.status).toBe(422)
    expect(c.body.error).toMatchObject({
      code: 'unsupported_type',
      message: 'CMYK (print) JPEGs are not supported; export the photo as an RGB JPEG',
    })
  })

  test('a 20,000 × 20,000 PNG of a few KB (decompression bomb) is refused from its header', async () => {
    const bomb = makePngBomb(20_000, 20_000)
    expect(bomb.byteLength).toBeLessThan(10_000)
    const pid = app.decorator.decoder.pid
    const r = await refused(bomb)
    expect(r.status).toBe(422)
    expect(r.body.error.code).toBe('too_many_pixels')
    expect(r.body.error.message).toBe(
      'the PNG is 20000 × 20000 (400 megapixels), over the limit of 50 megapixels',
    )
    // It never reached the decoder.
    expect(app.decorator.decoder.pid).toBe(pid)
  })

  test('a 30 MB file is 413 while streaming', async () => {
    const big = new Uint8Array(30 * 1024 * 1024)
    big.set(photo.subarray(0, 2000))
    const r = await refused(big)
    expect(r.status).toBe(413)
    expect(r.body.error.message).toContain('over the limit of 25 MB')
  })

  test('an empty body and a missing uploader name the field', async () => {
    const empty = await refused(new Uint8Array(0))
    expect(empty.status).toBe(422)
    expect(empty.body.error.field).toBe('body')
    const res = await app.handle(
      new Request('http://localhost/images', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-tenant': A },
        body: photo,
      }),
    )
    expect(res.status).toBe(422)
    expect(((await res.json()) as Json).error.field).toBe('uploader')
  })

  test('a fractional or out-of-range car_id or issue is a 422 naming it, before anything is stored', async () => {
    const fresh = await makePng(37, 23)
    for (const [query, field] of [
      [{ car_id: '1.5' }, 'car_id'],
      [{ car_id: '2147483648.5' }, 'car_id'],
      [{ car_id: '0' }, 'car_id'],
      [{ issue: '1.5' }, 'issue'],
      [{ issue: '1e21' }, 'issue'],
    ] as const) {
      const rows = storedRows()
      const r = await refused(fresh, query)
      expect([JSON.stringify(query), r.status, r.body.error.field]).toEqual([
        JSON.stringify(query),
        422,
        field,
      ])
      expect(r.body.error.message).toBe(
        `${field} must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`,
      )
      expect(storedRows()).toEqual(rows)
    }
  })

  test('a bad Idempotency-Key is refused before the photo is decoded or stored', async () => {
    const fresh = await makePng(41, 19)
    const rows = storedRows()
    const files = storedFiles()
    const r = await upload(A, fresh, { car_id: 1, car: 'corolla' }, 'k'.repeat(201))
    expect([r.status, r.body.error.code]).toEqual([400, 'bad_idempotency_key'])
    expect(storedRows()).toEqual(rows)
    expect(storedFiles()).toEqual(files)
  })

  test('the gallery takes only a whole limit, car and issue', async () => {
    for (const [path, field] of [
      ['/images?limit=1.5', 'limit'],
      ['/images?limit=201', 'limit'],
      ['/images?car=1.5', 'car'],
      ['/images?issue=0.0001', 'issue'],
      ['/images/links/1.5', 'id'],
    ] as const) {
      const res = path.startsWith('/images/links')
        ? await app.handle(
            new Request(`http://localhost${path}`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${token}`,
                'x-tenant': A,
                'content-type': 'application/json',
              },
              body: JSON.stringify({ car_id: 1 }),
            }),
          )
        : await get(A, path)
      const body = (await res.json()) as Json
      expect([path, res.status, body.error?.field]).toEqual([path, 422, field])
    }
    const two = (await (await get(A, '/images?limit=2')).json()) as Json
    expect(two.photos.length).toBe(2)
  })
})

describe('covers', () => {
  test("each car's newest photo, this garage's only, and none for unfiled ones", async () => {
    const G = 'local:covers'
    const [a, b, c, d] = await Promise.all([makePng(40, 30), makePng(41, 30), makePng(42, 30), makePng(43, 30)])
    const first = await upload(G, a!, { car_id: 1, car: 'corolla' })
    const civic = await upload(G, b!, { car_id: 2, car: 'civic' })
    const newest = await upload(G, c!, { car_id: 1, car: 'corolla' })
    await upload(G, d!)
    await upload('local:other', a!, { car_id: 1, car: 'mine' })
    expect([first.status, civic.status, newest.status]).toEqual([201, 201, 201])
    const res = await get(G, '/images/covers')
    expect(res.status).toBe(200)
    const { covers } = (await res.json()) as Json
    expect(covers.map((p: Json) => [p.car_id, p.id])).toEqual([
      [1, newest.body.photo.id],
      [2, civic.body.photo.id],
    ])
    expect(((await (await get('local:nobody', '/images/covers')).json()) as Json).covers).toEqual([])
  })
})

describe("an import's photos", () => {
  const post = (tenant: string, path: string, body: unknown) =>
    app.handle(
      new Request(`http://localhost${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-tenant': tenant, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    )
  test('keep the time they were added, are counted by check, and go with the undo of their import only', async () => {
    const G = 'local:imported'
    const [a, b] = await Promise.all([makePng(44, 30), makePng(45, 30)])
    const imported = await upload(G, a!, { car_id: 3, car: 'golf', import: 2, added_at: '2024-05-06T07:08:09.000Z' })
    const own = await upload(G, b!, { car_id: 3, car: 'golf' })
    expect([imported.status, own.status]).toEqual([201, 201])
    expect(imported.body.photo.created_at).toBe('2024-05-06T07:08:09.000Z')
    const check = await post(G, '/imports/check', {
      photos: [
        { sha256: imported.body.photo.sha256, car_id: 3, issue: null },
        { sha256: imported.body.photo.sha256, car_id: 4, issue: null },
      ],
    })
    expect(await check.json()).toEqual({ new: 1, known: 1 })
    // another garage's undo of the same number takes nothing
    expect(await (await post('local:other', '/imports/undo', { import: 2 })).json()).toEqual({ removed: 0 })
    expect(await (await post(G, '/imports/undo', { import: 2 })).json()).toEqual({ removed: 1 })
    const left = ((await (await get(G, '/images?car=3')).json()) as Json).photos
    expect(left.map((p: Json) => p.id)).toEqual([own.body.photo.id])
  })

  test('a time that is not one is refused before anything is stored', async () => {
    const before = storedFiles()
    const bytes = await makePng(46, 30)
    const r = await upload('local:imported', bytes, { car_id: 3, car: 'golf', import: 3, added_at: '2024-13-45T99:99Z' })
    expect([r.status, r.body.error.field, r.body.error.message]).toEqual([422, 'added_at', '2024-13-45T99:99Z is not a time'])
    expect(storedFiles()).toEqual(before)
  })
})
