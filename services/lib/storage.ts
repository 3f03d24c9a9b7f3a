/**
 * A full disk, told apart from an outage. A write that finds no room (SQLite's `SQLITE_FULL`
 * "database or disk is full", or `ENOSPC` from a file write) is answered 507 `storage_full` by
 * every service's error handler, and `StorageWatch` keeps /ready at 503 from then until a write
 * succeeds again or a check finds room. Every write runs in one SQLite transaction, so a write
 * refused this way has stored nothing.
 */
import type { Database } from 'bun:sqlite'
import { statfsSync } from 'node:fs'

/**
 * What the disk must still have free, and the database pages it may still add, for /ready to
 * call a service that had a full disk ready again without waiting for a write. A constant for
 * now; a STORAGE_MIN_FREE_MB setting in lib/config.ts would be its home.
 */
export const MIN_FREE_BYTES = 64 * 1024 * 1024
const MIN_FREE_PAGES = 64

/** True when `error` is a write that found the disk (or the database's page limit) full. */
export function isStorageFull(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  return code === 'SQLITE_FULL' || code === 'ENOSPC'
}

/** Whether the service's storage has room, as /ready reports it. */
export type StorageState = { ok: true } | { ok: false; reason: string }

/**
 * Remembers that the last write of a service failed for a full disk. `failed` marks it,
 * `wrote` (a write that committed) clears it; `state()` clears it too when the disk and the
 * database have room again (`room`), so an idle service does not stay unready.
 */
export class StorageWatch {
  private reason: string | undefined

  constructor(private readonly room: () => boolean = () => true) {}

  failed(reason: string): void {
    this.reason = reason
  }

  wrote(): void {
    this.reason = undefined
  }

  state(): StorageState {
    if (this.reason === undefined) return { ok: true }
    let room = false
    try {
      room = this.room()
    } catch {
      room = false
    }
    if (room) {
      this.reason = undefined
      return { ok: true }
    }
    return { ok: false, reason: this.reason }
  }
}

/** Room on the file system that holds `dir` (its free bytes for an unprivileged writer). */
export function diskHasRoom(dir: string, minFree = MIN_FREE_BYTES): boolean {
  const s = statfsSync(dir)
  return Number(s.bavail) * Number(s.bsize) >= minFree
}

/** Room in the database itself: pages it may still add under its `max_page_count`. */
export function databaseHasRoom(db: Database, minPages = MIN_FREE_PAGES): boolean {
  const { page_count } = db.query('PRAGMA page_count').get() as { page_count: number }
  const { max_page_count } = db.query('PRAGMA max_page_count').get() as { max_page_count: number }
  return max_page_count - page_count >= minPages
}
