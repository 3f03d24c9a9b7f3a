/**
 * The CSV layouts an import knows, each recognised by its header (never by the file's name):
 * Fuelly's web export, LubeLogger's exports (one per record kind, with its aliases), Spritmonitor's
 * `;` export, and any other CSV through a column map (`map:"date=Datum,odometer=KM,volume=Liter"`).
 */
import type { CsvTable } from './csv.ts'
import { cellOf, fold, hasAny } from './csv.ts'
import type { DateOrder } from '../domain/dates.ts'
import type { NumberFormat } from '../domain/numbers.ts'
import type { CarSource, FileUnits, ImportKind, Problem, RawRow } from './model.ts'

export type TableRead = {
  format: string
  rows: RawRow[]
  units: FileUnits
  notes: string[]
  /** The number format the app always writes, when it has one (Fuelly: a decimal point). */
  numbers?: NumberFormat
  /** The date order the file says it writes (aCar's metadata). */
  dates?: DateOrder
  /** Per car, when the file says each car's units (aCar's vehicles). */
  cars?: Map<string, CarSource>
  /** Rows the format's reader could not take already (a flag it cannot read). */
  problems?: Problem[]
}

const truthy = (cell: string | undefined) => /^(1|true|yes|y|x|ja|wahr)$/i.test(cell?.trim() ?? '')

/** Notes with a row's tags and LubeLogger's custom fields (`extrafield_<Name>`) after them. */
function notesOf(table: CsvTable, cells: string[], noteKeys: readonly string[]): string | undefined {
  const parts: string[] = []
  const notes = cellOf(table, cells, noteKeys)?.trim()
  if (notes) parts.push(notes)
  const tags = cellOf(table, cells, ['tags'])?.trim()
  if (tags) parts.push(`tags: ${tags}`)
  table.header.forEach((name, i) => {
    const m = /^extrafield_(.+)$/i.exec(name.trim())
    const v = cells[i]?.trim()
    if (m && v) parts.push(`${m[1]}: ${v}`)
  })
  return parts.length ? parts.join('; ') : undefined
}

// ---- Fuelly ----

export const isFuelly = (t: CsvTable) => t.keys.includes('carname') && t.keys.includes('fuelupdate')

export function readFuelly(t: CsvTable, file: string): TableRead {
  const metric = hasAny(t, ['litres', 'liters'])
  const km = hasAny(t, ['km', 'l/100km'])
  const units: FileUnits = { distance: km ? 'km' : 'mi', volume: metric ? 'L' : 'gal' }
  const rows = t.records.map(({ line, cells }): RawRow => {
    const partial = cellOf(t, cells, ['partialfuelup'])
    const row: RawRow = {
      file,
      line,
      kind: 'fuel',
      car: cellOf(t, cells, ['carname']) ?? '',
      date: cellOf(t, cells, ['fuelupdate']) ?? '',
      full: !truthy(partial),
      missed: truthy(cellOf(t, cells, ['missedfuelup'])),
    }
    const odometer = cellOf(t, cells, ['odometer'])
    const volume = cellOf(t, cells, ['gallons', 'litres', 'liters'])
    const price = cellOf(t, cells, ['price'])
    const notes = notesOf(t, cells, ['notes'])
    if (odometer) row.odometer = odometer
    if (volume) row.volume = volume
    if (price) row.price = price
    if (notes) row.notes = notes
    return row
  })
  return { format: 'Fuelly export', rows, units, notes: [], numbers: '1,234.5' }
}

// ---- LubeLogger ----

const LL = {
  date: ['date', 'fuelupdate'],
  odometer: ['odometer', 'odo'],
  volume: ['fuelconsumed', 'gallons', 'liters', 'litres', 'quantity', 'qty'],
  cost: ['cost', 'totalcost', 'totalprice'],
  price: ['price'],
  notes: ['notes'],
} as const

/** Which LubeLogger export a header is, or undefined when it is none. */
function lubeKind(t: CsvTable): 'fuel' | 'reading' | 'record' | 'tax' | undefined {
  if (!hasAny(t, LL.date)) return undefined
  if (hasAny(t, LL.volume) && hasAny(t, LL.odometer)) return 'fuel'
  if (t.keys.includes('initialodometer') && hasAny(t, LL.odometer)) return 'reading'
  if (t.keys.includes('description') && hasAny(t, LL.cost)) return hasAny(t, LL.odometer) ? 'record' : 'tax'
  return undefined
}

export const isLubeLogger = (t: CsvTable) => lubeKind(t) !== undefined

/**
 * A LubeLogger export. Its service, repair and upgrade exports share one layout; only the file's
 * name tells them apart, so a name with "repair" or "upgrade" in it says which (a service
 * record otherwise, said in the preview).
 */
export function readLubeLogger(t: CsvTable, file: string): TableRead {
  const which = lubeKind(t)!
  const notes: string[] = []
  let kind: ImportKind = which === 'record' ? 'service' : which
  const base = file.split('/').at(-1) ?? file
  if (which === 'record') {
    if (/repair/i.test(base)) kind = 'repair'
    else if (/upgrade/i.test(base)) kind = 'upgrade'
    else if (!/service/i.test(base))
      notes.push(`${file}: a LubeLogger record export; taken as service records`)
  }
  const rows = t.records.map(({ line, cells }): RawRow => {
    const row: RawRow = { file, line, kind, car: '', date: cellOf(t, cells, LL.date) ?? '' }
    const set = (field: 'odometer' | 'volume' | 'cost' | 'price', keys: readonly string[]) => {
      const v = cellOf(t, cells, keys)
      if (v) row[field] = v
    }
    set('odometer', LL.odometer)
    // LubeLogger writes 0 for a record without an odometer.
    if (row.odometer !== undefined && /^0+([.,]0*)?$/.test(row.odometer.trim())) delete row.odometer
    set('cost', LL.cost)
    if (kind === 'fuel') {
      set('volume', LL.volume)
      set('price', LL.price)
      const full = cellOf(t, cells, ['isfilltofull'])
      const partial = cellOf(t, cells, ['partialfuelup'])
      row.full = full !== undefined ? truthy(full) : !truthy(partial)
      row.missed = truthy(cellOf(t, cells, ['missedfuelup']))
    }
    const title = cellOf(t, cells, ['description'])
    if (title) row.title = title
    const n = notesOf(t, cells, LL.notes)
    if (n) row.notes = n
    return row
  })
  return { format: 'LubeLogger export', rows, units: { distance: null, volume: null }, notes }
}

// ---- Spritmonitor ----

const SM = {
  date: ['date', 'datum'],
  odometer: ['odometer', 'kilometerstand', 'kmstand'],
  volume: ['quantity', 'menge'],
  cost: ['totalprice', 'gesamtpreis', 'kosten'],
  type: ['type', 'tankart', 'typ'],
  notes: ['note', 'notes', 'bemerkung'],
} as const

export const isSpritmonitor = (t: CsvTable) =>
  t.delimiter === ';' &&
  hasAny(t, SM.date) &&
  hasAny(t, SM.odometer) &&
  hasAny(t, SM.volume) &&
  hasAny(t, SM.type)

/** Spritmonitor: `;`, DD.MM.YYYY, km and litres; type 1 a full fill-up, 2 a partial one. */
export function readSpritmonitor(t: CsvTable, file: string): TableRead {
  const rows = t.records.map(({ line, cells }): RawRow => {
    const row: RawRow = {
      file,
      line,
      kind: 'fuel',
      car: '',
      date: cellOf(t, cells, SM.date) ?? '',
      full: cellOf(t, cells, SM.type)?.trim() !== '2',
      missed: false,
    }
    const odometer = cellOf(t, cells, SM.odometer)
    const volume = cellOf(t, cells, SM.volume)
    const cost = cellOf(t, cells, SM.cost)
    const notes = cellOf(t, cells, SM.notes)
    if (odometer) row.odometer = odometer
    if (volume) row.volume = volume
    if (cost) row.cost = cost
    if (notes) row.notes = notes
    return row
  })
  return { format: 'Spritmonitor export', rows, units: { distance: 'km', volume: 'L' }, notes: [] }
}

// ---- any CSV through a column map ----

/** The fields a column map may name: `field=Column`. */
export const MAP_FIELDS = [
  'date',
  'odometer',
  'volume',
  'cost',
  'price',
  'car',
  'full',
  'partial',
  'missed',
  'title',
  'notes',
] as const
export type MapField = (typeof MAP_FIELDS)[number]
export type ColumnMap = Partial<Record<MapField, string>>

/** A column map's columns missing from the header, folded names compared. */
export const missingColumns = (t: CsvTable, map: ColumnMap) =>
  Object.values(map).filter((col) => !t.keys.includes(fold(col)))

export function readMapped(t: CsvTable, file: string, map: ColumnMap): TableRead {
  const at = (field: MapField, cells: string[]) =>
    map[field] ? cellOf(t, cells, [fold(map[field])]) : undefined
  const kind: ImportKind = map.volume ? 'fuel' : map.title || map.cost ? 'service' : 'reading'
  const rows = t.records.map(({ line, cells }): RawRow => {
    const row: RawRow = { file, line, kind, car: at('car', cells) ?? '', date: at('date', cells) ?? '' }
    for (const f of ['odometer', 'volume', 'cost', 'price', 'title', 'notes'] as const) {
      const v = at(f, cells)
      if (v) row[f] = v
    }
    if (kind === 'fuel') {
      row.full = map.full ? truthy(at('full', cells)) : !truthy(at('partial', cells))
      row.missed = truthy(at('missed', cells))
    }
    return row
  })
  const as = kind === 'fuel' ? 'fill-ups' : kind === 'service' ? 'service records' : 'odometer readings'
  return {
    format: 'CSV with a column map',
    rows,
    units: { distance: null, volume: null },
    notes: [`${file}: rows taken as ${as}, in the car's units`],
  }
}
