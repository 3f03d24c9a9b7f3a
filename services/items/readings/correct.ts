/**
 * Correcting odometer readings: the garage's readings of a car with their numbers (#N), and
 * edit and remove of one. A reading a fill-up or service record made goes with that record
 * (edit or remove the record instead). The car's current odometer is its highest reading, so it
 * follows by itself. Every change is in the change log with the reading before and after it.
 */
import type { Database } from 'bun:sqlite'
import { withAuthors } from '../drivers/authors.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import { badRequest, conflict, notFound } from '../../lib/http.ts'
import { type ChangeActor, logChange, NOBODY, removedNote, type Snapshot } from '../changes/log.ts'
import { type CarRow, carById, requireCar } from '../shared/car.ts'
import { garageShown } from '../shared/garage.ts'
import { nextPage, type Page } from '../shared/model.ts'
import type { NumberedReading, ReadingChanged, ReadingEdit } from './model.ts'
import { addReading, readingSnap } from './service.ts'
import type { ReadingRow } from './sql.ts'
import { currentOdometer, readingView } from './view.ts'

type Row = ReadingRow & { number: number; car_id: number; tenant: string; created_at: string }

const numbered = (r: Row, car: CarRow, numbers: NumberFormat): NumberedReading => ({
  ...readingView(r, car.odometer_unit, numbers),
  number: r.number,
})

/** A car's readings with their numbers, newest first, a page at a time. */
export function listReadings(db: Database, tenant: string, carRef: string, page: Page) {
  const car = requireCar(db, tenant, carRef)
  const rows = db
    .query(
      'SELECT * FROM odometer_readings WHERE tenant = ? AND car_id = ? ORDER BY read_on DESC, id DESC LIMIT ? OFFSET ?',
    )
    .all(tenant, car.id, page.limit, (page.page - 1) * page.limit) as Row[]
  const total = car.reading_count
  const shown = garageShown(db, tenant)
  return {
    car: car.nickname,
    readings: withAuthors(db, tenant, 'reading', rows.map((r) => numbered(r, car, shown.numbers)), (r) => r.number),
    total,
    next_page: nextPage(page, total),
    presentation: shown,
  }
}

function requireReading(db: Database, tenant: string, number: number): { row: Row; car: CarRow } {
  const row = db
    .query('SELECT * FROM odometer_readings WHERE tenant = ? AND number = ?')
    .get(tenant, number) as Row | null
  if (!row)
    throw notFound(
      `number: there is no odometer reading #${number} in this garage${removedNote(db, tenant, 'reading', number)} (see /car readings)`,
    )
  const car = carById(db, tenant, row.car_id) as CarRow
  if (row.source === 'fuel' || row.source === 'service') {
    const made =
      row.source === 'fuel'
        ? (db.query('SELECT number FROM fuel_fillups WHERE reading_id = ? AND tenant = ?').get(row.id, tenant) as {
            number: number
          } | null)
        : (db.query('SELECT id AS number FROM service_records WHERE reading_id = ? AND tenant = ?').get(row.id, tenant) as {
            number: number
          } | null)
    if (made) {
      const what = row.source === 'fuel' ? `fill-up #${made.number}` : `service record #${made.number}`
      const how = row.source === 'fuel' ? '/fuel edit or /fuel remove' : '/service edit or /service remove'
      throw conflict('made_by_record', `number: reading #${number} came with ${what}; correct it there (${how})`, 'number')
    }
  }
  return { row, car }
}

const odometerText = (db: Database, tenant: string, car: CarRow, numbers: NumberFormat) =>
  currentOdometer(db, tenant, car.id, numbers)?.label ?? null

/** Removes reading #N; the car's odometer is what is left. */
export function removeReading(
  db: Database,
  tenant: string,
  number: number,
  now: Date,
  actor: ChangeActor = NOBODY,
): ReadingChanged {
  return db.transaction(() => {
    const { row, car } = requireReading(db, tenant, number)
    const before = readingSnap(db, row.id)
    db.query('DELETE FROM odometer_readings WHERE id = ?').run(row.id)
    const change = logChange(db, tenant, actor, { kind: 'reading', action: 'remove', ref: number, before, after: null }, now)
    const shown = garageShown(db, tenant)
    return {
      car: car.nickname,
      reading: numbered(row, car, shown.numbers),
      odometer: odometerText(db, tenant, car, shown.numbers),
      change,
      presentation: shown,
    }
  })()
}

/** Changes reading #N's value or date (checked against the other readings like a new one); the number stays. */
export function editReading(
  db: Database,
  tenant: string,
  body: ReadingEdit,
  now: Date,
  actor: ChangeActor = NOBODY,
): ReadingChanged {
  return db.transaction(() => {
    const { row, car } = requireReading(db, tenant, body.number)
    if (body.car !== undefined && requireCar(db, tenant, body.car).id !== car.id)
      throw badRequest('number', `number: reading #${body.number} is of ${car.nickname}, not ${body.car}`)
    const before = readingSnap(db, row.id)
    db.query('DELETE FROM odometer_readings WHERE id = ?').run(row.id)
    const made = addReading(
      db,
      tenant,
      car,
      {
        reading: body.reading ?? { value: row.value, unit: car.odometer_unit, text: row.text },
        date: body.date ?? row.read_on,
        source: row.source,
        confirm: body.confirm,
        field: 'reading',
        number: row.number,
      },
      now,
    )
    // the same reading on another day keeps the unit it was typed in
    if (!body.reading) db.query('UPDATE odometer_readings SET typed_unit = ? WHERE id = ?').run(row.typed_unit, made.reading.id)
    const after = readingSnap(db, made.reading.id, made.removed)
    const change = logChange(db, tenant, actor, { kind: 'reading', action: 'edit', ref: row.number, before, after }, now)
    const stored = db.query('SELECT * FROM odometer_readings WHERE id = ?').get(made.reading.id) as Row
    return {
      car: car.nickname,
      reading: numbered(stored, car, made.shown.numbers),
      odometer: odometerText(db, tenant, car, made.shown.numbers),
      change,
      presentation: made.shown,
    }
  })()
}

/** Reading #N as it is now, for undo; null when there is none. */
export function readingSnapshot(db: Database, tenant: string, number: number): Snapshot | null {
  const row = db.query('SELECT id FROM odometer_readings WHERE tenant = ? AND number = ?').get(tenant, number) as {
    id: number
  } | null
  return row ? readingSnap(db, row.id) : null
}

/** Takes reading #N out if it is there (undo of its add or edit). */
export function dropReading(db: Database, tenant: string, number: number) {
  db.query('DELETE FROM odometer_readings WHERE tenant = ? AND number = ?').run(tenant, number)
}

/** Puts a reading back as a snapshot had it (its number too). Call in a transaction. */
export function restoreReadingRow(db: Database, snap: Snapshot) {
  const { id: _id, ...row } = snap.row
  const cols = Object.keys(row)
  db.query(`INSERT INTO odometer_readings (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
    ...(Object.values(row) as (string | number | null)[]),
  )
}
