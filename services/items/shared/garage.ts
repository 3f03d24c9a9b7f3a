/**
 * A garage (tenant) as every feature reads it: its stored settings row, or the defaults for a
 * garage that never wrote anything, and its today in its own timezone.
 */
import type { Database } from 'bun:sqlite'
import { garageToday } from '../../../lib/domain/dates.ts'
import { type Presentation, presentationOf } from '../../../lib/domain/presentation.ts'
import { KM_PER_MI, type Units } from '../../../lib/domain/units.ts'

/** A row of the tenants table: a garage's settings (thresholds in days and km). */
export type GarageRow = {
  id: string
  units: Units
  currency: string
  timezone: string
  reminder_channel: string | null
  reminder_hour: number
  urgent_days: number
  urgent_km: number
  urgent_text: string | null
  very_urgent_days: number
  very_urgent_km: number
  very_urgent_text: string | null
  /** How the garage writes numbers and dates (migrations 5 and 9); absent until it writes. */
  number_format?: string | null
  date_order?: string | null
}

/** Thresholds of a garage that never set them, in its units' round numbers ([days, km]). */
export const DEFAULT_THRESHOLDS: Record<Units, { urgent: [number, number]; very_urgent: [number, number] }> =
  {
    metric: { urgent: [30, 800], very_urgent: [7, 160] },
    imperial: { urgent: [30, 500 * KM_PER_MI], very_urgent: [7, 100 * KM_PER_MI] },
  }

export const DEFAULT_SETTINGS = {
  units: 'metric' as Units,
  currency: 'USD',
  timezone: 'UTC',
  reminder_hour: 9,
}

/** The garage's stored row; null until its first write. */
export function storedGarage(db: Database, tenant: string): GarageRow | null {
  return db.query('SELECT * FROM tenants WHERE id = ?').get(tenant) as GarageRow | null
}

/** The settings of a garage that never wrote anything. */
export function defaultGarage(tenant: string): GarageRow {
  const d = DEFAULT_THRESHOLDS[DEFAULT_SETTINGS.units]
  return {
    id: tenant,
    ...DEFAULT_SETTINGS,
    reminder_channel: null,
    urgent_days: d.urgent[0],
    urgent_km: d.urgent[1],
    urgent_text: null,
    very_urgent_days: d.very_urgent[0],
    very_urgent_km: d.very_urgent[1],
    very_urgent_text: null,
  }
}

/** The garage's settings, stored or the defaults. */
export const loadGarage = (db: Database, tenant: string): GarageRow =>
  storedGarage(db, tenant) ?? defaultGarage(tenant)

/** The columns of a garage's row that say how it writes numbers and dates. */
type FormatColumns = Pick<GarageRow, 'number_format' | 'date_order'>

/** How the garage of a settings row writes numbers and dates (the defaults for a garage that never wrote). */
export const shownOf = (row: FormatColumns | null): Presentation => presentationOf(row?.number_format, row?.date_order)

/** How a garage writes numbers and dates, for a route that reads nothing else of its settings. */
export function garageShown(db: Database, tenant: string): Presentation {
  return shownOf(db.query('SELECT number_format, date_order FROM tenants WHERE id = ?').get(tenant) as FormatColumns | null)
}

/**
 * The garage's settings, its today (lib/domain `garageToday`, in its timezone) at `now`, and how
 * it writes numbers and dates (`shown`, what every label of the answer is written in).
 */
export function garageAt(
  db: Database,
  tenant: string,
  now: Date,
): { garage: GarageRow; today: string; shown: Presentation } {
  const garage = loadGarage(db, tenant)
  return { garage, today: garageToday(now, garage.timezone), shown: shownOf(garage) }
}

/** Creates the tenant's row with the defaults on its first successful write (call inside the write's transaction). */
export function ensureTenant(db: Database, tenant: string, now: Date): void {
  const d = defaultGarage(tenant)
  db.query(
    `INSERT OR IGNORE INTO tenants (id, units, currency, timezone, reminder_hour, urgent_days, urgent_km,
       very_urgent_days, very_urgent_km, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    tenant,
    d.units,
    d.currency,
    d.timezone,
    d.reminder_hour,
    d.urgent_days,
    d.urgent_km,
    d.very_urgent_days,
    d.very_urgent_km,
    now.toISOString(),
  )
}

/** The garages marked leaving (a bot removed from a guild, an app uninstalled): kept a while, but silent. */
export const leavingGarages = (db: Database): Set<string> =>
  new Set((db.query('SELECT tenant FROM garages_leaving').all() as { tenant: string }[]).map((r) => r.tenant))
