/** A car as shown: its fields, purchase price and current odometer; the detail adds its latest readings. */
import type { Database } from 'bun:sqlite'
import { readingView, currentOdometer, currentView } from '../readings/view.ts'
import type { ReadingRow } from '../readings/sql.ts'
import type { ReadingView } from '../readings/model.ts'
import { type CarRow, ID_REF, idOfRef } from '../shared/car.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import { type Presentation, presentationOf } from '../../../lib/domain/presentation.ts'
import { carUnits, figuresUnit } from '../../../lib/domain/units.ts'
import { prepared } from '../shared/statements.ts'
import { notFound } from '../../lib/http.ts'
import type { CarDetail, CarView, MoneyView } from './model.ts'
import { CAR_SQL, type CarExtras, type CarWithCurrent, type ViewColumns } from './sql.ts'
import { carEnergyUnit } from '../../../lib/domain/energy.ts'

function priceView(car: ViewColumns, numbers: NumberFormat): MoneyView | null {
  if (car.purchase_price_minor === null || car.purchase_currency === null) return null
  const label = formatMoney(car.purchase_price_minor, car.purchase_currency, 0, numbers)
  return {
    minor: car.purchase_price_minor,
    currency: car.purchase_currency,
    text: car.purchase_price_text ?? label,
    label,
  }
}

function moneyView(minor: number | null, currency: string | null, numbers: NumberFormat): MoneyView | null {
  if (minor === null || currency === null) return null
  const label = formatMoney(minor, currency, 0, numbers)
  return { minor, currency, text: label, label }
}

function loanView(car: ViewColumns, numbers: NumberFormat): CarView['loan'] {
  const { loan_minor: minor, loan_currency: currency, loan_rate: rate, loan_months: months, loan_start: start } = car
  if (minor == null || currency == null || rate == null || months == null || start == null) return null
  const label = formatMoney(minor, currency, 0, numbers)
  return { amount: { minor, currency, text: car.loan_text ?? label, label }, rate_percent: rate, months, start }
}

/** A car as shown, its labels written the way its garage writes numbers (`shown`). */
export function viewOf(car: ViewColumns, odometer: ReadingView | null, shown: Presentation): CarView {
  const units = carUnits(figuresUnit(car.odometer_unit), car.volume_unit, car.economy_unit)
  return {
    id: car.id,
    nickname: car.nickname,
    make: car.make,
    model: car.model,
    year: car.year,
    plate: car.plate,
    vin: car.vin,
    purchase_date: car.purchase_date,
    purchase_price: priceView(car, shown.numbers),
    odometer_unit: car.odometer_unit,
    volume_unit: units.volume,
    economy_unit: units.economy,
    units_from_garage: car.units_from_garage === 1,
    energy_unit: carEnergyUnit(units.distance, car.energy_unit),
    powertrain: car.powertrain ?? null,
    fuels: car.fuels ?? null,
    loan: loanView(car, shown.numbers),
    value:
      car.value_minor == null || car.value_currency == null || car.value_on == null
        ? null
        : { amount: moneyView(car.value_minor, car.value_currency, shown.numbers)!, on: car.value_on },
    odometer,
    created_at: car.created_at,
    archived:
      car.archived_on === null || car.archived_on === undefined
        ? null
        : {
            on: car.archived_on,
            price: moneyView(car.archived_price_minor, car.archived_currency, shown.numbers),
            odometer: car.archived_odometer_text,
          },
    presentation: shown,
  }
}

/** A car row (every column, its loan and energy unit too) with its current odometer (one more statement), shown the garage's way. */
export function carView(db: Database, car: CarRow, shown: Presentation): CarView {
  return viewOf(car as CarRow & CarExtras, currentOdometer(db, car.tenant, car.id, shown.numbers), shown)
}

/** How the garage of a car read with SHOWN_COLUMNS writes numbers and dates. */
const shownOfRow = (car: CarWithCurrent): Presentation => presentationOf(car.g_numbers, car.g_dates)

/** A car read with its current odometer and its garage's presentation (CAR_SQL) as shown. */
export function listedView(car: CarWithCurrent): CarView {
  const shown = shownOfRow(car)
  return viewOf(car, currentView(car, car.odometer_unit, shown.numbers), shown)
}

/** The car (by nickname, case-insensitive, else by id) with its current reading: one statement. */
export function findCarDetail(db: Database, tenant: string, ref: string): CarWithCurrent | null {
  const key = ref.trim()
  const byName = prepared(db, CAR_SQL.detailByName).get(tenant, key.toLowerCase()) as CarWithCurrent | null
  if (byName || !ID_REF.test(key)) return byName
  return prepared(db, CAR_SQL.detailById).get(tenant, idOfRef(key)) as CarWithCurrent | null
}

export function detailOf(db: Database, tenant: string, car: CarWithCurrent): CarDetail {
  const rows = prepared(db, CAR_SQL.latestReadings).all(car.id, tenant) as ReadingRow[]
  const { numbers } = shownOfRow(car)
  const readings: ReadingView[] = []
  for (const row of rows) readings.push(readingView(row, car.odometer_unit, numbers))
  return {
    ...listedView(car),
    readings,
    reading_count: car.reading_count,
  }
}

/** The detail of a car just written (by its id). */
export function carDetail(db: Database, car: CarRow): CarDetail {
  const detail = prepared(db, CAR_SQL.detailById).get(car.tenant, car.id) as CarWithCurrent | null
  if (!detail) throw notFound('no such car in this garage')
  return detailOf(db, car.tenant, detail)
}
