/**
 * The images service's decoder process from the outside: decoding does not block the service,
 * its memory limit refuses a photo without taking the service down, and stop() ends it.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { makeJpeg, makePngBomb } from '../../test/fixtures/images.ts'
import { createApp } from './app.ts'

const token = 'test-service-token-0123456789abcdef'
const dir = mkdtempSync(join(tmpdir(), 'cm-images-decoding-'))
const config = parseConfig({ IMAGE_MAX_BYTES: String(25 * 1024 * 1024) })
const app = createApp({ dataDir: dir, token, config })
afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:alpha'
type Json = Record<string, any>

/** Uploads `bytes` as A (uploader u1) to `to`, with more of the query string after it. */
const post = (to: { handle: (r: Request) => Promise<Response> }, bytes: Uint8Array, query = '') =>
  to.handle(
    new Request(`http://localhost/images?uploader=u1${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'x-tenant': A },
      body: bytes,
    }),
  )

describe('images service: decoding off the main thread, under a memory limit', () => {
  test('/health keeps answering while a 24-megapixel photo decodes', async () => {
    const huge = await makeJpeg(6000, 4000, { seed: 21, quality: 80 })
    let done = false
    const pending = post(app, huge, '&car_id=1&car=corolla').finally(() => {
      done = true
    })
    const latencies: number[] = []
    while (!done) {
      const t = performance.now()
      const res = await app.handle(new Request('http://localhost/health'))
      latencies.push(performance.now() - t)
      expect(res.status).toBe(200)
      await Bun.sleep(5)
    }
    const r = await pending
    expect(r.status).toBe(201)
    expect(((await r.json()) as Json).photo).toMatchObject({ width: 6000, height: 4000 })
    expect(latencies.length).toBeGreaterThan(3)
    expect(Math.max(...latencies)).toBeLessThan(100)
  })

  test('a photo that needs more than IMAGE_DECODE_MAX_MB is refused and the service stays up', async () => {
    const smallDir = mkdtempSync(join(tmpdir(), 'cm-images-mem-'))
    const tight = createApp({ dataDir: smallDir, token, config: parseConfig({ IMAGE_DECODE_MAX_MB: '120' }) })
    try {
      // 24 megapixels of PNG: about 100 MB as RGBA, more while jimp inflates it.
      const res = await post(tight, makePngBomb(6000, 4000, 4000))
      const body = (await res.json()) as Json
      expect(res.status).toBe(422)
      expect(body.error.code).toBe('too_much_memory')
      expect(body.error.message).toBe('the photo needs more than 120 MB to decode, over the limit')
      const ok = await post(tight, await makeJpeg(200, 100))
      expect(ok.status).toBe(201)
      const files = readdirSync(join(smallDir, 'images', 'tmp'))
      expect(files).toEqual([])
    } finally {
      await tight.stop()
      rmSync(smallDir, { recursive: true, force: true })
    }
  })
})

describe('images service: stop()', () => {
  test('ends the decoder process and closes the database, though the app never listened itself', async () => {
    const ownDir = mkdtempSync(join(tmpdir(), 'cm-images-stop-'))
    const own = createApp({ dataDir: ownDir, token, config })
    const logged: unknown[][] = []
    const log = console.log
    console.log = (...args: unknown[]) => void logged.push(args)
    try {
      const res = await post(own, await makeJpeg(120, 80))
      expect(res.status).toBe(201)
      const pid = own.decorator.decoder.pid
      expect(pid).toBeNumber()
      const alive = (p: number) => {
        try {
          process.kill(p, 0)
          return true
        } catch {
          return false
        }
      }
      expect(alive(pid!)).toBe(true)
      await own.stop()
      const deadline = Date.now() + 3_000
      while (alive(pid!) && Date.now() < deadline) await Bun.sleep(20)
      expect(alive(pid!)).toBe(false)
      expect(logged.filter((args) => String(args[0]).includes("isn't running"))).toEqual([])
      const ready = await own.handle(
        new Request('http://localhost/ready', { headers: { authorization: `Bearer ${token}` } }),
      )
      expect(ready.status).toBe(503)
    } finally {
      console.log = log
      rmSync(ownDir, { recursive: true, force: true })
    }
  })
})
