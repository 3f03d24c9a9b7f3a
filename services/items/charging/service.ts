/**
 * Charges of electric and plug-in hybrid cars, numbered per garage (#N) like fill-ups, each
 * write in the change log. Energy is stored in kWh with its typed text; consumption between
 * charges with their odometer is lib/domain/figures.ts `chargeSegments`, shown in the car's
 * energy unit (kWh/100 km for a km car, mi/kWh for a mi one, or the other of its distance unit's
 * chosen with /car edit energy_unit:). A charge's odometer is kept on
 * the charge (no reading is made), as an expense's is.
 */
import type { Database } from 'bun:sqlite'
import { checkDate } from '../../../lib/domain/dates.ts'
import { chargeSegments, tankOf } from '../../../lib/domain/figures.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import { clip, formatNumber } from '../../../lib/domain/text.ts'
import { carEnergyUnit, energyDigits } from '../../../lib/domain/energy.ts'
import { ENERGY_LABEL, figuresUnit, fromKmPerKwh, toKm } from '../../../lib/domain/units.ts'
import { badRequest, conflict, notFound } from '../../lib/http.ts'
import { type ChangeActor, logChange, NOBODY, removedNote, type Snapshot } from '../changes/log.ts'
import { carTanks, powersOf } from '../fuel/service.ts'
import { priceText, readEnergy, readSoc, readUnitPrice, settleCost } from '../fuel/price.ts'
import { type CarRow, carById, requireCar, requireInUse } from '../shared/car.ts'
import { inCarUnit } from '../shared/distance.ts'
import { ensureTenant, garageAt, garageShown } from '../shared/garage.ts'
import { costAndOdometer, type LoggedColumns, loggedColumns } from '../shared/logged.ts'
import { nextPage, type Page } from '../shared/model.ts'
import { typedMoney } from '../shared/money.ts'
import { nextNumber } from '../shared/numbers.ts'
import {
  CHARGE_PLACES,
  type ChargeChanges,
  type ChargeCreate,
  type ChargeRemoved,
  type ChargeView,
} from './model.ts'

type ChargeRow = LoggedColumns & {
  id: number
  tenant: string
  number: number
  car_id: number
  kwh: number
  energy_text: string
  price_minor: number | null
  price_text: string | null
  soc_from: number | null
  soc_to: number | null
  place: (typeof CHARGE_PLACES)[number] | null
  charged_on: string
  created_at: string
}

type Stretch = { km: number; kwh: number }

const chargesOf = (db: Database, tenant: string, carId: number) =>
  db.query('SELECT * FROM charges WHERE tenant = ? AND car_id = ?').all(tenant, carId) as ChargeRow[]

/** Consumption per charge that closes a stretch, and over all of them. */
function consumptions(rows: ChargeRow[], car: CarRow) {
  const { entries, total } = chargeSegments(
    rows.map((r) => ({
      id: r.id,
      logged: r.number,
      date: r.charged_on,
      kwh: r.kwh,
      costMinor: r.cost_minor ?? 0,
      odometerKm: r.odometer === null ? null : toKm(r.odometer, figuresUnit(car.odometer_unit)),
    })),
  )
  const byId = new Map<number, Stretch>()
  for (const e of entries) if (e.segment) byId.set(e.charge.id, e.segment)
  return { byId, total }
}

/**
 * In the car's energy unit (the one chosen with /car edit energy_unit:, else its distance unit's
 * own; lib/domain/energy.ts) and the garage's number format: "17.5 kWh/100 km", "3.62 mi/kWh", "280 Wh/mi".
 */
export function consumptionText(e: Stretch, car: CarRow, numbers: NumberFormat): string {
  const chosen = (car as CarRow & { energy_unit?: string | null }).energy_unit
  const unit = carEnergyUnit(figuresUnit(car.odometer_unit), chosen)
  const digits = energyDigits(unit)
  return `${formatNumber(fromKmPerKwh(e.km / e.kwh, unit), digits, digits, numbers)} ${ENERGY_LABEL[unit]}`
}

const socText = (r: ChargeRow, numbers: NumberFormat) =>
  r.soc_from === null || r.soc_to === null
    ? null
    : `${formatNumber(r.soc_from, 1, 0, numbers)}–${formatNumber(r.soc_to, 1, 0, numbers)}%`

function chargeView(r: ChargeRow, car: CarRow, eco: Map<number, Stretch>, numbers: NumberFormat): ChargeView {
  const e = eco.get(r.id)
  return {
    id: r.id,
    number: r.number,
    car: car.nickname,
    energy: r.energy_text,
    kwh: Math.round(r.kwh * 1000) / 1000,
    ...costAndOdometer(r, car.odometer_unit, numbers),
    price:
      r.price_minor === null || r.currency === null
        ? null
        : priceText(r.price_minor, 'kWh', r.currency, numbers),
    soc: socText(r, numbers),
    where: r.place,
    date: r.charged_on,
    consumption: e ? consumptionText(e, car, numbers) : null,
  }
}

/**
 * A car that takes a charge: an ev or phev, or one whose garage knows nothing of its fuel. A car
 * known to run on fuel alone (its powertrain, its fuels, its fill-ups) is asked about instead,
 * with the way to mark it, and nothing is stored.
 */
function requireElectric(db: Database, tenant: string, car: CarRow): void {
  const { powertrain } = powersOf(car)
  if (powertrain === 'ev' || powertrain === 'phev') return
  const filled = (
    db.query('SELECT fuel FROM fuel_fillups WHERE tenant = ? AND car_id = ?').all(tenant, car.id) as {
      fuel: Parameters<typeof tankOf>[0] | null
    }[]
  ).some((f) => f.fuel === null || tankOf(f.fuel) !== null)
  if (powertrain === null && carTanks(car).length === 0 && !filled) return
  const tanks = carTanks(car)
  const runs =
    powertrain === 'combustion' || powertrain === 'hybrid'
      ? `a ${powertrain} car`
      : tanks.length > 0
        ? `a car that runs on ${tanks.join(' and ')} (its fuels)`
        : 'a car that runs on fuel only (its fill-ups)'
  throw conflict(
    'not_electric',
    `energy: ${car.nickname} is ${runs} as far as this garage knows. Is it a plug-in hybrid? Mark it with /car edit car:${car.nickname} powertrain:phev (or powertrain:ev), then log the charge again; nothing was stored`,
    'energy',
  )
}

function checkPlace(value: string): (typeof CHARGE_PLACES)[number] {
  const place = CHARGE_PLACES.find((p) => p === value.trim().toLowerCase())
  if (place) return place
  throw badRequest('where', `where: "${clip(value, 20)}" is not one of ${CHARGE_PLACES.join(', ')}`)
}

type ChargeFields = ChargeChanges & { car: string }

/** Stores a charge with the given number (a new one, or the one an edit keeps); call in a transaction. */
function storeCharge(
  db: Database,
  tenant: string,
  body: ChargeFields,
  now: Date,
  number: number | null,
  kept?: ChargeRow,
): ChargeView {
  const { garage, today, shown } = garageAt(db, tenant, now)
  const car = requireCar(db, tenant, body.car)
  requireElectric(db, tenant, car)
  const energy =
    body.energy !== undefined
      ? readEnergy(body.energy, shown.numbers)
      : { kwh: kept!.kwh, text: kept!.energy_text }
  const typedCost = body.cost !== undefined ? typedMoney('cost', body.cost, garage.currency) : null
  const keptCost =
    kept && kept.cost_minor !== null ? { minor: kept.cost_minor, text: kept.cost_text ?? '' } : null
  const typedPrice =
    body.price_per !== undefined
      ? readUnitPrice(body.price_per, ['kWh'], garage.currency, shown.numbers)
      : null
  const keptPrice =
    kept && kept.price_minor !== null ? { minor: kept.price_minor, text: kept.price_text ?? '' } : null
  // As a fill-up's: a cost typed alone replaces the price; a price typed, or kept with new energy, gives the cost.
  const price = typedPrice ?? (typedCost ? null : keptPrice)
  const cost = price
    ? settleCost(
        energy.kwh,
        price,
        typedCost ?? (typedPrice || body.energy !== undefined ? null : keptCost),
        garage.currency,
        shown.numbers,
        `${formatNumber(energy.kwh, 3, 0, shown.numbers)} kWh`,
      )
    : (typedCost ?? keptCost)
  const soc =
    body.soc !== undefined
      ? readSoc(body.soc)
      : kept && kept.soc_from !== null
        ? { from: kept.soc_from, to: kept.soc_to! }
        : null
  const place = body.where !== undefined ? checkPlace(body.where) : (kept?.place ?? null)
  const date =
    body.date === undefined ? (kept?.charged_on ?? today) : checkDate('date', body.date, today, shown.dates)
  const odometer =
    body.odometer !== undefined
      ? inCarUnit('odometer', body.odometer, car.odometer_unit, garage.units)
      : kept && kept.odometer !== null && kept.car_id === car.id
        ? { value: kept.odometer, text: kept.odometer_text ?? '' }
        : null
  ensureTenant(db, tenant, now)
  const row = db
    .query(
      `INSERT INTO charges (tenant, number, car_id, kwh, energy_text, cost_minor, currency, cost_text, odometer, odometer_text,
         price_minor, price_text, soc_from, soc_to, place, charged_on, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      tenant,
      number ?? nextNumber(db, tenant, 'charge'),
      car.id,
      energy.kwh,
      energy.text,
      ...loggedColumns(cost, kept?.currency ?? garage.currency, odometer),
      price?.minor ?? null,
      price?.text ?? null,
      soc?.from ?? null,
      soc?.to ?? null,
      place,
      date,
      kept?.created_at ?? now.toISOString(),
    ) as ChargeRow
  return chargeView(row, car, consumptions(chargesOf(db, tenant, car.id), car).byId, shown.numbers)
}

/** Charge #N as it is now, to log or put back; null when there is none. */
export function chargeSnapshot(db: Database, tenant: string, number: number): Snapshot | null {
  const row = db
    .query('SELECT * FROM charges WHERE tenant = ? AND number = ?')
    .get(tenant, number) as ChargeRow | null
  return row ? { row, reading: null } : null
}

/** Puts a charge back as a snapshot had it (its number too). Call in a transaction. */
export function restoreCharge(db: Database, snap: Snapshot) {
  const { id: _id, ...row } = snap.row
  const cols = Object.keys(row)
  db.query(`INSERT INTO charges (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
    ...(Object.values(row) as (string | number | null)[]),
  )
}

/** Takes charge #N out if it is there (undo of its log or edit). */
export function dropCharge(db: Database, tenant: string, number: number) {
  db.query('DELETE FROM charges WHERE tenant = ? AND number = ?').run(tenant, number)
}

function requireCharge(db: Database, tenant: string, number: number): { row: ChargeRow; car: CarRow } {
  const row = db
    .query('SELECT * FROM charges WHERE tenant = ? AND number = ?')
    .get(tenant, number) as ChargeRow | null
  if (!row)
    throw notFound(
      `number: there is no charge #${number} in this garage${removedNote(db, tenant, 'charge', number)} (see /charge list)`,
    )
  return { row, car: carById(db, tenant, row.car_id) as CarRow }
}

export function addCharge(
  db: Database,
  tenant: string,
  body: ChargeCreate,
  now: Date,
  actor: ChangeActor = NOBODY,
): ChargeView {
  return db.transaction(() => {
    requireInUse(requireCar(db, tenant, body.car), 'charge', 'car', db)
    const view = storeCharge(db, tenant, body, now, null)
    const after = chargeSnapshot(db, tenant, view.number)
    const change = logChange(
      db,
      tenant,
      actor,
      { kind: 'charge', action: 'add', ref: view.number, before: null, after },
      now,
    )
    return { ...view, change }
  })()
}

/** Changes charge #N: what is given replaces what it had, the rest stays; the number stays. */
export function editCharge(
  db: Database,
  tenant: string,
  number: number,
  body: ChargeChanges,
  now: Date,
  actor: ChangeActor = NOBODY,
): ChargeView {
  return db.transaction(() => {
    const { row, car } = requireCharge(db, tenant, number)
    if (body.car !== undefined) {
      const target = requireCar(db, tenant, body.car)
      if (target.id !== car.id) requireInUse(target, 'charge', 'car', db)
    }
    const before = chargeSnapshot(db, tenant, number)
    db.query('DELETE FROM charges WHERE id = ?').run(row.id)
    const view = storeCharge(db, tenant, { ...body, car: body.car ?? car.nickname }, now, number, row)
    const after = chargeSnapshot(db, tenant, number)
    const change = logChange(
      db,
      tenant,
      actor,
      { kind: 'charge', action: 'edit', ref: number, before, after },
      now,
    )
    return { ...view, change }
  })()
}

/** Removes charge #N; answers it as it was, and the car's consumption without it. */
export function removeCharge(
  db: Database,
  tenant: string,
  number: number,
  now: Date,
  actor: ChangeActor = NOBODY,
): ChargeRemoved {
  return db.transaction(() => {
    const { row, car } = requireCharge(db, tenant, number)
    const before = chargeSnapshot(db, tenant, number)
    const { numbers } = garageShown(db, tenant)
    const removed = chargeView(row, car, consumptions(chargesOf(db, tenant, car.id), car).byId, numbers)
    db.query('DELETE FROM charges WHERE id = ?').run(row.id)
    const after = consumptions(chargesOf(db, tenant, car.id), car)
    const change = logChange(
      db,
      tenant,
      actor,
      { kind: 'charge', action: 'remove', ref: number, before, after: null },
      now,
    )
    return { removed, average: after.total ? consumptionText(after.total, car, numbers) : null, change }
  })()
}

export function listCharges(
  db: Database,
  tenant: string,
  carRef: string,
  page: Page,
): { charges: ChargeView[]; average: string | null; car: string; total: number; next_page: number | null } {
  const car = requireCar(db, tenant, carRef)
  const { numbers } = garageShown(db, tenant)
  const all = chargesOf(db, tenant, car.id)
  const eco = consumptions(all, car)
  const shown = [...all]
    .sort((a, b) =>
      b.charged_on < a.charged_on ? -1 : b.charged_on > a.charged_on ? 1 : b.number - a.number,
    )
    .slice((page.page - 1) * page.limit, page.page * page.limit)
  return {
    car: car.nickname,
    charges: shown.map((r) => chargeView(r, car, eco.byId, numbers)),
    average: eco.total ? consumptionText(eco.total, car, numbers) : null,
    total: all.length,
    next_page: nextPage(page, all.length),
  }
}
