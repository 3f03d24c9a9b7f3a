/**
 * Maintenance items: what a car needs and when (every so many months, every so much distance,
 * or whichever comes first). Every write is one transaction, so a refusal stores nothing.
 */
import type { Database } from 'bun:sqlite'
import { checkDate, formatDate } from '../../../lib/domain/dates.ts'
import { clip } from '../../../lib/domain/text.ts'
import { badRequest, conflict } from '../../lib/http.ts'
import { type CarRow, carRow, requireCar, requireInUse } from '../shared/car.ts'
import { formatDistance, inCarUnit, typedThreshold } from '../shared/distance.ts'
import { ensureTenant, type GarageRow, garageAt, shownOf } from '../shared/garage.ts'
import type { DistanceInput, ThresholdInput } from '../shared/model.ts'
import { checkText } from '../shared/text.ts'
import {
  carState,
  findItem,
  highestReading,
  intervalOf,
  type ItemRow,
  itemsOfCar,
  itemView,
  NOT_NOW,
  odometerOn,
  readingSpan,
  requireItem,
} from './item.ts'
import type { ItemCreate, ItemEdit, ItemView } from './model.ts'
import { dueFrom, levelRank } from './schedule.ts'

function checkItemName(value: string): string {
  const name = checkText('name', value, 60, true)!
  if (name.includes(',')) {
    throw badRequest(
      'name',
      `name: no commas in an item name ("${clip(name, 40)}"); records list items separated by commas`,
    )
  }
  return name
}

function checkMonths(value: number): number {
  if (!Number.isFinite(value) || !Number.isInteger(value))
    throw badRequest('months', `months: a whole number of months, e.g. 6 (got ${value})`)
  if (value <= 0) throw badRequest('months', `months: must be 1 or more (got ${value})`)
  if (value > 600) throw badRequest('months', `months: at most 600 (got ${value})`)
  return value
}

function checkInterval(d: DistanceInput, car: CarRow, garage: GarageRow): { value: number; text: string } {
  const r = inCarUnit('distance', d, car.odometer_unit, garage.units)
  if (r.value <= 0) throw badRequest('distance', `distance: must be more than 0 (got ${r.text})`)
  if (r.value > 1_000_000) throw badRequest('distance', `distance: ${r.text} is too long an interval`)
  return r
}

type Override = { days: number | null; km: number | null; text: string | null }

/** An item's own threshold: what is given, the rest from the garage's. */
function checkOverride(field: string, input: ThresholdInput, garage: GarageRow): Override {
  return { ...typedThreshold(field, input, garage.units, shownOf(garage).numbers), text: input.text?.trim() || null }
}

function checkDuplicate(db: Database, tenant: string, car: CarRow, name: string, exceptId?: number): void {
  const other = findItem(db, tenant, car.id, name)
  if (other && other.id !== exceptId) {
    const hint = exceptId === undefined ? '; use /item edit to change it' : ''
    throw conflict(
      'duplicate',
      `name: ${car.nickname} already has an item called "${other.name}"${hint}`,
      'name',
    )
  }
}

/**
 * The odometer when it was last done: as typed (not above the current one), else the car's on
 * that date from its readings (see odometerOn). A distance interval needs it; where the readings
 * do not tell (a date before the first reading, or a past date after the last), the user is asked
 * for it instead of being given a guess.
 */
function resolveLastOdometer(
  db: Database,
  car: CarRow,
  garage: GarageRow,
  typed: DistanceInput | undefined,
  lastDate: string,
  today: string,
  needed: boolean,
): number | null {
  if (typed) {
    const current = highestReading(db, car.id)
    const d = inCarUnit('last_odometer', typed, car.odometer_unit, garage.units)
    if (current !== null && d.value > current + 1e-6) {
      throw badRequest(
        'last_odometer',
        `last_odometer: ${d.text} is above ${car.nickname}'s current odometer ${formatDistance(current, car.odometer_unit, shownOf(garage).numbers)}; record the reading first with /car odometer`,
      )
    }
    return d.value
  }
  const known = odometerOn(db, car.id, lastDate, today)
  if (needed && known === null) {
    throw badRequest(
      'last_odometer',
      `last_odometer: ${car.nickname}'s readings do not tell its odometer on ${formatDate(lastDate, shownOf(garage).dates)} (${readingSpan(db, car.id, shownOf(garage).dates)}); give the odometer when it was last done`,
    )
  }
  return known
}

/** The columns an add or an edit writes (an edit also makes the claim look at the item again). */
const WRITTEN = [
  'name',
  'name_key',
  'months',
  'distance',
  'distance_text',
  'fixed',
  'last_date',
  'last_odometer',
  'due_date',
  'due_odometer',
  'notes',
  'urgent_days',
  'urgent_km',
  'urgent_text',
  'very_urgent_days',
  'very_urgent_km',
  'very_urgent_text',
] as const satisfies readonly (keyof ItemRow)[]

const ITEM_SQL = {
  insert: `INSERT INTO maintenance_items (tenant, car_id, created_at, ${WRITTEN.join(', ')})
    VALUES (?, ?, ?, ${WRITTEN.map(() => '?').join(', ')}) RETURNING *`,
  update: `UPDATE maintenance_items SET ${WRITTEN.map((c) => `${c} = ?`).join(', ')}, check_on = '${NOT_NOW}'
    WHERE id = ? AND tenant = ? RETURNING *`,
}

/** Stores `next` (a new item when its id is 0) with the due point of its schedule. */
function saveItem(db: Database, next: ItemRow): ItemRow {
  const due = dueFrom(intervalOf(next), next.last_date, next.last_odometer)
  const values = WRITTEN.map((c) =>
    c === 'due_date' ? due.date : c === 'due_odometer' ? due.odometer : next[c],
  )
  if (next.id === 0)
    return db.query(ITEM_SQL.insert).get(next.tenant, next.car_id, next.created_at, ...values) as ItemRow
  return db.query(ITEM_SQL.update).get(...values, next.id, next.tenant) as ItemRow
}

type ItemFields = Omit<ItemEdit, 'car' | 'item'>

/**
 * Applies the given fields of an add (`adding`: every field of a new item) or an edit to
 * `next`, checking each; a new item, or one that gets a distance, takes the odometer when it
 * was last done from the readings unless it is given.
 */
function applyFields(
  db: Database,
  next: ItemRow,
  body: ItemFields,
  car: CarRow,
  garage: GarageRow,
  today: string,
  adding: boolean,
): void {
  if (body.name !== undefined) {
    next.name = checkItemName(body.name)
    next.name_key = next.name.toLowerCase()
    checkDuplicate(db, next.tenant, car, next.name, adding ? undefined : next.id)
  }
  if (body.months !== undefined) next.months = checkMonths(body.months)
  if (body.distance !== undefined) {
    const d = checkInterval(body.distance, car, garage)
    next.distance = d.value
    next.distance_text = d.text
  }
  if (body.last_date !== undefined) next.last_date = checkDate('last_date', body.last_date, today, shownOf(garage).dates)
  if (adding || body.last_odometer !== undefined || (next.distance !== null && next.last_odometer === null)) {
    const needed = next.distance !== null
    next.last_odometer = resolveLastOdometer(db, car, garage, body.last_odometer, next.last_date, today, needed)
  }
  if (body.fixed !== undefined) next.fixed = body.fixed ? 1 : 0
  if (body.notes !== undefined) next.notes = checkText('notes', body.notes, 2000, false)
  if (body.urgent) {
    const o = checkOverride('urgent', body.urgent, garage)
    ;[next.urgent_days, next.urgent_km, next.urgent_text] = [o.days, o.km, o.text]
  }
  if (body.very_urgent) {
    const o = checkOverride('very_urgent', body.very_urgent, garage)
    ;[next.very_urgent_days, next.very_urgent_km, next.very_urgent_text] = [o.days, o.km, o.text]
  }
}

/** A new item of a car, not yet stored. */
const newItem = (tenant: string, car: CarRow, today: string, now: Date): ItemRow => ({
  id: 0,
  tenant,
  car_id: car.id,
  name: '',
  name_key: '',
  months: null,
  distance: null,
  distance_text: null,
  fixed: 0,
  last_date: today,
  last_odometer: null,
  due_date: null,
  due_odometer: null,
  notes: null,
  urgent_days: null,
  urgent_km: null,
  urgent_text: null,
  very_urgent_days: null,
  very_urgent_km: null,
  very_urgent_text: null,
  announced_level: 0,
  check_on: null,
  snoozed_until: null,
  created_at: now.toISOString(),
})

export function addItem(db: Database, tenant: string, body: ItemCreate, now: Date): ItemView {
  return db.transaction(() => {
    const { garage, today } = garageAt(db, tenant, now)
    // An archived car falls due for nothing: its reminders are off until it is back.
    const car = requireInUse(requireCar(db, tenant, body.car), 'maintenance item', 'car', db)
    const next = newItem(tenant, car, today, now)
    applyFields(db, next, body, car, garage, today, true)
    if (next.months === null && next.distance === null) {
      throw badRequest(
        'months',
        'months or distance: give months, a distance or both, e.g. months:6 distance:"5,000 mi"',
      )
    }
    ensureTenant(db, tenant, now)
    return itemView(saveItem(db, next), car, carState(db, car.id, today), today, garage)
  })()
}

export function editItem(db: Database, tenant: string, body: ItemEdit, now: Date): ItemView {
  return db.transaction(() => {
    const { garage, today } = garageAt(db, tenant, now)
    const car = requireCar(db, tenant, body.car)
    const next: ItemRow = { ...requireItem(db, tenant, car, body.item) }
    applyFields(db, next, body, car, garage, today, false)
    ensureTenant(db, tenant, now)
    return itemView(saveItem(db, next), car, carState(db, car.id, today), today, garage)
  })()
}

export function removeItem(
  db: Database,
  tenant: string,
  carRef: string,
  name: string,
  now: Date,
): { removed: ItemView } {
  return db.transaction(() => {
    const { garage, today } = garageAt(db, tenant, now)
    const car = requireCar(db, tenant, carRef)
    const item = requireItem(db, tenant, car, name)
    const shown = itemView(item, car, carState(db, car.id, today), today, garage)
    db.query('DELETE FROM maintenance_items WHERE id = ? AND tenant = ?').run(item.id, tenant)
    return { removed: shown }
  })()
}

/** Items of one car or of the whole garage, most urgent first. */
export function listItems(
  db: Database,
  tenant: string,
  carRef: string | undefined,
  now: Date,
  /** Leave out the items of archived cars (the garage's reminders), unless one car is asked for. */
  inUseOnly = false,
): { items: ItemView[]; cars: number } {
  const { garage, today } = garageAt(db, tenant, now)
  const cars = carRef
    ? [requireCar(db, tenant, carRef)]
    : (db.query('SELECT * FROM cars WHERE tenant = ? ORDER BY nickname_key').all(tenant) as CarRow[])
        .filter((c) => !inUseOnly || c.archived_on === null)
        .map(carRow)
  const items: ItemView[] = []
  for (const car of cars) {
    const rows = itemsOfCar(db, tenant, car.id)
    if (rows.length === 0) continue
    const state = carState(db, car.id, today)
    for (const row of rows) items.push(itemView(row, car, state, today, garage))
  }
  items.sort(
    (a, b) =>
      levelRank(b.level) - levelRank(a.level) ||
      (a.days_left ?? Number.POSITIVE_INFINITY) - (b.days_left ?? Number.POSITIVE_INFINITY) ||
      a.car.localeCompare(b.car) ||
      a.name.localeCompare(b.name),
  )
  return { items, cars: cars.length }
}
