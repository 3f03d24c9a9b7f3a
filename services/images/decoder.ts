/**
 * The decoder process. The images service spawns it (`bun --smol decoder.ts`) with an IPC
 * channel and sends one job at a time: paths of the original and of the two thumbnails to
 * write. Decoding happens here, so the service's event loop never blocks on pixels, and a
 * photo that needs too much memory is stopped by the service's watchdog without taking the
 * service down.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { clip } from '../../lib/domain/text.ts'
import { ImageRejected, sniff } from './sniff.ts'
import { makeThumbnails } from './thumbnails.ts'

export type DecodeJob = {
  id: number
  input: string
  out256: string
  out1024: string
  maxPixels: number
  quality: number
}

export type DecodeResult =
  | { id: number; ok: true; width: number; height: number; peakRssMb: number }
  | { id: number; ok: false; code: string; message: string }

/** Peak resident memory of this process (VmHWM), in MB. */
export function peakRssMb(pid: number | 'self' = 'self'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return kb / 1024
  } catch {
    return process.memoryUsage().rss / 1024 / 1024
  }
}

async function run(job: DecodeJob): Promise<DecodeResult> {
  try {
    const bytes = new Uint8Array(readFileSync(job.input))
    const info = sniff(bytes, job.maxPixels)
    const result = await makeThumbnails(bytes, info, job.quality)
    writeFileSync(job.out256, result.thumbs[256])
    writeFileSync(job.out1024, result.thumbs[1024])
    return { id: job.id, ok: true, width: result.width, height: result.height, peakRssMb: peakRssMb() }
  } catch (error) {
    if (error instanceof ImageRejected)
      return { id: job.id, ok: false, code: error.code, message: error.message }
    // A full disk is not a bad photo: the service answers it 507 (pool.ts rethrows it).
    if ((error as { code?: unknown }).code === 'ENOSPC')
      return { id: job.id, ok: false, code: 'ENOSPC', message: (error as Error).message }
    const detail = error instanceof Error ? error.message : String(error)
    return {
      id: job.id,
      ok: false,
      code: 'corrupt',
      message: `the photo could not be decoded (${clip(detail, 200)})`,
    }
  }
}

if (import.meta.main && typeof process.send === 'function') {
  const send = process.send.bind(process)
  process.on('message', (job: DecodeJob) => {
    run(job)
      .then(
        (result) => send(result),
        (error) => send({ id: job.id, ok: false, code: 'corrupt', message: String(error) }),
      )
      // A photo's buffers are tens of MB; collect them now rather than let the next photo
      // stack on top (without this the peak grows by ~80 MB per 12 MP photo).
      .finally(() => Bun.gc(true))
  })
  // Never outlive the service: stop when the IPC channel closes or the parent is gone.
  process.on('disconnect', () => process.exit(0))
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0)
  }, 2_000).unref()
  send({ ready: true })
}
