/**
 * Who logged a record, for lists and shows ("by Ann"): the actor of the record's `add` in the
 * change log (the log keeps every write's actor, changes/log.ts). A record older than the log,
 * or one logged by nobody in particular, has no author (null) and shows none.
 */
import type { Database } from 'bun:sqlite'
import { t } from 'elysia'
import type { ChangeKind } from '../changes/log.ts'

/** The author of a record as a list carries it: `<platform>:<user id>` and the name shown; absent when not known. */
export const Author = t.Optional(t.Object({ id: t.String(), name: t.String() }))
export type Author = { id: string; name: string }

/** The authors of records of one kind by their refs (number, or a service record's id). */
export function authorsOf(
  db: Database,
  tenant: string,
  kind: Extract<ChangeKind, 'fuel' | 'service' | 'reading' | 'expense'>,
  refs: readonly number[],
): Map<number, Author> {
  const found = new Map<number, Author>()
  const q = db.query(
    `SELECT actor_id, actor_name FROM changes WHERE tenant = ? AND kind = ? AND ref = ? AND action = 'add'
     ORDER BY id LIMIT 1`,
  )
  for (const ref of new Set(refs)) {
    const row = q.get(tenant, kind, ref) as { actor_id: string; actor_name: string } | null
    if (row && row.actor_id !== 'unknown') found.set(ref, { id: row.actor_id, name: row.actor_name })
  }
  return found
}

/** The views with their authors (`by`, where known), each found by `ref`. */
export function withAuthors<V>(
  db: Database,
  tenant: string,
  kind: Parameters<typeof authorsOf>[2],
  views: V[],
  ref: (v: V) => number,
): (V & { by?: Author })[] {
  const authors = authorsOf(db, tenant, kind, views.map(ref))
  return views.map((v): V & { by?: Author } => {
    const by = authors.get(ref(v))
    return by ? { ...v, by } : { ...v, by: undefined }
  })
}
