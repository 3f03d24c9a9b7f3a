/** A car of a garage by nickname (case-insensitive) or id: the lookup every feature starts from. */
import type { Database } from 'bun:sqlite'
import { formatDate } from '../../../lib/domain/dates.ts'
import { clip } from '../../../lib/domain/text.ts'
import type { EconomyUnit, VolumeUnit } from '../../../lib/domain/units.ts'
import { conflict, HttpError } from '../../lib/http.ts'
import { garageShown } from './garage.ts'
import type { MeterUnit } from './model.ts'

/** A row of the cars table. */
export type CarRow = {
  id: number
  tenant: string
  nickname: string
  nickname_key: string
  make: string | null
  model: string | null
  year: number | null
  odometer: number | null
  odometer_unit: MeterUnit
  /** NULL until set (migration 8); lib/domain/units.ts `carUnits` gives the one in use. */
  volume_unit: VolumeUnit | null
  economy_unit: EconomyUnit | null
  /** 1 when the car took the garage's units because nothing was typed when it was added. */
  units_from_garage: number
  odometer_text: string | null
  plate: string | null
  vin: string | null
  purchase_date: string | null
  purchase_price_minor: number | null
  purchase_currency: string | null
  purchase_price_text: string | null
  created_at: string
  /** Kept by triggers on odometer_readings (migration 4). */
  reading_count: number
  /** Sold or scrapped (migration 10): the date it left, NULL while in use; its price and last odometer. */
  archived_on: string | null
  archived_price_minor: number | null
  archived_currency: string | null
  /** In the car's unit. */
  archived_odometer: number | null
  archived_odometer_text: string | null
  /** 'hours' for a car on an hour meter (migration 17); `carRow` then reads its odometer_unit as 'h'. */
  meter: 'hours' | null
}

/** The car's unit in SQL, for a query that selects it beside other columns (see `carRow`). */
export const carUnitSql = (c: string) => `CASE WHEN ${c}.meter = 'hours' THEN 'h' ELSE ${c}.odometer_unit END`

/**
 * A row of the cars table as the code reads it: a car on an hour meter keeps 'km' in its
 * odometer_unit column (its CHECK knows km and mi, migration 17), and counts in 'h'.
 */
export function carRow<R extends CarRow | null>(row: R): R {
  return row?.meter === 'hours' ? { ...row, odometer_unit: 'h' } : row
}

/** The odometer_unit and meter columns that store a car's unit (see `carRow`). */
export const storedUnit = (unit: MeterUnit) =>
  unit === 'h' ? { odometer_unit: 'km' as const, meter: 'hours' as const } : { odometer_unit: unit, meter: null }

/** "12", "#12": a reference that may be a car's id (when no nickname matches it). */
export const ID_REF = /^#?\d{1,15}$/
export const idOfRef = (ref: string) => Number(ref.replace('#', ''))

/** A car of this tenant by nickname (case-insensitive) or numeric id; null when none. */
export function findCar(db: Database, tenant: string, nicknameOrId: string | number): CarRow | null {
  const ref = String(nicknameOrId).trim()
  const byName = carRow(
    db.query('SELECT * FROM cars WHERE tenant = ? AND nickname_key = ?').get(tenant, ref.toLowerCase()) as CarRow | null,
  )
  if (byName || !ID_REF.test(ref)) return byName
  return carById(db, tenant, idOfRef(ref))
}

/** A car of this tenant by its id (a record's or an item's car). */
export function carById(db: Database, tenant: string, id: number): CarRow | null {
  return carRow(db.query('SELECT * FROM cars WHERE tenant = ? AND id = ?').get(tenant, id) as CarRow | null)
}

/** Like findCar, but a missing car is a 404 that lists the garage's cars. */
export function requireCar(
  db: Database,
  tenant: string,
  nicknameOrId: string | number,
  field = 'car',
): CarRow {
  const car = findCar(db, tenant, nicknameOrId)
  if (car) return car
  throw noSuchCar(db, tenant, nicknameOrId, field)
}

/** The tenant's nicknames, for "no car x; cars: …" answers. */
export function nicknames(db: Database, tenant: string, limit = 25): string[] {
  return (
    db
      .query('SELECT nickname FROM cars WHERE tenant = CAST(? AS TEXT) ORDER BY nickname_key LIMIT ?')
      .all(tenant, limit) as { nickname: string }[]
  ).map((r) => r.nickname)
}

/** The 404 of a car this garage does not have, naming the cars it has. */
export function noSuchCar(
  db: Database,
  tenant: string,
  nicknameOrId: string | number,
  field: string,
): HttpError {
  const names = nicknames(db, tenant)
  return new HttpError(
    404,
    'not_found',
    `no car "${clip(String(nicknameOrId), 40)}" in this garage; ${names.length ? `cars: ${names.join(', ')}` : 'it has no cars yet (add one with /car add)'}`,
    field,
  )
}

/**
 * The car, refused (409 naming `field`) when it is archived: nothing new (a fill-up, a service, a
 * reading) is logged on a car that was sold or scrapped; its history stays readable and correctable.
 */
export function requireInUse(car: CarRow, what: string, field = 'car', db?: Database): CarRow {
  if (car.archived_on === null || car.archived_on === undefined) return car
  // with the database, the date is written in the garage's order
  const since = db ? formatDate(car.archived_on, garageShown(db, car.tenant).dates) : car.archived_on
  throw conflict(
    'archived',
    `${field}: ${car.nickname} is archived (since ${since}), so no new ${what} is logged on it; bring it back with /car unarchive ${car.nickname} first`,
    field,
  )
}
