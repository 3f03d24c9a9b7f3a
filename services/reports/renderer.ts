/**
 * The renderer process. The reports service spawns it (`bun renderer.ts`) with an IPC
 * channel and sends one job at a time; charts (ECharts → SVG → resvg PNG) and PDFs (pdfkit) are
 * drawn here, so the service's event loop never blocks on drawing, and a job that takes too long
 * or too much memory is stopped by the service's watchdog (pool.ts) without taking it down.
 * No settings or secrets reach it: only PATH and HOME.
 */
import { readFileSync } from 'node:fs'
import { chartSvg, svgToPng } from './render.ts'
import type { RenderJob, RenderResult } from './jobs.ts'
import { pdfOf } from './pdf.ts'

/** Peak resident memory of this process (VmHWM), in MB. */
export function peakRssMb(pid: number | 'self' = 'self'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
  } catch {
    return process.memoryUsage().rss / 1024 / 1024
  }
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')

export async function run(job: RenderJob): Promise<RenderResult> {
  try {
    if (job.kind === 'chart') {
      const svg = chartSvg(job.body)
      if (job.format === 'svg') return { id: job.id, ok: true, data: Buffer.from(svg).toString('base64'), peakRssMb: peakRssMb() }
      return { id: job.id, ok: true, data: base64(svgToPng(svg)), peakRssMb: peakRssMb() }
    }
    if (job.kind === 'svg') return { id: job.id, ok: true, data: base64(svgToPng(job.svg)), peakRssMb: peakRssMb() }
    return { id: job.id, ok: true, data: base64(await pdfOf(job.doc)), peakRssMb: peakRssMb() }
  } catch (error) {
    return { id: job.id, ok: false, message: error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300) }
  }
}

if (import.meta.main && typeof process.send === 'function') {
  const send = process.send.bind(process)
  process.on('message', (job: RenderJob) => {
    run(job)
      .then(
        (result) => send(result),
        (error) => send({ id: job.id, ok: false, message: String(error) }),
      )
      // A big drawing (a report with its photos) leaves large buffers: collect them before the
      // next job stacks on top. A full collection takes long enough to hold up the next chart,
      // so only after a job that grew the process.
      .finally(() => {
        if (process.memoryUsage().rss > 256 * 1024 * 1024) Bun.gc(true)
      })
  })
  // Never outlive the service: stop when the IPC channel closes or the parent is gone.
  process.on('disconnect', () => process.exit(0))
  const parent = process.ppid
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0)
  }, 2_000).unref()
  send({ ready: true })
}
