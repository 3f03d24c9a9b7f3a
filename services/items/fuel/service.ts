/**
 * Fuel fill-ups and the economy between full ones. Volumes are stored in litres with their
 * typed text; the conversions are lib/domain/units.ts.
 */
import type { Database } from 'bun:sqlite'
import { checkDate } from '../../../lib/domain/dates.ts'
import { formatNumber } from '../../../lib/domain/text.ts'
import { fromKmPerLitre, toKm, toLitres, type Units } from '../../../lib/domain/units.ts'
import { badRequest } from '../../lib/http.ts'
import { addReading } from '../readings/service.ts'
import { type CarRow, requireCar } from '../shared/car.ts'
import { ensureTenant, garageAt, loadGarage } from '../shared/garage.ts'
import type { DistanceUnit } from '../shared/model.ts'
import { costAndOdometer, type LoggedColumns, loggedColumns } from '../shared/logged.ts'
import { typedMoney } from '../shared/money.ts'
import type { FillupCreate, FillupView, VolumeInput } from './model.ts'

type FillupRow = LoggedColumns & {
  id: number
  car_id: number
  litres: number
  volume_text: string
  full: number
  missed: number
  filled_on: string
}

type Stretch = { distance: number; litres: number }

function checkVolume(v: VolumeInput, units: Units): { litres: number; text: string } {
  if (!Number.isFinite(v.value) || v.value <= 0)
    throw badRequest('volume', `volume: must be more than 0 (got ${v.text ?? v.value})`)
  const unit = v.unit ?? (units === 'imperial' ? 'gal' : 'L')
  const litres = toLitres(v.value, unit)
  if (litres > 5000) throw badRequest('volume', `volume: ${v.text ?? v.value} is more than a fill-up`)
  const typed = v.text?.trim()
  return { litres, text: typed && v.unit ? typed : `${v.value} ${unit}` }
}

/**
 * Economy per full fill-up: the distance since the previous full fill-up over the fuel put in
 * since then (partial fill-ups included). A missed fill-up in between, or a missing odometer,
 * leaves that stretch out, as a careful fuel log does.
 */
function economies(rows: FillupRow[]): Map<number, Stretch> {
  const out = new Map<number, Stretch>()
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

/** "30.0 mpg" in an imperial garage, "6.9 L/100km" in a metric one. */
function economyText(e: Stretch, carUnit: DistanceUnit, units: Units): string {
  const unit = units === 'imperial' ? 'mpg' : 'L/100km'
  return `${formatNumber(fromKmPerLitre(toKm(e.distance, carUnit) / e.litres, unit), 1, 1)} ${unit}`
}

function fillupView(r: FillupRow, car: CarRow, units: Units, eco: Map<number, Stretch>): FillupView {
  const e = eco.get(r.id)
  return {
    id: r.id,
    car: car.nickname,
    volume: r.volume_text,
    litres: Math.round(r.litres * 1000) / 1000,
    ...costAndOdometer(r, car.odometer_unit),
    full: r.full === 1,
    missed: r.missed === 1,
    date: r.filled_on,
    economy: e ? economyText(e, car.odometer_unit, units) : null,
  }
}

const fillupsOf = (db: Database, tenant: string, carId: number) =>
  db.query('SELECT * FROM fuel_fillups WHERE tenant = ? AND car_id = ?').all(tenant, carId) as FillupRow[]

export function addFillup(db: Database, tenant: string, body: FillupCreate, now: Date): FillupView {
  return db.transaction(() => {
    const { garage, today } = garageAt(db, tenant, now)
    const car = requireCar(db, tenant, body.car)
    const volume = checkVolume(body.volume, garage.units)
    const cost = body.cost === undefined ? null : typedMoney('cost', body.cost, garage.currency)
    const date = body.date === undefined ? today : checkDate('date', body.date, today)
    let odometer: { value: number; text: string } | null = null
    if (body.odometer) {
      const reading = {
        reading: body.odometer,
        date,
        source: 'fuel',
        confirm: body.confirm,
        field: 'odometer',
      } as const
      odometer = addReading(db, tenant, car, reading, now).reading
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
        ...loggedColumns(cost, garage.currency, odometer),
        body.full === false ? 0 : 1,
        body.missed === true ? 1 : 0,
        date,
        now.toISOString(),
      ) as FillupRow
    return fillupView(row, car, garage.units, economies(fillupsOf(db, tenant, car.id)))
  })()
}

export function listFillups(
  db: Database,
  tenant: string,
  carRef: string,
  limit: number,
): { fillups: FillupView[]; average: string | null; car: string } {
  const { units } = loadGarage(db, tenant)
  const car = requireCar(db, tenant, carRef)
  const all = fillupsOf(db, tenant, car.id)
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
    fillups: recent.map((r) => fillupView(r, car, units, eco)),
    average: litres > 0 ? economyText({ distance, litres }, car.odometer_unit, units) : null,
  }
}
