/**
 * Runs jobs in a separate `bun` process (`--smol` unless a pool opts out), one job at a time, under explicit limits: a
 * memory ceiling (the process's RSS is watched and the process killed when it goes over), a time
 * limit per job, optional recycling after a large job so its memory goes back to the system, and
 * an idle stop. The service's event loop only waits on IPC. The photo decoder
 * (services/images/pool.ts) and the report renderer (services/reports/pool.ts) wrap it.
 *
 * Waiting is fair between tenants: each tenant has its own FIFO, and the next job run is the
 * oldest waiting job of the tenant served least recently (a rotation), so one tenant's burst
 * waits behind its own jobs, not in front of everyone else's. With a single tenant (the default
 * `''`) that is plain arrival order.
 */
import { readFileSync } from 'node:fs'
import type { Subprocess } from 'bun'

/** A job without the number the pool gives it (each member of a union keeps its own fields). */
export type Unnumbered<J> = J extends unknown ? Omit<J, 'id'> : never

/** A job the pool failed itself: past the time limit, past the memory ceiling, or its process stopped under it. */
export type ChildFailure<C extends string> = {
  id: number
  ok: false
  code: 'timeout' | 'too_much_memory' | C
  message: string
}

export type ChildPoolOptions<C extends string> = {
  /**
   * The child's script, run as `bun --smol script` with an IPC channel (JSON): it sends
   * `{ ready: true }` once, then answers each job it receives with one result of the same `id`.
   */
  script: string
  /**
   * Run the child with `--smol` (a small JavaScript heap, collected often): right for a child
   * whose memory is mostly outside the heap (WebAssembly, native buffers). Default true.
   */
  smol?: boolean
  /** RSS ceiling of the child process, MB. */
  maxMemoryMb: number
  /** Longest one job may take, ms. */
  timeoutMs: number
  /** The process is stopped after this long without work, ms. */
  idleMs: number
  /** After a job whose peak passed this, the process is replaced (memory back to the system), MB; never when unset. */
  recycleAboveMb?: number
  /** Jobs allowed to wait, all tenants together; more are refused as busy. */
  maxWaiting: number
  /** Jobs one tenant may have waiting; more from that tenant are refused as busy. No limit of its own when unset. */
  maxWaitingPerTenant?: number
  /** The words of the failures the pool gives a job itself (ChildFailure). */
  failures: {
    /** The message of a job past `timeoutMs` (the process is killed), code `timeout`. */
    timeout: string
    /** The message of a job whose process the watchdog saw reach `maxMemoryMb`, code `too_much_memory`. */
    tooMuchMemory: string
    /** The code of a job whose process stopped under it for another reason. */
    stoppedCode: C
    /** Its message; `how` says how the process stopped (`SIGKILL`, `exit 1`). */
    stopped: (how: string) => string
  }
}

/** Refused because too many jobs wait: `tenant` when the tenant's own share is full, `all` otherwise. */
export class ChildPoolBusy extends Error {
  constructor(
    readonly scope: 'tenant' | 'all',
    /** Jobs waiting in that scope. */
    readonly waiting: number,
  ) {
    super(`${waiting} jobs are already waiting${scope === 'tenant' ? ' for this tenant' : ''}`)
  }
}

/** The pool was closed before the job ran or finished. */
export class ChildPoolClosed extends Error {
  constructor() {
    super('the child pool is closed')
  }
}

type Pending<J, R> = { job: J; resolve: (r: R) => void; reject: (e: Error) => void }

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
  } catch {
    return 0
  }
}

export class ChildPool<
  J extends { id: number },
  R extends { id: number; ok: boolean; peakRssMb?: number },
  C extends string = string,
> {
  private child?: Subprocess
  private ready?: Promise<void>
  /** Waiting jobs per tenant, each in arrival order. */
  private readonly waiting = new Map<string, Pending<J, R | ChildFailure<C>>[]>()
  /** When each tenant was last served (a counter), least recent first. */
  private readonly lastServed = new Map<string, number>()
  private served = 0
  private waitingCount = 0
  private current?: Pending<J, R | ChildFailure<C>> & {
    timer: ReturnType<typeof setTimeout>
    watch: ReturnType<typeof setInterval>
  }
  private idleTimer?: ReturnType<typeof setTimeout>
  private seq = 0
  private closed = false
  /** Peak RSS (MB) the child reached during the last job that succeeded. */
  lastPeakMb = 0
  /** Highest RSS the watchdog saw during the last job. */
  lastWatchedMb = 0

  constructor(private readonly options: ChildPoolOptions<C>) {}

  /**
   * Numbers `job`, runs it when its turn comes and resolves with the child's result, or a
   * ChildFailure past the limits. Rejects with ChildPoolBusy when too many wait, ChildPoolClosed
   * once closed, or the error that kept the process from starting.
   */
  run(job: Unnumbered<J>, tenant = ''): Promise<R | ChildFailure<C>> {
    if (this.closed) return Promise.reject(new ChildPoolClosed())
    const own = this.waiting.get(tenant)
    const perTenant = this.options.maxWaitingPerTenant
    if (perTenant !== undefined && (own?.length ?? 0) >= perTenant) {
      return Promise.reject(new ChildPoolBusy('tenant', own?.length ?? 0))
    }
    if (this.waitingCount >= this.options.maxWaiting) {
      return Promise.reject(new ChildPoolBusy('all', this.waitingCount))
    }
    return new Promise<R | ChildFailure<C>>((resolve, reject) => {
      // The spread gives back what Unnumbered took away; TypeScript cannot see that through a generic.
      const entry = { job: { ...job, id: ++this.seq } as unknown as J, resolve, reject }
      if (own) own.push(entry)
      else this.waiting.set(tenant, [entry])
      this.waitingCount++
      void this.pump()
    })
  }

  /** Jobs waiting (not the one running), all tenants or one. */
  waitingFor(tenant?: string): number {
    return tenant === undefined ? this.waitingCount : (this.waiting.get(tenant)?.length ?? 0)
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Rejects every waiting job and the running one with ChildPoolClosed, and kills the process. */
  close(): void {
    this.closed = true
    for (let p = this.next(); p; p = this.next()) p.reject(new ChildPoolClosed())
    this.takeCurrent()?.reject(new ChildPoolClosed())
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.kill()
  }

  /**
   * The next job to run: the head of the FIFO of the waiting tenant served least recently (one
   * never served first, then in the order they started waiting).
   */
  private next(): Pending<J, R | ChildFailure<C>> | undefined {
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

  private spawn(): Promise<void> {
    let markReady!: () => void
    const ready = new Promise<void>((resolve) => {
      markReady = resolve
    })
    const child = Bun.spawn([process.execPath, ...(this.options.smol === false ? [] : ['--smol']), this.options.script], {
      // Only what bun needs: no settings or secrets reach the child.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'inherit',
      serialization: 'json',
      ipc: (message: R | { ready: true }) => {
        if ('ready' in message) return markReady()
        this.finish(message)
      },
      onExit: (proc, code, signal) => {
        // Only the live child's exit concerns the current job: one stopped on purpose (time
        // limit, recycling, close) was detached first.
        if (this.child !== proc) return
        this.child = undefined
        this.ready = undefined
        const cur = this.takeCurrent()
        if (cur) {
          const { failures, maxMemoryMb } = this.options
          cur.resolve(
            this.lastWatchedMb >= maxMemoryMb
              ? { id: cur.job.id, ok: false, code: 'too_much_memory', message: failures.tooMuchMemory }
              : {
                  id: cur.job.id,
                  ok: false,
                  code: failures.stoppedCode,
                  message: failures.stopped(`${signal ?? `exit ${code}`}`),
                },
          )
          void this.pump()
        }
      },
    })
    child.unref()
    this.child = child
    this.ready = ready
    return ready
  }

  /** The running job, taken out with its timers stopped. */
  private takeCurrent() {
    const cur = this.current
    if (cur) {
      this.current = undefined
      clearTimeout(cur.timer)
      clearInterval(cur.watch)
    }
    return cur
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
    this.lastWatchedMb = 0
    const timer = setTimeout(() => {
      if (this.current?.job.id !== next.job.id) return
      this.current = undefined
      clearInterval(watch)
      this.kill()
      next.resolve({ id: next.job.id, ok: false, code: 'timeout', message: this.options.failures.timeout })
      void this.pump()
    }, this.options.timeoutMs)
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
      void this.pump()
    }
  }

  private finish(result: R) {
    if (this.current?.job.id !== result.id) return
    const cur = this.takeCurrent()!
    const peak = result.peakRssMb ?? 0
    if (result.ok) this.lastPeakMb = Math.max(peak, this.lastWatchedMb)
    // A large job leaves the child's heap grown (the decoder's WebAssembly heap never shrinks);
    // a fresh process gives that memory back.
    const { recycleAboveMb } = this.options
    if (result.ok && recycleAboveMb !== undefined && peak > recycleAboveMb) this.kill()
    cur.resolve(result)
    if (this.waitingCount > 0) void this.pump()
    else {
      this.idleTimer = setTimeout(() => this.kill(), this.options.idleMs)
      this.idleTimer.unref?.()
    }
  }
}
