/**
 * Car Manager's own export (format `car-manager-garage`, version 1; its layout is written in
 * queue/handlers/shared/export.ts): the fill-ups, service records, odometer readings and expenses
 * of its cars. Its rows are in each car's own units (odometers in the car's `odometer_unit`,
 * fuel in litres) and its money in minor units of the row's currency.
 */
import { fromMinor } from '../domain/money.ts'
import type { DistanceUnit, VolumeUnit } from '../domain/units.ts'
import {
  type CarSource,
  ImportRefused,
  type ImportKind,
  type ImportRow,
  type ParsedImport,
  type Problem,
} from './model.ts'

export const GARAGE_FORMAT = 'car-manager-garage'

type Row = Record<string, unknown>

function arrayOf(files: Map<string, Uint8Array>, name: string, zip: string): Row[] {
  const bytes = files.get(name)
  if (!bytes) return []
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as unknown
    if (!Array.isArray(parsed)) throw new Error('not a list')
    return parsed as Row[]
  } catch (error) {
    throw new ImportRefused(
      `${zip}: ${name} is not a JSON list (${(error as Error).message}). Nothing was imported.`,
    )
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : null)
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** Whether the zip's files are a Car Manager export (its manifest says so). */
export function isGarageExport(files: Map<string, Uint8Array>): boolean {
  const manifest = files.get('manifest.json')
  if (!manifest) return false
  try {
    return (JSON.parse(new TextDecoder().decode(manifest)) as { format?: unknown }).format === GARAGE_FORMAT
  } catch {
    return false
  }
}

export function readGarageExport(files: Map<string, Uint8Array>, zip: string): ParsedImport {
  const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')!)) as { version?: unknown }
  if (manifest.version !== 1)
    throw new ImportRefused(
      `${zip}: a Car Manager export of version ${String(manifest.version)}; this Car Manager reads version 1. Nothing was imported.`,
    )
  const cars = new Map<number, { name: string; distance: DistanceUnit; volume: VolumeUnit | null }>()
  for (const c of arrayOf(files, 'cars.json', zip)) {
    const id = num(c.id)
    const name = str(c.nickname)
    if (id === null || name === null) continue
    cars.set(id, {
      name,
      distance: c.odometer_unit === 'mi' ? 'mi' : 'km',
      volume:
        c.volume_unit === 'gal' || c.volume_unit === 'impgal' || c.volume_unit === 'L' ? c.volume_unit : null,
    })
  }
  const rows: ImportRow[] = []
  const problems: Problem[] = []
  const add = (
    file: string,
    list: Row[],
    read: (r: Row) => Omit<ImportRow, 'file' | 'line' | 'car'> | null,
  ) => {
    list.forEach((r, i) => {
      // one row per line after the opening "["
      const line = i + 2
      const car = cars.get(num(r.car_id) ?? -1)
      if (!car) {
        problems.push({ file, line, why: `car_id ${String(r.car_id)} is no car of cars.json` })
        return
      }
      const row = read(r)
      if (row) rows.push({ file, line, car: car.name, ...row })
    })
  }
  const money = (r: Row) => {
    const minor = num(r.cost_minor)
    const currency = str(r.currency)
    return minor === null || currency === null
      ? { cost: null, currency: null }
      : { cost: fromMinor(minor, currency), currency }
  }
  const base = { volume: null, full: true, missed: false, title: null, notes: null }
  add('fuel_fillups.json', arrayOf(files, 'fuel_fillups.json', zip), (r) => ({
    ...base,
    kind: 'fuel',
    date: String(r.filled_on),
    odometer: num(r.odometer),
    volume: num(r.litres),
    ...money(r),
    full: r.full !== 0 && r.full !== false,
    missed: r.missed === 1 || r.missed === true,
  }))
  add('service_records.json', arrayOf(files, 'service_records.json', zip), (r) => ({
    ...base,
    kind: (['service', 'repair', 'upgrade'].includes(String(r.kind)) ? r.kind : 'service') as ImportKind,
    date: String(r.done_on),
    odometer: num(r.odometer),
    ...money(r),
    title: str(r.title),
    notes: str(r.notes),
  }))
  // The readings typed as readings or with the car; those of fill-ups and records come with them.
  add('odometer_readings.json', arrayOf(files, 'odometer_readings.json', zip), (r) =>
    r.source === 'reading' || r.source === 'car'
      ? {
          ...base,
          kind: 'reading',
          date: String(r.read_on),
          odometer: num(r.value),
          cost: null,
          currency: null,
        }
      : null,
  )
  add('expenses.json', arrayOf(files, 'expenses.json', zip), (r) => ({
    ...base,
    kind: 'tax',
    date: String(r.paid_on),
    odometer: num(r.odometer),
    ...money(r),
    title: str(r.kind),
    notes: str(r.notes),
  }))
  const sources = new Map<string, CarSource>()
  for (const c of cars.values())
    sources.set(c.name, {
      distance: c.distance,
      volume: 'L',
      units: c.distance === 'km' ? 'metric' : c.volume === 'impgal' ? 'uk' : 'imperial',
    })
  const left = ['maintenance_items', 'issues', 'quotes', 'photos'].filter(
    (k) => arrayOf(files, `${k}.json`, zip).length > 0,
  )
  return {
    format: 'Car Manager export',
    files: [...files.keys()].filter((f) => f.endsWith('.json')),
    rows,
    problems,
    units: { distance: null, volume: null },
    cars: sources,
    numbers: { format: '1,234.5', how: 'file' },
    dates: { order: 'YYYY-MM-DD', how: 'iso' },
    notes: left.length
      ? [
          `only fill-ups, service records, odometer readings and expenses are imported; the export's ${left.join(', ').replace(/_/g, ' ')} are not`,
        ]
      : [],
  }
}
