/**
 * A car archived (sold or scrapped) and brought back. An archived car keeps everything it has,
 * readable and correctable, but takes nothing new (shared/car.ts `requireInUse`), is left out
 * of the car list unless asked for, and its items are never announced. Archive and unarchive
 * are changes in the garage's history (kind 'car', ref the car's id), undone on their own route.
 */
import type { Database } from 'bun:sqlite'
import { checkDate, formatDate } from '../../../lib/domain/dates.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import { badRequest, conflict } from '../../lib/http.ts'
import { type ChangeActor, logChange, NOBODY, type Snapshot } from '../changes/log.ts'
import { NOT_NOW } from '../maintenance/item.ts'
import { currentOdometer } from '../readings/view.ts'
import { type CarRow, carById, requireCar } from '../shared/car.ts'
import { formatDistance, inCarUnit } from '../shared/distance.ts'
import { garageAt, garageShown } from '../shared/garage.ts'
import { typedMoney } from '../shared/money.ts'
import type { ArchiveBody, ArchiveResult } from './model.ts'
import { carView } from './view.ts'

/** A car's archive as a change snapshot; `archived_price` is the price as shown, for the history. */
export function archiveSnap(car: CarRow): Snapshot {
  return {
    row: {
      id: car.id,
      car_id: car.id,
      archived_on: car.archived_on,
      archived_price_minor: car.archived_price_minor,
      archived_currency: car.archived_currency,
      archived_price:
        car.archived_price_minor === null || car.archived_currency === null
          ? null
          : formatMoney(car.archived_price_minor, car.archived_currency),
      archived_odometer: car.archived_odometer,
      archived_odometer_text: car.archived_odometer_text,
    },
    reading: null,
  }
}

/** Car #id's archive as it is now (for undo); null when the car is gone. */
export function carSnapshot(db: Database, tenant: string, id: number): Snapshot | null {
  const car = carById(db, tenant, id)
  return car ? archiveSnap(car) : null
}

/** Puts a car's archive columns back as a snapshot had them (undo). */
export function restoreArchive(db: Database, tenant: string, snap: Snapshot) {
  const r = snap.row
  db.query(
    `UPDATE cars SET archived_on = ?, archived_price_minor = ?, archived_currency = ?, archived_odometer = ?,
       archived_odometer_text = ? WHERE id = ? AND tenant = ?`,
  ).run(
    (r.archived_on as string | null) ?? null,
    (r.archived_price_minor as number | null) ?? null,
    (r.archived_currency as string | null) ?? null,
    (r.archived_odometer as number | null) ?? null,
    (r.archived_odometer_text as string | null) ?? null,
    r.id,
    tenant,
  )
  if (!r.archived_on)
    db.query(`UPDATE maintenance_items SET check_on = '${NOT_NOW}' WHERE car_id = ? AND tenant = ?`).run(r.id, tenant)
}

/** POST /cars/:car/archive: sold or scrapped on `date` (default today), for `price`, at `odometer`. */
export function archiveCar(
  db: Database,
  tenant: string,
  ref: string,
  body: ArchiveBody,
  now: Date,
  actor: ChangeActor = NOBODY,
): ArchiveResult {
  return db.transaction(() => {
    const car = requireCar(db, tenant, ref)
    if (car.archived_on !== null)
      throw conflict(
        'archived',
        `car: ${car.nickname} is already archived (since ${formatDate(car.archived_on, garageShown(db, tenant).dates)}); nothing changed. /car unarchive ${car.nickname} brings it back`,
        'car',
      )
    const { garage, today, shown } = garageAt(db, tenant, now)
    const date = body.date === undefined ? today : checkDate('date', body.date, today, shown.dates)
    const price = body.price === undefined ? null : typedMoney('price', body.price, garage.currency)
    let odometer: { value: number; text: string } | null = null
    if (body.odometer !== undefined) {
      odometer = inCarUnit('odometer', body.odometer, car.odometer_unit, garage.units)
      if (odometer.value > 10_000_000)
        throw badRequest('odometer', `odometer: ${odometer.text} is more than any odometer shows`)
      const last = currentOdometer(db, tenant, car.id, shown.numbers)
      if (last && odometer.value < last.value - 1e-6)
        throw conflict(
          'lower_odometer',
          `odometer: ${odometer.text} is lower than ${car.nickname}'s last reading ${last.label} (${formatDate(last.read_on, shown.dates)}); give the odometer it left with, or leave it out`,
          'odometer',
        )
    }
    const before = archiveSnap(car)
    db.query(
      `UPDATE cars SET archived_on = ?, archived_price_minor = ?, archived_currency = ?, archived_odometer = ?,
         archived_odometer_text = ? WHERE id = ? AND tenant = ?`,
    ).run(
      date,
      price?.minor ?? null,
      price ? garage.currency : null,
      odometer?.value ?? null,
      odometer ? (odometer.text || formatDistance(odometer.value, car.odometer_unit, shown.numbers)) : null,
      car.id,
      tenant,
    )
    const after = carById(db, tenant, car.id) as CarRow
    const change = logChange(db, tenant, actor, { kind: 'car', action: 'edit', ref: car.id, before, after: archiveSnap(after) }, now)
    return { car: carView(db, after, shown), change }
  })()
}

/** POST /cars/:car/unarchive: back in use, as it was before its archive. */
export function unarchiveCar(
  db: Database,
  tenant: string,
  ref: string,
  now: Date,
  actor: ChangeActor = NOBODY,
): ArchiveResult {
  return db.transaction(() => {
    const car = requireCar(db, tenant, ref)
    if (car.archived_on === null)
      throw conflict('not_archived', `car: ${car.nickname} is not archived; nothing changed`, 'car')
    const before = archiveSnap(car)
    db.query(
      `UPDATE cars SET archived_on = NULL, archived_price_minor = NULL, archived_currency = NULL, archived_odometer = NULL,
         archived_odometer_text = NULL WHERE id = ? AND tenant = ?`,
    ).run(car.id, tenant)
    // its reminders start again: the next claim looks at its items (the claim parked them)
    db.query(`UPDATE maintenance_items SET check_on = '${NOT_NOW}' WHERE car_id = ? AND tenant = ?`).run(car.id, tenant)
    const after = carById(db, tenant, car.id) as CarRow
    const change = logChange(db, tenant, actor, { kind: 'car', action: 'edit', ref: car.id, before, after: archiveSnap(after) }, now)
    return { car: carView(db, after, garageShown(db, tenant)), change }
  })()
}
