/**
 * `VACUUM INTO` on a thread of its own: a Bun Worker opens the service's database read-only (a
 * WAL database takes readers beside its writer), copies it and syncs the copy to the disk, so the
 * service goes on answering while a large database is copied. The thread steps aside for the
 * service's requests first (lib/idle.ts: SCHED_IDLE on Linux): a snapshot is never in a hurry,
 * the requests beside it are. Run as the worker's script, it does one copy per message;
 * the thread is kept a minute after a copy, so backups taken back to back start it once.
 */
import { Database } from 'bun:sqlite'
import { fsyncPath } from '../../lib/backup/files.ts'
import { yieldToOthers } from '../../lib/idle.ts'

type Ask = { id: number; from: string; to: string }
type Answer = { id: number } & ({ ok: true; userVersion: number } | { ok: false; message: string })

/** How long the copying thread is kept after its last copy, for the next of a series of backups. */
const KEEP_MS = 60_000

/**
 * The copying thread, kept a while after its last copy (starting a JS thread costs more CPU than
 * copying a small database), with the copies asked of it and not yet answered. Several services
 * in one process (the tests' stack) share it; it copies one database at a time.
 */
type Kept = {
  worker: Worker
  waiting: Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>
  timer?: Timer
}
let kept: Kept | undefined
let asked = 0

function thread(): Kept {
  if (kept) {
    clearTimeout(kept.timer)
    return kept
  }
  const worker = new Worker(new URL(import.meta.url).href)
  worker.unref()
  const own: Kept = { worker, waiting: new Map() }
  worker.onmessage = (event: MessageEvent<Answer>) => {
    const answer = event.data
    const waiter = own.waiting.get(answer.id)
    own.waiting.delete(answer.id)
    if (own.waiting.size === 0 && kept === own) {
      own.timer = setTimeout(() => drop(own), KEEP_MS)
      own.timer.unref()
    }
    if (answer.ok) waiter?.resolve(answer.userVersion)
    else waiter?.reject(new Error(answer.message))
  }
  worker.onerror = (event) => {
    drop(own)
    for (const w of own.waiting.values()) w.reject(new Error(event.message))
    own.waiting.clear()
  }
  kept = own
  return own
}

function drop(own: Kept) {
  if (kept === own) kept = undefined
  own.worker.terminate()
}

/** Copies the database at `from` into `to`, synced, off the calling thread; its schema version. */
export function vacuumIntoOffThread(from: string, to: string): Promise<number> {
  const own = thread()
  const id = ++asked
  return new Promise<number>((resolve, reject) => {
    own.waiting.set(id, { resolve, reject })
    own.worker.postMessage({ id, from, to } satisfies Ask)
  })
}

declare const self: Worker

if (!Bun.isMainThread) {
  yieldToOthers()
  self.onmessage = (event: MessageEvent<Ask>) => {
    const { id, from, to } = event.data
    let db: Database | undefined
    try {
      db = new Database(from, { readonly: true })
      db.run('VACUUM INTO ?', [to])
      const { user_version } = db.query('PRAGMA user_version').get() as { user_version: number }
      // VACUUM INTO does not sync what it wrote; the snapshot must survive a crash once answered.
      fsyncPath(to)
      postMessage({ id, ok: true, userVersion: user_version } satisfies Answer)
    } catch (error) {
      postMessage({ id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies Answer)
    } finally {
      db?.close()
    }
  }
}
