/**
 * Maintenance on the items database: items (what a car needs and when), service records, fuel
 * fill-ups, reminders, and the reminder claim. No Elysia here; callers pass the database, the
 * tenant and the clock. Refusals are `HttpError`s naming the field; nothing is stored when one
 * is thrown (every write is one transaction).
 *
 * Reminder state: each item keeps the most urgent level already announced and `check_on`, the
 * garage-local date from which it must be looked at again. The claim only range-scans items
 * whose `check_on` has come (an index), evaluates them, records an announcement for each that
 * entered a more urgent level, and computes the next `check_on`. New readings and changed
 * garage settings reset `check_on` by trigger (migration 2), so nothing is missed.
 */
import type { Database } from 'bun:sqlite'
import { badRequest, conflict, HttpError, notFound } from '../lib/http.ts'
import type {
  ItemCreate,
  ItemEdit,
  ItemLog,
  FillupCreate,
  RecordCreate,
  RecordKind,
  VolumeInput,
} from './maintenance-model.ts'
import type { DistanceInput, DistanceUnit, MoneyInput, ThresholdInput } from './model.ts'
import { advance, describeDue, dueFrom, type Due, type Evaluation, evaluate, LEVEL_LABEL, LEVELS, type Level, levelRank, nextCheck, PROJECTION_WINDOW_DAYS, projectRate, type Reading, type Situation, type Thresholds } from './schedule.ts'
import { addDays, isDate, latestDateOnEarth, localClock, garageToday as localToday } from '../../lib/domain/dates.ts'
import {
  addReading,
  type CarRow,
  convertDistance,
  currencyExponent,
  ensureTenant,
  formatDistance,
  formatMoney,
  getSettings,
  requireCar,
  type Settings,
  unitOfGarage,
} from './service.ts'

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

/** What a user sees of an item. */
export type ItemView = {
  id: number
  car: string
  car_id: number
  name: string
  months: number | null
  distance: string | null
  fixed: boolean
  last_date: string
  last_odometer: string | null
  due_date: string | null
  due_odometer: number | null
  /** "due 2026-11-01 (in 12 days) or at 53,000 mi (800 mi left; ~9 days, at 42 mi/day)" */
  due_text: string
  level: Level
  level_label: string
  /** The earlier of the due date and the projected date, in days from today. */
  days_left: number | null
  distance_left: number | null
  projected: Evaluation['projected']
  snoozed_until: string | null
  notes: string | null
  urgent: string | null
  very_urgent: string | null
}

const NOT_NOW = '0000-00-00'
const LITRES: Record<'L' | 'gal' | 'impgal', number> = { L: 1, gal: 3.785411784, impgal: 4.54609 }

// ---------------------------------------------------------------------------------------------
// checks

const clip = (value: string, max = 40) => (value.length > max ? `${value.slice(0, max)}…` : value)

function checkDate(field: string, value: string, today: string): string {
  if (!isDate(value)) throw badRequest(field, `${field}: "${clip(value)}" is not a date; use YYYY-MM-DD`)
  if (value > today) throw badRequest(field, `${field}: ${value} is in the future (today is ${today})`)
  if (value < '1886-01-01') throw badRequest(field, `${field}: ${value} is before the first car (1886)`)
  return value
}

function checkText(field: string, value: string, max: number, required: boolean): string | null {
  const trimmed = value.trim()
  if (required && trimmed.length === 0) throw badRequest(field, `${field}: cannot be empty`)
  if ([...trimmed].length > max) throw badRequest(field, `${field}: at most ${max} characters`)
  return trimmed.length ? trimmed : null
}

function checkItemName(value: string): string {
  const name = checkText('name', value, 60, true)!
  if (name.includes(','))
    throw badRequest(
      'name',
      `name: no commas in an item name ("${clip(name)}"); records list items separated by commas`,
    )
  return name
}

function checkMonths(value: number): number {
  if (!Number.isFinite(value) || !Number.isInteger(value))
    throw badRequest('months', `months: a whole number of months, e.g. 6 (got ${value})`)
  if (value <= 0) throw badRequest('months', `months: must be 1 or more (got ${value})`)
  if (value > 600) throw badRequest('months', `months: at most 600 (got ${value})`)
  return value
}

/** A typed distance in the car's unit (a bare number is in the garage's unit). */
function inCarUnit(
  field: string,
  d: DistanceInput,
  car: CarRow,
  settings: Settings,
): { value: number; text: string } {
  if (!Number.isFinite(d.value) || d.value < 0)
    throw badRequest(field, `${field}: must be a distance of 0 or more`)
  const unit = d.unit ?? unitOfGarage(settings.units)
  const value = convertDistance(d.value, unit, car.odometer_unit)
  const typed = d.text?.trim()
  const text = typed && d.unit ? typed : formatDistance(d.value, unit)
  return { value, text }
}

function checkInterval(d: DistanceInput, car: CarRow, settings: Settings): { value: number; text: string } {
  const r = inCarUnit('distance', d, car, settings)
  if (r.value <= 0) throw badRequest('distance', `distance: must be more than 0 (got ${r.text})`)
  if (r.value > 1_000_000) throw badRequest('distance', `distance: ${r.text} is too long an interval`)
  return r
}

function toMinor(field: string, money: MoneyInput, currency: string): { minor: number; text: string } {
  if (!Number.isFinite(money.value))
    throw badRequest(field, `${field}: ${money.text ?? money.value} is not an amount`)
  if (money.value < 0)
    throw badRequest(field, `${field}: must be 0 or more (got ${money.text ?? money.value})`)
  const exp = currencyExponent(currency)
  const scaled = money.value * 10 ** exp
  const minor = Math.round(scaled)
  if (!Number.isSafeInteger(minor) || money.value > 1e12)
    throw badRequest(field, `${field}: ${money.text ?? money.value} is too large`)
  if (Math.abs(scaled - minor) > 1e-6 * Math.max(1, Math.abs(scaled))) {
    throw badRequest(
      field,
      `${field}: ${currency} has ${exp} decimal${exp === 1 ? '' : 's'}; ${money.value} has more`,
    )
  }
  return { minor, text: money.text?.trim() || String(money.value) }
}

type Override = { days: number | null; km: number | null; text: string | null }

function checkOverride(field: string, input: ThresholdInput, settings: Settings): Override {
  if (input.days === undefined && input.distance === undefined) {
    throw badRequest(field, `${field}: give days, a distance or both, e.g. "14 d, 300 mi"`)
  }
  let km: number | null = null
  if (input.distance) {
    if (!Number.isFinite(input.distance.value) || input.distance.value < 0)
      throw badRequest(field, `${field}: the distance must be 0 or more`)
    const unit = input.distance.unit ?? unitOfGarage(settings.units)
    km = convertDistance(input.distance.value, unit, 'km')
    if (km > 100_000)
      throw badRequest(field, `${field}: ${formatDistance(input.distance.value, unit)} is too far ahead`)
  }
  const days = input.days ?? null
  if (days !== null && (!Number.isInteger(days) || days < 0 || days > 3650))
    throw badRequest(field, `${field}: days must be 0-3650`)
  return { days, km, text: input.text?.trim() || null }
}

// ---------------------------------------------------------------------------------------------
// evaluation

function garageToday(db: Database, tenant: string, now: Date): { settings: Settings; today: string } {
  const settings = getSettings(db, tenant)
  return { settings, today: localToday(now, settings.timezone) }
}

type GarageThresholds = {
  urgent_days: number
  urgent_km: number
  very_urgent_days: number
  very_urgent_km: number
}

function thresholdsFor(item: ItemRow, garage: GarageThresholds, unit: DistanceUnit): Thresholds {
  const dist = (km: number) => convertDistance(km, 'km', unit)
  return {
    urgentDays: item.urgent_days ?? garage.urgent_days,
    urgentDistance: dist(item.urgent_km ?? garage.urgent_km),
    veryUrgentDays: item.very_urgent_days ?? garage.very_urgent_days,
    veryUrgentDistance: dist(item.very_urgent_km ?? garage.very_urgent_km),
  }
}

const garageOf = (s: Settings): GarageThresholds => ({
  urgent_days: s.urgent.days,
  urgent_km: s.urgent.km,
  very_urgent_days: s.very_urgent.days,
  very_urgent_km: s.very_urgent.km,
})

type CarState = { odometer: number | null; readings: Reading[] }

/** The car's current odometer (highest reading) and its readings of the projection window. */
function carState(db: Database, carId: number, today: string): CarState {
  const max = db.query('SELECT MAX(value) AS v FROM odometer_readings WHERE car_id = ?').get(carId) as {
    v: number | null
  }
  const readings = db
    .query(
      'SELECT value, read_on AS date FROM odometer_readings WHERE car_id = ? AND read_on >= ? AND read_on <= ?',
    )
    .all(carId, addDays(today, -PROJECTION_WINDOW_DAYS), today) as Reading[]
  return { odometer: max.v, readings }
}

const dueOf = (item: ItemRow): Due => ({ date: item.due_date, odometer: item.due_odometer })
const intervalOf = (item: ItemRow) => ({
  months: item.months,
  distance: item.distance,
  fixed: item.fixed === 1,
})

function situation(
  item: ItemRow,
  state: CarState,
  today: string,
  garage: GarageThresholds,
  unit: DistanceUnit,
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
  unit: DistanceUnit,
): string | null {
  if (text) return text
  if (days === null && km === null) return null
  const parts = []
  if (days !== null) parts.push(`${days} d`)
  if (km !== null) parts.push(formatDistance(Math.round(convertDistance(km, 'km', unit)), unit))
  return parts.join(', ')
}

function view(item: ItemRow, car: CarRow, state: CarState, today: string, settings: Settings): ItemView {
  const s = situation(item, state, today, garageOf(settings), car.odometer_unit)
  const e = evaluate(dueOf(item), s)
  const unit = car.odometer_unit
  return {
    id: item.id,
    car: car.nickname,
    car_id: car.id,
    name: item.name,
    months: item.months,
    distance: item.distance_text,
    fixed: item.fixed === 1,
    last_date: item.last_date,
    last_odometer: item.last_odometer === null ? null : formatDistance(item.last_odometer, unit),
    due_date: item.due_date,
    due_odometer: item.due_odometer,
    due_text: describeDue(dueOf(item), e, unit),
    level: e.level,
    level_label: LEVEL_LABEL[e.level],
    days_left: e.effectiveDays,
    distance_left: e.distanceLeft,
    projected: e.projected,
    snoozed_until: item.snoozed_until && item.snoozed_until > today ? item.snoozed_until : null,
    notes: item.notes,
    urgent: overrideText(
      item.urgent_days,
      item.urgent_km,
      item.urgent_text,
      settings.units === 'imperial' ? 'mi' : 'km',
    ),
    very_urgent: overrideText(
      item.very_urgent_days,
      item.very_urgent_km,
      item.very_urgent_text,
      settings.units === 'imperial' ? 'mi' : 'km',
    ),
  }
}

function itemsOfCar(db: Database, tenant: string, carId: number): ItemRow[] {
  return db
    .query('SELECT * FROM maintenance_items WHERE tenant = ? AND car_id = ? ORDER BY name_key')
    .all(tenant, carId) as ItemRow[]
}

function itemNamesText(db: Database, tenant: string, car: CarRow): string {
  const names = itemsOfCar(db, tenant, car.id).map((i) => i.name)
  return names.length
    ? `its items: ${names.join(', ')}`
    : `it has no items yet (add one with /item add car:${car.nickname})`
}

function requireItem(db: Database, tenant: string, car: CarRow, name: string, field = 'item'): ItemRow {
  const row = db
    .query('SELECT * FROM maintenance_items WHERE tenant = ? AND car_id = ? AND name_key = ?')
    .get(tenant, car.id, name.trim().toLowerCase()) as ItemRow | null
  if (row) return row
  throw new HttpError(
    404,
    'not_found',
    `${field}: no item "${clip(name.trim())}" on ${car.nickname}; ${itemNamesText(db, tenant, car)}`,
    field,
  )
}

function itemById(db: Database, tenant: string, id: number): { item: ItemRow; car: CarRow } {
  const item = db
    .query('SELECT * FROM maintenance_items WHERE tenant = ? AND id = ?')
    .get(tenant, id) as ItemRow | null
  if (!item) throw notFound(`no maintenance item #${id} in this garage (it may have been removed)`)
  const car = db.query('SELECT * FROM cars WHERE tenant = ? AND id = ?').get(tenant, item.car_id) as CarRow
  return { item, car }
}

/** The odometer the car had on a date: its highest reading on or before it (null without one). */
function odometerOn(db: Database, carId: number, date: string): number | null {
  const row = db
    .query('SELECT MAX(value) AS v FROM odometer_readings WHERE car_id = ? AND read_on <= ?')
    .get(carId, date) as { v: number | null }
  return row.v
}

// ---------------------------------------------------------------------------------------------
// items

export function addItem(db: Database, tenant: string, body: ItemCreate, now: Date): ItemView {
  return db.transaction(() => {
    const { settings, today } = garageToday(db, tenant, now)
    const car = requireCar(db, tenant, body.car)
    const name = checkItemName(body.name)
    const months = body.months === undefined ? null : checkMonths(body.months)
    const distance = body.distance === undefined ? null : checkInterval(body.distance, car, settings)
    if (months === null && distance === null) {
      throw badRequest(
        'months',
        'months or distance: give months, a distance or both, e.g. months:6 distance:"5,000 mi"',
      )
    }
    const lastDate = body.last_date === undefined ? today : checkDate('last_date', body.last_date, today)
    const lastOdometer = resolveLastOdometer(
      db,
      car,
      settings,
      body.last_odometer,
      lastDate,
      distance !== null,
    )
    const urgent = body.urgent ? checkOverride('urgent', body.urgent, settings) : null
    const very = body.very_urgent ? checkOverride('very_urgent', body.very_urgent, settings) : null
    const fixed = body.fixed === true
    const due = dueFrom({ months, distance: distance?.value ?? null, fixed }, lastDate, lastOdometer)
    const notes = body.notes === undefined ? null : checkText('notes', body.notes, 2000, false)
    const dup = db
      .query('SELECT name FROM maintenance_items WHERE tenant = ? AND car_id = ? AND name_key = ?')
      .get(tenant, car.id, name.toLowerCase()) as {
      name: string
    } | null
    if (dup)
      throw conflict(
        'duplicate',
        `name: ${car.nickname} already has an item called "${dup.name}"; use /item edit to change it`,
        'name',
      )
    ensureTenant(db, tenant, now)
    const row = db
      .query(
        `INSERT INTO maintenance_items (tenant, car_id, name, name_key, months, distance, distance_text, fixed, last_date, last_odometer,
           due_date, due_odometer, notes, urgent_days, urgent_km, urgent_text, very_urgent_days, very_urgent_km, very_urgent_text, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(
        tenant,
        car.id,
        name,
        name.toLowerCase(),
        months,
        distance?.value ?? null,
        distance?.text ?? null,
        fixed ? 1 : 0,
        lastDate,
        lastOdometer,
        due.date,
        due.odometer,
        notes,
        urgent?.days ?? null,
        urgent?.km ?? null,
        urgent?.text ?? null,
        very?.days ?? null,
        very?.km ?? null,
        very?.text ?? null,
        now.toISOString(),
      ) as ItemRow
    return view(row, car, carState(db, car.id, today), today, settings)
  })()
}

function resolveLastOdometer(
  db: Database,
  car: CarRow,
  settings: Settings,
  typed: DistanceInput | undefined,
  lastDate: string,
  needed: boolean,
): number | null {
  const current = db.query('SELECT MAX(value) AS v FROM odometer_readings WHERE car_id = ?').get(car.id) as {
    v: number | null
  }
  if (typed) {
    const d = inCarUnit('last_odometer', typed, car, settings)
    if (current.v !== null && d.value > current.v + 1e-6) {
      throw badRequest(
        'last_odometer',
        `last_odometer: ${d.text} is above ${car.nickname}'s current odometer ${formatDistance(current.v, car.odometer_unit)}; record the reading first with /car odometer`,
      )
    }
    return d.value
  }
  const known = odometerOn(db, car.id, lastDate) ?? current.v
  if (needed && known === null) {
    throw badRequest(
      'last_odometer',
      `last_odometer: ${car.nickname} has no odometer reading yet; give the odometer when it was last done`,
    )
  }
  return known
}

export function editItem(db: Database, tenant: string, body: ItemEdit, now: Date): ItemView {
  return db.transaction(() => {
    const { settings, today } = garageToday(db, tenant, now)
    const car = requireCar(db, tenant, body.car)
    const item = requireItem(db, tenant, car, body.item)
    const next: ItemRow = { ...item }
    if (body.name !== undefined) {
      next.name = checkItemName(body.name)
      next.name_key = next.name.toLowerCase()
      const other = db
        .query('SELECT id, name FROM maintenance_items WHERE tenant = ? AND car_id = ? AND name_key = ?')
        .get(tenant, car.id, next.name_key) as { id: number; name: string } | null
      if (other && other.id !== item.id)
        throw conflict(
          'duplicate',
          `name: ${car.nickname} already has an item called "${other.name}"`,
          'name',
        )
    }
    if (body.months !== undefined) next.months = checkMonths(body.months)
    if (body.distance !== undefined) {
      const d = checkInterval(body.distance, car, settings)
      next.distance = d.value
      next.distance_text = d.text
    }
    if (body.last_date !== undefined) next.last_date = checkDate('last_date', body.last_date, today)
    if (body.last_odometer !== undefined || (next.distance !== null && next.last_odometer === null)) {
      next.last_odometer = resolveLastOdometer(
        db,
        car,
        settings,
        body.last_odometer,
        next.last_date,
        next.distance !== null,
      )
    }
    if (body.fixed !== undefined) next.fixed = body.fixed ? 1 : 0
    if (body.notes !== undefined) next.notes = checkText('notes', body.notes, 2000, false)
    if (body.urgent) {
      const o = checkOverride('urgent', body.urgent, settings)
      ;[next.urgent_days, next.urgent_km, next.urgent_text] = [o.days, o.km, o.text]
    }
    if (body.very_urgent) {
      const o = checkOverride('very_urgent', body.very_urgent, settings)
      ;[next.very_urgent_days, next.very_urgent_km, next.very_urgent_text] = [o.days, o.km, o.text]
    }
    const due = dueFrom(intervalOf(next), next.last_date, next.last_odometer)
    ensureTenant(db, tenant, now)
    const row = db
      .query(
        `UPDATE maintenance_items SET name = ?, name_key = ?, months = ?, distance = ?, distance_text = ?, fixed = ?, last_date = ?,
           last_odometer = ?, due_date = ?, due_odometer = ?, notes = ?, urgent_days = ?, urgent_km = ?, urgent_text = ?,
           very_urgent_days = ?, very_urgent_km = ?, very_urgent_text = ?, check_on = '${NOT_NOW}'
         WHERE id = ? AND tenant = ? RETURNING *`,
      )
      .get(
        next.name,
        next.name_key,
        next.months,
        next.distance,
        next.distance_text,
        next.fixed,
        next.last_date,
        next.last_odometer,
        due.date,
        due.odometer,
        next.notes,
        next.urgent_days,
        next.urgent_km,
        next.urgent_text,
        next.very_urgent_days,
        next.very_urgent_km,
        next.very_urgent_text,
        item.id,
        tenant,
      ) as ItemRow
    return view(row, car, carState(db, car.id, today), today, settings)
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
    const { settings, today } = garageToday(db, tenant, now)
    const car = requireCar(db, tenant, carRef)
    const item = requireItem(db, tenant, car, name)
    const shown = view(item, car, carState(db, car.id, today), today, settings)
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
): { items: ItemView[]; cars: number } {
  const { settings, today } = garageToday(db, tenant, now)
  const cars = carRef
    ? [requireCar(db, tenant, carRef)]
    : (db.query('SELECT * FROM cars WHERE tenant = ? ORDER BY nickname_key').all(tenant) as CarRow[])
  const items: ItemView[] = []
  for (const car of cars) {
    const rows = itemsOfCar(db, tenant, car.id)
    if (rows.length === 0) continue
    const state = carState(db, car.id, today)
    for (const row of rows) items.push(view(row, car, state, today, settings))
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

// ---------------------------------------------------------------------------------------------
// service records

export type RecordView = {
  id: number
  car: string
  title: string
  kind: RecordKind
  cost: string | null
  cost_minor: number | null
  odometer: string | null
  date: string
  notes: string | null
  items: { id: number; name: string; due_text: string }[]
}

type RecordRow = {
  id: number
  car_id: number
  title: string
  kind: RecordKind
  cost_minor: number | null
  currency: string | null
  cost_text: string | null
  odometer: number | null
  odometer_text: string | null
  done_on: string
  notes: string | null
}

function splitNames(items: string | string[] | undefined): string[] {
  if (items === undefined) return []
  const list = Array.isArray(items) ? items : items.split(',')
  const names = list.map((s) => s.trim()).filter((s) => s.length > 0)
  const seen = new Set<string>()
  return names.filter((n) => (seen.has(n.toLowerCase()) ? false : (seen.add(n.toLowerCase()), true)))
}

type RecordInput = {
  car: CarRow
  title: string
  kind: RecordKind
  items: ItemRow[]
  cost?: MoneyInput
  odometer?: DistanceInput
  /** Odometer taken as is (Done: the current one), no reading inserted. */
  odometerValue?: number | null
  date?: string
  notes?: string
  confirm?: boolean
}

function insertRecord(db: Database, tenant: string, input: RecordInput, now: Date): RecordView {
  const { settings, today } = garageToday(db, tenant, now)
  const { car } = input
  const date = input.date === undefined ? today : checkDate('date', input.date, today)
  const cost = input.cost === undefined ? null : toMinor('cost', input.cost, settings.currency)
  let odometer: number | null = null
  let odometerText: string | null = null
  if (input.odometer) {
    const d = inCarUnit('odometer', input.odometer, car, settings)
    const r = addReading(
      db,
      tenant,
      car,
      { reading: input.odometer, date, source: 'service', confirm: input.confirm, field: 'odometer' },
      now,
    )
    odometer = r.reading.value
    odometerText = d.text
  } else {
    odometer = input.odometerValue !== undefined ? input.odometerValue : odometerOn(db, car.id, date)
    odometerText = odometer === null ? null : formatDistance(odometer, car.odometer_unit)
  }
  ensureTenant(db, tenant, now)
  const record = db
    .query(
      `INSERT INTO service_records (tenant, car_id, title, kind, cost_minor, currency, cost_text, odometer, odometer_text, done_on, notes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      tenant,
      car.id,
      input.title,
      input.kind,
      cost?.minor ?? null,
      cost ? settings.currency : null,
      cost?.text ?? null,
      odometer,
      odometerText,
      date,
      input.notes ?? null,
      now.toISOString(),
    ) as RecordRow
  for (const item of input.items) {
    db.query('INSERT OR IGNORE INTO service_record_items (record_id, item_id) VALUES (?, ?)').run(
      record.id,
      item.id,
    )
    // A record older than the item's last one (logged after the fact) does not move it back.
    if (date < item.last_date) continue
    const doneOdometer = odometer ?? item.last_odometer
    const due = advance(intervalOf(item), dueOf(item), date, doneOdometer)
    db.query(
      `UPDATE maintenance_items SET last_date = ?, last_odometer = ?, due_date = ?, due_odometer = ?, announced_level = 0,
         snoozed_until = NULL, check_on = '${NOT_NOW}' WHERE id = ? AND tenant = ?`,
    ).run(date, doneOdometer, due.date, due.odometer, item.id, tenant)
  }
  return recordView(db, tenant, record, car, settings, today)
}

function recordView(
  db: Database,
  tenant: string,
  r: RecordRow,
  car: CarRow,
  settings: Settings,
  today: string,
): RecordView {
  const linked = db
    .query(
      `SELECT i.* FROM service_record_items ri JOIN maintenance_items i ON i.id = ri.item_id
       WHERE ri.record_id = ? AND i.tenant = ? ORDER BY i.name_key`,
    )
    .all(r.id, tenant) as ItemRow[]
  const state = linked.length ? carState(db, car.id, today) : { odometer: null, readings: [] }
  return {
    id: r.id,
    car: car.nickname,
    title: r.title,
    kind: r.kind,
    cost: r.cost_minor === null || r.currency === null ? null : formatMoney(r.cost_minor, r.currency),
    cost_minor: r.cost_minor,
    odometer: r.odometer_text,
    date: r.done_on,
    notes: r.notes,
    items: linked.map((i) => ({
      id: i.id,
      name: i.name,
      due_text: view(i, car, state, today, settings).due_text,
    })),
  }
}

export function logRecord(db: Database, tenant: string, body: RecordCreate, now: Date): RecordView {
  return db.transaction(() => {
    const car = requireCar(db, tenant, body.car)
    const title = checkText('title', body.title, 200, true)!
    const items: ItemRow[] = []
    const unknown: string[] = []
    for (const name of splitNames(body.items)) {
      const row = db
        .query('SELECT * FROM maintenance_items WHERE tenant = ? AND car_id = ? AND name_key = ?')
        .get(tenant, car.id, name.toLowerCase()) as ItemRow | null
      if (row) items.push(row)
      else unknown.push(name)
    }
    if (unknown.length) {
      const list = unknown.map((n) => `"${clip(n)}"`).join(', ')
      throw badRequest(
        'items',
        `items: ${car.nickname} has no item ${list}; ${itemNamesText(db, tenant, car)}`,
      )
    }
    const notes =
      body.notes === undefined ? undefined : (checkText('notes', body.notes, 2000, false) ?? undefined)
    return insertRecord(
      db,
      tenant,
      {
        car,
        title,
        kind: body.kind ?? 'service',
        items,
        cost: body.cost,
        odometer: body.odometer,
        date: body.date,
        notes,
        confirm: body.confirm,
      },
      now,
    )
  })()
}

export function listRecords(
  db: Database,
  tenant: string,
  carRef: string | undefined,
  limit: number,
  now: Date,
): { records: RecordView[] } {
  const { settings, today } = garageToday(db, tenant, now)
  const car = carRef ? requireCar(db, tenant, carRef) : null
  const rows = (
    car
      ? db
          .query(
            'SELECT * FROM service_records WHERE tenant = ? AND car_id = ? ORDER BY done_on DESC, id DESC LIMIT ?',
          )
          .all(tenant, car.id, limit)
      : db
          .query('SELECT * FROM service_records WHERE tenant = ? ORDER BY done_on DESC, id DESC LIMIT ?')
          .all(tenant, limit)
  ) as RecordRow[]
  const cars = new Map<number, CarRow>()
  return {
    records: rows.map((r) => {
      let c = cars.get(r.car_id)
      if (!c) {
        c = db.query('SELECT * FROM cars WHERE tenant = ? AND id = ?').get(tenant, r.car_id) as CarRow
        cars.set(r.car_id, c)
      }
      return recordView(db, tenant, r, c, settings, today)
    }),
  }
}

function requireRecord(db: Database, tenant: string, id: number): { row: RecordRow; car: CarRow } {
  const row = db
    .query('SELECT * FROM service_records WHERE tenant = ? AND id = ?')
    .get(tenant, id) as RecordRow | null
  if (!row) throw notFound(`record: there is no service record #${id} in this garage (see /service list)`)
  const car = db.query('SELECT * FROM cars WHERE tenant = ? AND id = ?').get(tenant, row.car_id) as CarRow
  return { row, car }
}

/** One service record of this garage (another garage's id is not found, like a missing one). */
export function getRecord(db: Database, tenant: string, id: number, now: Date): RecordView {
  const { settings, today } = garageToday(db, tenant, now)
  const { row, car } = requireRecord(db, tenant, id)
  return recordView(db, tenant, row, car, settings, today)
}

/**
 * Gives a record that has no cost one (an accepted quote's amount, carried when the issue it
 * fixed is closed). A record that already has a cost keeps it: 409, nothing changed.
 */
export function setRecordCost(
  db: Database,
  tenant: string,
  id: number,
  cost: MoneyInput,
  now: Date,
): RecordView {
  return db.transaction(() => {
    const { settings, today } = garageToday(db, tenant, now)
    const { row, car } = requireRecord(db, tenant, id)
    if (row.cost_minor !== null && row.currency !== null)
      throw conflict(
        'has_cost',
        `cost: service record #${id} already has a cost (${formatMoney(row.cost_minor, row.currency)}); nothing changed`,
        'cost',
      )
    const money = toMinor('cost', cost, settings.currency)
    const updated = db
      .query(
        'UPDATE service_records SET cost_minor = ?, currency = ?, cost_text = ? WHERE tenant = ? AND id = ? RETURNING *',
      )
      .get(money.minor, settings.currency, money.text, tenant, id) as RecordRow
    return recordView(db, tenant, updated, car, settings, today)
  })()
}

/** Done (a button): a record of the item at the current odometer and today; the item moves on. */
export function markDone(
  db: Database,
  tenant: string,
  id: number,
  now: Date,
): { record: RecordView; item: ItemView; already: boolean } {
  return db.transaction(() => {
    const { item, car } = itemById(db, tenant, id)
    const { settings, today } = garageToday(db, tenant, now)
    const prior = db
      .query(
        `SELECT r.* FROM service_record_items ri JOIN service_records r ON r.id = ri.record_id
         WHERE ri.item_id = ? AND r.tenant = ? AND r.done_on = ? ORDER BY r.id DESC LIMIT 1`,
      )
      .get(item.id, tenant, today) as RecordRow | null
    if (prior) {
      // A second press (or a second person) the same day: already done, nothing new.
      return {
        record: recordView(db, tenant, prior, car, settings, today),
        item: view(item, car, carState(db, car.id, today), today, settings),
        already: true,
      }
    }
    const current = db
      .query('SELECT MAX(value) AS v FROM odometer_readings WHERE car_id = ?')
      .get(car.id) as { v: number | null }
    const record = insertRecord(
      db,
      tenant,
      { car, title: item.name, kind: 'service', items: [item], odometerValue: current.v },
      now,
    )
    const moved = db.query('SELECT * FROM maintenance_items WHERE id = ?').get(item.id) as ItemRow
    return { record, item: view(moved, car, carState(db, car.id, today), today, settings), already: false }
  })()
}

/** Log service (the form of a reminder): a record of that one item with cost, odometer and date. */
export function logItem(
  db: Database,
  tenant: string,
  id: number,
  body: ItemLog,
  now: Date,
): { record: RecordView; item: ItemView } {
  return db.transaction(() => {
    const { item, car } = itemById(db, tenant, id)
    const record = insertRecord(
      db,
      tenant,
      {
        car,
        title: item.name,
        kind: 'service',
        items: [item],
        cost: body.cost,
        odometer: body.odometer,
        date: body.date,
      },
      now,
    )
    const { settings, today } = garageToday(db, tenant, now)
    const moved = db.query('SELECT * FROM maintenance_items WHERE id = ?').get(item.id) as ItemRow
    return { record, item: view(moved, car, carState(db, car.id, today), today, settings) }
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
    const { item, car } = itemById(db, tenant, id)
    const { settings, today } = garageToday(db, tenant, now)
    const until = addDays(today, days)
    const row = db
      .query(
        'UPDATE maintenance_items SET snoozed_until = ?, check_on = ?, announced_level = 0 WHERE id = ? AND tenant = ? RETURNING *',
      )
      .get(until, until, item.id, tenant) as ItemRow
    return { item: view(row, car, carState(db, car.id, today), today, settings), until }
  })()
}

// ---------------------------------------------------------------------------------------------
// fuel

export type FillupView = {
  id: number
  car: string
  volume: string
  litres: number
  cost: string | null
  odometer: string | null
  full: boolean
  missed: boolean
  date: string
  /** Economy since the previous full fill-up ("34.1 mpg" / "6.9 L/100km"); null when it cannot be known. */
  economy: string | null
}

type FillupRow = {
  id: number
  car_id: number
  litres: number
  volume_text: string
  cost_minor: number | null
  currency: string | null
  cost_text: string | null
  odometer: number | null
  odometer_text: string | null
  full: number
  missed: number
  filled_on: string
}

function checkVolume(v: VolumeInput, settings: Settings): { litres: number; text: string } {
  if (!Number.isFinite(v.value) || v.value <= 0)
    throw badRequest('volume', `volume: must be more than 0 (got ${v.text ?? v.value})`)
  const unit = v.unit ?? (settings.units === 'imperial' ? 'gal' : 'L')
  const litres = v.value * LITRES[unit]
  if (litres > 5000) throw badRequest('volume', `volume: ${v.text ?? v.value} is more than a fill-up`)
  const typed = v.text?.trim()
  return { litres, text: typed && v.unit ? typed : `${v.value} ${unit}` }
}

/**
 * Economy per full fill-up: the distance since the previous full fill-up over the fuel put in
 * since then (partial fill-ups included). A missed fill-up in between, or a missing odometer,
 * leaves that stretch out, as a careful fuel log does.
 */
function economies(rows: FillupRow[]): Map<number, { distance: number; litres: number }> {
  const out = new Map<number, { distance: number; litres: number }>()
  const ordered = rows
    .filter((r) => r.odometer !== null)
    .sort((a, b) => a.odometer! - b.odometer! || a.id - b.id)
  let lastFull: FillupRow | null = null
  let litres = 0
  let broken = false
  for (const r of ordered) {
    if (r.missed) broken = true
    litres += r.litres
    if (!r.full) continue
    if (lastFull && !broken && r.odometer! > lastFull.odometer!)
      out.set(r.id, { distance: r.odometer! - lastFull.odometer!, litres })
    lastFull = r
    litres = 0
    broken = false
  }
  return out
}

function economyText(
  e: { distance: number; litres: number },
  carUnit: DistanceUnit,
  settings: Settings,
): string {
  if (settings.units === 'imperial') {
    const miles = convertDistance(e.distance, carUnit, 'mi')
    return `${(miles / (e.litres / LITRES.gal)).toFixed(1)} mpg`
  }
  const km = convertDistance(e.distance, carUnit, 'km')
  return `${((e.litres / km) * 100).toFixed(1)} L/100km`
}

function fillupView(
  r: FillupRow,
  car: CarRow,
  settings: Settings,
  eco: Map<number, { distance: number; litres: number }>,
): FillupView {
  const e = eco.get(r.id)
  return {
    id: r.id,
    car: car.nickname,
    volume: r.volume_text,
    litres: Math.round(r.litres * 1000) / 1000,
    cost: r.cost_minor === null || r.currency === null ? null : formatMoney(r.cost_minor, r.currency),
    odometer: r.odometer_text,
    full: r.full === 1,
    missed: r.missed === 1,
    date: r.filled_on,
    economy: e ? economyText(e, car.odometer_unit, settings) : null,
  }
}

export function addFillup(db: Database, tenant: string, body: FillupCreate, now: Date): FillupView {
  return db.transaction(() => {
    const { settings, today } = garageToday(db, tenant, now)
    const car = requireCar(db, tenant, body.car)
    const volume = checkVolume(body.volume, settings)
    const cost = body.cost === undefined ? null : toMinor('cost', body.cost, settings.currency)
    const date = body.date === undefined ? today : checkDate('date', body.date, today)
    let odometer: number | null = null
    let odometerText: string | null = null
    if (body.odometer) {
      const d = inCarUnit('odometer', body.odometer, car, settings)
      const r = addReading(
        db,
        tenant,
        car,
        { reading: body.odometer, date, source: 'fuel', confirm: body.confirm, field: 'odometer' },
        now,
      )
      odometer = r.reading.value
      odometerText = d.text
    }
    ensureTenant(db, tenant, now)
    const row = db
      .query(
        `INSERT INTO fuel_fillups (tenant, car_id, litres, volume_text, cost_minor, currency, cost_text, odometer, odometer_text, full, missed,
           filled_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(
        tenant,
        car.id,
        volume.litres,
        volume.text,
        cost?.minor ?? null,
        cost ? settings.currency : null,
        cost?.text ?? null,
        odometer,
        odometerText,
        body.full === false ? 0 : 1,
        body.missed === true ? 1 : 0,
        date,
        now.toISOString(),
      ) as FillupRow
    const all = db
      .query('SELECT * FROM fuel_fillups WHERE tenant = ? AND car_id = ?')
      .all(tenant, car.id) as FillupRow[]
    return fillupView(row, car, settings, economies(all))
  })()
}

export function listFillups(
  db: Database,
  tenant: string,
  carRef: string,
  limit: number,
): { fillups: FillupView[]; average: string | null; car: string } {
  const settings = getSettings(db, tenant)
  const car = requireCar(db, tenant, carRef)
  const all = db
    .query('SELECT * FROM fuel_fillups WHERE tenant = ? AND car_id = ?')
    .all(tenant, car.id) as FillupRow[]
  const eco = economies(all)
  let distance = 0
  let litres = 0
  for (const e of eco.values()) {
    distance += e.distance
    litres += e.litres
  }
  const recent = [...all]
    .sort((a, b) => (b.filled_on < a.filled_on ? -1 : b.filled_on > a.filled_on ? 1 : b.id - a.id))
    .slice(0, limit)
  return {
    car: car.nickname,
    fillups: recent.map((r) => fillupView(r, car, settings, eco)),
    average: litres > 0 ? economyText({ distance, litres }, car.odometer_unit, settings) : null,
  }
}

// ---------------------------------------------------------------------------------------------
// reminders: the claim

/** One reminder to post: what the tick needs to build the channel message with its buttons. */
export type Announcement = {
  id: number
  tenant: string
  channel: string
  item_id: number
  car: string
  item: string
  level: Level
  level_label: string
  due_text: string
  notes: string | null
}

type Candidate = ItemRow & {
  timezone: string
  reminder_channel: string | null
  reminder_hour: number
  g_urgent_days: number
  g_urgent_km: number
  g_very_urgent_days: number
  g_very_urgent_km: number
  nickname: string
  odometer_unit: DistanceUnit
}

/** The claim's candidate query; it must be served by `maintenance_items_check` (see bench/reminder-tick.ts). */
export const CLAIM_SQL = `SELECT i.*, t.timezone, t.reminder_channel, t.reminder_hour, t.urgent_days AS g_urgent_days, t.urgent_km AS g_urgent_km,
  t.very_urgent_days AS g_very_urgent_days, t.very_urgent_km AS g_very_urgent_km, c.nickname, c.odometer_unit
FROM maintenance_items i JOIN tenants t ON t.id = i.tenant JOIN cars c ON c.id = i.car_id
WHERE i.check_on IS NOT NULL AND i.check_on <= ?
ORDER BY i.check_on LIMIT ?`

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
    for (const c of candidates) {
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
          due_text: describeDue(dueOf(c), e, c.odometer_unit),
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
    const pending = db
      .query('SELECT * FROM announcements WHERE posted_at IS NULL ORDER BY id LIMIT ?')
      .all(limit) as {
      id: number
      tenant: string
      item_id: number
      level: number
      channel: string
      body: string
    }[]
    return {
      examined: candidates.length,
      announcements: pending.map((a) => {
        const body = JSON.parse(a.body) as {
          car: string
          item: string
          due_text: string
          notes: string | null
        }
        const level = LEVELS[a.level] ?? 'urgent'
        return {
          id: a.id,
          tenant: a.tenant,
          channel: a.channel,
          item_id: a.item_id,
          ...body,
          level,
          level_label: LEVEL_LABEL[level],
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
  if (Number.isNaN(d.getTime())) throw badRequest('at', `at: "${clip(at)}" is not an ISO instant`)
  return d
}
