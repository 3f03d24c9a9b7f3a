/**
 * The change log of fill-ups and service records: who changed what, when, with the record
 * before and after (snapshots a change can be undone from). Each write calls `logChange` in its
 * transaction; the actor comes from the X-Actor header the worker sends.
 */
import type { Database } from 'bun:sqlite'

/** Who made a change: `<platform>:<user id>` and the name shown. */
export type ChangeActor = { id: string; name: string }

export const NOBODY: ChangeActor = { id: 'unknown', name: 'someone' }

/** Reads X-Actor: `<platform>:<user id> <name, URI-encoded>`; anything else is nobody in particular. */
export function actorOf(header: string | undefined | null): ChangeActor {
  if (!header) return NOBODY
  const space = header.indexOf(' ')
  const id = (space < 0 ? header : header.slice(0, space)).slice(0, 100)
  let name = space < 0 ? '' : header.slice(space + 1)
  try {
    name = decodeURIComponent(name)
  } catch {
    // a name that is not valid URI encoding is shown as sent
  }
  return id ? { id, name: name.slice(0, 200) || id } : NOBODY
}

export type ChangeKind = 'fuel' | 'service' | 'reading' | 'car' | 'settings' | 'expense' | 'charge' | 'import'
export type ChangeAction = 'add' | 'edit' | 'remove' | 'undo'

/** A record as it was: its row, the odometer reading it made, and (a service record) the items it did. */
export type Snapshot = {
  /** The record's row (a settings change: the garage's row, with no car). */
  row: Record<string, unknown> & { id: number; car_id: number | null }
  reading: Record<string, unknown> | null
  items?: number[]
  /** Readings a confirmed correction removed with it (they are not kept, so it cannot be undone). */
  removed?: number
}

/** Stores one change; returns its id. */
export function logChange(
  db: Database,
  tenant: string,
  actor: ChangeActor,
  change: {
    kind: ChangeKind
    action: ChangeAction
    ref: number
    before: Snapshot | null
    after: Snapshot | null
    undoes?: number
  },
  now: Date,
): number {
  const carId = (change.after ?? change.before)?.row.car_id ?? null
  const row = db
    .query(
      `INSERT INTO changes (tenant, actor_id, actor_name, at, kind, action, ref, car_id, before, after, undoes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      tenant,
      actor.id,
      actor.name,
      now.toISOString(),
      change.kind,
      change.action,
      change.ref,
      carId,
      change.before ? JSON.stringify(change.before) : null,
      change.after ? JSON.stringify(change.after) : null,
      change.undoes ?? null,
    ) as { id: number }
  return row.id
}

/** The odometer reading a record made, as a row to put back. */
export function readingSnapshot(db: Database, readingId: number | null): Record<string, unknown> | null {
  if (readingId === null) return null
  return db.query('SELECT * FROM odometer_readings WHERE id = ?').get(readingId) as Record<string, unknown> | null
}

/** Puts a reading back (a new row id); returns its id. */
export function restoreReading(db: Database, r: Record<string, unknown> | null): number | null {
  if (!r) return null
  const row = db
    .query(
      `INSERT INTO odometer_readings (tenant, car_id, value, text, typed_unit, source, read_on, created_at, number)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      r.tenant as string,
      r.car_id as number,
      r.value as number,
      r.text as string,
      (r.typed_unit as string | null) ?? null,
      r.source as string,
      r.read_on as string,
      r.created_at as string,
      (r.number as number | null) ?? null,
    ) as { id: number }
  return row.id
}

/** "; it was removed (change #12, /garage undo brings it back)" when the log says so, else "". */
export function removedNote(db: Database, tenant: string, kind: ChangeKind, ref: number): string {
  const last = db
    .query(
      `SELECT id, action FROM changes WHERE tenant = ? AND kind = ? AND ref = ? AND undone_by IS NULL AND action != 'undo'
       ORDER BY id DESC LIMIT 1`,
    )
    .get(tenant, kind, ref) as { id: number; action: ChangeAction } | null
  return last?.action === 'remove' ? `: it was removed (change #${last.id}; undo that to bring it back)` : ''
}
