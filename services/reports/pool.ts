/**
 * Runs drawing in a separate `bun --smol` process (renderer.ts), one job at a time, under the
 * same kind of limits as the photo decoder (services/images/pool.ts): a memory ceiling (the
 * process's RSS is watched and the process killed when it goes over), a time limit per job, and
 * an idle stop. The service's event loop only waits on IPC. A job past the limits is answered
 * as a `RenderFailed` (the route answers 422 for a drawing too big, 503 for a busy renderer).
 */
import { join } from 'node:path'
import type { Subprocess } from 'bun'
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

/** A job before it is numbered. */
type Job = RenderJob extends infer J ? (J extends RenderJob ? Omit<J, 'id'> : never) : never
type Pending = { job: RenderJob; resolve: (r: RenderResult) => void; reject: (e: Error) => void }

const RENDERER = join(import.meta.dir, 'renderer.ts')

function rssMb(pid: number): number {
  try {
    const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8') as string
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
  } catch {
    return 0
  }
}

export class RendererPool {
  private child?: Subprocess
  private ready?: Promise<void>
  private readonly waiting: Pending[] = []
  private current?: Pending & { timer: ReturnType<typeof setTimeout>; watch: ReturnType<typeof setInterval> }
  private idleTimer?: ReturnType<typeof setTimeout>
  private seq = 0
  private closed = false
  /** Peak RSS (MB) the renderer reached during the last job; the bench reads it. */
  lastPeakMb = 0
  private watchedMb = 0

  constructor(private readonly options: RendererOptions) {}

  /** The output's bytes, or RenderFailed. */
  async render(job: Job): Promise<Uint8Array> {
    if (this.closed) throw new RenderFailed('failed', 'the renderer is closed')
    if (this.waiting.length >= (this.options.maxWaiting ?? 32))
      throw new RenderFailed('busy', `${this.waiting.length} drawings are already waiting`)
    const result = await new Promise<RenderResult>((resolve, reject) => {
      this.waiting.push({ job: { ...job, id: ++this.seq } as RenderJob, resolve, reject })
      void this.pump()
    })
    if (!result.ok) throw new RenderFailed(result.code ?? 'failed', result.message)
    return new Uint8Array(Buffer.from(result.data, 'base64'))
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  close(): void {
    this.closed = true
    for (const p of this.waiting.splice(0)) p.reject(new RenderFailed('failed', 'the renderer is closed'))
    const cur = this.current
    if (cur) {
      this.current = undefined
      clearTimeout(cur.timer)
      clearInterval(cur.watch)
      cur.reject(new RenderFailed('failed', 'the renderer is closed'))
    }
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.kill()
  }

  private spawn(): Promise<void> {
    let markReady!: () => void
    const ready = new Promise<void>((resolve) => {
      markReady = resolve
    })
    const child = Bun.spawn([process.execPath, '--smol', RENDERER], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'inherit',
      serialization: 'json',
      ipc: (message: RenderResult | { ready: true }) => {
        if ('ready' in message) return markReady()
        this.finish(message)
      },
      onExit: (proc, code, signal) => {
        if (this.child !== proc) return
        this.child = undefined
        this.ready = undefined
        const cur = this.current
        if (cur) {
          this.current = undefined
          clearTimeout(cur.timer)
          clearInterval(cur.watch)
          const over = this.watchedMb >= this.options.maxMemoryMb
          cur.resolve({
            id: cur.job.id,
            ok: false,
            code: over ? 'too_much_memory' : 'failed',
            message: over
              ? `the drawing needs more than ${this.options.maxMemoryMb} MB, over the limit`
              : `the renderer stopped (${signal ?? `exit ${code}`})`,
          })
          void this.pump()
        }
      },
    })
    child.unref()
    this.child = child
    this.ready = ready
    return ready
  }

  private kill() {
    const child = this.child
    this.child = undefined
    this.ready = undefined
    if (child && child.exitCode === null) child.kill('SIGKILL')
  }

  private async pump() {
    if (this.current || this.waiting.length === 0 || this.closed) return
    const next = this.waiting.shift()!
    if (this.idleTimer) clearTimeout(this.idleTimer)
    const { timeoutMs } = this.options
    this.watchedMb = 0
    const timer = setTimeout(() => {
      if (this.current?.job.id !== next.job.id) return
      this.current = undefined
      clearInterval(watch)
      this.kill()
      next.resolve({ id: next.job.id, ok: false, code: 'timeout', message: `drawing took longer than ${timeoutMs / 1000} s` })
      void this.pump()
    }, timeoutMs)
    const watch = setInterval(() => {
      const pid = this.child?.pid
      if (!pid) return
      const mb = rssMb(pid)
      if (mb > this.watchedMb) this.watchedMb = mb
      if (mb >= this.options.maxMemoryMb) this.child?.kill('SIGKILL')
    }, 10)
    timer.unref?.()
    watch.unref?.()
    this.current = { ...next, timer, watch }
    try {
      if (!this.child) await this.spawn()
      else await this.ready
      this.child?.send(next.job)
    } catch (error) {
      this.current = undefined
      clearTimeout(timer)
      clearInterval(watch)
      next.reject(error as Error)
      void this.pump()
    }
  }

  private finish(result: RenderResult) {
    const cur = this.current
    if (!cur || cur.job.id !== result.id) return
    this.current = undefined
    clearTimeout(cur.timer)
    clearInterval(cur.watch)
    if (result.ok) this.lastPeakMb = Math.max(result.peakRssMb, this.watchedMb)
    cur.resolve(result)
    if (this.waiting.length > 0) void this.pump()
    else {
      this.idleTimer = setTimeout(() => this.kill(), this.options.idleMs ?? 30_000)
      this.idleTimer.unref?.()
    }
  }
}
