/**
 * `VACUUM INTO` on a thread of its own: a Bun Worker opens the service's database read-only (a
 * WAL database takes readers beside its writer), copies it and syncs the copy to the disk, so the
 * service goes on answering while a large database is copied. The thread lowers its own CPU
 * priority first (on Linux a nice value is a thread's, not the process's): a snapshot is never in
 * a hurry, the requests beside it are. Run as the worker's script, it does one copy per message.
 */
import { Database } from 'bun:sqlite'
import { setPriority } from 'node:os'
import { fsyncPath } from '../../lib/backup/files.ts'

type Ask = { from: string; to: string }
type Answer = { ok: true; userVersion: number } | { ok: false; message: string }

/** Copies the database at `from` into `to`, synced, off the calling thread; its schema version. */
export function vacuumIntoOffThread(from: string, to: string): Promise<number> {
  const worker = new Worker(new URL(import.meta.url).href)
  return new Promise<number>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<Answer>) => {
      worker.terminate()
      if (event.data.ok) resolve(event.data.userVersion)
      else reject(new Error(event.data.message))
    }
    worker.onerror = (event) => {
      worker.terminate()
      reject(new Error(event.message))
    }
    worker.postMessage({ from, to } satisfies Ask)
  })
}

declare const self: Worker

if (!Bun.isMainThread) {
  try {
    setPriority(10)
  } catch {}
  self.onmessage = (event: MessageEvent<Ask>) => {
    const { from, to } = event.data
    let db: Database | undefined
    try {
      db = new Database(from, { readonly: true })
      db.run('VACUUM INTO ?', [to])
      const { user_version } = db.query('PRAGMA user_version').get() as { user_version: number }
      // VACUUM INTO does not sync what it wrote; the snapshot must survive a crash once answered.
      fsyncPath(to)
      postMessage({ ok: true, userVersion: user_version } satisfies Answer)
    } catch (error) {
      postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) } satisfies Answer)
    } finally {
      db?.close()
    }
  }
}
