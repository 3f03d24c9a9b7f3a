/**
 * Odometer readings. A reading is kept in the car's unit with its typed text, and the history
 * must not go backwards in time; a confirmed reading that contradicts it is a correction.
 */
import type { Database } from 'bun:sqlite'
import { nextNumber } from '../shared/numbers.ts'
import { type ChangeActor, logChange, NOBODY, type Snapshot } from '../changes/log.ts'
import { checkDate, daysBetween, formatDate } from '../../../lib/domain/dates.ts'
import type { Presentation } from '../../../lib/domain/presentation.ts'
import { plural } from '../../../lib/domain/text.ts'
import { convertMeter } from '../../../lib/domain/units.ts'
import { badRequest, conflict, notFound } from '../../lib/http.ts'
import type { ReadingResult } from '../cars/model.ts'
import { carView } from '../cars/view.ts'
import { type CarRow, requireCar, requireInUse } from '../shared/car.ts'
import { checkMeter, formatDistance, typedDistance } from '../shared/distance.ts'
import { ensureTenant, garageAt, garageShown } from '../shared/garage.ts'
import type { DistanceInput, MeterUnit } from '../shared/model.ts'
import { prepared } from '../shared/statements.ts'
import type { ReadingCreate, ReadingSource, ReadingView } from './model.ts'
import { READING_SQL, type ReadingRow } from './sql.ts'
import { currentOdometer, readingView } from './view.ts'

/** Stores a reading typed in `reading.unit` in the car's unit. */
export function insertReading(
  db: Database,
  car: CarRow,
  reading: { value: number; unit: MeterUnit; text: string },
  source: ReadingSource,
  readOn: string,
  now: Date,
  number?: number,
): ReadingRow {
  const value = convertMeter(reading.value, reading.unit, car.odometer_unit)
  return db
    .query(READING_SQL.insert)
    .get(
      car.tenant,
      car.id,
      value,
      reading.text,
      // hours are only ever typed on an hour-meter car: NULL, the car's unit (the column knows km and mi)
      reading.unit === 'h' ? null : reading.unit,
      source,
      readOn,
      now.toISOString(),
      number ?? nextNumber(db, car.tenant, 'reading'),
    ) as ReadingRow
}

/**
 * The most a car plausibly drives in a day, in its own unit (2,000 km, or 2,000 mi): a reading
 * further above the last one than this per day since it (at least one day's worth) is more
 * likely a typo or a misread number ("52,000" read as 52) than a drive, and asks for confirm:yes.
 */
export const PLAUSIBLE_PER_DAY = 2000
/** An hour meter runs at most 24 hours a day. */
const PLAUSIBLE_HOURS_PER_DAY = 24

export type AddReadingInput = {
  /** As typed; unit null or absent = the garage's unit. */
  reading: DistanceInput
  /** YYYY-MM-DD in the garage timezone; default today. */
  date?: string
  source: ReadingSource
  /** Accept a reading that contradicts the history (a correction). */
  confirm?: boolean
  /** The field named in refusals (the caller's option name, e.g. "odometer" or "reading"). */
  field?: string
  /** The reading's number in the garage, kept by an edit (default the next one). */
  number?: number
}

/**
 * Records an odometer reading of a car, converted to the car's unit, keeping the typed text.
 * Readings must not go backwards in time: a reading lower than one on or before its date (or
 * higher than one after it) is refused with 409 naming the field, unless `confirm`.
 *
 * With `confirm` the reading is a correction: the user is saying the contradicting readings
 * were wrong (a typo such as 530,000 for 53,000). Those readings (from any source) are
 * deleted, so the corrected value becomes the current odometer and the history stays
 * monotonic; `removed` says how many went. Car edits, service records and fill-ups call it
 * with their source inside their own transaction.
 */
export function addReading(
  db: Database,
  tenant: string,
  carRef: CarRow | string | number,
  input: AddReadingInput,
  now: Date,
): { reading: ReadingView; removed: number; car: CarRow; shown: Presentation } {
  return db.transaction(() => {
    const field = input.field ?? 'reading'
    const car = typeof carRef === 'object' ? carRef : requireCar(db, tenant, carRef)
    if (car.tenant !== tenant) throw notFound('no such car in this garage')
    const { garage, today, shown: p } = garageAt(db, tenant, now)
    const readOn = input.date === undefined ? today : checkDate('date', input.date, today, p.dates)
    const day = (date: string) => formatDate(date, p.dates)
    const typed = typedDistance(input.reading, garage.units, car.odometer_unit)
    checkMeter(field, typed.text, typed.unit, car.odometer_unit)
    const value = convertMeter(typed.value, typed.unit, car.odometer_unit)
    if (value > 10_000_000) throw badRequest(field, `${field}: ${typed.text} is more than any odometer shows`)
    const label = (v: number) => formatDistance(v, car.odometer_unit, p.numbers)
    const shown = typed.unit === car.odometer_unit ? typed.text : `${typed.text} (${label(value)})`
    const eps = 1e-6
    const prior = prepared(db, READING_SQL.prior).get(car.id, tenant, readOn) as ReadingRow | null
    const later = prepared(db, READING_SQL.later).get(car.id, tenant, readOn) as ReadingRow | null
    let removed = 0
    if (!input.confirm) {
      if (prior && value < prior.value - eps) {
        const when = prior.read_on === readOn ? '' : ` (${day(prior.read_on)})`
        throw conflict(
          'confirm_odometer',
          `${field}: ${shown} is lower than the last reading ${readingView(prior, car.odometer_unit, p.numbers).label}${when}; add confirm:yes to correct it`,
          field,
        )
      }
      if (later && value > later.value + eps) {
        throw conflict(
          'confirm_odometer',
          `${field}: ${shown} on ${day(readOn)} is higher than the later reading ${readingView(later, car.odometer_unit, p.numbers).label} (${day(later.read_on)}); add confirm:yes to correct it`,
          field,
        )
      }
      if (prior && value > prior.value + eps) {
        const days = daysBetween(prior.read_on, readOn)
        const most = (car.odometer_unit === 'h' ? PLAUSIBLE_HOURS_PER_DAY : PLAUSIBLE_PER_DAY) * Math.max(1, days)
        if (value - prior.value > most + eps) {
          const since = days === 0 ? 'the same day' : `${plural(days, 'day')} later`
          throw conflict(
            'confirm_odometer',
            `${field}: ${shown} is ${label(value - prior.value)} above the last reading ${readingView(prior, car.odometer_unit, p.numbers).label} (${day(prior.read_on)}), ${since}; that is more than ${label(most)} in ${plural(Math.max(1, days), 'day')}. Add confirm:yes if it is right`,
            field,
          )
        }
      }
    } else {
      removed =
        prepared(db, READING_SQL.removeHigherBefore).run(car.id, tenant, value + eps, readOn).changes +
        prepared(db, READING_SQL.removeLowerAfter).run(car.id, tenant, readOn, value - eps).changes
    }
    ensureTenant(db, tenant, now)
    const row = insertReading(db, car, typed, input.source, readOn, now, input.number)
    return { reading: readingView(row, car.odometer_unit, p.numbers), removed, car, shown: p }
  })()
}

/** POST /cars/:car/readings: a reading, with the car after it and the odometer before it. */
export function recordReading(
  db: Database,
  tenant: string,
  ref: string,
  body: ReadingCreate,
  now: Date,
  actor: ChangeActor = NOBODY,
): ReadingResult {
  return db.transaction(() => {
    const car = requireInUse(requireCar(db, tenant, ref), 'odometer reading', 'car', db)
    const previous = currentOdometer(db, tenant, car.id, garageShown(db, tenant).numbers)
    const result = addReading(db, tenant, car, { ...body, source: 'reading', field: 'reading' }, now)
    const after = readingSnap(db, result.reading.id, result.removed)
    const change = logChange(
      db,
      tenant,
      actor,
      { kind: 'reading', action: 'add', ref: after.row.number as number, before: null, after },
      now,
    )
    return {
      car: carView(db, result.car, result.shown),
      reading: result.reading,
      previous,
      removed: result.removed,
      number: after.row.number as number,
      change,
    }
  })()
}

/** A reading as a change snapshot (`removed`: other readings its confirmed correction removed). */
export function readingSnap(db: Database, id: number, removed = 0): Snapshot {
  const row = db.query('SELECT * FROM odometer_readings WHERE id = ?').get(id) as Snapshot['row']
  return { row, reading: null, ...(removed ? { removed } : {}) }
}
