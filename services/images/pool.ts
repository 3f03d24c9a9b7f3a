/**
 * Runs photo decoding in a separate `bun --smol` process (decoder.ts), one photo at a time,
 * under explicit limits: a memory ceiling (the process's RSS is watched and the process killed
 * when it goes over), a time limit, and recycling after a large photo so its memory goes back
 * to the system. The service's event loop only waits on IPC.
 *
 * Waiting is fair between garages: each tenant has its own FIFO, and the next photo decoded is
 * the oldest waiting photo of the tenant served least recently (a rotation), so one garage's
 * burst waits behind its own photos, not in front of everyone else's. Each tenant may have `maxWaitingPerTenant` photos waiting;
 * past that its photos are refused as busy while other tenants' are still taken.
 */
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import type { DecodeJob, DecodeResult } from './decoder.ts'
import { ImageRejected } from './sniff.ts'

export type DecoderOptions = {
  /** RSS ceiling of the decoder process, MB. */
  maxMemoryMb: number
  /** Longest one decode may take, ms. */
  timeoutMs?: number
  /** The process is stopped after this long without work, ms. */
  idleMs?: number
  /** After a decode whose peak passed this, the process is replaced (memory back to the system), MB. */
  recycleAboveMb?: number
  /** Photos allowed to wait for the decoder, all tenants together; more are refused as busy (each holds its bytes). */
  maxWaiting?: number
  /** Photos one tenant may have waiting; more from that tenant are refused as busy. */
  maxWaitingPerTenant?: number
}

/** The decoder could not write a thumbnail: the disk is full (answered 507 like any ENOSPC). */
export class DiskFull extends Error {
  readonly code = 'ENOSPC'
}

/** The decoder has too many photos waiting; the caller should retry later. */
export class DecoderBusy extends Error {}

type Pending = { job: DecodeJob; resolve: (r: DecodeResult) => void; reject: (e: Error) => void }

const DECODER = join(import.meta.dir, 'decoder.ts')

function rssMb(pid: number): number {
  try {
    const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8') as string
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
  } catch {
    return 0
  }
}

export class DecoderPool {
  private child?: Subprocess
  private ready?: Promise<void>
  /** Waiting photos per tenant, each in arrival order. */
  private readonly waiting = new Map<string, Pending[]>()
  /** When each tenant was last served (a counter), least recent first. */
  private readonly lastServed = new Map<string, number>()
  private served = 0
  private waitingCount = 0
  private current?: Pending & { timer: ReturnType<typeof setTimeout>; watch: ReturnType<typeof setInterval> }
  private idleTimer?: ReturnType<typeof setTimeout>
  private seq = 0
  private closed = false
  /** Peak RSS (MB) the decoder reached during the last job; the bench reads it. */
  lastPeakMb = 0
  /** Highest RSS the watchdog saw during the last job. */
  lastWatchedMb = 0

  constructor(private readonly options: DecoderOptions) {}

  /** Decodes `input` and writes both thumbnails; rejects with ImageRejected for a bad photo. */
  decode(job: Omit<DecodeJob, 'id'>, tenant = ''): Promise<Extract<DecodeResult, { ok: true }>> {
    if (this.closed) return Promise.reject(new Error('decoder pool closed'))
    const own = this.waiting.get(tenant)
    const perTenant = this.options.maxWaitingPerTenant ?? this.options.maxWaiting ?? 16
    if ((own?.length ?? 0) >= perTenant) {
      return Promise.reject(new DecoderBusy(`this garage already has ${own!.length} photos waiting to be decoded`))
    }
    if (this.waitingCount >= (this.options.maxWaiting ?? 16)) {
      return Promise.reject(new DecoderBusy(`${this.waitingCount} photos are already waiting to be decoded`))
    }
    return new Promise<DecodeResult>((resolve, reject) => {
      const entry = { job: { ...job, id: ++this.seq }, resolve, reject }
      if (own) own.push(entry)
      else this.waiting.set(tenant, [entry])
      this.waitingCount++
      this.pump()
    }).then((r) => {
      if (!r.ok && r.code === 'ENOSPC') throw new DiskFull(r.message)
      if (!r.ok) throw new ImageRejected(r.code as ImageRejected['code'], r.message)
      return r
    })
  }

  /** Photos waiting (not the one being decoded), all tenants or one. */
  waitingFor(tenant?: string): number {
    return tenant === undefined ? this.waitingCount : (this.waiting.get(tenant)?.length ?? 0)
  }

  /**
   * The next photo to decode: the head of the FIFO of the waiting tenant served least recently
   * (one never served first, then in the order they started waiting).
   */
  private next(): Pending | undefined {
    let pick: string | undefined
    let oldest = Number.POSITIVE_INFINITY
    for (const tenant of this.waiting.keys()) {
      const at = this.lastServed.get(tenant) ?? -1
      if (at < oldest) {
        oldest = at
        pick = tenant
      }
    }
    if (pick === undefined) return undefined
    const own = this.waiting.get(pick)!
    const entry = own.shift()!
    this.waitingCount--
    if (own.length === 0) this.waiting.delete(pick)
    // Re-inserted so the map runs from least to most recently served; the oldest are forgotten.
    this.lastServed.delete(pick)
    this.lastServed.set(pick, ++this.served)
    if (this.lastServed.size > 1000) this.lastServed.delete(this.lastServed.keys().next().value!)
    return entry
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  close(): void {
    this.closed = true
    for (let p = this.next(); p; p = this.next()) p.reject(new Error('decoder pool closed'))
    const cur = this.current
    if (cur) {
      this.current = undefined
      clearTimeout(cur.timer)
      clearInterval(cur.watch)
      cur.reject(new Error('decoder pool closed'))
    }
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.kill()
  }

  private spawn(): Promise<void> {
    let markReady!: () => void
    const ready = new Promise<void>((resolve) => {
      markReady = resolve
    })
    const child = Bun.spawn([process.execPath, '--smol', DECODER], {
      // Only what bun needs: no settings or secrets reach the decoder.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'inherit',
      serialization: 'json',
      ipc: (message: DecodeResult | { ready: true }) => {
        if ('ready' in message) return markReady()
        this.finish(message)
      },
      onExit: (proc, code, signal) => {
        // Only the live decoder's exit concerns the current job: one stopped on purpose (time
        // limit, recycling, close) was detached first.
        if (this.child !== proc) return
        this.child = undefined
        this.ready = undefined
        const cur = this.current
        if (cur) {
          this.current = undefined
          clearTimeout(cur.timer)
          clearInterval(cur.watch)
          const overMemory = this.lastWatchedMb >= this.options.maxMemoryMb
          cur.resolve({
            id: cur.job.id,
            ok: false,
            code: overMemory ? 'too_much_memory' : 'corrupt',
            message: overMemory
              ? `the photo needs more than ${this.options.maxMemoryMb} MB to decode, over the limit`
              : `the photo could not be decoded (the decoder stopped: ${signal ?? `exit ${code}`})`,
          })
          this.pump()
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
    if (this.current || this.waitingCount === 0 || this.closed) return
    const next = this.next()!
    if (this.idleTimer) clearTimeout(this.idleTimer)
    const timeoutMs = this.options.timeoutMs ?? 30_000
    this.lastWatchedMb = 0
    const timer = setTimeout(() => {
      if (this.current?.job.id !== next.job.id) return
      this.current = undefined
      clearInterval(watch)
      this.kill()
      next.resolve({
        id: next.job.id,
        ok: false,
        code: 'timeout',
        message: `decoding took longer than ${timeoutMs / 1000} s`,
      })
      this.pump()
    }, timeoutMs)
    const watch = setInterval(() => {
      const pid = this.child?.pid
      if (!pid) return
      const mb = rssMb(pid)
      if (mb > this.lastWatchedMb) this.lastWatchedMb = mb
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
      this.pump()
    }
  }

  private finish(result: DecodeResult) {
    const cur = this.current
    if (!cur || cur.job.id !== result.id) return
    this.current = undefined
    clearTimeout(cur.timer)
    clearInterval(cur.watch)
    if (result.ok) this.lastPeakMb = Math.max(result.peakRssMb, this.lastWatchedMb)
    // A big photo leaves the WebAssembly heap grown; a fresh process gives that memory back.
    if (result.ok && result.peakRssMb > (this.options.recycleAboveMb ?? 256)) this.kill()
    cur.resolve(result)
    if (this.waitingCount > 0) this.pump()
    else {
      this.idleTimer = setTimeout(() => this.kill(), this.options.idleMs ?? 30_000)
      this.idleTimer.unref?.()
    }
  }
}
