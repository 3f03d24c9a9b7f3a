/** The numbers a garage gives its fill-ups, readings, expenses and charges (#1, #2 …), per kind. */
import type { Database } from 'bun:sqlite'

/** The next number of a kind of record in a garage; a removed number is not given again. */
export function nextNumber(db: Database, tenant: string, kind: 'fuel' | 'reading' | 'expense' | 'charge'): number {
  const row = db
    .query(
      `INSERT INTO record_counters (tenant, kind, last) VALUES (?, ?, 1)
       ON CONFLICT (tenant, kind) DO UPDATE SET last = last + 1 RETURNING last`,
    )
    .get(tenant, kind) as { last: number }
  return row.last
}
