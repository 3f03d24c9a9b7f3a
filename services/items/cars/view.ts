/** A car as shown: its fields, purchase price and current odometer; the detail adds its latest readings. */
import type { Database } from 'bun:sqlite'
import { readingView, currentOdometer, currentView } from '../readings/view.ts'
import type { ReadingRow } from '../readings/sql.ts'
import type { ReadingView } from '../readings/model.ts'
import { type CarRow, ID_REF, idOfRef } from '../shared/car.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import { carUnits } from '../../../lib/domain/units.ts'
import { prepared } from '../shared/statements.ts'
import { notFound } from '../../lib/http.ts'
import type { CarDetail, CarView, MoneyView } from './model.ts'
import { CAR_SQL, type CarWithCurrent, type ViewColumns } from './sql.ts'

function priceView(car: ViewColumns): MoneyView | null {
  if (car.purchase_price_minor === null || car.purchase_currency === null) return null
  const label = formatMoney(car.purchase_price_minor, car.purchase_currency)
  return {
    minor: car.purchase_price_minor,
    currency: car.purchase_currency,
    text: car.purchase_price_text ?? label,
    label,
  }
}

function moneyView(minor: number | null, currency: string | null): MoneyView | null {
  if (minor === null || currency === null) return null
  const label = formatMoney(minor, currency)
  return { minor, currency, text: label, label }
}

export function viewOf(car: ViewColumns, odometer: ReadingView | null): CarView {
  const units = carUnits(car.odometer_unit, car.volume_unit, car.economy_unit)
  return {
    id: car.id,
    nickname: car.nickname,
    make: car.make,
    model: car.model,
    year: car.year,
    plate: car.plate,
    vin: car.vin,
    purchase_date: car.purchase_date,
    purchase_price: priceView(car),
    odometer_unit: car.odometer_unit,
    volume_unit: units.volume,
    economy_unit: units.economy,
    units_from_garage: car.units_from_garage === 1,
    odometer,
    created_at: car.created_at,
    archived:
      car.archived_on === null || car.archived_on === undefined
        ? null
        : {
            on: car.archived_on,
            price: moneyView(car.archived_price_minor, car.archived_currency),
            odometer: car.archived_odometer_text,
          },
  }
}

/** A car row with its current odometer (one more statement). */
export function carView(db: Database, car: CarRow): CarView {
  return viewOf(car, currentOdometer(db, car.tenant, car.id))
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
  const readings: ReadingView[] = []
  for (const row of rows) readings.push(readingView(row, car.odometer_unit))
  return {
    ...viewOf(car, currentView(car, car.odometer_unit)),
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
