/**
 * The digests' claim, like the reminders' (service.ts): the worker's tick asks which garages
 * are due a digest now — digest weekly or monthly, a reminder channel, the garage's local hour at
 * or past its reminder hour — and each garage's period is claimed once in SQLite (`digest_marks`),
 * so a restart neither forgets nor repeats one. A claim not marked posted within DIGEST_RETRY_MS
 * (the worker died mid-post) is handed out again; the reply job id keeps that post single.
 *
 * A weekly digest belongs to the week (Monday to Sunday, the garage's days) it is posted in and
 * tells of the week before it, against the week before that; a monthly one likewise by month.
 */
import type { Database } from 'bun:sqlite'
import { addDays, addMonths, dayNumber, localClock } from '../../../lib/domain/dates.ts'
import type { DigestClaim } from './model.ts'

/** A claim not acknowledged for this long is handed out again. */
export const DIGEST_RETRY_MS = 10 * 60_000

/** The period a digest posted on `today` belongs to, the span it tells of and the one before. */
export function digestPeriod(digest: 'weekly' | 'monthly', today: string) {
  if (digest === 'weekly') {
    // 1970-01-01 (day 0) was a Thursday: Monday is 3 days before a day-number multiple of 7.
    const monday = addDays(today, -((((dayNumber(today) + 3) % 7) + 7) % 7))
    return {
      period: `week:${monday}`,
      covers: { from: addDays(monday, -7), to: addDays(monday, -1) },
      before: { from: addDays(monday, -14), to: addDays(monday, -8) },
    }
  }
  const first = `${today.slice(0, 7)}-01`
  const last = addMonths(first, -1)
  return {
    period: `month:${today.slice(0, 7)}`,
    covers: { from: last, to: addDays(first, -1) },
    before: { from: addMonths(first, -2), to: addDays(last, -1) },
  }
}

type Row = { tenant: string; timezone: string; channel: string; hour: number; digest: 'weekly' | 'monthly' }

/** Claims, in one transaction, every garage's digest due at `at`. */
export function claimDigests(db: Database, at: Date): { digests: DigestClaim[] } {
  return db.transaction(() => {
    const rows = db
      .query(
        `SELECT id AS tenant, timezone, reminder_channel AS channel, reminder_hour AS hour, digest FROM tenants
         WHERE digest != 'off' AND reminder_channel IS NOT NULL
           AND id NOT IN (SELECT tenant FROM garages_leaving)`,
      )
      .all() as Row[]
    const out: DigestClaim[] = []
    const ms = at.getTime()
    for (const r of rows) {
      const clock = localClock(at, r.timezone)
      if (clock.hour < r.hour) continue
      const p = digestPeriod(r.digest, clock.date)
      const fresh = db
        .query('INSERT INTO digest_marks (tenant, period, claimed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
        .run(r.tenant, p.period, ms).changes
      const again =
        fresh === 0 &&
        db
          .query('UPDATE digest_marks SET claimed_at = ? WHERE tenant = ? AND period = ? AND posted_at IS NULL AND claimed_at < ?')
          .run(ms, r.tenant, p.period, ms - DIGEST_RETRY_MS).changes > 0
      if (fresh === 0 && !again) continue
      out.push({ tenant: r.tenant, period: p.period, digest: r.digest, channel: r.channel, today: clock.date, covers: p.covers, before: p.before })
    }
    return { digests: out }
  })()
}

/** Marks a garage's digest of a period posted: it is never handed out again. */
export function ackDigest(db: Database, tenant: string, period: string, at: Date): { posted: boolean } {
  const r = db.query('UPDATE digest_marks SET posted_at = ? WHERE tenant = ? AND period = ? AND posted_at IS NULL').run(at.getTime(), tenant, period)
  return { posted: r.changes > 0 }
}
