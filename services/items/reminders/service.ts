/**
 * Reminders: the claim of what to announce, and a reminder's buttons.
 *
 * Reminder state: each item keeps the most urgent level already announced and `check_on`, the
 * garage-local date from which it must be looked at again. The claim only range-scans items
 * whose `check_on` has come (an index), evaluates them, records an announcement for each that
 * entered a more urgent level, and computes the next `check_on`. New readings and changed
 * garage settings reset `check_on` by trigger (migration 2), so nothing is missed.
 */
import type { Database } from 'bun:sqlite'
import { addDays, latestDateOnEarth, localClock } from '../../../lib/domain/dates.ts'
import { clip } from '../../../lib/domain/text.ts'
import { badRequest, conflict, HttpError } from '../../lib/http.ts'
import {
  type CarState,
  carState,
  dueOf,
  highestReading,
  type ItemRow,
  itemById,
  itemView,
  situation,
} from '../maintenance/item.ts'
import type { ItemView } from '../maintenance/model.ts'
import { describeDue, evaluate, LEVEL_LABEL, LEVELS, levelRank, nextCheck } from '../maintenance/schedule.ts'
import type { RecordView } from '../records/model.ts'
import {
  insertRecord,
  logRecordChange,
  type RecordInput,
  type RecordRow,
  recordView,
} from '../records/service.ts'
import { type ChangeActor, NOBODY } from '../changes/log.ts'
import { checkDate } from '../../../lib/domain/dates.ts'
import { typedMoney } from '../shared/money.ts'
import { inCarUnit } from '../shared/distance.ts'
import { garageAt, leavingGarages, shownOf } from '../shared/garage.ts'
import { requireInUse } from '../shared/car.ts'
import type { MeterUnit } from '../shared/model.ts'
import type { Announcement, ItemLog } from './model.ts'
import { CLAIM_SQL } from './sql.ts'
import { claimRenewals } from '../expenses/service.ts'
import { announcementDrivers } from '../drivers/service.ts'

type Candidate = ItemRow & {
  /** The car's archive date: an archived car's items are parked, never announced. */
  archived_on: string | null
  timezone: string
  reminder_channel: string | null
  reminder_hour: number
  g_urgent_days: number
  g_urgent_km: number
  g_very_urgent_days: number
  g_very_urgent_km: number
  number_format: string
  date_order: string
  nickname: string
  odometer_unit: MeterUnit
}

/** What an announcement row keeps of the reminder, as posted. */
type AnnouncedBody = { car: string; item: string; due_text: string; notes: string | null; renewal?: number }

/**
 * In ONE transaction: the items that entered a more urgent level since they were last
 * announced, for garages with a reminder channel whose local time is at or past their
 * reminder hour today; each becomes an announcement row (and its level is marked). Returns
 * those and any earlier announcement not yet acknowledged as posted (a tick that died between
 * claim and post), so nothing is lost and, with reply job ids derived from the announcement
 * id, nothing is posted twice.
 */
export function claimReminders(
  db: Database,
  at: Date,
  limit = 10_000,
): { announcements: Announcement[]; examined: number } {
  return db.transaction(() => {
    const candidates = db.query(CLAIM_SQL).all(latestDateOnEarth(at), limit) as Candidate[]
    const states = new Map<number, CarState>()
    const update = db.query('UPDATE maintenance_items SET announced_level = ?, check_on = ? WHERE id = ?')
    const insert = db.query(
      'INSERT INTO announcements (tenant, item_id, level, channel, body, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
    )
    const clocks = new Map<string, { date: string; hour: number }>()
    const leaving = leavingGarages(db)
    for (const c of candidates) {
      if (leaving.has(c.tenant)) {
        // A garage whose bot was removed is kept a while, silent: park it; coming back
        // (DELETE /tenant/leaving) looks at its items again.
        update.run(c.announced_level, null, c.id)
        continue
      }
      if (c.archived_on !== null) {
        // An archived car's reminders stop: park it; /car unarchive looks at its items again.
        update.run(c.announced_level, null, c.id)
        continue
      }
      if (!c.reminder_channel) {
        // No channel: park it; choosing a channel (a settings update) looks at it again.
        update.run(c.announced_level, null, c.id)
        continue
      }
      let clock = clocks.get(c.timezone)
      if (!clock) {
        clock = localClock(at, c.timezone)
        clocks.set(c.timezone, clock)
      }
      const today = clock.date
      if (c.check_on! > today) continue
      if (c.snoozed_until && c.snoozed_until > today) {
        update.run(c.announced_level, c.snoozed_until, c.id)
        continue
      }
      let state = states.get(c.car_id)
      if (!state) {
        state = carState(db, c.car_id, today)
        states.set(c.car_id, state)
      }
      const garage = {
        urgent_days: c.g_urgent_days,
        urgent_km: c.g_urgent_km,
        very_urgent_days: c.g_very_urgent_days,
        very_urgent_km: c.g_very_urgent_km,
      }
      const s = situation(c, state, today, garage, c.odometer_unit)
      const e = evaluate(dueOf(c), s)
      const rank = levelRank(e.level)
      let announced = c.announced_level
      if (rank > announced) {
        // Before the garage's reminder hour: it stays a candidate and is announced at the hour.
        // (Items with nothing to announce get their next check below whatever the hour, so
        // only the few due today wait here.)
        if (clock.hour < c.reminder_hour) continue
        const body = {
          car: c.nickname,
          item: c.name,
          level: e.level,
          level_label: LEVEL_LABEL[e.level],
          due_text: describeDue(dueOf(c), e, c.odometer_unit, shownOf(c)),
          notes: c.notes,
        }
        insert.get(c.tenant, c.id, rank, c.reminder_channel, JSON.stringify(body), at.toISOString())
        announced = rank
      } else if (rank < announced) {
        // Moved back (edited, or readings corrected): a later rise is announced again.
        announced = rank
      }
      update.run(announced, nextCheck(dueOf(c), s, announced), c.id)
    }
    // renewals of recurring expenses fall due the same way (expenses/service.ts)
    const renewals = claimRenewals(db, at, limit)
    const pending = db
      .query('SELECT * FROM announcements WHERE posted_at IS NULL ORDER BY id LIMIT ?')
      .all(limit) as {
      id: number
      tenant: string
      item_id: number | null
      renewal_id: number | null
      level: number
      channel: string
      body: string
    }[]
    return {
      examined: candidates.length + renewals,
      announcements: pending.map((a) => {
        const body = JSON.parse(a.body) as AnnouncedBody
        const level = LEVELS[a.level] ?? 'urgent'
        return {
          id: a.id,
          tenant: a.tenant,
          channel: a.channel,
          item_id: a.item_id,
          car: body.car,
          item: body.item,
          due_text: body.due_text,
          notes: body.notes,
          renewal: body.renewal ?? null,
          level,
          level_label: LEVEL_LABEL[level],
          drivers: announcementDrivers(db, a.tenant, a.item_id, a.renewal_id),
        }
      }),
    }
  })()
}

/** Marks announcements as posted (their reply is on its queue). */
export function ackAnnouncements(db: Database, ids: number[], at: Date): { acked: number } {
  return db.transaction(() => {
    const q = db.query('UPDATE announcements SET posted_at = ? WHERE id = ? AND posted_at IS NULL')
    let acked = 0
    for (const id of ids) acked += q.run(at.toISOString(), id).changes
    return { acked }
  })()
}

/** Parses the claim's `at`, refusing a malformed one by name. */
export function claimInstant(at: string | undefined, now: Date): Date {
  if (at === undefined) return now
  const d = new Date(at)
  if (Number.isNaN(d.getTime())) throw badRequest('at', `at: "${clip(at, 40)}" is not an ISO instant`)
  return d
}

/** The item as it is now (after a button moved it), judged today. */
function itemNow(db: Database, tenant: string, id: number, now: Date): ItemView {
  const { item, car } = itemById(db, tenant, id)
  const { garage, today } = garageAt(db, tenant, now)
  return itemView(item, car, carState(db, car.id, today), today, garage)
}

/** Done (a button): a record of the item at the current odometer and today; the item moves on. */
export function markDone(
  db: Database,
  tenant: string,
  id: number,
  now: Date,
  actor: ChangeActor = NOBODY,
): { record: RecordView; item: ItemView; already: boolean } {
  return db.transaction(() => {
    const { item, car } = itemById(db, tenant, id)
    requireInUse(car, 'service record', 'car', db)
    const { garage, today } = garageAt(db, tenant, now)
    const prior = db
      .query(
        `SELECT r.* FROM service_record_items ri JOIN service_records r ON r.id = ri.record_id
         WHERE ri.item_id = ? AND r.tenant = ? AND r.done_on = ? ORDER BY r.id DESC LIMIT 1`,
      )
      .get(item.id, tenant, today) as RecordRow | null
    if (prior) {
      // A second press (or a second person) the same day: already done, nothing new.
      const record = recordView(db, tenant, prior, car, garage, today)
      return { record, item: itemNow(db, tenant, id, now), already: true }
    }
    const input: RecordInput = {
      car,
      title: item.name,
      kind: 'service',
      items: [item],
      odometerValue: highestReading(db, car.id),
    }
    const record = insertRecord(db, tenant, input, now)
    const change = logRecordChange(db, tenant, actor, 'add', record.id, null, now)
    return { record: { ...record, change }, item: itemNow(db, tenant, id, now), already: false }
  })()
}

/** How long a second Log service of the same item, day, cost and odometer is taken for the same press. */
export const SAME_LOG_MINUTES = 15

/**
 * Log service (the form of a reminder): a record of that one item with cost, odometer and date.
 * The form submitted again (a new envelope each time, so Idempotency-Key cannot tell) for the
 * same item, day, cost and odometer within SAME_LOG_MINUTES is refused, 409 `already_logged`
 * naming the record it already made (in its message and as the error's `ref`), unless `again` says it is another one on purpose.
 */
export function logItem(
  db: Database,
  tenant: string,
  id: number,
  body: ItemLog,
  now: Date,
  actor: ChangeActor = NOBODY,
): { record: RecordView; item: ItemView } {
  return db.transaction(() => {
    const { item, car } = itemById(db, tenant, id)
    requireInUse(car, 'service record', 'car', db)
    const { again, ...fields } = body
    if (!again) {
      const { garage, today, shown } = garageAt(db, tenant, now)
      const date = fields.date === undefined ? today : checkDate('date', fields.date, today, shown.dates)
      const cost = fields.cost === undefined ? null : typedMoney('cost', fields.cost, garage.currency).minor
      const odometer =
        fields.odometer === undefined ? null : inCarUnit('odometer', fields.odometer, car.odometer_unit, garage.units).value
      const since = new Date(now.getTime() - SAME_LOG_MINUTES * 60_000).toISOString()
      const prior = (
        db
          .query(
            `SELECT r.* FROM service_record_items ri JOIN service_records r ON r.id = ri.record_id
             WHERE ri.item_id = ? AND r.tenant = ? AND r.done_on = ? AND r.created_at >= ? ORDER BY r.id DESC`,
          )
          .all(item.id, tenant, date, since) as RecordRow[]
      ).find(
        (r) =>
          r.cost_minor === cost &&
          (odometer === null || (r.odometer !== null && Math.abs(r.odometer - odometer) < 1e-6)),
      )
      if (prior) {
        const minutes = Math.max(1, Math.round((now.getTime() - Date.parse(prior.created_at)) / 60_000))
        const typed = [
          fields.cost ? `cost:${fields.cost.text ?? fields.cost.value}` : '',
          fields.odometer ? `odometer:"${fields.odometer.text ?? fields.odometer.value}"` : '',
        ]
          .filter(Boolean)
          .join(' ')
        throw conflict(
          'already_logged',
          `${item.name} on ${car.nickname} was already logged as service record #${prior.id} ${minutes === 1 ? 'a minute' : `${minutes} minutes`} ago with the same day, cost and odometer; nothing new was logged. To log another on purpose: /service log car:${car.nickname} title:"${item.name}" items:"${item.name}"${typed ? ` ${typed}` : ''}`,
          undefined,
          prior.id,
        )
      }
    }
    const input: RecordInput = { car, title: item.name, kind: 'service', items: [item], ...fields }
    const record = insertRecord(db, tenant, input, now)
    const change = logRecordChange(db, tenant, actor, 'add', record.id, null, now)
    return { record: { ...record, change }, item: itemNow(db, tenant, id, now) }
  })()
}

/**
 * Log another (the button of a Log service refused as already logged): the same service of the
 * item as record #`recordId` (its day, cost and odometer) once more, on purpose. It is logged
 * once per record it repeats: pressed again (by anyone), it answers the record it made, `already`.
 */
export function logItemAgain(
  db: Database,
  tenant: string,
  id: number,
  recordId: number,
  now: Date,
  actor: ChangeActor = NOBODY,
): { record: RecordView; item: ItemView; already: boolean } {
  return db.transaction(() => {
    const { item, car } = itemById(db, tenant, id)
    requireInUse(car, 'service record', 'car', db)
    const { garage, today } = garageAt(db, tenant, now)
    const made = db
      .query('SELECT * FROM service_records WHERE tenant = ? AND again_of = ?')
      .get(tenant, recordId) as RecordRow | null
    if (made) return { record: recordView(db, tenant, made, car, garage, today), item: itemNow(db, tenant, id, now), already: true }
    const prior = db
      .query(
        `SELECT r.* FROM service_records r JOIN service_record_items ri ON ri.record_id = r.id
         WHERE r.tenant = ? AND r.id = ? AND ri.item_id = ?`,
      )
      .get(tenant, recordId, item.id) as RecordRow | null
    if (!prior)
      throw new HttpError(
        404,
        'not_found',
        `record: there is no service record #${recordId} of ${item.name} on ${car.nickname} in this garage (see /service list car:${car.nickname})`,
        'record',
      )
    const input: RecordInput = {
      car,
      title: item.name,
      kind: 'service',
      items: [item],
      date: prior.done_on,
      // the odometer as the record has it: no second reading of the same moment
      odometerValue: prior.odometer,
    }
    const record = insertRecord(db, tenant, input, now)
    db.query(
      'UPDATE service_records SET cost_minor = ?, currency = ?, cost_text = ?, odometer_text = ?, again_of = ? WHERE id = ?',
    ).run(prior.cost_minor, prior.currency, prior.cost_text, prior.odometer_text, prior.id, record.id)
    const change = logRecordChange(db, tenant, actor, 'add', record.id, null, now)
    const row = db.query('SELECT * FROM service_records WHERE id = ?').get(record.id) as RecordRow
    return {
      record: { ...recordView(db, tenant, row, car, garage, today), change },
      item: itemNow(db, tenant, id, now),
      already: false,
    }
  })()
}

/** Snooze (a button): hides the item from reminders until `until`; it is announced again after that if still due. */
export function snoozeItem(
  db: Database,
  tenant: string,
  id: number,
  days: number,
  now: Date,
): { item: ItemView; until: string } {
  return db.transaction(() => {
    const { item } = itemById(db, tenant, id)
    const until = addDays(garageAt(db, tenant, now).today, days)
    db.query(
      'UPDATE maintenance_items SET snoozed_until = ?, check_on = ?, announced_level = 0 WHERE id = ? AND tenant = ?',
    ).run(until, until, item.id, tenant)
    return { item: itemNow(db, tenant, id, now), until }
  })()
}
