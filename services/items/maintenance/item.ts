/**
 * A maintenance item as stored, found and shown: its lookups, the car's state it is judged
 * against (current odometer, recent readings), and its view with its urgency today. Records
 * and reminders judge items the same way through this module.
 */
import type { Database } from 'bun:sqlite'
import { addDays, type DateOrder, daysBetween, formatDate } from '../../../lib/domain/dates.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import { clip } from '../../../lib/domain/text.ts'
import { convertDistance, distanceUnitOf, figuresUnit } from '../../../lib/domain/units.ts'
import { HttpError, notFound } from '../../lib/http.ts'
import { type CarRow, carById } from '../shared/car.ts'
import { formatDistance } from '../shared/distance.ts'
import { type GarageRow, shownOf } from '../shared/garage.ts'
import type { MeterUnit } from '../shared/model.ts'
import type { ItemView } from './model.ts'
import {
  type Due,
  describeDue,
  evaluate,
  LEVEL_LABEL,
  PROJECTION_WINDOW_DAYS,
  projectRate,
  type Reading,
  type Situation,
  type Thresholds,
} from './schedule.ts'

/** A row of maintenance_items (distances in the car's unit, threshold distances in km). */
export type ItemRow = {
  id: number
  tenant: string
  car_id: number
  name: string
  name_key: string
  months: number | null
  distance: number | null
  distance_text: string | null
  fixed: number
  last_date: string
  last_odometer: number | null
  due_date: string | null
  due_odometer: number | null
  notes: string | null
  urgent_days: number | null
  urgent_km: number | null
  urgent_text: string | null
  very_urgent_days: number | null
  very_urgent_km: number | null
  very_urgent_text: string | null
  announced_level: number
  check_on: string | null
  snoozed_until: string | null
  created_at: string
}

/** A `check_on` that has always come: the claim looks at the item on its next tick. */
export const NOT_NOW = '0000-00-00'

export function itemsOfCar(db: Database, tenant: string, carId: number): ItemRow[] {
  return db
    .query('SELECT * FROM maintenance_items WHERE tenant = ? AND car_id = ? ORDER BY name_key')
    .all(tenant, carId) as ItemRow[]
}

/** An item of the car by name (case-insensitive); null when none. */
export function findItem(db: Database, tenant: string, carId: number, name: string): ItemRow | null {
  return db
    .query('SELECT * FROM maintenance_items WHERE tenant = ? AND car_id = ? AND name_key = ?')
    .get(tenant, carId, name.trim().toLowerCase()) as ItemRow | null
}

/** "its items: A, B", for answers about an item the car does not have. */
export function itemNamesText(db: Database, tenant: string, car: CarRow): string {
  const names = itemsOfCar(db, tenant, car.id).map((i) => i.name)
  return names.length
    ? `its items: ${names.join(', ')}`
    : `it has no items yet (add one with /item add car:${car.nickname})`
}

export function requireItem(
  db: Database,
  tenant: string,
  car: CarRow,
  name: string,
  field = 'item',
): ItemRow {
  const row = findItem(db, tenant, car.id, name)
  if (row) return row
  throw new HttpError(
    404,
    'not_found',
    `${field}: no item "${clip(name.trim(), 40)}" on ${car.nickname}; ${itemNamesText(db, tenant, car)}`,
    field,
  )
}

/** An item of this garage by id (a reminder's buttons), with its car. */
export function itemById(db: Database, tenant: string, id: number): { item: ItemRow; car: CarRow } {
  const item = db
    .query('SELECT * FROM maintenance_items WHERE tenant = ? AND id = ?')
    .get(tenant, id) as ItemRow | null
  if (!item) throw notFound(`no maintenance item #${id} in this garage (it may have been removed)`)
  return { item, car: carById(db, tenant, item.car_id) as CarRow }
}

/** The car's current odometer: its highest reading (null without one). */
export function highestReading(db: Database, carId: number): number | null {
  return (
    db.query('SELECT MAX(value) AS v FROM odometer_readings WHERE car_id = ?').get(carId) as {
      v: number | null
    }
  ).v
}

/**
 * The odometer the car had on a date, from its readings: its highest reading of that date; else
 * interpolated between its last reading before and its first reading after, to the whole unit;
 * else, for today or later, its current (highest) reading. Null where the readings do not tell:
 * a date before its first reading, or a past date after its last one (it was driven since, by
 * how much nobody typed).
 */
export function odometerOn(db: Database, carId: number, date: string, today: string): number | null {
  const before = db
    .query(
      'SELECT read_on AS date, MAX(value) AS value FROM odometer_readings WHERE car_id = ? AND read_on <= ? GROUP BY read_on ORDER BY read_on DESC LIMIT 1',
    )
    .get(carId, date) as { date: string; value: number } | null
  if (!before) return null
  const highest = (
    db.query('SELECT MAX(value) AS v FROM odometer_readings WHERE car_id = ? AND read_on <= ?').get(carId, date) as {
      v: number
    }
  ).v
  if (before.date === date) return highest
  const after = db
    .query(
      'SELECT read_on AS date, MIN(value) AS value FROM odometer_readings WHERE car_id = ? AND read_on > ? GROUP BY read_on ORDER BY read_on LIMIT 1',
    )
    .get(carId, date) as { date: string; value: number } | null
  if (!after) return date >= today ? highest : null
  // Readings that go down over the date (a corrected odometer) leave it where it was known.
  if (after.value < before.value) return highest
  const share = daysBetween(before.date, date) / daysBetween(before.date, after.date)
  return Math.round(before.value + (after.value - before.value) * share)
}

/** "its readings run from 2025-03-01 to 2025-09-14" (in the garage's date order), or "it has no odometer reading yet". */
export function readingSpan(db: Database, carId: number, dates: DateOrder): string {
  const r = db
    .query('SELECT MIN(read_on) AS first, MAX(read_on) AS last FROM odometer_readings WHERE car_id = ?')
    .get(carId) as { first: string | null; last: string | null }
  if (r.first === null || r.last === null) return 'it has no odometer reading yet'
  const [first, last] = [formatDate(r.first, dates), formatDate(r.last, dates)]
  return first === last ? `its only reading is of ${first}` : `its readings run from ${first} to ${last}`
}

export type CarState = { odometer: number | null; readings: Reading[] }

/** The car's current odometer (highest reading) and its readings of the projection window. */
export function carState(db: Database, carId: number, today: string): CarState {
  const readings = db
    .query(
      'SELECT value, read_on AS date FROM odometer_readings WHERE car_id = ? AND read_on >= ? AND read_on <= ?',
    )
    .all(carId, addDays(today, -PROJECTION_WINDOW_DAYS), today) as Reading[]
  return { odometer: highestReading(db, carId), readings }
}

export const dueOf = (item: ItemRow): Due => ({ date: item.due_date, odometer: item.due_odometer })
export const intervalOf = (item: ItemRow) => ({
  months: item.months,
  distance: item.distance,
  fixed: item.fixed === 1,
})

/** The garage's thresholds (days and km), which an item's own override. */
export type GarageThresholds = Pick<
  GarageRow,
  'urgent_days' | 'urgent_km' | 'very_urgent_days' | 'very_urgent_km'
>

/** An hour-meter car's items are urgent by days (projected from its hours): km thresholds do not apply. */
function thresholdsFor(item: ItemRow, garage: GarageThresholds, unit: MeterUnit): Thresholds {
  const dist = (km: number) => (unit === 'h' ? null : convertDistance(km, 'km', unit))
  return {
    urgentDays: item.urgent_days ?? garage.urgent_days,
    urgentDistance: dist(item.urgent_km ?? garage.urgent_km),
    veryUrgentDays: item.very_urgent_days ?? garage.very_urgent_days,
    veryUrgentDistance: dist(item.very_urgent_km ?? garage.very_urgent_km),
  }
}

/** What an item is judged against today: the car's odometer and pace, and its thresholds in the car's unit. */
export function situation(
  item: ItemRow,
  state: CarState,
  today: string,
  garage: GarageThresholds,
  unit: MeterUnit,
): Situation {
  return {
    today,
    odometer: state.odometer,
    rate: projectRate(state.readings, today),
    thresholds: thresholdsFor(item, garage, unit),
  }
}

function overrideText(
  days: number | null,
  km: number | null,
  text: string | null,
  unit: MeterUnit,
  numbers: NumberFormat,
): string | null {
  if (text) return text
  if (days === null && km === null) return null
  const parts = []
  if (days !== null) parts.push(`${days} d`)
  if (km !== null) parts.push(formatDistance(Math.round(convertDistance(km, 'km', figuresUnit(unit))), figuresUnit(unit), numbers))
  return parts.join(', ')
}

/** The item as shown, with its urgency today. */
export function itemView(
  item: ItemRow,
  car: CarRow,
  state: CarState,
  today: string,
  garage: GarageRow,
): ItemView {
  const unit = car.odometer_unit
  const e = evaluate(dueOf(item), situation(item, state, today, garage, unit))
  const garageUnit = distanceUnitOf(garage.units)
  const shown = shownOf(garage)
  return {
    id: item.id,
    car: car.nickname,
    car_id: car.id,
    name: item.name,
    months: item.months,
    distance: item.distance_text,
    distance_value: item.distance,
    fixed: item.fixed === 1,
    last_date: item.last_date,
    last_odometer: item.last_odometer === null ? null : formatDistance(item.last_odometer, unit, shown.numbers),
    last_odometer_value: item.last_odometer,
    odometer_unit: unit,
    due_date: item.due_date,
    due_odometer: item.due_odometer,
    due_text: describeDue(dueOf(item), e, unit, shown),
    level: e.level,
    level_label: LEVEL_LABEL[e.level],
    days_left: e.effectiveDays,
    distance_left: e.distanceLeft,
    projected: e.projected,
    snoozed_until: item.snoozed_until && item.snoozed_until > today ? item.snoozed_until : null,
    notes: item.notes,
    urgent: overrideText(item.urgent_days, item.urgent_km, item.urgent_text, garageUnit, shown.numbers),
    very_urgent: overrideText(item.very_urgent_days, item.very_urgent_km, item.very_urgent_text, garageUnit, shown.numbers),
  }
}
