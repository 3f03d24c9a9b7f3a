/**
 * Hammond's SQLite database (its GORM schema): `vehicles` (nickname, make, model, fuel_unit,
 * distance_unit …), `fillups` (fuel_quantity, per_unit_price, total_amount, odo_reading,
 * is_tank_full, has_missed_fillup, comments, date, fuel_unit, distance_unit …) and `expenses`
 * (amount, expense_type, odo_reading, comments, date …). Its enums are stored as integers
 * (fuel_unit 0 litre, 1 gallon, 2 US gallon, 3 kilogram, 4 kWh; distance_unit 0 miles, 1 km) or
 * as their names.
 *
 * The file is a stranger's: it is written to a temporary copy and opened read-only there, its
 * tables and columns are checked against that list before any is read (names are never taken
 * from the file into SQL), every value is read as text and checked like a CSV cell, and a file
 * that is no Hammond database, or a damaged one, is refused with a clear message.
 */
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DistanceUnit, VolumeUnit } from '../domain/units.ts'
import { convertDistance, fromLitres, toLitres } from '../domain/units.ts'
import type { TableRead } from './formats.ts'
import { expenseKindOf } from './fuelio.ts'
import {
  type CarSource,
  IMPORT_MAX_ROWS,
  ImportRefused,
  type ImportKind,
  type Problem,
  type RawRow,
} from './model.ts'

/** The columns read from each table; a database without them is not Hammond's. */
const NEEDED = {
  vehicles: ['id', 'nickname'],
  fillups: ['vehicle_id', 'fuel_quantity', 'odo_reading', 'date'],
  expenses: ['vehicle_id', 'amount', 'date'],
} as const
const OPTIONAL = {
  vehicles: ['make', 'model', 'registration', 'fuel_unit', 'distance_unit', 'deleted_at'],
  fillups: [
    'per_unit_price',
    'total_amount',
    'is_tank_full',
    'has_missed_fillup',
    'comments',
    'fill_source',
    'fuel_unit',
    'distance_unit',
    'deleted_at',
  ],
  expenses: ['expense_type', 'odo_reading', 'comments', 'distance_unit', 'deleted_at'],
} as const
type Table = keyof typeof NEEDED

type Cell = string | number | bigint | null | Uint8Array
type Row = Record<string, Cell>

const FUEL_UNITS: Record<string, VolumeUnit | 'other'> = {
  '0': 'L',
  litre: 'L',
  liter: 'L',
  litres: 'L',
  liters: 'L',
  l: 'L',
  '1': 'impgal',
  gallon: 'impgal',
  '2': 'gal',
  us_gallon: 'gal',
  usgallon: 'gal',
  'us gallon': 'gal',
  '3': 'other',
  kilogram: 'other',
  '4': 'other',
  kilowatt_hour: 'other',
  '5': 'other',
  minute: 'other',
}
const DISTANCE_UNITS: Record<string, DistanceUnit> = {
  '0': 'mi',
  miles: 'mi',
  mile: 'mi',
  mi: 'mi',
  '1': 'km',
  kilometers: 'km',
  kilometres: 'km',
  kilometer: 'km',
  km: 'km',
}

/** A value as text ("" for none); a blob is no value of these columns. */
function text(v: Cell | undefined): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Uint8Array) return '\u0000blob'
  return String(v).trim()
}

const unitKey = (v: Cell | undefined) => text(v).toLowerCase()
const yes = (v: Cell | undefined) => /^(1|true|t|yes)$/i.test(text(v))

/** A date cell as written (ISO with a time and zone), or a Unix time in seconds or milliseconds. */
function dateOf(v: Cell | undefined): string {
  if (typeof v === 'number' || typeof v === 'bigint') {
    const n = Number(v)
    const ms = n > 1e11 ? n : n * 1000
    const d = new Date(ms)
    return Number.isNaN(d.getTime()) ? String(v) : d.toISOString().slice(0, 10)
  }
  return text(v)
}

/** A number as a cell normalize reads with a decimal point; "" when there is none. */
function numberCell(v: Cell | undefined): string {
  const t = text(v)
  if (t === '') return ''
  const n = Number(t)
  // 1e-7, NaN, Infinity: left as written, which normalize names as no number.
  return Number.isFinite(n) && !/e/i.test(String(n)) ? String(n) : t
}

/** Round a converted number to what a file would hold. */
const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places

function open(bytes: Uint8Array, name: string): { db: Database; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'car-manager-import-'))
  const done = () => rmSync(dir, { recursive: true, force: true })
  try {
    const copy = new Uint8Array(bytes)
    // A database in WAL mode (header bytes 18 and 19 are 2) opens read-only only beside its -shm
    // file; the copy is marked a rollback-journal database, which reads the same pages.
    if (copy.byteLength >= 100 && (copy[18] === 2 || copy[19] === 2)) {
      copy[18] = 1
      copy[19] = 1
    }
    const path = join(dir, 'import.sqlite')
    writeFileSync(path, copy)
    const db = new Database(path, { readonly: true })
    db.exec('PRAGMA trusted_schema = OFF')
    return { db, done }
  } catch {
    done()
    throw new ImportRefused(`${name}: an SQLite file that cannot be opened (damaged?). Nothing was imported.`)
  }
}

/** The database's tables and their columns, read from SQLite's own catalog. */
function schemaOf(db: Database): Map<string, Set<string>> {
  const tables = db
    .query<{ name: string }, []>("SELECT name FROM sqlite_schema WHERE type = 'table'")
    .all()
    .map((t) => t.name)
  const out = new Map<string, Set<string>>()
  for (const t of tables) {
    if (!(t in NEEDED)) continue
    const cols = db
      .query<{ name: string }, [string]>('SELECT name FROM pragma_table_info(?)')
      .all(t)
      .map((c) => c.name.toLowerCase())
    out.set(t, new Set(cols))
  }
  return out
}

/** Whether the bytes are a Hammond database is told by reading it; this reads it or refuses it. */
export function readHammond(bytes: Uint8Array, name: string): TableRead {
  const { db, done } = open(bytes, name)
  try {
    return read(db, name)
  } catch (error) {
    if (error instanceof ImportRefused) throw error
    // SQLITE_CORRUPT, SQLITE_NOTADB …: whatever the file's pages say, the answer is the same.
    throw new ImportRefused(
      `${name}: an SQLite file that cannot be read (${error instanceof Error ? error.message : 'damaged'}). Nothing was imported.`,
    )
  } finally {
    db.close()
    done()
  }
}

function read(db: Database, name: string): TableRead {
  const schema = schemaOf(db)
  const lacking: string[] = []
  for (const t of Object.keys(NEEDED) as Table[]) {
    const cols = schema.get(t)
    if (!cols) lacking.push(`table ${t}`)
    else for (const c of NEEDED[t]) if (!cols.has(c)) lacking.push(`${t}.${c}`)
  }
  if (lacking.length)
    throw new ImportRefused(
      `${name}: an SQLite database, but not Hammond's (it lacks ${lacking.slice(0, 5).join(', ')}${lacking.length > 5 ? ' …' : ''}). Hammond's database is the only one imported; from another app, export CSVs. Nothing was imported.`,
    )
  /** The table's rows with the listed columns that it has; names come from the lists above, never the file. */
  const rowsOf = (t: Table): Row[] => {
    const cols = schema.get(t)!
    const wanted = [...NEEDED[t], ...OPTIONAL[t]].filter((c) => cols.has(c))
    const list = wanted.map((c) => `"${c}"`).join(', ')
    const order = cols.has('date') ? ' ORDER BY "date", rowid' : ' ORDER BY rowid'
    try {
      return db.query<Row, []>(`SELECT ${list} FROM "${t}"${order} LIMIT ${IMPORT_MAX_ROWS + 1}`).all()
    } catch {
      // A WITHOUT ROWID table has no rowid to order by.
      return db.query<Row, []>(`SELECT ${list} FROM "${t}" LIMIT ${IMPORT_MAX_ROWS + 1}`).all()
    }
  }
  const live = (r: Row) => text(r.deleted_at) === ''

  const vehicles = rowsOf('vehicles').filter(live)
  const cars = new Map<string, CarSource>()
  const carOf = new Map<string, { name: string; source: CarSource; otherFuel: boolean }>()
  const problems: Problem[] = []
  const notes: string[] = []
  const fillups = rowsOf('fillups').filter(live)
  const expenses = rowsOf('expenses').filter(live)
  for (const v of vehicles) {
    const id = text(v.id)
    const nick =
      text(v.nickname) ||
      [text(v.make), text(v.model)].filter(Boolean).join(' ') ||
      text(v.registration) ||
      `vehicle ${id}`
    // A vehicle's units: its own columns, else those of its first fill-up, else metric.
    const first = fillups.find((f) => text(f.vehicle_id) === id)
    const fuel = FUEL_UNITS[unitKey(v.fuel_unit)] ?? FUEL_UNITS[unitKey(first?.fuel_unit)]
    const distance =
      DISTANCE_UNITS[unitKey(v.distance_unit)] ?? DISTANCE_UNITS[unitKey(first?.distance_unit)] ?? 'km'
    const volume: VolumeUnit = fuel && fuel !== 'other' ? fuel : distance === 'mi' ? 'gal' : 'L'
    if (fuel === 'other')
      notes.push(`"${nick}": its fuel is not measured in litres or gallons; its fill-ups are left out`)
    const source: CarSource = {
      distance,
      volume,
      units: distance === 'km' ? 'metric' : volume === 'impgal' ? 'uk' : 'imperial',
    }
    // Two vehicles of one nickname stay two cars.
    let shown = nick
    for (let n = 2; cars.has(shown); n++) shown = `${nick} (${n})`
    cars.set(shown, source)
    carOf.set(id, { name: shown, source, otherFuel: fuel === 'other' })
  }

  const rows: RawRow[] = []
  let line = 0
  for (const f of fillups) {
    line++
    const file = 'fillups'
    const car = carOf.get(text(f.vehicle_id))
    if (!car) {
      problems.push({ file, line, why: `vehicle_id: "${text(f.vehicle_id)}" is no vehicle of the database` })
      continue
    }
    const unit = FUEL_UNITS[unitKey(f.fuel_unit)] ?? (car.otherFuel ? 'other' : car.source.volume)
    if (unit === 'other') {
      problems.push({
        file,
        line,
        why: 'fuel_unit: a fill-up in kilograms, kWh or minutes is no fuel volume',
      })
      continue
    }
    const row: RawRow = {
      file,
      line,
      kind: 'fuel',
      car: car.name,
      date: dateOf(f.date),
      full: f.is_tank_full === undefined ? true : yes(f.is_tank_full),
      missed: yes(f.has_missed_fillup),
    }
    // A row in other units than its car's is converted to the car's (its cost is the same money).
    let volume = numberCell(f.fuel_quantity)
    let price = numberCell(f.per_unit_price)
    if (unit !== car.source.volume && volume !== '' && Number.isFinite(Number(volume))) {
      if (price !== '' && Number.isFinite(Number(price)))
        price = String(round(Number(price) * Number(volume), 2))
      const litres = toLitres(Number(volume), unit)
      volume = String(round(fromLitres(litres, car.source.volume), 3))
      const converted = price
      price = ''
      if (converted && !numberCell(f.total_amount)) row.cost = converted
    }
    let odometer = numberCell(f.odo_reading)
    const dist = DISTANCE_UNITS[unitKey(f.distance_unit)]
    if (dist && dist !== car.source.distance && odometer !== '' && Number.isFinite(Number(odometer)))
      odometer = String(round(convertDistance(Number(odometer), dist, car.source.distance), 3))
    const total = numberCell(f.total_amount)
    if (volume) row.volume = volume
    if (odometer && Number(odometer) !== 0) row.odometer = odometer
    if (total && Number(total) !== 0) row.cost = total
    else if (price) row.price = price
    const comments = text(f.comments)
    if (comments) row.notes = comments
    rows.push(row)
  }
  line = 0
  for (const e of expenses) {
    line++
    const file = 'expenses'
    const car = carOf.get(text(e.vehicle_id))
    if (!car) {
      problems.push({ file, line, why: `vehicle_id: "${text(e.vehicle_id)}" is no vehicle of the database` })
      continue
    }
    const type = text(e.expense_type)
    const record = /service|maint|repair|oil|tyre|tire|brake|filter|part|upgrade|tuning/i.test(type)
    const kind: ImportKind = !record
      ? 'tax'
      : /repair|brake/i.test(type)
        ? 'repair'
        : /upgrade|tuning/i.test(type)
          ? 'upgrade'
          : 'service'
    const row: RawRow = {
      file,
      line,
      kind,
      car: car.name,
      date: dateOf(e.date),
      // An expense's title is its kind (what the items service files it under); its type goes in the notes.
      title: record ? type : (expenseKindOf(type) ?? 'other'),
    }
    const amount = numberCell(e.amount)
    if (amount) row.cost = amount
    let odometer = numberCell(e.odo_reading)
    const dist = DISTANCE_UNITS[unitKey(e.distance_unit)]
    if (dist && dist !== car.source.distance && odometer !== '' && Number.isFinite(Number(odometer)))
      odometer = String(round(convertDistance(Number(odometer), dist, car.source.distance), 3))
    if (odometer && Number(odometer) !== 0) row.odometer = odometer
    const n = [record ? undefined : type, text(e.comments)].filter(Boolean).join('; ')
    if (n) row.notes = n
    rows.push(row)
  }
  notes.push(
    `${name}: a database has no lines; a row's "line" is its place in its table (fillups, expenses) by date`,
  )
  return {
    format: 'Hammond database',
    rows,
    problems,
    units: { distance: null, volume: null },
    notes,
    numbers: '1,234.5',
    cars,
  }
}
