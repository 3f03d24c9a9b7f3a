/**
 * An import file read into rows, its format recognised by its content (never its name): a zip
 * (`PK`) of CSVs, an SQLite database (Hammond's), or a CSV whose header says
 * which app wrote it. Nothing here writes; the worker turns the result into a preview.
 */
import { isACar, readACar } from './acar.ts'
import { isDrivvo, readDrivvo } from './drivvo.ts'
import { isFuelio, readFuelio } from './fuelio.ts'
import { type CsvTable, readCsv } from './csv.ts'
import {
  type ColumnMap,
  isFuelly,
  isLubeLogger,
  isSpritmonitor,
  MAP_FIELDS,
  missingColumns,
  readFuelly,
  readLubeLogger,
  readMapped,
  readSpritmonitor,
  type TableRead,
} from './formats.ts'
import {
  IMPORT_MAX_ROWS,
  type ImportContext,
  ImportRefused,
  type ParsedImport,
  type RawRow,
} from './model.ts'
import { isGarageExport, readGarageExport } from './garage-json.ts'
import { readHammond } from './hammond.ts'
import { dateOrderOf, normalize, numberFormatOf } from './values.ts'
import { unzip } from './zip.ts'

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b)
const ZIP = [0x50, 0x4b, 0x03, 0x04]
const EMPTY_ZIP = [0x50, 0x4b, 0x05, 0x06]
const SQLITE = [...'SQLite format 3'].map((c) => c.charCodeAt(0)).concat(0)

/** A file's text, or why it is not one (binary, not UTF-8). */
function textOf(bytes: Uint8Array, file: string): string {
  const head = bytes.subarray(0, 4096)
  if (head.includes(0))
    throw new ImportRefused(
      `${file}: not a CSV, zip or SQLite file (it holds binary data). Nothing was imported.`,
    )
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    // Old exports in Windows-1252 / Latin-1: every byte is a character.
    return new TextDecoder('latin1').decode(bytes)
  }
}

/**
 * Splits `map:` into its column part (`date=Datum`, the left side a field name) and its car part
 * (`Old Golf=golf`, `Civic=new`).
 */
export function splitMap(map: string | undefined): { columns: ColumnMap; cars: Map<string, string> } {
  const columns: ColumnMap = {}
  const cars = new Map<string, string>()
  for (const pair of (map ?? '').split(',')) {
    const eq = pair.indexOf('=')
    if (eq < 0) {
      if (pair.trim())
        throw new ImportRefused(`map: "${pair.trim()}" has no "=": write Name=car, Name=new or date=Column`)
      continue
    }
    const left = pair.slice(0, eq).trim()
    const right = pair.slice(eq + 1).trim()
    if ((MAP_FIELDS as readonly string[]).includes(left.toLowerCase()))
      columns[left.toLowerCase() as keyof ColumnMap] = right
    else cars.set(left.toLowerCase(), right)
  }
  return { columns, cars }
}

function readTable(table: CsvTable, file: string, columns: ColumnMap): TableRead {
  if (Object.keys(columns).length > 0) {
    const missing = missingColumns(table, columns)
    if (missing.length)
      throw new ImportRefused(
        `${file}: map names ${missing.map((m) => `"${m}"`).join(', ')}, which the header (${table.header.join(', ')}) does not have. Nothing was imported.`,
      )
    if (!columns.date)
      throw new ImportRefused(`map: say which column holds the date (date=<column>). Nothing was imported.`)
    return readMapped(table, file, columns)
  }
  if (isFuelly(table)) return readFuelly(table, file)
  if (isLubeLogger(table)) return readLubeLogger(table, file)
  if (isSpritmonitor(table)) return readSpritmonitor(table, file)
  const shown = table.header.slice(0, 12).join(', ')
  throw new ImportRefused(
    `${file}: a CSV, but its columns (${shown}) are no export I know (Fuelly, LubeLogger, aCar, Fuelio, Drivvo, Spritmonitor). Say which column is which, e.g. map:"date=Date,odometer=Odometer,volume=Litres,cost=Total". Nothing was imported.`,
  )
}

function csvFile(bytes: Uint8Array, file: string, columns: ColumnMap): TableRead | undefined {
  const text = textOf(bytes, file)
  if (text.trim() === '') return undefined
  if (/^\s*[[{]/.test(text))
    throw new ImportRefused(
      `${file}: a JSON file; Car Manager's own export is imported as the zip /garage export format:json made, whole. Nothing was imported.`,
    )
  if (isACar(text)) return readACar(text, file)
  if (isDrivvo(text)) return readDrivvo(text, file)
  if (isFuelio(text)) return readFuelio(text, file)
  const table = readCsv(text, file)
  if (table.records.length === 0) return undefined
  return readTable(table, file, columns)
}

/** Reads an import file (`name` only names it in answers). */
export function parseImport(bytes: Uint8Array, name: string, ctx: ImportContext, map?: string): ParsedImport {
  const { columns } = splitMap(map)
  if (bytes.byteLength === 0) throw new ImportRefused(`${name}: the file is empty. Nothing was imported.`)
  let tables: TableRead[]
  const files: string[] = []
  if (startsWith(bytes, SQLITE)) {
    tables = [readHammond(bytes, name)]
    files.push('fillups', 'expenses')
  } else if (startsWith(bytes, ZIP) || startsWith(bytes, EMPTY_ZIP)) {
    const entries = unzip(bytes, name).filter((e) => !/(^|\/)(__MACOSX\/|\.)/.test(e.name))
    const byName = new Map(entries.map((e) => [e.name, e.bytes]))
    if (isGarageExport(byName)) return readGarageExport(byName, name)
    tables = []
    for (const e of entries) {
      if (
        startsWith(e.bytes, ZIP) ||
        startsWith(e.bytes, SQLITE) ||
        e.name.endsWith('.json') ||
        /\.(txt|md)$/i.test(e.name)
      )
        continue
      const read = csvFile(e.bytes, e.name, columns)
      files.push(e.name)
      if (read) tables.push(read)
    }
    if (files.length === 0)
      throw new ImportRefused(`${name}: the zip holds no CSV file. Nothing was imported.`)
  } else {
    if (textOf(bytes, name).trim() === '')
      throw new ImportRefused(`${name}: the file is empty. Nothing was imported.`)
    const read = csvFile(bytes, name, columns)
    files.push(name)
    tables = read ? [read] : []
  }
  // A zip with a folder per car (Car Manager's own LubeLogger export: <nickname>-<id>/gas.csv …):
  // the folder names the car of the rows that name none.
  const folders = new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!))
  if (folders.size > 1) {
    const exporter = [...folders].every((f) => /-\d+$/.test(f))
    for (const t of tables)
      for (const r of t.rows)
        if (r.car === '' && r.file.includes('/')) {
          const folder = r.file.split('/')[0]!
          r.car = exporter ? folder.replace(/-\d+$/, '') : folder
        }
  }
  const raw: RawRow[] = tables.flatMap((t) => t.rows)
  const refused = tables.flatMap((t) => t.problems ?? [])
  if (raw.length === 0 && refused.length === 0)
    throw new ImportRefused(`${name}: the file has a header but no rows. Nothing was imported.`)
  if (raw.length > IMPORT_MAX_ROWS)
    throw new ImportRefused(
      `${name}: ${raw.length} rows, more than the ${IMPORT_MAX_ROWS} one import takes. Nothing was imported.`,
    )
  const formats = [...new Set(tables.map((t) => t.format))]
  const unitsOf = tables.map((t) => t.units)
  const fixed = [...new Set(tables.map((t) => t.numbers))]
  const numbers =
    fixed.length === 1 && fixed[0] !== undefined
      ? { format: fixed[0], how: 'file' as const }
      : numberFormatOf(raw, ctx)
  const said = tables.find((t) => t.dates)?.dates
  const dates = said ? { order: said, how: 'file' as const } : dateOrderOf(raw, ctx)
  const normal = normalize(raw, numbers.format, dates.order)
  const rows = normal.rows
  // A reader's own problems (a flag it cannot read) among normalize's, in the file's order.
  const problems = refused.length
    ? [...refused, ...normal.problems].sort((a, b) =>
        a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1,
      )
    : normal.problems
  return {
    format: formats.join(' + '),
    files,
    rows,
    problems,
    units: {
      distance: unitsOf.find((u) => u.distance)?.distance ?? null,
      volume: unitsOf.find((u) => u.volume)?.volume ?? null,
    },
    ...(tables.some((t) => t.cars) ? { cars: new Map(tables.flatMap((t) => [...(t.cars ?? [])])) } : {}),
    numbers,
    dates,
    notes: tables.flatMap((t) => t.notes),
  }
}

export { IMPORT_MAX_BYTES, ImportRefused } from './model.ts'
export type { ImportRow, ParsedImport } from './model.ts'
