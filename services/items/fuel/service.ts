/**
 * Fuel fill-ups and the economy between full ones. Volumes are stored in litres with their
 * typed text; the conversions are lib/domain/units.ts.
 */
import type { Database } from 'bun:sqlite'
import { withAuthors } from '../drivers/authors.ts'
import { checkDate } from '../../../lib/domain/dates.ts'
import { FUEL_LABEL, FUEL_TYPES, type FuelType, fuelSegments, readFuel, readTank, type Tank, TANK_LABEL, tankOf } from '../../../lib/domain/figures.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import { clip, formatNumber } from '../../../lib/domain/text.ts'
import { carUnits, economyUnitFor, figuresUnit, fromKmPerLitre, fromLitres, toKm, toLitres, type VolumeUnit } from '../../../lib/domain/units.ts'
import { badRequest, conflict, notFound } from '../../lib/http.ts'
import { addReading } from '../readings/service.ts'
import { type CarRow, carById, requireCar, requireInUse } from '../shared/car.ts'
import { ensureTenant, garageAt, garageShown } from '../shared/garage.ts'
import { nextPage, type Page } from '../shared/model.ts'
import { costAndOdometer, type LoggedColumns, loggedColumns } from '../shared/logged.ts'
import { typedMoney } from '../shared/money.ts'
import { nextNumber } from '../shared/numbers.ts'
import { checkText } from '../shared/text.ts'
import { priceText, readUnitPrice, settleCost } from './price.ts'
import {
  type ChangeActor,
  removedNote,
  logChange,
  NOBODY,
  readingSnapshot,
  restoreReading,
  type Snapshot,
} from '../changes/log.ts'
import type { FillupChanges, FillupCreate, FillupRemoved, FillupView, VolumeInput } from './model.ts'

type FillupRow = LoggedColumns & {
  id: number
  car_id: number
  litres: number
  volume_text: string
  full: number
  missed: number
  filled_on: string
  created_at: string
  number: number
  reading_id: number | null
  fuel: FuelType | null
  station: string | null
  price_minor: number | null
  price_unit: VolumeUnit | null
  price_text: string | null
}

type Stretch = { km: number; litres: number }

/** What a car says it runs on (migration 13): its tanks ("lpg,petrol") and powertrain; NULL when not said. */
export type CarPowers = { fuels: string | null; powertrain: 'combustion' | 'hybrid' | 'phev' | 'ev' | null }
export const powersOf = (car: CarRow) => car as CarRow & CarPowers

/** The fuel typed, or a refusal that lists the fuels. */
export function checkFuel(value: string): FuelType {
  const fuel = readFuel(value)
  if (fuel) return fuel
  throw badRequest('fuel', `fuel: "${clip(value, 40)}" is not a fuel; fuels: ${FUEL_TYPES.join(', ')}`)
}

/** The tanks a car's `fuels` names, in the order given ("lpg,petrol"). */
export function carTanks(car: CarRow): Tank[] {
  const fuels = powersOf(car).fuels
  return fuels ? (fuels.split(',').map((f) => readTank(f)).filter(Boolean) as Tank[]) : []
}

/**
 * The tank a fill-up's fuel goes into; one logged without its fuel goes into the car's main
 * tank: the first of its `fuels`, else that of its first fill-up that said its fuel. Null: AdBlue.
 */
function tanksOf(rows: FillupRow[], car: CarRow): (r: FillupRow) => Tank | '' | null {
  const first = [...rows]
    .sort((a, b) => (a.filled_on < b.filled_on ? -1 : a.filled_on > b.filled_on ? 1 : a.number - b.number))
    .find((r) => r.fuel && tankOf(r.fuel))
  const main: Tank | '' = carTanks(car)[0] ?? (first?.fuel ? tankOf(first.fuel)! : '')
  return (r) => (r.fuel ? tankOf(r.fuel) : main)
}

/**
 * The largest fill-up taken without confirm:yes, in litres: more than a car's tank (cars carry no
 * tank size yet; when they do, theirs replaces this) is more likely a misread number.
 */
export const PLAUSIBLE_FILLUP_LITRES = 150

function checkVolume(
  v: VolumeInput,
  carUnit: VolumeUnit,
  confirm: boolean,
  numbers: NumberFormat,
): { litres: number; text: string } {
  const value = formatNumber(v.value, 3, 0, numbers)
  if (!Number.isFinite(v.value) || v.value <= 0)
    throw badRequest('volume', `volume: must be more than 0 (got ${v.text ?? value})`)
  const unit = v.unit ?? carUnit
  const litres = toLitres(v.value, unit)
  if (litres > 5000) throw badRequest('volume', `volume: ${v.text ?? value} is more than a fill-up`)
  if (litres > PLAUSIBLE_FILLUP_LITRES && !confirm) {
    const typed = v.text?.trim() || `${value} ${unit}`
    const inLitres = unit === 'L' ? '' : ` (${formatNumber(litres, 1, 0, numbers)} L)`
    throw conflict(
      'confirm_volume',
      `volume: ${typed}${inLitres} is more than a fill-up of ${PLAUSIBLE_FILLUP_LITRES} L; add confirm:yes if it is right`,
      'volume',
    )
  }
  const typed = v.text?.trim()
  return { litres, text: typed && v.unit ? typed : `${value} ${unit}` }
}

/**
 * Economy per full fill-up, from lib/domain/figures.ts `fuelSegments` (the one computation
 * `/car stats` and `/calc` use too): the distance since the previous full fill-up over the fuel
 * put in since then, partial fill-ups with or without their odometer included. A missed
 * fill-up, or a full one without its odometer, leaves that stretch out. Each tank chains its own
 * fill-ups (a dual-fuel car's LPG and petrol); AdBlue is in none.
 */
function economies(rows: FillupRow[], car: CarRow) {
  const carUnit = figuresUnit(car.odometer_unit)
  const tank = tanksOf(rows, car)
  const { entries, total, tanks } = fuelSegments(
    rows.filter((r) => tank(r) !== null).map((r) => ({
      id: r.id,
      logged: r.number,
      date: r.filled_on,
      odometerKm: r.odometer === null ? null : toKm(r.odometer, carUnit),
      litres: r.litres,
      full: r.full === 1,
      missed: r.missed === 1,
      tank: tank(r) ?? '',
    })),
  )
  const byId = new Map<number, Stretch>()
  for (const e of entries) if (e.segment) byId.set(e.fillUp.id, { km: e.segment.km, litres: e.segment.litres })
  return { byId, total, tanks, tank }
}

/** The average economy: one figure, or one per tank on a car that fills two ("8.0 L/100km petrol · 11.2 L/100km LPG"). */
function averageText(eco: ReturnType<typeof economies>, car: CarRow, numbers: NumberFormat): string | null {
  if (!eco.total) return null
  if (eco.tanks.size < 2) return economyText(eco.total, car, numbers)
  return [...eco.tanks]
    .map(([tank, e]) => `${economyText(e, car, numbers)} ${tank ? TANK_LABEL[tank as Tank] : ''}`.trim())
    .join(' · ')
}

/** In the car's economy unit and the garage's number format: "30.0 mpg", "6.9 L/100km" ("6,9 L/100km"), "36.0 mpg (UK)". */
function economyText(e: Stretch, car: CarRow, numbers: NumberFormat): string {
  const units = carUnits(figuresUnit(car.odometer_unit), car.volume_unit, car.economy_unit)
  // an hour-meter car's stretches are in hours: fuel per hour ("4.2 L/h")
  if (car.odometer_unit === 'h')
    return `${formatNumber(fromLitres(e.litres / e.km, units.volume), 1, 1, numbers)} ${units.volume === 'impgal' ? 'gal (UK)' : units.volume}/h`
  const unit = units.economy
  return `${formatNumber(fromKmPerLitre(e.km / e.litres, unit), 1, 1, numbers)} ${unit === 'impmpg' ? 'mpg (UK)' : unit}`
}

function fillupView(r: FillupRow, car: CarRow, eco: ReturnType<typeof economies>, numbers: NumberFormat): FillupView {
  const e = eco.byId.get(r.id)
  return {
    id: r.id,
    number: r.number,
    car: car.nickname,
    volume: r.volume_text,
    litres: Math.round(r.litres * 1000) / 1000,
    ...costAndOdometer(r, car.odometer_unit, numbers),
    full: r.full === 1,
    missed: r.missed === 1,
    date: r.filled_on,
    economy: e ? economyText(e, car, numbers) : null,
    fuel: r.fuel ? FUEL_LABEL[r.fuel] : null,
    fuel_type: r.fuel,
    tank: eco.tank(r),
    station: r.station,
    price:
      r.price_minor === null || r.price_unit === null || r.currency === null
        ? null
        : priceText(r.price_minor, r.price_unit, r.currency, numbers),
  }
}

const fillupsOf = (db: Database, tenant: string, carId: number) =>
  db.query('SELECT * FROM fuel_fillups WHERE tenant = ? AND car_id = ?').all(tenant, carId) as FillupRow[]

/** Removes the reading a fill-up or record made, if it is still there (a correction may have removed it). */
export function dropMadeReading(db: Database, carId: number, readingId: number | null, source: string, on: string) {
  if (readingId === null) return
  db.query('DELETE FROM odometer_readings WHERE id = ? AND car_id = ? AND source = ? AND read_on = ?').run(
    readingId,
    carId,
    source,
    on,
  )
}

type FillupFields = FillupChanges & { car: string }

/** Stores a fill-up with the given number (a new one, or the one an edit keeps); call in a transaction. */
function storeFillup(
  db: Database,
  tenant: string,
  body: FillupFields,
  now: Date,
  number: number | null,
  kept?: FillupRow,
): FillupView {
  const { garage, today, shown } = garageAt(db, tenant, now)
  let car = requireCar(db, tenant, body.car)
  const volume = body.volume
    ? checkVolume(
        body.volume,
        carUnits(figuresUnit(car.odometer_unit), car.volume_unit, car.economy_unit).volume,
        body.confirm === true,
        shown.numbers,
      )
    : { litres: kept!.litres, text: kept!.volume_text }
  const carVolume = carUnits(figuresUnit(car.odometer_unit), car.volume_unit, car.economy_unit).volume
  const typedCost = body.cost !== undefined ? typedMoney('cost', body.cost, garage.currency) : null
  const keptCost = kept && kept.cost_minor !== null ? { minor: kept.cost_minor, text: kept.cost_text ?? '' } : null
  const keptPrice =
    kept && kept.price_minor !== null && kept.price_unit !== null
      ? { minor: kept.price_minor, unit: kept.price_unit, text: kept.price_text ?? '' }
      : null
  const typedPrice =
    body.price_per !== undefined
      ? (readUnitPrice(body.price_per, [body.volume?.unit ?? carVolume, 'L', 'gal', 'impgal'], garage.currency, shown.numbers) as {
          minor: number
          unit: VolumeUnit
          text: string
        })
      : null
  // A cost typed alone replaces the price it had; a price typed, or kept with a new volume,
  // gives the cost unless one is typed beside it (then the two must agree).
  const price = typedPrice ?? (typedCost ? null : keptPrice)
  const quantity = (p: { unit: VolumeUnit }) => fromLitres(volume.litres, p.unit)
  const cost = price
    ? settleCost(
        quantity(price),
        price,
        typedCost ?? (typedPrice || body.volume ? null : keptCost),
        garage.currency,
        shown.numbers,
        `${formatNumber(quantity(price), 3, 0, shown.numbers)} ${price.unit}`,
      )
    : (typedCost ?? keptCost)
  const fuel = body.fuel !== undefined ? checkFuel(body.fuel) : (kept?.fuel ?? null)
  const station =
    body.station !== undefined ? (checkText('station', body.station, 200, false) ?? null) : (kept?.station ?? null)
  const date = body.date === undefined ? (kept?.filled_on ?? today) : checkDate('date', body.date, today, shown.dates)
  let odometer: { value: number; text: string } | null = null
  let readingId: number | null = null
  const odometerInput =
    body.odometer ??
    (kept && kept.odometer !== null
      ? { value: kept.odometer, unit: car.odometer_unit, text: kept.odometer_text ?? undefined }
      : undefined)
  if (odometerInput) {
    const reading = {
      reading: odometerInput,
      date,
      source: 'fuel',
      confirm: body.confirm,
      field: 'odometer',
    } as const
    const made = addReading(db, tenant, car, reading, now).reading
    odometer = { value: made.value, text: made.text }
    readingId = made.id
  }
  // A car whose volume unit was never set takes the first one typed (its economy unit with it, if unset too).
  const typedUnit = body.volume?.unit
  if (car.volume_unit === null && typedUnit) {
    car = db
      .query('UPDATE cars SET volume_unit = ?, economy_unit = coalesce(economy_unit, ?) WHERE id = ? AND tenant = ? RETURNING *')
      .get(typedUnit, economyUnitFor(typedUnit, figuresUnit(car.odometer_unit)), car.id, tenant) as CarRow
  }
  ensureTenant(db, tenant, now)
  const row = db
    .query(
      `INSERT INTO fuel_fillups (tenant, car_id, litres, volume_text, cost_minor, currency, cost_text, odometer, odometer_text, full, missed,
         filled_on, created_at, number, reading_id, fuel, station, price_minor, price_unit, price_text)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      tenant,
      car.id,
      volume.litres,
      volume.text,
      ...loggedColumns(cost, kept?.currency ?? garage.currency, odometer),
      body.full === undefined ? (kept?.full ?? 1) : body.full ? 1 : 0,
      body.missed === undefined ? (kept?.missed ?? 0) : body.missed ? 1 : 0,
      date,
      kept?.created_at ?? now.toISOString(),
      number ?? nextNumber(db, tenant, 'fuel'),
      readingId,
      fuel,
      station,
      price?.minor ?? null,
      price?.unit ?? null,
      price?.text ?? null,
    ) as FillupRow
  return fillupView(row, car, economies(fillupsOf(db, tenant, car.id), car), shown.numbers)
}

export function addFillup(
  db: Database,
  tenant: string,
  body: FillupCreate,
  now: Date,
  actor: ChangeActor = NOBODY,
): FillupView {
  return db.transaction(() => {
    requireInUse(requireCar(db, tenant, body.car), 'fill-up', 'car', db)
    const view = storeFillup(db, tenant, body, now, null)
    const after = fillupSnapshot(db, tenant, view.number)
    const change = logChange(db, tenant, actor, { kind: 'fuel', action: 'add', ref: view.number, before: null, after }, now)
    return { ...view, change }
  })()
}

/** Fill-up #N as it is now, to log or put back; null when there is none. */
export function fillupSnapshot(db: Database, tenant: string, number: number): Snapshot | null {
  const row = db
    .query('SELECT * FROM fuel_fillups WHERE tenant = ? AND number = ?')
    .get(tenant, number) as FillupRow | null
  if (!row) return null
  return { row, reading: readingSnapshot(db, row.reading_id) }
}

/** Puts a fill-up back as a snapshot had it (its number, its reading). Call in a transaction. */
export function restoreFillup(db: Database, snap: Snapshot) {
  const { id: _id, ...row } = snap.row
  row.reading_id = restoreReading(db, snap.reading)
  const cols = Object.keys(row)
  db.query(`INSERT INTO fuel_fillups (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
    ...(Object.values(row) as (string | number | null)[]),
  )
}

/** Takes fill-up #N out if it is there (undo of its add or edit). */
export function dropFillup(db: Database, tenant: string, number: number) {
  const row = db
    .query('SELECT * FROM fuel_fillups WHERE tenant = ? AND number = ?')
    .get(tenant, number) as FillupRow | null
  if (row) deleteFillup(db, row)
}

function requireFillup(db: Database, tenant: string, number: number): { row: FillupRow; car: CarRow } {
  const row = db
    .query('SELECT * FROM fuel_fillups WHERE tenant = ? AND number = ?')
    .get(tenant, number) as FillupRow | null
  if (!row) throw notFound(`number: there is no fill-up #${number} in this garage${removedNote(db, tenant, 'fuel', number)} (see /fuel list)`)
  return { row, car: carById(db, tenant, row.car_id) as CarRow }
}

/** Takes a fill-up out, with the odometer reading it made; the economy is computed from what is left. */
function deleteFillup(db: Database, row: FillupRow) {
  db.query('DELETE FROM fuel_fillups WHERE id = ?').run(row.id)
  dropMadeReading(db, row.car_id, row.reading_id, 'fuel', row.filled_on)
}

/** Removes fill-up #N; answers it as it was, and the car's economy without it. */
export function removeFillup(
  db: Database,
  tenant: string,
  number: number,
  now: Date,
  actor: ChangeActor = NOBODY,
): FillupRemoved {
  return db.transaction(() => {
    const { row, car } = requireFillup(db, tenant, number)
    const before = fillupSnapshot(db, tenant, number)
    const { numbers } = garageShown(db, tenant)
    const was = economies(fillupsOf(db, tenant, car.id), car)
    const removed = fillupView(row, car, was, numbers)
    deleteFillup(db, row)
    const after = economies(fillupsOf(db, tenant, car.id), car)
    const change = logChange(db, tenant, actor, { kind: 'fuel', action: 'remove', ref: number, before, after: null }, now)
    return { removed, average: averageText(after, car, numbers), change }
  })()
}

/** Changes fill-up #N: what is given replaces what it had, the rest stays; the number stays. */
export function editFillup(
  db: Database,
  tenant: string,
  number: number,
  body: FillupChanges,
  now: Date,
  actor: ChangeActor = NOBODY,
): FillupView {
  return db.transaction(() => {
    const { row, car } = requireFillup(db, tenant, number)
    // Moved onto another car: that car takes it only while in use, as it takes a new one.
    if (body.car !== undefined) {
      const target = requireCar(db, tenant, body.car)
      if (target.id !== car.id) requireInUse(target, 'fill-up', 'car', db)
    }
    const before = fillupSnapshot(db, tenant, number)
    deleteFillup(db, row)
    const view = storeFillup(db, tenant, { ...body, car: body.car ?? car.nickname }, now, number, row)
    const after = fillupSnapshot(db, tenant, number)
    const change = logChange(db, tenant, actor, { kind: 'fuel', action: 'edit', ref: number, before, after }, now)
    return { ...view, change }
  })()
}

export function listFillups(
  db: Database,
  tenant: string,
  carRef: string,
  page: Page,
): { fillups: FillupView[]; average: string | null; car: string; total: number; next_page: number | null } {
  const car = requireCar(db, tenant, carRef)
  const garage = garageShown(db, tenant)
  const all = fillupsOf(db, tenant, car.id)
  const eco = economies(all, car)
  const shown = [...all]
    .sort((a, b) => (b.filled_on < a.filled_on ? -1 : b.filled_on > a.filled_on ? 1 : b.number - a.number))
    .slice((page.page - 1) * page.limit, page.page * page.limit)
  return {
    car: car.nickname,
    fillups: withAuthors(db, tenant, 'fuel', shown.map((r) => fillupView(r, car, eco, garage.numbers)), (f) => f.number),
    average: averageText(eco, car, garage.numbers),
    total: all.length,
    next_page: nextPage(page, all.length),
  }
}
