/**
 * Fuel fill-ups and the economy between full ones. Volumes are stored in litres with their
 * typed text; the conversions are lib/domain/units.ts.
 */
import type { Database } from 'bun:sqlite'
import { checkDate } from '../../../lib/domain/dates.ts'
import { fuelSegments } from '../../../lib/domain/figures.ts'
import { formatNumber } from '../../../lib/domain/text.ts'
import { fromKmPerLitre, toKm, toLitres, type Units } from '../../../lib/domain/units.ts'
import { badRequest, conflict } from '../../lib/http.ts'
import { addReading } from '../readings/service.ts'
import { type CarRow, requireCar } from '../shared/car.ts'
import { ensureTenant, garageAt, loadGarage } from '../shared/garage.ts'
import { type DistanceUnit, nextPage, type Page } from '../shared/model.ts'
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

type Stretch = { km: number; litres: number }

/**
 * The largest fill-up taken without confirm:yes, in litres: more than a car's tank (cars carry no
 * tank size yet; when they do, theirs replaces this) is more likely a misread number.
 */
export const PLAUSIBLE_FILLUP_LITRES = 150

function checkVolume(v: VolumeInput, units: Units, confirm: boolean): { litres: number; text: string } {
  if (!Number.isFinite(v.value) || v.value <= 0)
    throw badRequest('volume', `volume: must be more than 0 (got ${v.text ?? v.value})`)
  const unit = v.unit ?? (units === 'imperial' ? 'gal' : 'L')
  const litres = toLitres(v.value, unit)
  if (litres > 5000) throw badRequest('volume', `volume: ${v.text ?? v.value} is more than a fill-up`)
  if (litres > PLAUSIBLE_FILLUP_LITRES && !confirm) {
    const typed = v.text?.trim() || `${v.value} ${unit}`
    const inLitres = unit === 'L' ? '' : ` (${formatNumber(litres, 1)} L)`
    throw conflict(
      'confirm_volume',
      `volume: ${typed}${inLitres} is more than a fill-up of ${PLAUSIBLE_FILLUP_LITRES} L; add confirm:yes if it is right`,
      'volume',
    )
  }
  const typed = v.text?.trim()
  return { litres, text: typed && v.unit ? typed : `${v.value} ${unit}` }
}

/**
 * Economy per full fill-up, from lib/domain/figures.ts `fuelSegments` (the one computation
 * `/car stats` and `/calc` use too): the distance since the previous full fill-up over the fuel
 * put in since then, partial fill-ups with or without their odometer included. A missed
 * fill-up, or a full one without its odometer, leaves that stretch out.
 */
function economies(rows: FillupRow[], carUnit: DistanceUnit) {
  const { entries, total } = fuelSegments(
    rows.map((r) => ({
      id: r.id,
      date: r.filled_on,
      odometerKm: r.odometer === null ? null : toKm(r.odometer, carUnit),
      litres: r.litres,
      full: r.full === 1,
      missed: r.missed === 1,
    })),
  )
  const byId = new Map<number, Stretch>()
  for (const e of entries) if (e.segment) byId.set(e.fillUp.id, { km: e.segment.km, litres: e.segment.litres })
  return { byId, total }
}

/** "30.0 mpg" in an imperial garage, "6.9 L/100km" in a metric one. */
function economyText(e: Stretch, units: Units): string {
  const unit = units === 'imperial' ? 'mpg' : 'L/100km'
  return `${formatNumber(fromKmPerLitre(e.km / e.litres, unit), 1, 1)} ${unit}`
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
    economy: e ? economyText(e, units) : null,
  }
}

const fillupsOf = (db: Database, tenant: string, carId: number) =>
  db.query('SELECT * FROM fuel_fillups WHERE tenant = ? AND car_id = ?').all(tenant, carId) as FillupRow[]

export function addFillup(db: Database, tenant: string, body: FillupCreate, now: Date): FillupView {
  return db.transaction(() => {
    const { garage, today } = garageAt(db, tenant, now)
    const car = requireCar(db, tenant, body.car)
    const volume = checkVolume(body.volume, garage.units, body.confirm === true)
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
    return fillupView(row, car, garage.units, economies(fillupsOf(db, tenant, car.id), car.odometer_unit).byId)
  })()
}

export function listFillups(
  db: Database,
  tenant: string,
  carRef: string,
  page: Page,
): { fillups: FillupView[]; average: string | null; car: string; total: number; next_page: number | null } {
  const { units } = loadGarage(db, tenant)
  const car = requireCar(db, tenant, carRef)
  const all = fillupsOf(db, tenant, car.id)
  const eco = economies(all, car.odometer_unit)
  const shown = [...all]
    .sort((a, b) => (b.filled_on < a.filled_on ? -1 : b.filled_on > a.filled_on ? 1 : b.id - a.id))
    .slice((page.page - 1) * page.limit, page.page * page.limit)
  return {
    car: car.nickname,
    fillups: shown.map((r) => fillupView(r, car, units, eco.byId)),
    average: eco.total ? economyText(eco.total, units) : null,
    total: all.length,
    next_page: nextPage(page, all.length),
  }
}
