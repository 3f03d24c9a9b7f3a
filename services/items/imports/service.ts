/**
 * Imports: a file's rows kept as a pending import (the preview), then stored in one transaction
 * (Import), or dropped (Cancel). Nothing is stored before Import. A row is known by its
 * fingerprint, car + kind + date + odometer + volume (fill-ups) or cost (the rest), so the same
 * file imported twice adds nothing and an overlapping one adds only its new rows. Imported rows
 * take the garage's next numbers and are ordinary fill-ups, records, readings and expenses; the
 * import remembers what it added, so it can be undone while none of it changed since.
 */
import type { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import { addDays, formatDate, isDate } from '../../../lib/domain/dates.ts'
import { EXPENSE_KINDS } from '../../../lib/domain/figures.ts'
import { formatIn } from '../../../lib/domain/numbers.ts'
import {
  carUnits,
  convertMeter,
  type DistanceUnit,
  distanceUnitOf,
  figuresUnit,
  type MeterUnit,
  toLitres,
  UNIT_SETS,
  type VolumeUnit,
} from '../../../lib/domain/units.ts'
import { badRequest, conflict, HttpError, notFound } from '../../lib/http.ts'
import { createCar } from '../cars/service.ts'
import { type ChangeActor, logChange, NOBODY, type Snapshot } from '../changes/log.ts'
import { dropCharge } from '../charging/service.ts'
import { dropExpense, syncRenewal } from '../expenses/service.ts'
import { dropFillup } from '../fuel/service.ts'
import { dropReading } from '../readings/correct.ts'
import { insertReading } from '../readings/service.ts'
import { dropRecord } from '../records/service.ts'
import { updateSettings } from '../settings/service.ts'
import { type CarRow, findCar } from '../shared/car.ts'
import { ensureTenant, garageAt } from '../shared/garage.ts'
import { nextNumber } from '../shared/numbers.ts'
import type {
  ImportItemInput,
  ImportKind,
  ImportResult,
  ImportRowInput,
  ImportSettingsInput,
  ImportUndone,
  PendingCreate,
  PendingView,
} from './model.ts'

/** How long a preview's Import button works. */
export const PENDING_HOURS = 24

const KINDS: ImportKind[] = ['fuel', 'service', 'repair', 'upgrade', 'reading', 'tax', 'charge']

type Units = { distance: MeterUnit | null; volume: VolumeUnit | null }
/**
 * A car of the file and the garage's car it goes to (`row`, null until a new one is made), in
 * the car's units (`distance`, `volume`); `source` the units its rows are in (null: the car's).
 */
type Target = {
  name: string
  nickname: string
  row: CarRow | null
  distance: MeterUnit
  volume: VolumeUnit
  source: Units
  create: 'metric' | 'imperial' | 'uk'
  /** A new car made on an hour meter. */
  hours: boolean
  /** A Car Manager export's fields of the car, given to the car the import makes. */
  fields: PendingCreate['cars'][number]['fields'] | null
}

/** A car's fingerprint part: the row's odometer in the car's unit, its volume in litres, its cost. */
const fingerprint = (
  carId: number | string,
  kind: ImportKind,
  date: string,
  odometer: number | null,
  amount: number | null,
) =>
  `${carId}|${kind}|${date}|${odometer === null ? '' : odometer.toFixed(1)}|${amount === null ? '' : amount.toFixed(2)}`

/** The fingerprints of what the garage's cars hold already. */
function knownPrints(db: Database, carIds: number[]): Set<string> {
  const known = new Set<string>()
  if (carIds.length === 0) return known
  const ids = carIds.join(',')
  for (const r of db
    .query(`SELECT car_id, filled_on, odometer, litres FROM fuel_fillups WHERE car_id IN (${ids})`)
    .all() as { car_id: number; filled_on: string; odometer: number | null; litres: number }[])
    known.add(fingerprint(r.car_id, 'fuel', r.filled_on, r.odometer, r.litres))
  for (const r of db
    .query(`SELECT car_id, kind, done_on, odometer, cost_minor FROM service_records WHERE car_id IN (${ids})`)
    .all() as {
    car_id: number
    kind: ImportKind
    done_on: string
    odometer: number | null
    cost_minor: number | null
  }[])
    known.add(fingerprint(r.car_id, r.kind, r.done_on, r.odometer, r.cost_minor))
  for (const r of db
    .query(
      `SELECT car_id, read_on, value FROM odometer_readings WHERE car_id IN (${ids}) AND source = 'reading'`,
    )
    .all() as { car_id: number; read_on: string; value: number }[])
    known.add(fingerprint(r.car_id, 'reading', r.read_on, r.value, null))
  for (const r of db
    .query(`SELECT car_id, paid_on, odometer, cost_minor FROM expenses WHERE car_id IN (${ids})`)
    .all() as { car_id: number; paid_on: string; odometer: number | null; cost_minor: number }[])
    known.add(fingerprint(r.car_id, 'tax', r.paid_on, r.odometer, r.cost_minor))
  for (const r of db
    .query(`SELECT car_id, charged_on, odometer, kwh FROM charges WHERE car_id IN (${ids})`)
    .all() as { car_id: number; charged_on: string; odometer: number | null; kwh: number }[])
    known.add(fingerprint(r.car_id, 'charge', r.charged_on, r.odometer, r.kwh))
  return known
}

/** The garage's car of each of the file's cars, or the new car it makes (in the file's units, else the garage's). */
function targets(db: Database, tenant: string, body: PendingCreate, units: 'metric' | 'imperial'): Target[] {
  // Two names of the file may make the same new car ("Golf" and "golf"): it is made once.
  const made = new Map<string, Target>()
  return body.cars.map((c) => {
    const hours = c.meter === 'hours'
    // an hour meter's rows are hours, whatever unit its odometer_unit column keeps
    const source: Units = hours ? { distance: 'h', volume: c.units?.volume ?? null } : (c.units ?? body.units)
    const existing = findCar(db, tenant, c.car ?? c.new_nickname ?? c.name)
    if (c.car !== undefined && !existing)
      throw notFound(`map: there is no car "${c.car}" in this garage (see /car list); nothing was imported`)
    if (existing && (existing.odometer_unit === 'h') !== hours)
      throw badRequest(
        'map',
        hours
          ? `map: "${c.name}" of the file runs on an hour meter and ${existing.nickname} counts distance; import it into an hour-meter car or a new one (map:"${c.name}=new"); nothing was imported`
          : `map: ${existing.nickname} runs on an hour meter and "${c.name}" of the file counts distance; import "${c.name}" into another car or a new one (map:"${c.name}=new"); nothing was imported`,
      )
    if (existing) {
      const u = carUnits(figuresUnit(existing.odometer_unit), existing.volume_unit, existing.economy_unit)
      return {
        name: c.name,
        nickname: existing.nickname,
        row: existing,
        distance: existing.odometer_unit === 'h' ? 'h' : u.distance,
        volume: u.volume,
        source,
        create: 'metric',
        hours,
        fields: null,
      }
    }
    const distance: DistanceUnit =
      source.distance === 'km' || source.distance === 'mi' ? source.distance : units === 'imperial' ? 'mi' : 'km'
    const create =
      c.create_units ?? (distance === 'km' ? 'metric' : source.volume === 'impgal' ? 'uk' : 'imperial')
    const volume = UNIT_SETS[create].volume
    const nickname = c.new_nickname ?? c.name
    const same = made.get(nickname.toLowerCase())
    if (same) return same
    const target: Target = {
      name: c.name,
      nickname,
      row: null,
      distance: hours ? 'h' : distance,
      volume,
      source,
      create,
      hours,
      fields: c.fields ?? null,
    }
    made.set(nickname.toLowerCase(), target)
    return target
  })
}

type Planned = { row: ImportRowInput; target: Target; print: string }

/**
 * Which rows are new, which known (the garage has them, or the file had them on an earlier line),
 * which refused (a date after tomorrow); in date order, so numbers follow the dates.
 */
type Reading = { read_on: string; value: number }
type History = { around: (date: string) => { before?: Reading; after?: Reading } }

/**
 * A car's readings in date order, asked for the highest on or before a date and the lowest after
 * it (a prefix maximum and a suffix minimum, found by binary search).
 */
function history(readings: Reading[]): History {
  const highest: Reading[] = []
  for (const r of readings)
    highest.push(highest.length && highest.at(-1)!.value > r.value ? highest.at(-1)! : r)
  const lowest: Reading[] = new Array(readings.length)
  for (let i = readings.length - 1; i >= 0; i--)
    lowest[i] =
      i + 1 < readings.length && lowest[i + 1]!.value < readings[i]!.value ? lowest[i + 1]! : readings[i]!
  return {
    around: (date) => {
      let lo = 0
      let hi = readings.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (readings[mid]!.read_on <= date) lo = mid + 1
        else hi = mid
      }
      return { before: highest[lo - 1], after: lowest[lo] }
    },
  }
}

function plan(db: Database, tenant: string, body: PendingCreate, now: Date) {
  const { garage, today, shown } = garageAt(db, tenant, now)
  const cars = targets(db, tenant, body, garage.units)
  const known = knownPrints(
    db,
    cars.flatMap((c) => (c.row ? [c.row.id] : [])),
  )
  const latest = addDays(today, 1)
  const label = (value: number, target: Target) => `${formatIn(value, shown.numbers, 1)} ${target.distance}`
  const day = (date: string) => formatDate(date, shown.dates)
  const histories = new Map<Target, History>()
  const historyOf = (target: Target): History => {
    let h = histories.get(target)
    if (!h) {
      h = history(
        target.row
          ? (db
              .query('SELECT read_on, value FROM odometer_readings WHERE car_id = ? ORDER BY read_on, value')
              .all(target.row.id) as Reading[])
          : [],
      )
      histories.set(target, h)
    }
    return h
  }
  /** The last odometer taken from the file for each car, in date order. */
  const lastOf = new Map<Target, { value: number; line: number }>()
  const contradiction = (target: Target, date: string, value: number): string | undefined => {
    const { before, after } = historyOf(target).around(date)
    if (before && before.value > value + 1e-6)
      return `odometer: ${label(value, target)} is lower than the garage's reading ${label(before.value, target)} of ${day(before.read_on)}`
    if (after && after.value < value - 1e-6)
      return `odometer: ${label(value, target)} is higher than the garage's later reading ${label(after.value, target)} of ${day(after.read_on)}`
    const last = lastOf.get(target)
    if (last && last.value > value + 1e-6)
      return `odometer: ${label(value, target)} is lower than ${label(last.value, target)} on line ${last.line}, an earlier date`
    return undefined
  }
  const fresh: Planned[] = []
  const refused: { line: number; why: string; file?: string }[] = []
  const settings = body.settings ? settingsFate(db, tenant, body.settings, now) : null
  // the garage's currency after Import: the file's when its settings are taken
  const currency = settings?.fate === 'apply' ? body.settings!.currency.trim().toUpperCase() : garage.currency
  const counts = new Map(KINDS.map((k) => [k, { kind: k, rows: 0, new: 0, known: 0 }]))
  // in date order; on one day by odometer (a meter only goes up; lines of a zip's files are not comparable)
  const rows = [...body.rows].sort((a, b) =>
    a.date < b.date
      ? -1
      : a.date > b.date
        ? 1
        : (a.odometer ?? -1) - (b.odometer ?? -1) || a.line - b.line,
  )
  for (const row of rows) {
    const target = cars[row.car]
    if (!target) throw notFound(`row of line ${row.line}: no car ${row.car} in the import`)
    if (!isDate(row.date) || row.date > latest) {
      refused.push({
        line: row.line,
        why: isDate(row.date)
          ? `date: ${row.date} is in the future`
          : `date: ${row.date} is no calendar date`,
      })
      continue
    }
    if (row.currency !== undefined && row.cost_minor !== null && row.currency !== currency) {
      refused.push({
        line: row.line,
        why: `cost: in ${row.currency}, but this garage keeps its money in ${currency}`,
        ...(row.file ? { file: row.file } : {}),
      })
      continue
    }
    const count = counts.get(row.kind)!
    count.rows++
    const odometer =
      row.odometer === null
        ? null
        : convertMeter(row.odometer, target.source.distance ?? target.distance, target.distance)
    const litres =
      row.volume === null || row.kind !== 'fuel' ? null : toLitres(row.volume, target.source.volume ?? target.volume)
    const amount =
      row.kind === 'fuel' ? litres : row.kind === 'charge' ? row.volume : row.kind === 'reading' ? null : row.cost_minor
    const print = fingerprint(
      target.row?.id ?? `new:${target.nickname}`,
      row.kind,
      row.date,
      odometer,
      amount,
    )
    if (known.has(print)) {
      count.known++
      continue
    }
    // An odometer is a reading of the car (an expense's or a charge's is not): it must fit the car's history.
    if (odometer !== null && row.kind !== 'tax' && row.kind !== 'charge') {
      const why = contradiction(target, row.date, odometer)
      if (why) {
        refused.push({ line: row.line, why })
        continue
      }
      lastOf.set(target, { value: odometer, line: row.line })
    }
    known.add(print)
    count.new++
    fresh.push({ row, target, print })
  }
  const items = { rows: 0, new: 0, known: 0 }
  const freshItems: { item: ImportItemInput; target: Target }[] = []
  const names = new Set<string>()
  for (const item of body.items ?? []) {
    const target = cars[item.car]
    if (!target) throw notFound(`item ${item.name}: no car ${item.car} in the import`)
    items.rows++
    const key = `${target.nickname.toLowerCase()}|${item.name.trim().toLowerCase()}`
    const has =
      target.row &&
      db
        .query('SELECT 1 FROM maintenance_items WHERE tenant = ? AND car_id = ? AND name_key = ?')
        .get(tenant, target.row.id, item.name.trim().toLowerCase())
    if (has || names.has(key)) {
      items.known++
      continue
    }
    names.add(key)
    items.new++
    freshItems.push({ item, target })
  }
  return {
    cars,
    fresh,
    refused,
    kinds: [...counts.values()].filter((c) => c.rows > 0),
    items,
    freshItems,
    settings,
  }
}

/**
 * The exported car's own fields on the car an import made: make, model, plate, purchase (when in
 * the garage's currency), its units of volume, economy and energy, what it runs on; it follows the
 * garage's units as in the export only when the garage counts the same distance.
 */
function giveFields(
  db: Database,
  car: CarRow,
  f: NonNullable<Target['fields']>,
  garage: { units: 'metric' | 'imperial'; currency: string },
) {
  const price = f.purchase_price_minor !== null && f.purchase_currency === garage.currency
  const followsGarage =
    f.units_from_garage && car.odometer_unit !== 'h' && distanceUnitOf(garage.units) === car.odometer_unit
  db.query(
    `UPDATE cars SET make = ?, model = ?, year = ?, plate = ?, vin = ?, purchase_date = ?, purchase_price_minor = ?,
       purchase_currency = ?, purchase_price_text = ?, volume_unit = coalesce(?, volume_unit),
       economy_unit = coalesce(?, economy_unit), energy_unit = ?, powertrain = ?, fuels = ?, units_from_garage = ?
     WHERE id = ? AND tenant = ?`,
  ).run(
    f.make,
    f.model,
    f.year,
    f.plate,
    f.vin,
    f.purchase_date,
    price ? f.purchase_price_minor : null,
    price ? f.purchase_currency : null,
    price ? f.purchase_price_text : null,
    f.volume_unit,
    f.economy_unit,
    f.energy_unit,
    f.powertrain,
    f.fuels,
    followsGarage || (f.units_from_garage && car.odometer_unit === 'h') ? 1 : 0,
    car.id,
    car.tenant,
  )
  // its money only in the garage's currency (an amount is never relabelled)
  const mine = (currency: string | null) => currency === garage.currency
  const a = f.archived
  if (a)
    db.query(
      `UPDATE cars SET archived_on = ?, archived_price_minor = ?, archived_currency = ?, archived_odometer = ?,
         archived_odometer_text = ? WHERE id = ? AND tenant = ?`,
    ).run(
      a.on,
      mine(a.currency) ? a.price_minor : null,
      mine(a.currency) ? a.currency : null,
      a.odometer,
      a.odometer === null ? null : a.odometer_text,
      car.id,
      car.tenant,
    )
  if (f.loan && mine(f.loan.currency))
    db.query(
      `UPDATE cars SET loan_minor = ?, loan_currency = ?, loan_text = ?, loan_rate = ?, loan_months = ?, loan_start = ?
       WHERE id = ? AND tenant = ?`,
    ).run(f.loan.minor, f.loan.currency, f.loan.text, f.loan.rate, f.loan.months, f.loan.start, car.id, car.tenant)
  if (f.value && mine(f.value.currency))
    db.query('UPDATE cars SET value_minor = ?, value_currency = ?, value_text = ? , value_on = ? WHERE id = ? AND tenant = ?').run(
      f.value.minor,
      f.value.currency,
      f.value.text,
      f.value.on,
      car.id,
      car.tenant,
    )
}

/** Stops a trial in a savepoint, so that what it wrote is rolled back. */
class Trial extends Error {}

/**
 * Whether the file's settings become the garage's: only when it has none of its own yet (nothing
 * stored: an empty garage) and they can be stored as they are (the currency of the
 * amounts it keeps already, a known timezone); tried in a savepoint and rolled back.
 */
function settingsFate(
  db: Database,
  tenant: string,
  settings: ImportSettingsInput,
  now: Date,
): { fate: 'apply' | 'kept'; why: string | null } {
  // a garage that wrote anything has its settings stored: they are its own (/garage settings may have set the defaults)
  const own = db.query('SELECT 1 FROM tenants WHERE id = ?').get(tenant)
  if (own) return { fate: 'kept', why: null }
  try {
    db.transaction(() => {
      applySettings(db, tenant, settings, now, NOBODY)
      throw new Trial()
    })()
  } catch (error) {
    if (error instanceof Trial) return { fate: 'apply', why: null }
    if (error instanceof HttpError) return { fate: 'kept', why: error.message }
    throw error
  }
  return { fate: 'apply', why: null }
}

/** The file's settings as the garage's (the reminder channel stays the garage's own); one change in its history. */
function applySettings(db: Database, tenant: string, s: ImportSettingsInput, now: Date, actor: ChangeActor) {
  ensureTenant(db, tenant, now)
  // thresholds as the export keeps them (days and km, with their text), before the rest, which follows them
  db.query(
    `UPDATE tenants SET urgent_days = ?, urgent_km = ?, urgent_text = ?, very_urgent_days = ?, very_urgent_km = ?,
       very_urgent_text = ? WHERE id = ?`,
  ).run(s.urgent.days, s.urgent.km, s.urgent.text, s.very_urgent.days, s.very_urgent.km, s.very_urgent.text, tenant)
  updateSettings(
    db,
    tenant,
    {
      units: s.units,
      numbers: s.numbers,
      dates: s.dates,
      currency: s.currency,
      timezone: s.timezone,
      reminder_hour: s.reminder_hour,
      digest: s.digest,
    },
    now,
    actor,
  )
}

function dropExpired(db: Database, now: Date) {
  db.query('DELETE FROM pending_imports WHERE expires_at < ?').run(now.toISOString())
}

/** Keeps a file's rows as a pending import and answers what Import would do; stores no record. */
export function createPending(
  db: Database,
  tenant: string,
  body: PendingCreate,
  now: Date,
  actor: ChangeActor,
): PendingView {
  return db.transaction(() => {
    dropExpired(db, now)
    const p = plan(db, tenant, body, now)
    const id = randomBytes(12).toString('hex')
    const expires = new Date(now.getTime() + PENDING_HOURS * 3600_000).toISOString()
    db.query(
      'INSERT INTO pending_imports (id, tenant, actor_id, created_at, expires_at, body) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(id, tenant, actor.id, now.toISOString(), expires, JSON.stringify(body))
    return {
      id,
      expires_at: expires,
      kinds: p.kinds,
      cars: p.cars.map((c) => ({
        name: c.name,
        nickname: c.nickname,
        new: c.row === null,
        distance: c.distance,
        volume: c.volume,
      })),
      refused: p.refused,
      items: p.items,
      settings: p.settings,
    }
  })()
}

function waiting(db: Database, tenant: string, id: string, now: Date): PendingCreate {
  const row = db
    .query('SELECT body, expires_at FROM pending_imports WHERE id = ? AND tenant = ?')
    .get(id, tenant) as { body: string; expires_at: string } | null
  if (!row || row.expires_at < now.toISOString())
    throw notFound(
      'This import is no longer waiting: it was imported or cancelled already, or its preview is older than a day. Run /garage import again; a file imported before adds nothing twice.',
    )
  return JSON.parse(row.body) as PendingCreate
}

function takePending(db: Database, tenant: string, id: string, now: Date): PendingCreate {
  const body = waiting(db, tenant, id, now)
  db.query('DELETE FROM pending_imports WHERE id = ?').run(id)
  return body
}

/** Where a waiting import's file is kept and the options it was read with; 404 without one. */
export function pendingSource(db: Database, tenant: string, id: string, now: Date) {
  const body = waiting(db, tenant, id, now)
  if (!body.source) throw notFound('This preview kept no copy of its file; run /garage import again with map:')
  return { file: body.file, source: body.source }
}

export function cancelPending(db: Database, tenant: string, id: string, now: Date): { cancelled: boolean } {
  return db.transaction(() => {
    takePending(db, tenant, id, now)
    return { cancelled: true }
  })()
}

/**
 * Stores a pending import in one transaction: new cars, then each new row with the garage's next
 * number; a failure leaves the garage as it was. Rows that became known since the preview (an
 * import of the same file finished first) are skipped again.
 */
export function commitPending(
  db: Database,
  tenant: string,
  id: string,
  now: Date,
  actor: ChangeActor,
): ImportResult {
  return db.transaction(() => {
    const body = takePending(db, tenant, id, now)
    // the file's settings first (a garage with none of its own): the rows' money is then in its currency
    const fate = body.settings ? settingsFate(db, tenant, body.settings, now) : null
    if (fate?.fate === 'apply') applySettings(db, tenant, body.settings!, now, actor)
    const { garage, shown } = garageAt(db, tenant, now)
    // applied, they are the garage's own: the rows are planned in its currency
    // Texts are written the garage's way (a typed value keeps its text; an imported one has none).
    const num = (v: number) => formatIn(v, shown.numbers, 3)
    ensureTenant(db, tenant, now)
    const p = plan(db, tenant, body, now)
    const created: string[] = []
    for (const c of p.cars) {
      if (c.row) continue
      createCar(db, tenant, { nickname: c.nickname, units: c.create, ...(c.hours ? { meter: 'hours' as const } : {}) }, now)
      c.row = findCar(db, tenant, c.nickname)!
      if (c.fields) giveFields(db, c.row, c.fields, garage)
      c.row = findCar(db, tenant, c.nickname)!
      created.push(c.nickname)
    }
    const added = {
      fuel: [] as number[],
      service: [] as number[],
      reading: [] as number[],
      tax: [] as number[],
      charge: [] as number[],
    }
    const renewing = new Map<string, { car: number; kind: string }>()
    /** The items each new service record did, linked once the items are there. */
    const did: { record: number; car: number; names: string[] }[] = []
    const at = now.toISOString()
    const nextRecordId = db.query(
      `INSERT INTO record_counters (tenant, kind, last) VALUES ('', 'service_id', (SELECT coalesce(max(id), 0) + 1 FROM service_records))
       ON CONFLICT (tenant, kind) DO UPDATE SET last = max(last + 1, excluded.last) RETURNING last`,
    )
    const insertFillup = db.query(
      `INSERT INTO fuel_fillups (tenant, car_id, litres, volume_text, cost_minor, currency, cost_text, odometer, odometer_text, full, missed,
         filled_on, created_at, number, reading_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const insertRecord = db.query(
      `INSERT INTO service_records (id, tenant, car_id, title, kind, cost_minor, currency, cost_text, odometer, odometer_text, done_on, notes,
         created_at, reading_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const insertCharge = db.query(
      `INSERT INTO charges (tenant, number, car_id, kwh, energy_text, cost_minor, currency, cost_text, odometer, odometer_text, place,
         charged_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const insertExpense = db.query(
      `INSERT INTO expenses (tenant, number, car_id, kind, cost_minor, currency, cost_text, paid_on, odometer, odometer_text, notes,
         every_months, every_text, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    for (const { row, target } of p.fresh) {
      const car = target.row!
      const distance = target.source.distance ?? car.odometer_unit
      const reading = (source: 'fuel' | 'service' | 'reading') =>
        row.odometer === null
          ? null
          : insertReading(
              db,
              car,
              { value: row.odometer, unit: distance, text: `${num(row.odometer)} ${distance}` },
              source,
              row.date,
              now,
            )
      const cost = row.cost_minor === null ? null : row.cost_minor
      const currency = cost === null ? null : garage.currency
      const costText = cost === null ? null : (row.cost_text ?? null)
      if (row.kind === 'fuel') {
        const volumeUnit = target.source.volume ?? target.volume
        const r = reading('fuel')
        const number = nextNumber(db, tenant, 'fuel')
        insertFillup.run(
          tenant,
          car.id,
          toLitres(row.volume!, volumeUnit),
          `${num(row.volume!)} ${volumeUnit}`,
          cost,
          currency,
          costText,
          r?.value ?? null,
          r?.text ?? null,
          row.full ? 1 : 0,
          row.missed ? 1 : 0,
          row.date,
          at,
          number,
          r?.id ?? null,
        )
        added.fuel.push(number)
      } else if (row.kind === 'reading') {
        const n = nextNumber(db, tenant, 'reading')
        insertReading(
          db,
          car,
          { value: row.odometer!, unit: distance, text: `${num(row.odometer!)} ${distance}` },
          'reading',
          row.date,
          now,
          n,
        )
        added.reading.push(n)
      } else if (row.kind === 'charge') {
        const number = nextNumber(db, tenant, 'charge')
        // as an expense's, a charge's odometer is kept with it and is not one of the car's readings
        const odometer =
          row.odometer === null ? null : convertMeter(row.odometer, distance, car.odometer_unit)
        const place = ['home', 'public', 'fast'].includes(row.title ?? '') ? row.title : null
        insertCharge.run(
          tenant,
          number,
          car.id,
          row.volume!,
          `${num(row.volume!)} kWh`,
          cost,
          currency,
          costText,
          odometer,
          odometer === null ? null : `${num(row.odometer!)} ${distance}`,
          place,
          row.date,
          at,
        )
        added.charge.push(number)
      } else if (row.kind === 'tax') {
        const number = nextNumber(db, tenant, 'expense')
        const odometer =
          row.odometer === null ? null : convertMeter(row.odometer, distance, car.odometer_unit)
        // LubeLogger's taxes are any cost (Car Manager's export writes its kind as the description).
        const kind =
          (EXPENSE_KINDS as readonly string[]).find((k) => k === row.title?.trim().toLowerCase()) ?? 'tax'
        insertExpense.run(
          tenant,
          number,
          car.id,
          kind,
          cost,
          currency,
          costText ?? String(cost),
          row.date,
          odometer,
          odometer === null ? null : `${num(row.odometer!)} ${distance}`,
          (kind === row.title?.trim().toLowerCase() ? [row.notes] : [row.title, row.notes])
            .filter(Boolean)
            .join('; ') || null,
          row.every?.months ?? null,
          row.every?.text ?? null,
          at,
        )
        if (row.every) renewing.set(`${car.id}|${kind}`, { car: car.id, kind })
        added.tax.push(number)
      } else {
        const r = reading('service')
        const { last: recordId } = nextRecordId.get() as { last: number }
        insertRecord.run(
          recordId,
          tenant,
          car.id,
          row.title ?? row.kind,
          row.kind,
          cost,
          currency,
          costText,
          r?.value ?? null,
          r?.text ?? null,
          row.date,
          row.notes,
          at,
          r?.id ?? null,
        )
        added.service.push(recordId)
        if (row.items?.length) did.push({ record: recordId, car: car.id, names: row.items })
      }
    }
    const items: number[] = []
    const insertItem = db.query(
      `INSERT INTO maintenance_items (tenant, car_id, name, name_key, months, distance, distance_text, fixed, last_date,
         last_odometer, due_date, due_odometer, notes, urgent_days, urgent_km, urgent_text, very_urgent_days,
         very_urgent_km, very_urgent_text, snoozed_until, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    for (const { item, target } of p.freshItems) {
      const car = target.row!
      // the item's distances are in its car's meter unit in the file; the car here may count in another
      const meter = (v: number | null) =>
        v === null ? null : convertMeter(v, target.source.distance ?? target.distance, car.odometer_unit)
      const distance = meter(item.distance)
      const name = item.name.trim()
      const { id } = insertItem.get(
        tenant,
        car.id,
        name,
        name.toLowerCase(),
        item.months,
        distance,
        distance === null ? null : (item.distance_text ?? `${num(distance)} ${car.odometer_unit}`),
        item.fixed ? 1 : 0,
        item.last_date,
        meter(item.last_odometer),
        item.due_date,
        meter(item.due_odometer),
        item.notes,
        item.urgent?.days ?? null,
        item.urgent?.km ?? null,
        item.urgent?.text ?? null,
        item.very_urgent?.days ?? null,
        item.very_urgent?.km ?? null,
        item.very_urgent?.text ?? null,
        item.snoozed_until,
        at,
      ) as { id: number }
      items.push(id)
    }
    const link = db.query(
      `INSERT OR IGNORE INTO service_record_items (record_id, item_id)
       SELECT ?, id FROM maintenance_items WHERE tenant = ? AND car_id = ? AND name_key = ?`,
    )
    for (const d of did) for (const name of d.names) link.run(d.record, tenant, d.car, name.trim().toLowerCase())
    // A recurring expense's renewal follows the latest of its car and kind, as when one is logged.
    for (const r of renewing.values()) syncRenewal(db, tenant, r.car, r.kind)
    // The file's drivers of each car; those the car has already are left as they are.
    const drivers: [number, string][] = []
    for (const d of body.drivers ?? []) {
      const car = p.cars[d.car]?.row
      if (!car) continue
      const put = db
        .query(
          `INSERT INTO car_drivers (tenant, car_id, user_id, name, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (car_id, user_id) DO NOTHING`,
        )
        .run(tenant, car.id, d.user_id, d.name, actor.name, at)
      if (put.changes > 0) drivers.push([car.id, d.user_id])
    }
    const { number } = db
      .query(
        `INSERT INTO imports (tenant, number, actor_id, actor_name, at, file, format, added)
         VALUES (?1, (SELECT IFNULL(MAX(number), 0) + 1 FROM imports WHERE tenant = ?1), ?, ?, ?, ?, ?, ?) RETURNING number`,
      )
      .get(tenant, actor.id, actor.name, at, body.file, body.format, JSON.stringify({ ...added, drivers, items, ...(body.carry ? { carried: true } : {}) })) as {
      number: number
    }
    const numbers = (
      [
        ['fuel', added.fuel],
        ['service', added.service],
        ['reading', added.reading],
        ['tax', added.tax],
        ['charge', added.charge],
      ] as const
    ).flatMap(([kind, list]) =>
      list.length ? [{ kind, first: Math.min(...list), last: Math.max(...list) }] : [],
    )
    // One change of the garage's history for the whole import (/garage history, /garage undo).
    logChange(
      db,
      tenant,
      actor,
      { kind: 'import', action: 'add', ref: number, before: null, after: importSnapshot(db, tenant, number) },
      now,
    )
    return {
      import: number,
      kinds: p.kinds,
      cars_created: created,
      numbers,
      items: p.items,
      settings_applied: fate?.fate === 'apply',
      cars: p.cars.map((c) => ({ name: c.name, nickname: c.row!.nickname, id: c.row!.id })),
      carry: body.carry ?? null,
    }
  })()
}

/** Import #N as its change in the history shows it (file, format, rows added); null once undone. */
export function importSnapshot(db: Database, tenant: string, number: number): Snapshot | null {
  const imp = db
    .query('SELECT number, file, format, added, undone_at FROM imports WHERE tenant = ? AND number = ?')
    .get(tenant, number) as { number: number; file: string; format: string; added: string; undone_at: string | null } | null
  if (!imp || imp.undone_at) return null
  const added = JSON.parse(imp.added) as Added
  const rows =
    added.fuel.length + added.service.length + added.reading.length + added.tax.length + (added.charge?.length ?? 0)
  // `carried`: the issues, quotes and photos it brought into their services (a Car Manager export's), which
  // the worker takes back there when the import is undone.
  const carried = added.carried ? 'issues, quotes and photos' : null
  return { row: { id: imp.number, car_id: null, file: imp.file, format: imp.format, rows, carried }, reading: null }
}

/** What an import added; `charge` absent in imports from before charges were imported. */
type Added = {
  fuel: number[]
  service: number[]
  reading: number[]
  tax: number[]
  charge?: number[]
  /** [car id, user id] of the drivers it made. */
  drivers?: [number, string][]
  /** Ids of the maintenance items it made. */
  items?: number[]
  /** It also brought issues, quotes or photos into their own services. */
  carried?: true
}

/**
 * Removes what import #N added, if none of it was changed since (an edit or removal is in the
 * change log under the record's number); the cars it made stay. Its change in the history is
 * marked undone by an undo change of `actor`. (/garage undo of the import's change comes here
 * through removeImport.)
 */
export function undoImport(
  db: Database,
  tenant: string,
  number: number,
  now: Date,
  actor: ChangeActor,
): ImportUndone {
  return db.transaction(() => {
    const before = importSnapshot(db, tenant, number)
    const done = removeImport(db, tenant, number, now)
    const change = db
      .query(
        `SELECT id FROM changes WHERE tenant = ? AND kind = 'import' AND ref = ? AND action = 'add' AND undone_by IS NULL`,
      )
      .get(tenant, number) as { id: number } | null
    if (change) {
      const undo = logChange(
        db,
        tenant,
        actor,
        { kind: 'import', action: 'undo', ref: number, before, after: null, undoes: change.id },
        now,
      )
      db.query('UPDATE changes SET undone_by = ? WHERE id = ?').run(undo, change.id)
    }
    return done
  })()
}

/** Removes what import #N added, in the caller's transaction; refused (nothing changed) as undoImport says. */
export function removeImport(db: Database, tenant: string, number: number, now: Date): ImportUndone {
  const imp = db.query('SELECT * FROM imports WHERE tenant = ? AND number = ?').get(tenant, number) as {
    id: number
    at: string
    file: string
    added: string
    undone_at: string | null
  } | null
  if (!imp) throw notFound(`there is no import #${number} in this garage`)
  if (imp.undone_at)
    throw conflict('already_undone', `import #${number} (${imp.file}) was undone already; nothing changed`)
  const added = JSON.parse(imp.added) as Added
  const lists: [string, string, number[]][] = [
    ['fuel', 'fill-up', added.fuel],
    ['service', 'service record', added.service],
    ['reading', 'odometer reading', added.reading],
    ['expense', 'expense', added.tax],
    ['charge', 'charge', added.charge ?? []],
  ]
  for (const [kind, noun, refs] of lists) {
    if (refs.length === 0) continue
    const changed = db
      .query(
        `SELECT ref, id FROM changes WHERE tenant = ? AND kind = ? AND ref IN (${refs.join(',')}) AND at >= ? ORDER BY id LIMIT 1`,
      )
      .get(tenant, kind, imp.at) as { ref: number; id: number } | null
    if (changed)
      throw conflict(
        'changed_since',
        `import #${number} cannot be undone: ${noun} #${changed.ref} it added was changed since (change #${changed.id}). Nothing changed`,
      )
  }
  for (const n of added.fuel) dropFillup(db, tenant, n)
  for (const id of added.service) dropRecord(db, tenant, id)
  for (const n of added.reading) dropReading(db, tenant, n)
  for (const n of added.tax) dropExpense(db, tenant, n)
  for (const n of added.charge ?? []) dropCharge(db, tenant, n)
  // an item it made that a service record has done since (not one of its own records) is the garage's now
  const items = added.items ?? []
  if (items.length) {
    const done = db
      .query(
        `SELECT m.name FROM service_record_items s JOIN maintenance_items m ON m.id = s.item_id
         WHERE m.tenant = ? AND s.item_id IN (${items.join(',')})${added.service.length ? ` AND s.record_id NOT IN (${added.service.join(',')})` : ''} LIMIT 1`,
      )
      .get(tenant) as { name: string } | null
    if (done)
      throw conflict(
        'changed_since',
        `import #${number} cannot be undone: the maintenance item ${done.name} it added was done since. Nothing changed`,
      )
  }
  const removedItems = items.length
    ? db.query(`DELETE FROM maintenance_items WHERE tenant = ? AND id IN (${items.join(',')})`).run(tenant).changes
    : 0
  for (const [car, user] of added.drivers ?? [])
    db.query('DELETE FROM car_drivers WHERE tenant = ? AND car_id = ? AND user_id = ?').run(tenant, car, user)
  db.query('UPDATE imports SET undone_at = ? WHERE id = ?').run(now.toISOString(), imp.id)
  const removed =
    added.fuel.length +
    added.service.length +
    added.reading.length +
    added.tax.length +
    (added.charge?.length ?? 0) +
    removedItems
  return { import: number, removed, file: imp.file, carried: added.carried === true }
}
