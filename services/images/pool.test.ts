import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeJpeg, makePngBomb } from '../../test/fixtures/images.ts'
import { DecoderBusy, DecoderPool } from './pool.ts'
import { ImageRejected } from './sniff.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-pool-'))
const pools: DecoderPool[] = []
type Job = { input: string; out256: string; out1024: string; maxPixels: number; quality: number }
let job: Job
let slow: Job
beforeAll(async () => {
  writeFileSync(join(dir, 'big.jpg'), await makeJpeg(4000, 3000, { seed: 4 }))
  // A 49-megapixel PNG: jimp's PNG decoder needs well over a second for it.
  writeFileSync(join(dir, 'slow.png'), makePngBomb(7000, 7000, 7000))
  job = {
    input: join(dir, 'big.jpg'),
    out256: join(dir, 'a.jpg'),
    out1024: join(dir, 'b.jpg'),
    maxPixels: 5e7,
    quality: 80,
  }
  slow = { ...job, input: join(dir, 'slow.png') }
})
afterAll(() => {
  for (const p of pools) p.close()
  rmSync(dir, { recursive: true, force: true })
})
const pool = (o: ConstructorParameters<typeof DecoderPool>[0]) => {
  const p = new DecoderPool(o)
  pools.push(p)
  return p
}

test('a decode over its time limit is stopped and the next one gets a fresh decoder', async () => {
  const p = pool({ maxMemoryMb: 2048, timeoutMs: 150 })
  const error = await p.decode(slow).catch((e) => e)
  expect(error).toBeInstanceOf(ImageRejected)
  expect((error as ImageRejected).code).toBe('timeout')
  expect(p.pid).toBeUndefined()
})

test('photos beyond the waiting limit are refused as busy instead of piling up in memory', async () => {
  const p = pool({ maxMemoryMb: 2048, maxWaiting: 1 })
  const first = p.decode(job)
  const second = p.decode(job)
  const third = await p.decode(job).catch((e) => e)
  expect(third).toBeInstanceOf(DecoderBusy)
  const results = await Promise.all([first, second])
  expect(results.map((r) => [r.width, r.height])).toEqual([
    [4000, 3000],
    [4000, 3000],
  ])
})
