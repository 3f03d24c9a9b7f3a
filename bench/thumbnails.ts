/**
 * Photo thumbnails: a 12-megapixel photo-like JPEG (4000 × 3000) to both thumbnails (256 and
 * 1024 px JPEG), the way the images service does it — libjpeg-turbo in WebAssembly decoding at a
 * reduced DCT scale and encoding, in the decoder process — against sharp (libvips, a bench-only dev dependency)
 * doing the same work in the same run, and jimp with its bundled jpeg-js decoder for reference.
 * Each runs in its own process, so each peak RSS (VmHWM) is that work's alone.
 *
 * `bun bench/thumbnails.ts` prints the figures; `bun run bench` calls the default export.
 * `--quick` measures 3 runs instead of 7 and skips the bundled-decoder reference.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeJpeg } from '../test/fixtures/images.ts'
import { DecoderPool } from '../services/images/pool.ts'
import { THUMB_QUALITY } from '../services/images/sizes.ts'
import { childFigures, median, round, type Row } from './lib.ts'

export type ThumbnailFigures = {
  photoBytes: number
  runs: number
  ours: { times: number[]; peakRssMb: number }
  sharp: { times: number[]; peakRssMb: number }
  bundled?: { times: number[]; peakRssMb: number }
}

function vmHwmMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8')
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

/** Runs this file in a child in one of the reference modes and returns its figures. */
function child(mode: '--sharp' | '--bundled', file: string, runs: number) {
  return childFigures<{ times: number[]; peakRssMb: number }>(
    [process.execPath, import.meta.path, mode, file, String(runs)],
    `bench/thumbnails.ts ${mode}`,
    1000,
  )
}

/** Measures everything and returns the raw figures. */
export async function measureThumbnails(opts: { quick?: boolean } = {}): Promise<ThumbnailFigures> {
  const runs = opts.quick ? 3 : 7
  const dir = mkdtempSync(join(tmpdir(), 'cm-bench-thumbs-'))
  const pool = new DecoderPool({
    maxMemoryMb: 4096,
    recycleAboveMb: Number.MAX_SAFE_INTEGER,
    timeoutMs: 120_000,
  })
  try {
    const photo = await makeJpeg(4000, 3000, { seed: 12, quality: 88 })
    const file = join(dir, 'photo.jpg')
    writeFileSync(file, photo)
    const job = {
      input: file,
      out256: join(dir, 't256.jpg'),
      out1024: join(dir, 't1024.jpg'),
      maxPixels: 50_000_000,
      quality: THUMB_QUALITY,
    }
    // Warm-up: process start, module load, WASM compile, and the JIT reaching the pixel loops.
    for (let i = 0; i < 3; i++) await pool.decode(job)
    const times: number[] = []
    let peak = 0
    for (let i = 0; i < runs; i++) {
      const t = performance.now()
      const r = await pool.decode(job)
      times.push(performance.now() - t)
      peak = Math.max(peak, r.peakRssMb, pool.lastWatchedMb)
    }
    pool.close()
    const sharp = await child('--sharp', file, runs)
    const bundled = opts.quick ? undefined : await child('--bundled', file, 1)
    return {
      photoBytes: photo.byteLength,
      runs,
      ours: { times, peakRssMb: peak },
      sharp,
      ...(bundled ? { bundled } : {}),
    }
  } finally {
    pool.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export function thumbnailRows(f: ThumbnailFigures): Row[] {
  const section = 'thumbnails'
  const ours = median(f.ours.times)
  const sharp = median(f.sharp.times)
  const ratio = ours / sharp
  const rows: Row[] = [
    {
      section,
      name: `12 MP JPEG (${(f.photoBytes / 1024 / 1024).toFixed(1)} MB) → 256 + 1024 px, libjpeg-turbo WASM (median of ${f.runs})`,
      value: round(ours),
      unit: 'ms',
      baseline: round(sharp),
      ratio: round(ratio, 2),
      aim: '≤ 4× sharp',
      met: ratio <= 4,
      note: 'baseline: sharp (libvips) on the same photo in the same run',
    },
    {
      section,
      name: 'peak RSS of the decoder process',
      value: round(f.ours.peakRssMb),
      unit: 'MB',
      baseline: round(f.sharp.peakRssMb),
      ratio: round(f.ours.peakRssMb / f.sharp.peakRssMb, 2),
      aim: '< 300 MB',
      met: f.ours.peakRssMb < 300,
    },
  ]
  if (f.bundled) {
    rows.push({
      section,
      name: 'jimp with its bundled JPEG decoder (jpeg-js), 1 run, for reference',
      value: round(f.bundled.times[0]!),
      unit: 'ms',
      baseline: round(ours),
      ratio: round(f.bundled.times[0]! / ours, 2),
      note: `peak RSS ${round(f.bundled.peakRssMb)} MB; baseline: ours`,
    })
  }
  return rows
}

/** For `bun run bench`. */
export default async function thumbnails(opts: { quick?: boolean } = {}): Promise<Row[]> {
  return thumbnailRows(await measureThumbnails(opts))
}

async function referenceMode(mode: string, file: string, runs: number) {
  const bytes = readFileSync(file)
  const times: number[] = []
  if (mode === '--sharp') {
    const sharp = (await import('sharp')).default
    // Warm-up as for ours.
    await sharp(bytes).resize(256, 256, { fit: 'inside' }).jpeg({ quality: THUMB_QUALITY }).toBuffer()
    for (let i = 0; i < runs; i++) {
      const t = performance.now()
      const image = sharp(bytes).rotate()
      await Promise.all([
        image.clone().resize(1024, 1024, { fit: 'inside' }).jpeg({ quality: THUMB_QUALITY }).toBuffer(),
        image.clone().resize(256, 256, { fit: 'inside' }).jpeg({ quality: THUMB_QUALITY }).toBuffer(),
      ])
      times.push(performance.now() - t)
    }
  } else {
    const { Jimp } = await import('jimp')
    for (let i = 0; i < runs; i++) {
      const t = performance.now()
      const image = await Jimp.fromBuffer(bytes)
      const big = image.clone().scaleToFit({ w: 1024, h: 1024 })
      const small = image.clone().scaleToFit({ w: 256, h: 256 })
      await big.getBuffer('image/jpeg', { quality: THUMB_QUALITY })
      await small.getBuffer('image/jpeg', { quality: THUMB_QUALITY })
      times.push(performance.now() - t)
    }
  }
  console.log(JSON.stringify({ times, peakRssMb: vmHwmMb() }))
}

if (import.meta.main) {
  const [mode, file, runs] = process.argv.slice(2)
  if (mode === '--sharp' || mode === '--bundled') {
    await referenceMode(mode, file!, Number(runs))
  } else {
    const figures = await measureThumbnails({ quick: process.argv.includes('--quick') })
    for (const row of thumbnailRows(figures)) {
      const vs = row.baseline !== undefined ? ` (baseline ${row.baseline} ${row.unit}, ×${row.ratio})` : ''
      const aim = row.aim ? ` aim ${row.aim}: ${row.met ? 'met' : 'NOT met'}` : ''
      console.log(`${row.name}: ${row.value} ${row.unit}${vs}${aim}${row.note ? ` — ${row.note}` : ''}`)
    }
  }
}
