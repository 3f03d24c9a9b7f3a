/**
 * A car's drivers (by platform user id, with the name shown), a member's choice of where their
 * reminders go (`dm`: also privately), and I'll do it: who took a posted reminder. The worker
 * decides who may change what (queue/roles.ts); the service keeps it.
 */
import type { Database } from 'bun:sqlite'
import { notFound } from '../../lib/http.ts'
import type { ChangeActor } from '../changes/log.ts'
import { requireCar } from '../shared/car.ts'
import type { DriverList, DriversChange, MemberPrefs, TakeResult } from './model.ts'

type DriverRow = DriverList['drivers'][number]

function driversOf(db: Database, carId: number): DriverRow[] {
  return db
    .query(
      'SELECT user_id, name, added_by, added_at FROM car_drivers WHERE car_id = ? ORDER BY added_at, user_id',
    )
    .all(carId) as DriverRow[]
}

export function listDrivers(db: Database, tenant: string, car: string): DriverList {
  const c = requireCar(db, tenant, car)
  return { car: c.nickname, drivers: driversOf(db, c.id) }
}

/** Adds or removes one driver; adding one again keeps them (their name is brought up to date). */
export function changeDrivers(
  db: Database,
  tenant: string,
  body: DriversChange,
  now: Date,
  actor: ChangeActor,
): DriverList {
  return db.transaction(() => {
    const c = requireCar(db, tenant, body.car)
    let changed = false
    if (body.add) {
      const known = db
        .query('SELECT 1 FROM car_drivers WHERE car_id = ? AND user_id = ?')
        .get(c.id, body.add.user_id)
      db.query(
        `INSERT INTO car_drivers (tenant, car_id, user_id, name, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (car_id, user_id) DO UPDATE SET name = excluded.name`,
      ).run(tenant, c.id, body.add.user_id, body.add.name, actor.name, now.toISOString())
      changed ||= !known
    }
    if (body.remove !== undefined)
      changed ||=
        db.query('DELETE FROM car_drivers WHERE car_id = ? AND user_id = ?').run(c.id, body.remove).changes >
        0
    return { car: c.nickname, drivers: driversOf(db, c.id), changed }
  })()
}

/** A member's reminder choice (channel until they choose) and the cars they drive. */
export function memberPrefs(db: Database, tenant: string, user: string): MemberPrefs {
  const row = db
    .query('SELECT reminders FROM member_prefs WHERE tenant = ? AND user_id = ?')
    .get(tenant, user) as { reminders: 'dm' | 'channel' } | null
  const cars = db
    .query(
      `SELECT c.nickname FROM car_drivers d JOIN cars c ON c.id = d.car_id
       WHERE d.tenant = ? AND d.user_id = ? ORDER BY c.nickname`,
    )
    .all(tenant, user) as { nickname: string }[]
  return { user, reminders: row?.reminders ?? 'channel', cars: cars.map((c) => c.nickname) }
}

export function setMemberPrefs(
  db: Database,
  tenant: string,
  body: { user: string; reminders: 'dm' | 'channel'; dm_to?: string },
  now: Date,
): MemberPrefs {
  db.query(
    `INSERT INTO member_prefs (tenant, user_id, reminders, dm_to, set_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (tenant, user_id) DO UPDATE SET reminders = excluded.reminders, dm_to = excluded.dm_to, set_at = excluded.set_at`,
  ).run(tenant, body.user, body.reminders, body.dm_to ?? null, now.toISOString())
  return memberPrefs(db, tenant, body.user)
}

/** The drivers of the car a posted reminder is about, with where each wants reminders. */
export function announcementDrivers(
  db: Database,
  tenant: string,
  itemId: number | null,
  renewalId: number | null,
): { user_id: string; name: string; dm: boolean; dm_to: string }[] {
  const rows = db
    .query(
      `SELECT d.user_id, d.name, p.reminders, p.dm_to FROM car_drivers d
       LEFT JOIN member_prefs p ON p.tenant = d.tenant AND p.user_id = d.user_id
       WHERE d.tenant = ? AND d.car_id = coalesce(
         (SELECT car_id FROM maintenance_items WHERE id = ?),
         (SELECT car_id FROM expense_renewals WHERE id = ?))
       ORDER BY d.added_at, d.user_id`,
    )
    .all(tenant, itemId, renewalId) as {
    user_id: string
    name: string
    reminders: string | null
    dm_to: string | null
  }[]
  return rows.map((r) => ({
    user_id: r.user_id,
    name: r.name,
    dm: r.reminders === 'dm',
    dm_to: r.dm_to ?? r.user_id,
  }))
}

/**
 * I'll do it: the first to press takes the reminder; a press by someone else answers who has it
 * (no taking over: the one who took it said they would; a manager can tell them otherwise).
 */
export function takeReminder(db: Database, tenant: string, id: number, actor: ChangeActor): TakeResult {
  return db.transaction(() => {
    const row = db
      .query('SELECT id, body, taken_by_id, taken_by FROM announcements WHERE tenant = ? AND id = ?')
      .get(tenant, id) as {
      id: number
      body: string
      taken_by_id: string | null
      taken_by: string | null
    } | null
    if (!row)
      throw notFound(`reminder: there is no reminder ${id} in this garage (it may have been done already)`)
    const body = JSON.parse(row.body) as { car: string; item: string }
    let took = false
    if (row.taken_by_id === null) {
      db.query('UPDATE announcements SET taken_by_id = ?, taken_by = ? WHERE id = ?').run(
        actor.id,
        actor.name,
        id,
      )
      took = true
    }
    return {
      reminder: id,
      car: body.car,
      item: body.item,
      taken_by: took ? actor.name : (row.taken_by as string),
      taken_by_id: took ? actor.id : row.taken_by_id!,
      took,
    }
  })()
}
