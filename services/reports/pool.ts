/**
 * Runs drawing in a separate `bun` process (renderer.ts), one job at a time, under the
 * same kind of limits as the photo decoder (services/images/pool.ts), through the same
 * ChildPool (services/lib/child-pool.ts): a memory ceiling (the process's RSS is watched and the
 * process killed when it goes over), a time limit per job, and an idle stop. The service's event
 * loop only waits on IPC. A job past the limits is answered as a `RenderFailed` (the route
 * answers 422 for a drawing too big, 503 for a busy renderer).
 */
import { join } from 'node:path'
import { ChildPool, ChildPoolBusy, ChildPoolClosed, type Unnumbered } from '../lib/child-pool.ts'
import type { RenderJob, RenderResult } from './jobs.ts'

export type RendererOptions = {
  /** RSS ceiling of the renderer process, MB. */
  maxMemoryMb: number
  /** Longest one job may take, ms. */
  timeoutMs: number
  /** The process is stopped after this long without work, ms. */
  idleMs?: number
  /** Jobs allowed to wait; more are refused as busy. */
  maxWaiting?: number
}

/** A drawing that could not be made: too slow, too big, or a failure inside the renderer. */
export class RenderFailed extends Error {
  constructor(
    readonly code: 'timeout' | 'too_much_memory' | 'failed' | 'busy',
    message: string,
  ) {
    super(message)
  }
}

const RENDERER = join(import.meta.dir, 'renderer.ts')

/** The pool's own refusals as RenderFailed; any other error as it came. */
function refusal(error: unknown): never {
  if (error instanceof ChildPoolBusy)
    throw new RenderFailed('busy', `${error.waiting} drawings are already waiting`)
  if (error instanceof ChildPoolClosed) throw new RenderFailed('failed', 'the renderer is closed')
  throw error
}

export class RendererPool {
  private readonly pool: ChildPool<RenderJob, RenderResult, 'failed'>

  constructor(options: RendererOptions) {
    const { timeoutMs, maxMemoryMb } = options
    this.pool = new ChildPool<RenderJob, RenderResult, 'failed'>({
      script: RENDERER,
      // ECharts builds a chart's SVG out of many small objects: with --smol's small heap the
      // collector ran through the build (a 1,000-point chart took 118 ms against 67 ms without).
      // The memory ceiling still holds the process.
      smol: false,
      maxMemoryMb,
      timeoutMs,
      idleMs: options.idleMs ?? 30_000,
      maxWaiting: options.maxWaiting ?? 32,
      failures: {
        timeout: `drawing took longer than ${timeoutMs / 1000} s`,
        tooMuchMemory: `the drawing needs more than ${maxMemoryMb} MB, over the limit`,
        stoppedCode: 'failed',
        stopped: (how) => `the renderer stopped (${how})`,
      },
    })
  }

  /** Peak RSS (MB) the renderer reached during the last job; the bench reads it. */
  get lastPeakMb(): number {
    return this.pool.lastPeakMb
  }

  get pid(): number | undefined {
    return this.pool.pid
  }

  /** The output's bytes, or RenderFailed. */
  async render(job: Unnumbered<RenderJob>): Promise<Uint8Array> {
    const result = await this.pool.run(job).catch(refusal)
    if (!result.ok) throw new RenderFailed(result.code ?? 'failed', result.message)
    return new Uint8Array(Buffer.from(result.data, 'base64'))
  }

  close(): void {
    this.pool.close()
  }
}
