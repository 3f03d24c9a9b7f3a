/**
 * What an import file becomes before anything is written: rows of one shape whatever the app
 * that exported them, with the line each came from, and the file's units, number format and
 * date order as they were recognised. Pure: no I/O (the worker downloads, the items service
 * stores).
 */
import type { DateOrder } from '../domain/dates.ts'
import type { NumberFormat } from '../domain/numbers.ts'
import type { DistanceUnit, VolumeUnit } from '../domain/units.ts'

/** The largest import file taken, checked against the declared size before it is downloaded. */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024
/** The most a zip may inflate to, counted while it inflates (a zip bomb stops there). */
export const IMPORT_MAX_INFLATED_BYTES = 100 * 1024 * 1024
/** The most rows one import takes. */
export const IMPORT_MAX_ROWS = 100_000

export const IMPORT_KINDS = ['fuel', 'service', 'repair', 'upgrade', 'reading', 'tax'] as const
export type ImportKind = (typeof IMPORT_KINDS)[number]

/** A row as a format's parser read it: cells still text, flags already read. */
export type RawRow = {
  file: string
  line: number
  kind: ImportKind
  /** The car's name in the file; '' when the file names none (LubeLogger exports one car per file). */
  car: string
  date: string
  odometer?: string
  volume?: string
  /** Total cost of the row. */
  cost?: string
  /** Price per unit of volume (total = price × volume) when no total is given. */
  price?: string
  full?: boolean
  missed?: boolean
  title?: string
  notes?: string
}

/** A usable row: numbers read, date in YYYY-MM-DD, in the file's units. */
export type ImportRow = {
  file: string
  line: number
  kind: ImportKind
  car: string
  date: string
  odometer: number | null
  volume: number | null
  /** In the currency's major unit (45.67). */
  cost: number | null
  /** The cost's currency when the file says it (null: the garage's). */
  currency: string | null
  full: boolean
  missed: boolean
  title: string | null
  notes: string | null
}

/** A row that cannot be used, and why. */
export type Problem = { file: string; line: number; why: string }

/** The file's units; null is "not said in the file": the car's own are taken. */
export type FileUnits = { distance: DistanceUnit | null; volume: VolumeUnit | null }

/** The units a car's rows are in when they differ per car (Car Manager's export), and a new car's. */
export type CarSource = { distance: DistanceUnit; volume: VolumeUnit; units: 'metric' | 'imperial' | 'uk' }

export type ParsedImport = {
  /** "Fuelly export", "LubeLogger export" … */
  format: string
  files: string[]
  rows: ImportRow[]
  problems: Problem[]
  units: FileUnits
  /** Per car of the file, when its rows are in its own units. */
  cars?: Map<string, CarSource>
  numbers: { format: NumberFormat; how: 'file' | 'garage' }
  dates: { order: DateOrder; how: 'file' | 'garage' | 'iso' }
  /** Said in the preview: what was assumed (a record kind taken from a file name …). */
  notes: string[]
}

/** A file that cannot be imported at all: the answer names the problem; nothing is written. */
export class ImportRefused extends Error {}

/** The garage's ways, which decide what a file does not say. */
export type ImportContext = { numbers: NumberFormat; dates: DateOrder }
