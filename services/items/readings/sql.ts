/**
 * The statements on odometer_readings (their plans are held in cars/perf.test.ts).
 *
 * Every `?` of a statement with an ORDER BY (its own or a subquery's) is written CAST(? AS …):
 * the SQLite in Bun (3.54) re-prepares such a statement each time a bare `?` is bound again
 * (about 2 µs, more than the query itself). The cast keeps the comparison and the index use;
 * ids and tenants are bound as integers and strings.
 */
import { carUnitSql } from '../shared/car.ts'
import type { DistanceUnit } from '../shared/model.ts'
import type { ReadingSource } from './model.ts'

export const READING_COLUMNS = 'id, value, text, typed_unit, source, read_on'

/** A reading as selected by READING_COLUMNS. */
export type ReadingRow = {
  id: number
  value: number
  text: string
  typed_unit: DistanceUnit | null
  source: ReadingSource
  read_on: string
}

/** The car's current reading (`o_*`, null without readings): the top of (car_id, value, read_on), no sort. */
export const CURRENT_COLUMNS =
  'o.id AS o_id, o.value AS o_value, o.text AS o_text, o.typed_unit AS o_typed_unit, o.source AS o_source, o.read_on AS o_read_on'
export const CURRENT_JOIN = `LEFT JOIN odometer_readings o ON o.id = (SELECT id FROM odometer_readings WHERE car_id = c.id
  ORDER BY value DESC, read_on DESC, id DESC LIMIT 1) AND o.tenant = c.tenant`

/** How the car's garage writes numbers and dates (`g_*`, null for a garage that never wrote): see GARAGE_JOIN. */
export const SHOWN_COLUMNS = 'g.number_format AS g_numbers, g.date_order AS g_dates'
/** The garage's row beside a car `c`, by its primary key, for SHOWN_COLUMNS. */
export const GARAGE_JOIN = 'LEFT JOIN tenants g ON g.id = c.tenant'
export type ShownColumns = { g_numbers: string | null; g_dates: string | null }

export type CurrentColumns = {
  o_id: number | null
  o_value: number | null
  o_text: string | null
  o_typed_unit: DistanceUnit | null
  o_source: ReadingSource | null
  o_read_on: string | null
}

/** The statements addReading checks a new reading against the history with. */
export const READING_SQL = {
  // The highest reading on or before the date: down the (car_id, value, read_on) index from the
  // top, usually its first entry (`+read_on` keeps the planner off the date index, which would
  // read and sort every earlier reading).
  prior: `SELECT ${READING_COLUMNS} FROM odometer_readings WHERE car_id = CAST(? AS INTEGER) AND tenant = CAST(? AS TEXT)
    AND +read_on <= CAST(? AS TEXT) ORDER BY value DESC LIMIT 1`,
  // The lowest reading after the date: a range of the date index, usually empty.
  later: `SELECT ${READING_COLUMNS} FROM odometer_readings WHERE car_id = CAST(? AS INTEGER) AND tenant = CAST(? AS TEXT)
    AND read_on > CAST(? AS TEXT) ORDER BY value ASC LIMIT 1`,
  // A confirmed correction removes what contradicts it in two statements, each a range of one
  // index (one OR of both read every reading of the car): the higher readings on or before the
  // date from the value index, the lower later ones from the date index.
  removeHigherBefore:
    'DELETE FROM odometer_readings WHERE car_id = ? AND tenant = ? AND value > ? AND +read_on <= ?',
  removeLowerAfter:
    'DELETE FROM odometer_readings WHERE car_id = ? AND tenant = ? AND read_on > ? AND +value < ?',
  insert: `INSERT INTO odometer_readings (tenant, car_id, value, text, typed_unit, source, read_on, created_at, number)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${READING_COLUMNS}`,
  /** The car's unit and current reading. */
  current: `SELECT ${carUnitSql('c')} AS odometer_unit, ${CURRENT_COLUMNS} FROM cars c ${CURRENT_JOIN}
    WHERE c.tenant = CAST(? AS TEXT) AND c.id = CAST(? AS INTEGER)`,
} as const
