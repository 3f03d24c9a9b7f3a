/**
 * A snapshot taken on a thread of its own at idle priority (lib/idle.ts), for the worker's
 * scheduled backups: the process that runs the garages' jobs hashes and copies nothing on its own
 * thread, and the thread takes a core only when the jobs leave one free. `takeBackupIdle` starts
 * the thread for one snapshot and ends it after; run as the thread's script, it takes the
 * snapshot asked (takeBackup) and answers it, or the BackupError's message.
 */
import { yieldToOthers } from '../idle.ts'
import { BackupError, type TakeOptions, type Taken, takeBackup } from './take.ts'

/** The options that cross to the thread: a clock cannot, so the time is given. */
type Ask = Omit<TakeOptions, 'now'> & { at: string }
type Answer = { ok: true; taken: Taken } | { ok: false; backup: boolean; message: string }

/** takeBackup on an idle thread; BackupError when it could not (nothing saved). */
export function takeBackupIdle(options: TakeOptions): Promise<Taken> {
  const { now, ...rest } = options
  const ask: Ask = { ...rest, at: (now ?? (() => new Date()))().toISOString() }
  const worker = new Worker(new URL(import.meta.url).href)
  return new Promise<Taken>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<Answer>) => {
      worker.terminate()
      const answer = event.data
      if (answer.ok) resolve(answer.taken)
      else reject(answer.backup ? new BackupError(answer.message) : new Error(answer.message))
    }
    worker.onerror = (event) => {
      worker.terminate()
      reject(new Error(event.message))
    }
    worker.postMessage(ask)
  })
}

declare const self: Worker

if (!Bun.isMainThread) {
  yieldToOthers()
  self.onmessage = async (event: MessageEvent<Ask>) => {
    const { at, ...options } = event.data
    try {
      const taken = await takeBackup({ ...options, now: () => new Date(at) })
      postMessage({ ok: true, taken } satisfies Answer)
    } catch (error) {
      postMessage({
        ok: false,
        backup: error instanceof BackupError,
        message: error instanceof Error ? error.message : String(error),
      } satisfies Answer)
    }
  }
}
