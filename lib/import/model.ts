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

/** `charge`: a charge of an electric car (its kWh in `volume`), from Car Manager's own export. */
export const IMPORT_KINDS = ['fuel', 'service', 'repair', 'upgrade', 'reading', 'tax', 'charge'] as const
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
  /** The maintenance items a service record did, by name (Car Manager's export only). */
  items?: string[]
  /** An expense that renews, every this many months, and how it was written (12m, 1y); Car Manager's export only. */
  every?: { months: number; text: string }
}

/** A row that cannot be used, and why. */
export type Problem = { file: string; line: number; why: string }

/** The file's units; null is "not said in the file": the car's own are taken. */
export type FileUnits = { distance: DistanceUnit | null; volume: VolumeUnit | null }

/** The units a car's rows are in when they differ per car (Car Manager's export), and a new car's. */
export type CarSource = {
  distance: DistanceUnit
  volume: VolumeUnit
  units: 'metric' | 'imperial' | 'uk'
  /** The car runs on an hour meter: its rows' odometers are hours (Car Manager's export). */
  meter?: 'hours'
  /** The car's own fields as exported, given to the car an import makes (Car Manager's export). */
  fields?: ImportCarFields
}

/** What a car of Car Manager's export says of itself beyond its rows. */
export type ImportCarFields = {
  make: string | null
  model: string | null
  year: number | null
  plate: string | null
  vin: string | null
  purchase_date: string | null
  purchase_price_minor: number | null
  purchase_currency: string | null
  purchase_price_text: string | null
  volume_unit: 'L' | 'gal' | 'impgal' | null
  economy_unit: 'L/100km' | 'km/L' | 'mpg' | 'impmpg' | null
  energy_unit: 'kWh/100km' | 'km/kWh' | 'mi/kWh' | 'Wh/mi' | null
  powertrain: 'combustion' | 'hybrid' | 'phev' | 'ev' | null
  fuels: string | null
  /** It takes the garage's units (nothing was typed when it was added). */
  units_from_garage: boolean
  /** Sold or scrapped on that day, for that price, at that odometer (in its own unit). */
  archived: { on: string; price_minor: number | null; currency: string | null; odometer: number | null; odometer_text: string | null } | null
  /** Its loan: amount borrowed, annual rate in percent, term in months, first day. */
  loan: { minor: number; currency: string; text: string | null; rate: number; months: number; start: string } | null
  /** What it was worth on a day. */
  value: { minor: number; currency: string; text: string | null; on: string } | null
}

/**
 * A maintenance item of Car Manager's export: its schedule (every `months` and/or `distance`,
 * in the car's meter unit), when it was last done and its next due point, as the export has them.
 */
export type ImportItem = {
  car: string
  name: string
  months: number | null
  distance: number | null
  distance_text: string | null
  fixed: boolean
  last_date: string
  last_odometer: number | null
  due_date: string | null
  due_odometer: number | null
  notes: string | null
  snoozed_until: string | null
  /** Per-item thresholds (days, km, as typed); null: the garage's. */
  urgent: { days: number; km: number; text: string | null } | null
  very_urgent: { days: number; km: number; text: string | null } | null
}

/** An issue of Car Manager's export, with its comments and status history, as the issues service imports it (its car by name). */
export type ImportIssue = {
  car: string
  number: number
  title: string
  details: string | null
  severity: 'low' | 'medium' | 'high' | 'critical'
  status: 'open' | 'in_progress' | 'waiting_parts' | 'resolved' | 'wont_fix'
  resolution: string | null
  opened_by: string
  created_at: string
  updated_at: string
  closed_at: string | null
  comments: { author: string; text: string; created_at: string; edited_at: string | null; removed_at: string | null }[]
  /** The quotes linked to it, by their numbers in the export. */
  quotes: { quote: number; added_by: string; added_at: string }[]
  /** The photos linked to it (those whose originals the file holds: see ImportPhoto). */
  photos: { sha256: string; added_by: string; added_at: string }[]
  history: {
    actor: string
    actor_id: string | null
    field: string
    old_value: string | null
    new_value: string | null
    at: string
  }[]
}

/**
 * A photo of Car Manager's export: its original is the zip's `file` (photos/<sha256>.<format>,
 * whose bytes were checked against the name), filed on the export's `car` and/or its issue
 * `issue` (by the export's number), as `uploader` added it at `added_at`.
 */
export type ImportPhoto = {
  sha256: string
  file: string
  bytes: number
  car: string | null
  issue: number | null
  uploader: string
  uploader_name: string
  filename: string | null
  added_at: string | null
}

/** A quote of Car Manager's export; `number` and `issue` (its issue's number) are the export's. */
export type ImportQuote = {
  number: number
  issue: number
  shop: string
  currency: string
  amount_minor: number
  amount_text: string | null
  parts_minor: number | null
  labour_minor: number | null
  valid_until: string | null
  notes: string | null
  status: 'open' | 'accepted' | 'rejected'
  accepted_at: string | null
  accepted_by: string | null
  created_by: string | null
  created_at: string
}

/** The garage settings of Car Manager's export (the reminder channel left out: it is of one platform). */
export type ImportSettings = {
  units: 'metric' | 'imperial'
  numbers: string
  dates: string
  currency: string
  timezone: string
  reminder_hour: number
  digest: string
  urgent: { days: number; km: number; text: string | null }
  very_urgent: { days: number; km: number; text: string | null }
}

export type ParsedImport = {
  /** "Fuelly export", "LubeLogger export" … */
  format: string
  files: string[]
  rows: ImportRow[]
  problems: Problem[]
  units: FileUnits
  /** Per car of the file, when its rows are in its own units. */
  cars?: Map<string, CarSource>
  /** The drivers of the file's cars (Car Manager's export): chat user ids, as the platform gives them. */
  drivers?: { car: string; user_id: string; name: string }[]
  /** Maintenance items of the file's cars (Car Manager's export). */
  items?: ImportItem[]
  /** Issues of the file's cars with their comments and history, and their quotes (Car Manager's export). */
  issues?: ImportIssue[]
  quotes?: ImportQuote[]
  /** Photos of the file's cars and issues whose originals the file holds (Car Manager's export with photos:yes). */
  photos?: ImportPhoto[]
  /** The exporting garage's settings (Car Manager's export), taken by a garage with none of its own. */
  settings?: ImportSettings
  numbers: { format: NumberFormat; how: 'file' | 'garage' }
  dates: { order: DateOrder; how: 'file' | 'garage' | 'iso' }
  /** Said in the preview: what was assumed (a record kind taken from a file name …). */
  notes: string[]
}

/** A file that cannot be imported at all: the answer names the problem; nothing is written. */
export class ImportRefused extends Error {}

/** The garage's ways, which decide what a file does not say. */
export type ImportContext = { numbers: NumberFormat; dates: DateOrder }
