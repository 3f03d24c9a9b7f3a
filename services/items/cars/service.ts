/**
 * Cars of a garage: add, change, remove, list, show. The rules of a car's own fields are
 * lib/domain/car.ts; a VIN's are vin.ts; an odometer typed on the car is a reading (readings/).
 */
import type { Database } from 'bun:sqlite'
import { checkCarText, checkNickname, checkYear, recordedFor } from '../../../lib/domain/car.ts'
import { checkDate } from '../../../lib/domain/dates.ts'
import { toMinor } from '../../../lib/domain/money.ts'
import { type NumberFormat, readDigits, SEPARATORS } from '../../../lib/domain/numbers.ts'
import type { Presentation } from '../../../lib/domain/presentation.ts'
import { ENERGY_UNITS_OF } from '../../../lib/domain/energy.ts'
import { readTank, TANKS } from '../../../lib/domain/figures.ts'
import { clip, plural } from '../../../lib/domain/text.ts'
import { carUnits, distanceUnitOf, economyUnitFor, figuresUnit, UNIT_SETS, type Units } from '../../../lib/domain/units.ts'
import { badRequest, conflict } from '../../lib/http.ts'
import { addReading, insertReading } from '../readings/service.ts'
import { type CarRow, carRow, noSuchCar, requireCar, requireInUse, storedUnit } from '../shared/car.ts'
import { checkMeter, typedDistance } from '../shared/distance.ts'
import type { MeterUnit } from '../shared/model.ts'
import { ensureTenant, garageAt, garageShown } from '../shared/garage.ts'
import { typedMoney } from '../shared/money.ts'
import { prepared, readTogether } from '../shared/statements.ts'
import type { CarCreate, CarDetail, CarEdit, CarView, EditResult, RemoveResult } from './model.ts'
import { CAR_SQL, type CarWithCurrent } from './sql.ts'
import { carDetail, carView, detailOf, findCarDetail, listedView } from './view.ts'
import { checkVin } from './vin.ts'

/**
 * The garage's cars in use by nickname (with `archived`, the archived ones too); with `q`, every
 * car whose nickname starts with it (at most 25, for autocomplete).
 */
export function listCars(db: Database, tenant: string, q?: string, archived = false): CarView[] {
  const prefix = q?.trim().toLowerCase()
  const rows = (
    prefix
      ? prepared(db, CAR_SQL.listByPrefix).all(tenant, prefix, `${prefix}\u{10FFFF}`)
      : prepared(db, CAR_SQL.list).all(tenant)
  ) as CarWithCurrent[]
  const cars: CarView[] = []
  for (const car of rows) {
    // an archived car is left out of the list, unless asked for; autocomplete (q) finds it
    if (car.archived_on !== null && !archived && !prefix) continue
    cars.push(listedView(car))
  }
  return cars
}

export function showCar(db: Database, tenant: string, ref: string): CarDetail {
  return readTogether(db, () => {
    const car = findCarDetail(db, tenant, ref)
    if (!car) throw noSuchCar(db, tenant, ref, 'car')
    return detailOf(db, tenant, car)
  })
}

/**
 * Another process may add the same nickname between the check and the insert; the UNIQUE
 * index then refuses it, and that is the same 409 as the check's.
 */
function nicknameRace<T>(write: () => T): T {
  try {
    return write()
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw conflict(
        'duplicate',
        'nickname: this garage already has a car with that nickname; pick another nickname',
        'nickname',
      )
    }
    throw error
  }
}

function checkUniqueNickname(db: Database, tenant: string, nickname: string, exceptId?: number): void {
  const other = db
    .query('SELECT id, nickname FROM cars WHERE tenant = ? AND nickname_key = ?')
    .get(tenant, nickname.toLowerCase()) as { id: number; nickname: string } | null
  if (other && other.id !== exceptId) {
    throw conflict(
      'duplicate',
      `nickname: this garage already has a car called "${other.nickname}"; pick another nickname`,
      'nickname',
    )
  }
}

export function createCar(db: Database, tenant: string, body: CarCreate, now: Date): CarDetail {
  return nicknameRace(
    db.transaction(() => {
      const { garage, today, shown } = garageAt(db, tenant, now)
      const nickname = checkNickname(body.nickname)
      const make = checkCarText('make', body.make)
      const model = checkCarText('model', body.model)
      const plate = checkCarText('plate', body.plate)
      const year = body.year === undefined ? null : checkYear(body.year, now)
      const purchaseDate =
        body.purchase_date === undefined ? null : checkDate('purchase_date', body.purchase_date, today, shown.dates)
      const price =
        body.purchase_price === undefined
          ? null
          : typedMoney('purchase_price', body.purchase_price, garage.currency)
      const odometer = body.odometer
        ? typedDistance(body.odometer, garage.units, body.meter === 'hours' ? 'h' : undefined)
        : null
      if (odometer) checkMeter('odometer', odometer.text, odometer.unit, body.meter === 'hours' ? 'h' : 'km')
      const vin = body.vin === undefined ? null : checkVin(body.vin, body.confirm === true)
      checkUniqueNickname(db, tenant, nickname)
      ensureTenant(db, tenant, now)
      // The units typed win; then a typed odometer's; then the garage's, which /car show says.
      const set = body.units ? UNIT_SETS[body.units] : null
      const fromGarage = !set && !odometer
      const distance = set?.distance ?? (odometer && odometer.unit !== 'h' ? odometer.unit : distanceUnitOf(garage.units))
      const unit = body.meter === 'hours' ? 'h' : distance
      const volume = set?.volume ?? (fromGarage ? carUnits(distance, null, null).volume : null)
      const economy = body.economy_unit ?? set?.economy ?? (fromGarage ? economyUnitFor(volume ?? 'L', distance) : null)
      const stored = storedUnit(unit)
      const { last: id } = db.query(CAR_SQL.nextId).get() as { last: number }
      const inserted = db
        .query(CAR_SQL.insert)
        .get(
          id,
          tenant,
          nickname,
          nickname.toLowerCase(),
          make ?? null,
          model ?? null,
          year,
          odometer?.value ?? null,
          stored.odometer_unit,
          odometer?.text ?? null,
          plate ?? null,
          vin,
          purchaseDate,
          price?.minor ?? null,
          price ? garage.currency : null,
          price?.text ?? null,
          now.toISOString(),
          volume,
          economy,
          fromGarage ? 1 : 0,
          stored.meter,
        ) as CarRow
      const created = carRow(inserted)
      const said = checkPowers(body)
      const energy = checkEnergyUnit(body.energy_unit, unit, nickname)
      db.query('UPDATE cars SET fuels = ?, powertrain = ?, energy_unit = ? WHERE id = ?').run(
        said.fuels ?? null,
        said.powertrain ?? null,
        energy ?? null,
        created.id,
      )
      if (odometer) insertReading(db, created, odometer, 'car', today, now)
      return carDetail(db, created)
    }),
  )
}

/**
 * Whether anything of the car is stored in its distance unit (readings, items' intervals and due
 * points, records' and fill-ups' odometers): then `units:` keeps the unit, as relabelling 52,000 km
 * as 52,000 mi would be a conversion no one asked for.
 */
function storesDistances(db: Database, car: CarRow): boolean {
  if (car.reading_count > 0 || car.odometer !== null) return true
  const row = db
    .query(
      `SELECT EXISTS (SELECT 1 FROM maintenance_items WHERE car_id = ?1
           AND (distance IS NOT NULL OR last_odometer IS NOT NULL OR due_odometer IS NOT NULL))
         OR EXISTS (SELECT 1 FROM service_records WHERE car_id = ?1 AND odometer IS NOT NULL)
         OR EXISTS (SELECT 1 FROM fuel_fillups WHERE car_id = ?1 AND odometer IS NOT NULL) AS stored`,
    )
    .get(car.id) as { stored: number }
  return row.stored === 1
}

/**
 * The unit of a car whose meter is set to distance or hours: a car keeps its distance unit (or
 * takes the garage's when it had hours). Refused once it has readings (they would be relabelled),
 * naming how many, or other values stored in its unit.
 */
function meterUnit(db: Database, car: CarRow, meter: 'distance' | 'hours', units: Units): MeterUnit {
  const unit = meter === 'hours' ? 'h' : car.odometer_unit === 'h' ? distanceUnitOf(units) : car.odometer_unit
  if (unit === car.odometer_unit) return unit
  if (car.reading_count > 0)
    throw conflict(
      'meter_in_use',
      `meter: ${car.nickname} has ${plural(car.reading_count, 'reading')} in ${car.odometer_unit}; the meter changes only while a car has none (remove them with /car reading_remove, or add a new car)`,
      'meter',
    )
  if (storesDistances(db, car))
    throw conflict(
      'meter_in_use',
      `meter: ${car.nickname} has items, records or fill-ups in ${car.odometer_unit}; the meter changes only while nothing is stored in it`,
      'meter',
    )
  return unit
}

const POWERTRAINS = ['combustion', 'hybrid', 'phev', 'ev'] as const

/** A loan's limits, the calculator's (services/calculator/loan.ts). */
const MAX_LOAN_RATE_PERCENT = 100
const MAX_LOAN_MONTHS = 600

/**
 * What a car runs on as typed (migration 13): `fuels` its tanks in order, the first the main
 * one ("lpg,petrol"; a grade names its tank; "none" forgets them), `powertrain` one of
 * POWERTRAINS ("none" forgets it). Undefined: not given.
 */
function checkPowers(body: Pick<CarEdit, 'fuels' | 'powertrain'>): { fuels?: string | null; powertrain?: string | null } {
  const said: { fuels?: string | null; powertrain?: string | null } = {}
  if (body.fuels !== undefined) {
    const typed = body.fuels.trim()
    if (typed.toLowerCase() === 'none' || typed === '') said.fuels = null
    else {
      const tanks = typed.split(/[,;/+\s]+/).filter(Boolean).map((f) => {
        const tank = readTank(f)
        if (!tank)
          throw badRequest('fuels', `fuels: "${clip(f, 40)}" is not a fuel; give the tanks it fills: ${TANKS.join(', ')} (or none)`)
        return tank
      })
      said.fuels = [...new Set(tanks)].join(',')
    }
  }
  if (body.powertrain !== undefined) {
    const typed = body.powertrain.trim().toLowerCase()
    const known = POWERTRAINS.find((p) => p === typed)
    if (!known && typed !== 'none')
      throw badRequest('powertrain', `powertrain: "${clip(body.powertrain, 20)}" is not one of ${POWERTRAINS.join(', ')} (or none)`)
    said.powertrain = known ?? null
  }
  return said
}

/**
 * The energy unit typed for a car counting `unit` (lib/domain/energy.ts): one of its distance
 * unit's, or "none" (null: the distance unit's own); undefined when not given.
 */
function checkEnergyUnit(typed: string | undefined, unit: MeterUnit, nickname: string): string | null | undefined {
  if (typed === undefined) return undefined
  const value = typed.trim()
  if (value.toLowerCase() === 'none' || value === '') return null
  const distance = figuresUnit(unit)
  const fits = ENERGY_UNITS_OF[distance].find((u) => u.toLowerCase() === value.toLowerCase())
  if (fits) return fits
  const other = ENERGY_UNITS_OF[distance === 'km' ? 'mi' : 'km'].some((u) => u.toLowerCase() === value.toLowerCase())
  throw badRequest(
    'energy_unit',
    other
      ? `energy_unit: ${clip(value, 20)} is for a car that counts ${distance === 'km' ? 'mi' : 'km'}; ${nickname} counts ${unit}: use ${ENERGY_UNITS_OF[distance].join(' or ')}`
      : `energy_unit: "${clip(value, 20)}" is not one of ${[...ENERGY_UNITS_OF.km, ...ENERGY_UNITS_OF.mi].join(', ')} (or none)`,
  )
}

/** The loan columns of a car (migration 19), in order: amount, currency, text, rate, months, start. */
type LoanColumns = [number, string, string, number, number, string] | [null, null, null, null, null, null]
const NO_LOAN: LoanColumns = [null, null, null, null, null, null]

const LOAN_EXAMPLE = '"15000 at 4.9% over 60m from 2025-03-01"'
const LOAN_TYPED = /^(?<amount>.+?)\s+at\s+(?<rate>[\d.,]+)\s*%\s+(?:over|for)\s+(?<months>\d+)\s*(?:m|mo|months?)\s+from\s+(?<start>\S+)$/i

/** A number as typed in the garage's format; a two-way one ("15.000") is read the garage's way. */
function numberIn(text: string, numbers: NumberFormat): number | undefined {
  const r = readDigits(text)
  if (!r) return undefined
  if (!r.readings || !r.separator) return r.value
  return r.separator === SEPARATORS[numbers].group ? r.readings[1] : r.readings[0]
}

/**
 * A car's loan as typed: "15,000 at 4.9% over 60m from 2025-03-01" (the amount in the garage
 * currency and number format, the annual rate, how many monthly payments, the day it started,
 * or its month: the 1st), or "none" to remove it. Each part refused names what is wrong.
 */
function checkLoan(typed: string, currency: string, today: string, shown: Presentation): LoanColumns {
  const text = typed.trim().replace(/\s+/g, ' ')
  if (text.toLowerCase() === 'none' || text === '') return NO_LOAN
  const m = LOAN_TYPED.exec(text)?.groups
  if (!m) throw badRequest('loan', `loan: "${clip(text, 60)}" is not a loan; give amount, rate, months and start, e.g. ${LOAN_EXAMPLE} (or none)`)
  const digits = m.amount!.replace(/[^\d.,\s']/g, '').trim()
  const value = numberIn(digits, shown.numbers)
  if (value === undefined) throw badRequest('loan', `loan: "${clip(m.amount!, 30)}" is not an amount; e.g. ${LOAN_EXAMPLE}`)
  const minor = toMinor('loan', { value, text: m.amount! }, currency)
  const rate = numberIn(m.rate!, shown.numbers)
  if (rate === undefined || rate > MAX_LOAN_RATE_PERCENT)
    throw badRequest('loan', `loan: ${clip(m.rate!, 10)}% is not a loan rate; use 0% to ${MAX_LOAN_RATE_PERCENT}% a year`)
  const months = Number(m.months)
  if (months < 1 || months > MAX_LOAN_MONTHS)
    throw badRequest('loan', `loan: ${months} months is not a loan term; use 1 to ${MAX_LOAN_MONTHS} monthly payments`)
  const start = checkDate('loan', /^\d{4}-\d{2}$/.test(m.start!) ? `${m.start}-01` : m.start!, today, shown.dates)
  return [minor, currency, m.amount!.trim(), rate, months, start]
}

const VALUE_TYPED = /^(?<amount>.+?)(?:\s+on\s+(?<on>\S+))?$/i

/**
 * What a car is worth as typed: "24,500 on 2025-12-01" (without a date: today), or "none" to
 * forget it; its columns: amount, currency, text, date.
 */
function checkValue(
  typed: string,
  currency: string,
  today: string,
  shown: Presentation,
): [number, string, string, string] | [null, null, null, null] {
  const text = typed.trim().replace(/\s+/g, ' ')
  if (text.toLowerCase() === 'none' || text === '') return [null, null, null, null]
  const m = VALUE_TYPED.exec(text)!.groups!
  const digits = m.amount!.replace(/[^\d.,\s']/g, '').trim()
  const value = numberIn(digits, shown.numbers)
  if (value === undefined)
    throw badRequest('value', `value: "${clip(m.amount!, 30)}" is not an amount; e.g. "24500 on 2025-12-01" (or none)`)
  const minor = toMinor('value', { value, text: m.amount! }, currency)
  const on = m.on === undefined ? today : checkDate('value', m.on, today, shown.dates)
  return [minor, currency, m.amount!.trim(), on]
}

export function editCar(db: Database, tenant: string, ref: string, body: CarEdit, now: Date): EditResult {
  return nicknameRace(
    db.transaction(() => {
      const car = requireCar(db, tenant, ref)
      // a new odometer is a new reading: not on an archived car (its other details may change)
      if (body.odometer !== undefined) requireInUse(car, 'odometer reading', 'odometer', db)
      const { garage, today, shown } = garageAt(db, tenant, now)
      const next: CarRow = { ...car }
      if (body.nickname !== undefined) {
        next.nickname = checkNickname(body.nickname)
        next.nickname_key = next.nickname.toLowerCase()
        checkUniqueNickname(db, tenant, next.nickname, car.id)
      }
      if (body.make !== undefined) next.make = checkCarText('make', body.make) ?? null
      if (body.model !== undefined) next.model = checkCarText('model', body.model) ?? null
      if (body.plate !== undefined) next.plate = checkCarText('plate', body.plate) ?? null
      if (body.year !== undefined) next.year = checkYear(body.year, now)
      if (body.vin !== undefined) next.vin = checkVin(body.vin, body.confirm === true)
      if (body.purchase_date !== undefined)
        next.purchase_date = checkDate('purchase_date', body.purchase_date, today, shown.dates)
      if (body.purchase_price !== undefined) {
        const price = typedMoney('purchase_price', body.purchase_price, garage.currency)
        next.purchase_price_minor = price.minor
        next.purchase_currency = garage.currency
        next.purchase_price_text = price.text
      }
      if (body.units) {
        // Values are stored with the car's distance unit: a car with readings keeps it (nothing is converted).
        const set = UNIT_SETS[body.units]
        if (!storesDistances(db, car) && car.odometer_unit !== 'h') next.odometer_unit = set.distance
        next.volume_unit = set.volume
        next.economy_unit = set.economy
        next.units_from_garage = 0
      }
      if (body.economy_unit) {
        next.economy_unit = body.economy_unit
        next.units_from_garage = 0
      }
      if (body.meter) next.odometer_unit = meterUnit(db, car, body.meter, garage.units)
      let removed = 0
      if (body.odometer) {
        const input = {
          reading: body.odometer,
          source: 'car',
          confirm: body.confirm,
          field: 'odometer',
        } as const
        const result = addReading(db, tenant, next, input, now)
        removed = result.removed
        next.odometer = result.reading.value
        next.odometer_text = result.reading.text
      }
      ensureTenant(db, tenant, now)
      const stored = storedUnit(next.odometer_unit)
      const updated = db
        .query(CAR_SQL.update)
        .get(
          next.nickname,
          next.nickname_key,
          next.make,
          next.model,
          next.year,
          next.odometer,
          next.odometer_text,
          next.plate,
          next.vin,
          next.purchase_date,
          next.purchase_price_minor,
          next.purchase_currency,
          next.purchase_price_text,
          stored.odometer_unit,
          next.volume_unit,
          next.economy_unit,
          next.units_from_garage,
          stored.meter,
          car.id,
          tenant,
        ) as CarRow
      const said = checkPowers(body)
      if (said.fuels !== undefined) db.query('UPDATE cars SET fuels = ? WHERE id = ?').run(said.fuels, car.id)
      if (said.powertrain !== undefined) db.query('UPDATE cars SET powertrain = ? WHERE id = ?').run(said.powertrain, car.id)
      // a unit chosen before the car's distance unit changed is kept; carEnergyUnit shows it only while it fits
      const energy = checkEnergyUnit(body.energy_unit, next.odometer_unit, next.nickname)
      if (energy !== undefined) db.query('UPDATE cars SET energy_unit = ? WHERE id = ?').run(energy, car.id)
      if (body.value !== undefined) {
        const value = checkValue(body.value, garage.currency, today, shown)
        const bought = next.purchase_date
        if (value[3] !== null && bought !== null && value[3] <= bought)
          throw badRequest('value', `value: ${value[3]} is not after ${next.nickname} was bought (${bought}); a value is what it is worth later`)
        db.query('UPDATE cars SET value_minor = ?, value_currency = ?, value_text = ?, value_on = ? WHERE id = ?').run(...value, car.id)
      }
      const loan = body.loan === undefined ? undefined : checkLoan(body.loan, garage.currency, today, shown)
      if (loan)
        db.query(
          'UPDATE cars SET loan_minor = ?, loan_currency = ?, loan_text = ?, loan_rate = ?, loan_months = ?, loan_start = ? WHERE id = ?',
        ).run(...loan, car.id)
      return { ...carDetail(db, carRow(updated)), removed }
    }),
  )
}

/**
 * Removes a car and everything recorded for it (readings, channel links, and by cascade
 * maintenance data); without `confirm` a 409 says what would go; `'preview'` answers the same
 * counts and removes nothing.
 */
export function removeCar(
  db: Database,
  tenant: string,
  ref: string,
  confirm: boolean | 'preview',
  now: Date,
): RemoveResult {
  return db.transaction(() => {
    const car = requireCar(db, tenant, ref)
    const view = carView(db, car, garageShown(db, tenant))
    const count = (table: string) =>
      (db.query(`SELECT count(*) AS n FROM ${table} WHERE car_id = ?`).get(car.id) as { n: number }).n
    const counts = {
      readings: car.reading_count,
      items: count('maintenance_items'),
      records: count('service_records'),
      fillups: count('fuel_fillups'),
    }
    if (confirm === 'preview') return { removed: view, ...counts }
    if (!confirm) {
      throw conflict(
        'confirm_remove',
        `confirm: removing ${car.nickname} deletes it with its ${recordedFor(counts)}; add confirm:yes to remove it`,
        'confirm',
      )
    }
    ensureTenant(db, tenant, now)
    // Readings, items, records and fill-ups go with the car (ON DELETE CASCADE).
    db.query('DELETE FROM cars WHERE id = ? AND tenant = ?').run(car.id, tenant)
    return { removed: view, ...counts }
  })()
}
