/**
 * Fuelio's CSV backup: one file of sections, "## Vehicle" (its units as codes: DistUnit 0 km,
 * 1 mi; FuelUnit 0 litres, 1 US gallons, 2 imperial gallons), "## Log" (the fill-ups: `Price` is
 * the total, `VolumePrice` per unit, `Full` and `Missed` 0/1), "## CostCategories" and "## Costs".
 * One vehicle per file.
 */
import type { DistanceUnit, VolumeUnit } from '../domain/units.ts'
import { orderOf } from './acar.ts'
import { cellOf, type CsvTable, sectionTables } from './csv.ts'
import type { TableRead } from './formats.ts'
import type { CarSource, ImportKind, RawRow } from './model.ts'

type Section = 'Vehicle' | 'Log' | 'CostCategories' | 'Costs'

const titleOf = (line: string): Section | undefined => {
  const m = /^"?##\s*(Vehicle|Log|CostCategories|Costs)"?\s*(,|$)/.exec(line.trim())
  return m ? (m[1] as Section) : undefined
}

/** Whether a text is a Fuelio backup: its first line is the "## Vehicle" title. */
export const isFuelio = (text: string) =>
  titleOf(text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '') === 'Vehicle'

const DISTANCE: Record<string, DistanceUnit> = { '0': 'km', '1': 'mi' }
const VOLUME: Record<string, VolumeUnit> = { '0': 'L', '1': 'gal', '2': 'impgal' }
/** The expense kind a category's name says ("Car wash" → wash), if any. */
export function expenseKindOf(name: string): string | undefined {
  // English first, then the words of the apps' other languages (Drivvo's Portuguese, Spanish, German, French).
  const kinds: [RegExp, string][] = [
    [/insur|seguro|versicherung|assurance/i, 'insurance'],
    [/regist|licenciamento|zulassung|immatricul/i, 'registration'],
    [/tax|ipva|imposto|impuesto|steuer|taxe/i, 'tax'],
    [/inspect|mot\b|tüv|vistoria|itv\b|contr[oô]le technique/i, 'inspection'],
    [/park|estaciona|stationnement/i, 'parking'],
    [/toll|vignette|ped[aá]gio|peaje|maut|p[ée]age/i, 'toll'],
    [/loan|credit|financiamento|financiaci/i, 'loan'],
    [/leas/i, 'lease'],
    [/wash|lavag|lavado|w[äa]sche|lavage/i, 'wash'],
    [/fine|ticket|penalt|multa|bu[sß]geld|amende/i, 'fine'],
  ]
  return kinds.find(([re]) => re.test(name))?.[1]
}

const on = (v: string | undefined) => /^(1|true|yes)$/i.test(v?.trim() ?? '')

export function readFuelio(text: string, file: string): TableRead {
  const s = sectionTables(text, file, titleOf)
  const vehicle = s.get('Vehicle')
  const first = vehicle?.records[0]?.cells ?? []
  const name = (vehicle && cellOf(vehicle, first, ['name'])?.trim()) || ''
  const distance = (vehicle && DISTANCE[cellOf(vehicle, first, ['distunit'])?.trim() ?? '']) || 'km'
  const volume = (vehicle && VOLUME[cellOf(vehicle, first, ['fuelunit'])?.trim() ?? '']) || 'L'
  const cars = new Map<string, CarSource>([
    [
      name,
      { distance, volume, units: distance === 'km' ? 'metric' : volume === 'impgal' ? 'uk' : 'imperial' },
    ],
  ])
  const rows: RawRow[] = []
  const keyed = (t: CsvTable, prefix: string) => t.keys.filter((k) => k.startsWith(prefix))
  const log = s.get('Log')
  for (const { line, cells } of log?.records ?? []) {
    const t = log!
    const row: RawRow = {
      file,
      line,
      kind: 'fuel',
      car: name,
      date: cellOf(t, cells, ['data', 'date']) ?? '',
      full: on(cellOf(t, cells, ['full'])),
      missed: on(cellOf(t, cells, ['missed'])),
    }
    const set = (field: 'odometer' | 'volume' | 'cost' | 'price' | 'notes', keys: string[]) => {
      const v = cellOf(t, cells, keys)
      if (v?.trim()) row[field] = v
    }
    // "Odo (km)", "Fuel (litres)", "Price (optional)", "Notes (optional)": the unit or a remark in the name
    set('odometer', keyed(t, 'odo'))
    set(
      'volume',
      keyed(t, 'fuel').filter((k) => k !== 'fueltype'),
    )
    set('cost', keyed(t, 'price'))
    set('price', ['volumeprice'])
    set('notes', keyed(t, 'notes'))
    // Fuelio writes 0 for a price or an odometer not given.
    for (const f of ['odometer', 'cost', 'price'] as const)
      if (row[f] !== undefined && /^0+([.,]0*)?$/.test(row[f]!.trim())) delete row[f]
    rows.push(row)
  }
  const categories = new Map<string, string>()
  const cats = s.get('CostCategories')
  for (const { cells } of cats?.records ?? [])
    categories.set(
      cellOf(cats!, cells, ['costtypeid'])?.trim() ?? '',
      cellOf(cats!, cells, ['name'])?.trim() ?? '',
    )
  const costs = s.get('Costs')
  for (const { line, cells } of costs?.records ?? []) {
    const t = costs!
    if (on(cellOf(t, cells, ['isincome'])) || on(cellOf(t, cells, ['istemplate']))) continue
    const category = categories.get(cellOf(t, cells, ['costtypeid'])?.trim() ?? '') ?? ''
    const title = cellOf(t, cells, ['costtitle'])?.trim()
    const record = /service|maint|repair|tuning|upgrade|part/i.test(category)
    const kind: ImportKind = !record
      ? 'tax'
      : /repair/i.test(category)
        ? 'repair'
        : /tuning|upgrade/i.test(category)
          ? 'upgrade'
          : 'service'
    // An expense's title is its kind (what the items service files it under); its name goes in the notes.
    const row: RawRow = {
      file,
      line,
      kind,
      car: name,
      date: cellOf(t, cells, ['date']) ?? '',
      title: record ? title || category || 'Service' : (expenseKindOf(category) ?? 'other'),
    }
    const notes = [
      record ? undefined : category,
      record ? undefined : title,
      cellOf(t, cells, ['notes'])?.trim(),
    ]
      .filter(Boolean)
      .join('; ')
    const odometer = cellOf(t, cells, ['odo'])
    const cost = cellOf(t, cells, ['cost'])
    if (odometer?.trim() && !/^0+([.,]0*)?$/.test(odometer.trim())) row.odometer = odometer
    if (cost?.trim()) row.cost = cost
    if (notes) row.notes = notes
    rows.push(row)
  }
  const dates = vehicle ? orderOf(cellOf(vehicle, first, ['importcsvdateformat'])) : undefined
  return {
    format: 'Fuelio backup',
    rows,
    units: { distance: null, volume: null },
    notes: [],
    cars,
    ...(dates ? { dates } : {}),
  }
}
