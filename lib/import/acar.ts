/**
 * aCar's CSV export: one file of sections, each a title line ("Metadata", "Vehicles", "Fill-Up
 * Records", "Event Records", "Trip Records") then its own header and rows. Its Metadata says the
 * date format; each vehicle says its distance and volume units, which its rows are in.
 */
import type { DateOrder } from '../domain/dates.ts'
import type { DistanceUnit, VolumeUnit } from '../domain/units.ts'
import { cellOf, type CsvTable, sectionTables } from './csv.ts'
import type { TableRead } from './formats.ts'
import type { CarSource, ImportKind, RawRow } from './model.ts'

const SECTIONS = ['Metadata', 'Vehicles', 'Fill-Up Records', 'Event Records', 'Trip Records'] as const
type Section = (typeof SECTIONS)[number]

const titleOf = (line: string): Section | undefined => {
  const t = line.trim().replace(/^"(.*)"$/, '$1')
  return (SECTIONS as readonly string[]).includes(t) ? (t as Section) : undefined
}

/** Whether a text is an aCar export: its first line is the Metadata title and its header names aCar. */
export function isACar(text: string): boolean {
  const [first, second] = text.replace(/^\uFEFF/, '').split(/\r?\n/, 2)
  return titleOf(first ?? '') === 'Metadata' && /aCar Version/.test(second ?? '')
}

const distanceOf = (v: string | undefined): DistanceUnit | null =>
  /^(mi|mile|miles)$/i.test(v?.trim() ?? '')
    ? 'mi'
    : /^(km|kilometer|kilometre|kilometers|kilometres)$/i.test(v?.trim() ?? '')
      ? 'km'
      : null
const volumeOf = (v: string | undefined): VolumeUnit | null => {
  const s =
    v
      ?.trim()
      .toLowerCase()
      .replace(/[\s_.-]/g, '') ?? ''
  if (/^(gal|usgal|usgallon|gallon|gallons)$/.test(s)) return 'gal'
  if (/^(impgal|imperialgallon|ukgallon|ukgal)$/.test(s)) return 'impgal'
  if (/^(l|litre|liter|litres|liters)$/.test(s)) return 'L'
  return null
}

/** "M/d/yyyy" → month first; "d.M.yyyy", "dd/MM/yyyy" → day first; "yyyy-MM-dd" → ISO. */
export function orderOf(format: string | undefined): DateOrder | undefined {
  const f = format?.trim() ?? ''
  if (/^y/i.test(f)) return 'YYYY-MM-DD'
  if (/^M/.test(f)) return 'MM/DD/YYYY'
  if (/^d/.test(f)) return 'DD/MM/YYYY'
  return undefined
}

const yes = (v: string | undefined) => /^(yes|true|1)$/i.test(v?.trim() ?? '')

export function readACar(text: string, file: string): TableRead {
  const s = sectionTables(text, file, titleOf)
  const meta = s.get('Metadata')
  const dates = meta?.records[0] ? orderOf(cellOf(meta, meta.records[0].cells, ['dateformat'])) : undefined
  const cars = new Map<string, CarSource>()
  const vehicles = s.get('Vehicles')
  for (const { cells } of vehicles?.records ?? []) {
    const name = cellOf(vehicles!, cells, ['name'])?.trim()
    if (!name) continue
    const distance = distanceOf(cellOf(vehicles!, cells, ['distanceunit'])) ?? 'km'
    const volume = volumeOf(cellOf(vehicles!, cells, ['volumeunit'])) ?? (distance === 'mi' ? 'gal' : 'L')
    cars.set(name, {
      distance,
      volume,
      units: distance === 'km' ? 'metric' : volume === 'impgal' ? 'uk' : 'imperial',
    })
  }
  const rows: RawRow[] = []
  const notesOf = (t: CsvTable, cells: string[]) => {
    const parts = [cellOf(t, cells, ['notes'])?.trim(), cellOf(t, cells, ['tags'])?.trim()].filter(Boolean)
    return parts.length ? parts.join('; ') : undefined
  }
  const fills = s.get('Fill-Up Records')
  for (const { line, cells } of fills?.records ?? []) {
    const t = fills!
    const row: RawRow = {
      file,
      line,
      kind: 'fuel',
      car: cellOf(t, cells, ['vehicle']) ?? '',
      date: cellOf(t, cells, ['date']) ?? '',
      full: !yes(cellOf(t, cells, ['partialfillup'])),
      missed: yes(cellOf(t, cells, ['previouslymissedfillups'])),
    }
    const set = (field: 'odometer' | 'volume' | 'cost' | 'price' | 'notes', v: string | undefined) => {
      if (v?.trim()) row[field] = v
    }
    set('odometer', cellOf(t, cells, ['odometerreading']))
    set('volume', cellOf(t, cells, ['volume']))
    set('cost', cellOf(t, cells, ['totalcost']))
    set('price', cellOf(t, cells, ['priceperunit']))
    set('notes', notesOf(t, cells))
    rows.push(row)
  }
  const events = s.get('Event Records')
  for (const { line, cells } of events?.records ?? []) {
    const t = events!
    const type = cellOf(t, cells, ['type'])?.trim() ?? ''
    const kind: ImportKind = /repair/i.test(type) ? 'repair' : /expense/i.test(type) ? 'tax' : 'service'
    const row: RawRow = {
      file,
      line,
      kind,
      car: cellOf(t, cells, ['vehicle']) ?? '',
      date: cellOf(t, cells, ['date']) ?? '',
      title: cellOf(t, cells, ['subtypes'])?.trim() || type || 'Service',
    }
    const odometer = cellOf(t, cells, ['odometerreading'])
    const cost = cellOf(t, cells, ['totalcost'])
    const notes = notesOf(t, cells)
    if (odometer?.trim()) row.odometer = odometer
    if (cost?.trim()) row.cost = cost
    if (notes) row.notes = notes
    rows.push(row)
  }
  return {
    format: 'aCar export',
    rows,
    units: { distance: null, volume: null },
    notes: [],
    cars,
    ...(dates ? { dates } : {}),
  }
}
