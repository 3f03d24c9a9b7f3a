/** An odometer reading as shown, and a car's current reading (its highest, from any source). */
import type { Database } from 'bun:sqlite'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import { formatDistance } from '../shared/distance.ts'
import type { MeterUnit } from '../shared/model.ts'
import { prepared } from '../shared/statements.ts'
import type { ReadingSource, ReadingView } from './model.ts'
import { type CurrentColumns, READING_SQL, type ReadingRow } from './sql.ts'

/** A reading as shown: as typed, or in the car's unit with what was typed beside it ("51,499.5 km (32,000 mi)"). */
export function readingView(row: ReadingRow, unit: MeterUnit, numbers: NumberFormat): ReadingView {
  const label =
    row.typed_unit && row.typed_unit !== unit ? `${formatDistance(row.value, unit, numbers)} (${row.text})` : row.text
  return {
    id: row.id,
    value: row.value,
    unit,
    text: row.text,
    label,
    source: row.source,
    read_on: row.read_on,
  }
}

/** The current reading selected beside a car (CURRENT_COLUMNS); null without readings. */
export function currentView(row: CurrentColumns, unit: MeterUnit, numbers: NumberFormat): ReadingView | null {
  if (row.o_id === null) return null
  return readingView(
    {
      id: row.o_id,
      value: row.o_value as number,
      text: row.o_text as string,
      typed_unit: row.o_typed_unit,
      source: row.o_source as ReadingSource,
      read_on: row.o_read_on as string,
    },
    unit,
    numbers,
  )
}

/** The car's current odometer: its highest reading from any source (null without readings). */
export function currentOdometer(db: Database, tenant: string, carId: number, numbers: NumberFormat): ReadingView | null {
  const row = prepared(db, READING_SQL.current).get(tenant, carId) as
    | (CurrentColumns & { odometer_unit: MeterUnit })
    | null
  return row ? currentView(row, row.odometer_unit, numbers) : null
}
