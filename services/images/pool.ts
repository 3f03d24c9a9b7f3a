/**
 * Runs photo decoding in a separate `bun --smol` process (decoder.ts), one photo at a time,
 * under explicit limits: a memory ceiling (the process's RSS is watched and the process killed
 * when it goes over), a time limit, and recycling after a large photo so its memory goes back
 * to the system. The service's event loop only waits on IPC. The machinery is the shared
 * ChildPool (services/lib/child-pool.ts); this file gives it the decoder's limits and errors.
 *
 * Waiting is fair between garages: each tenant has its own FIFO, and the next photo decoded is
 * the oldest waiting photo of the tenant served least recently (a rotation), so one garage's
 * burst waits behind its own photos, not in front of everyone else's. Each tenant may have `maxWaitingPerTenant` photos waiting;
 * past that its photos are refused as busy while other tenants' are still taken.
 */
import { join } from 'node:path'
import { ChildPool, ChildPoolBusy, ChildPoolClosed } from '../lib/child-pool.ts'
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

const DECODER = join(import.meta.dir, 'decoder.ts')

/** The pool's own refusals in the decoder's words; any other error as it came. */
function refusal(error: unknown): never {
  if (error instanceof ChildPoolBusy) {
    throw new DecoderBusy(
      error.scope === 'tenant'
        ? `this garage already has ${error.waiting} photos waiting to be decoded`
        : `${error.waiting} photos are already waiting to be decoded`,
    )
  }
  if (error instanceof ChildPoolClosed) throw new Error('decoder pool closed')
  throw error
}

export class DecoderPool {
  private readonly pool: ChildPool<DecodeJob, DecodeResult, 'corrupt'>

  constructor(options: DecoderOptions) {
    const timeoutMs = options.timeoutMs ?? 30_000
    this.pool = new ChildPool<DecodeJob, DecodeResult, 'corrupt'>({
      script: DECODER,
      maxMemoryMb: options.maxMemoryMb,
      timeoutMs,
      idleMs: options.idleMs ?? 30_000,
      // A big photo leaves the WebAssembly heap grown; a fresh process gives that memory back.
      recycleAboveMb: options.recycleAboveMb ?? 256,
      maxWaiting: options.maxWaiting ?? 16,
      maxWaitingPerTenant: options.maxWaitingPerTenant ?? options.maxWaiting ?? 16,
      failures: {
        timeout: `decoding took longer than ${timeoutMs / 1000} s`,
        tooMuchMemory: `the photo needs more than ${options.maxMemoryMb} MB to decode, over the limit`,
        stoppedCode: 'corrupt',
        stopped: (how) => `the photo could not be decoded (the decoder stopped: ${how})`,
      },
    })
  }

  /** Peak RSS (MB) the decoder reached during the last job; the bench reads it. */
  get lastPeakMb(): number {
    return this.pool.lastPeakMb
  }

  /** Highest RSS the watchdog saw during the last job. */
  get lastWatchedMb(): number {
    return this.pool.lastWatchedMb
  }

  get pid(): number | undefined {
    return this.pool.pid
  }

  /** Decodes `input` and writes both thumbnails; rejects with ImageRejected for a bad photo. */
  decode(job: Omit<DecodeJob, 'id'>, tenant = ''): Promise<Extract<DecodeResult, { ok: true }>> {
    return this.pool.run(job, tenant).then((r) => {
      if (!r.ok && r.code === 'ENOSPC') throw new DiskFull(r.message)
      if (!r.ok) throw new ImageRejected(r.code as ImageRejected['code'], r.message)
      return r
    }, refusal)
  }

  /** Photos waiting (not the one being decoded), all tenants or one. */
  waitingFor(tenant?: string): number {
    return this.pool.waitingFor(tenant)
  }

  close(): void {
    this.pool.close()
  }
}
