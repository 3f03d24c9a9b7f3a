/**
 * The car reads: GET /cars is one statement, GET /cars/:car two (the car with its current
 * odometer and its reading count, kept on the row; then its latest readings, from one index
 * range). Plans in perf.test.ts; on the CAST(? AS …) see readings/sql.ts.
 */
import { type CarRow, carUnitSql } from '../shared/car.ts'
import {
  CURRENT_COLUMNS,
  CURRENT_JOIN,
  type CurrentColumns,
  GARAGE_JOIN,
  READING_COLUMNS,
  SHOWN_COLUMNS,
  type ShownColumns,
} from '../readings/sql.ts'

/** How many readings GET /cars/:car shows. */
const SHOWN_READINGS = 10

/** The car columns a view shows (not the lookup keys nor the odometer last typed on the car). */
const VIEW_COLUMNS = `c.id, c.nickname, c.make, c.model, c.year, c.plate, c.vin, c.purchase_date, c.purchase_price_minor,
  c.purchase_currency, c.purchase_price_text, ${carUnitSql('c')} AS odometer_unit, c.volume_unit, c.economy_unit, c.units_from_garage, c.created_at,
  c.reading_count, c.archived_on, c.archived_price_minor, c.archived_currency, c.archived_odometer, c.archived_odometer_text,
  c.fuels, c.powertrain, c.energy_unit, c.loan_minor, c.loan_currency, c.loan_text, c.loan_rate, c.loan_months, c.loan_start,
  c.value_minor, c.value_currency, c.value_text, c.value_on`
/** What a car runs on (migration 13), its loan, energy unit and value (migration 19): NULL when not said. */
export type CarExtras = {
  fuels: string | null
  powertrain: string | null
  energy_unit: string | null
  loan_minor: number | null
  loan_currency: string | null
  loan_text: string | null
  loan_rate: number | null
  loan_months: number | null
  loan_start: string | null
  value_minor: number | null
  value_currency: string | null
  value_text: string | null
  value_on: string | null
}
export type ViewColumns = Omit<CarRow, 'tenant' | 'nickname_key' | 'odometer' | 'odometer_text'> & CarExtras
export type CarWithCurrent = ViewColumns & CurrentColumns & ShownColumns

// The garage's number format and date order come with each car (its labels are written in them).
const CAR_DETAIL = `SELECT ${VIEW_COLUMNS}, ${CURRENT_COLUMNS}, ${SHOWN_COLUMNS} FROM cars c ${CURRENT_JOIN} ${GARAGE_JOIN}`

export const CAR_SQL = {
  detailByName: `${CAR_DETAIL} WHERE c.tenant = CAST(? AS TEXT) AND c.nickname_key = CAST(? AS TEXT)`,
  detailById: `${CAR_DETAIL} WHERE c.tenant = CAST(? AS TEXT) AND c.id = CAST(? AS INTEGER)`,
  latestReadings: `SELECT ${READING_COLUMNS} FROM odometer_readings
    WHERE car_id = CAST(? AS INTEGER) AND tenant = CAST(? AS TEXT) ORDER BY read_on DESC, id DESC LIMIT ${SHOWN_READINGS}`,
  list: `${CAR_DETAIL} WHERE c.tenant = CAST(? AS TEXT) ORDER BY c.nickname_key LIMIT 1000`,
  // a range on the (tenant, nickname_key) index: every key starting with the prefix sorts
  // between it and the prefix followed by the highest code point
  listByPrefix: `${CAR_DETAIL}
    WHERE c.tenant = CAST(? AS TEXT) AND c.nickname_key >= CAST(? AS TEXT) AND c.nickname_key < CAST(? AS TEXT)
    ORDER BY c.nickname_key LIMIT 25`,
  insert: `INSERT INTO cars (id, tenant, nickname, nickname_key, make, model, year, odometer, odometer_unit, odometer_text, plate, vin,
    purchase_date, purchase_price_minor, purchase_currency, purchase_price_text, created_at, volume_unit, economy_unit, units_from_garage, meter)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  /**
   * The id of a new car: issues, photos and quotes in the other services point at a car by its
   * id, so an id is never given again once a car had it (SQLite would give a removed newest
   * car's id to the next one).
   */
  // Seeded past every id the cars table and the change log (which outlives a removed car) know.
  nextId: `INSERT INTO record_counters (tenant, kind, last)
    VALUES ('', 'car_id', max(coalesce((SELECT max(id) FROM cars), 0), coalesce((SELECT max(car_id) FROM changes), 0)) + 1)
    ON CONFLICT (tenant, kind) DO UPDATE SET last = max(last + 1, excluded.last) RETURNING last`,
  update: `UPDATE cars SET nickname = ?, nickname_key = ?, make = ?, model = ?, year = ?, odometer = ?, odometer_text = ?, plate = ?,
    vin = ?, purchase_date = ?, purchase_price_minor = ?, purchase_currency = ?, purchase_price_text = ?,
    odometer_unit = ?, volume_unit = ?, economy_unit = ?, units_from_garage = ?, meter = ?
    WHERE id = ? AND tenant = ? RETURNING *`,
} as const
