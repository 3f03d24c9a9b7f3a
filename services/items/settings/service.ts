/**
 * The garage's settings: units, how it writes numbers and dates, currency, timezone, the
 * reminder channel and hour, urgency thresholds, and the car of each photo channel. The currency
 * changes only while no amount is stored in it (amounts are not converted). A garage that never wrote reads the defaults;
 * its row is made on its first successful write.
 */
import type { Database } from 'bun:sqlite'
import { type DateOrder, DEFAULT_DATE_ORDER } from '../../../lib/domain/dates.ts'
import { DEFAULT_NUMBER_FORMAT, type NumberFormat } from '../../../lib/domain/numbers.ts'
import { clip } from '../../../lib/domain/text.ts'
import { convertDistance, distanceUnitOf, type Units } from '../../../lib/domain/units.ts'
import { badRequest } from '../../lib/http.ts'
import { type ChangeActor, logChange, NOBODY, type Snapshot } from '../changes/log.ts'
import { requireCar } from '../shared/car.ts'
import { formatDistance, typedThreshold } from '../shared/distance.ts'
import {
  DEFAULT_THRESHOLDS,
  defaultGarage,
  ensureTenant,
  type GarageRow,
  shownOf,
  storedGarage,
} from '../shared/garage.ts'
import type { ThresholdInput } from '../shared/model.ts'
import type { SettingsPatch, SettingsView, ThresholdView } from './model.ts'

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'))

function checkCurrency(value: string): string {
  const code = value.trim().toUpperCase()
  if (!/^[A-Z]{3}$/.test(code) || !CURRENCIES.has(code)) {
    throw badRequest(
      'currency',
      `currency: "${clip(value, 40)}" is not an ISO 4217 currency code; e.g. USD, EUR, JPY`,
    )
  }
  return code
}

/** An IANA timezone, in its canonical spelling ("america/chicago" → "America/Chicago"). */
function checkTimezone(value: string): string {
  const name = value.trim()
  try {
    if (name.length === 0) throw new RangeError()
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
  } catch {
    throw badRequest(
      'timezone',
      `timezone: "${clip(value, 40)}" is not a timezone; use an IANA name such as America/Chicago or Europe/Paris`,
    )
  }
}

const CHANNEL = /^[A-Za-z0-9._:-]{1,100}$/

function checkChannel(field: string, value: string): string {
  const channel = value.trim()
  if (!CHANNEL.test(channel)) throw badRequest(field, `${field}: "${clip(value, 40)}" is not a channel id`)
  return channel
}

function thresholdView(
  days: number,
  km: number,
  text: string | null,
  units: Units,
  numbers: NumberFormat,
): ThresholdView {
  const unit = distanceUnitOf(units)
  const value = Math.round(convertDistance(km, 'km', unit) * 10) / 10
  const distanceText = formatDistance(value, unit, numbers)
  return {
    days,
    km,
    distance: { value, unit, text: distanceText },
    text: text ?? `${days} d, ${distanceText}`,
  }
}

/**
 * The garage's settings; the defaults (not stored) for a tenant that never wrote anything.
 * With `channel`, also the car photos dropped in that channel belong to.
 */
export function getSettings(db: Database, tenant: string, channel?: string): SettingsView {
  const stored = storedGarage(db, tenant)
  const row = stored ?? defaultGarage(tenant)
  const photoChannels = db
    .query(
      `SELECT cc.channel_id AS channel, c.id AS car_id, c.nickname AS car FROM channel_cars cc
       JOIN cars c ON c.id = cc.car_id WHERE cc.tenant = CAST(? AS TEXT) AND c.tenant = CAST(? AS TEXT)
       ORDER BY cc.channel_id`,
    )
    .all(tenant, tenant) as { channel: string; car_id: number; car: string }[]
  const forChannel = channel === undefined ? undefined : photoChannels.find((p) => p.channel === channel)
  const numbers = numberFormatOf(stored)
  return {
    tenant,
    units: row.units,
    numbers,
    dates: dateOrderOf(stored),
    currency: row.currency,
    timezone: row.timezone,
    reminder_channel: row.reminder_channel,
    reminder_hour: row.reminder_hour,
    digest: digestOf(db, tenant),
    urgent: thresholdView(row.urgent_days, row.urgent_km, row.urgent_text, row.units, numbers),
    very_urgent: thresholdView(row.very_urgent_days, row.very_urgent_km, row.very_urgent_text, row.units, numbers),
    photo_channels: photoChannels,
    photo_channel_car: forChannel ? { id: forChannel.car_id, nickname: forChannel.car } : null,
    stored: stored !== null,
  }
}

/** How often the garage's digest is posted (a column of its row; off until it says otherwise). */
const digestOf = (db: Database, tenant: string): SettingsView['digest'] =>
  ((db.query('SELECT digest FROM tenants WHERE id = ?').get(tenant) as { digest: SettingsView['digest'] } | null)?.digest ?? 'off')

/** The garage's number format (a column of its row since migration 5; the default until it writes). */
const numberFormatOf = (row: GarageRow | null): NumberFormat => shownOf(row).numbers

/** The garage's date order (a column of its row since migration 9; the default until it writes). */
const dateOrderOf = (row: GarageRow | null): DateOrder => shownOf(row).dates

/**
 * How many amounts the garage has stored in its currency. They are kept as numbers of that
 * currency, so a change of currency would relabel them (€45 shown as $45), not convert them.
 */
function storedAmounts(db: Database, tenant: string): number {
  const row = db
    .query(
      `SELECT (SELECT count(*) FROM fuel_fillups WHERE tenant = ?1 AND cost_minor IS NOT NULL)
            + (SELECT count(*) FROM service_records WHERE tenant = ?1 AND cost_minor IS NOT NULL)
            + (SELECT count(*) FROM cars WHERE tenant = ?1 AND purchase_price_minor IS NOT NULL) AS n`,
    )
    .get(tenant) as { n: number }
  return row.n
}

type Threshold = 'urgent' | 'very_urgent'

/**
 * A threshold changed as typed; a part left out keeps its current value ("/garage settings
 * urgent:14d" changes only the days). The typed text is kept when it gave both parts; otherwise
 * the text is written from the values.
 */
function mergeThreshold(next: GarageRow, field: Threshold, input: ThresholdInput, numbers: NumberFormat): void {
  const typed = typedThreshold(field, input, next.units, numbers)
  const days = typed.days ?? next[`${field}_days`]
  const km = typed.km ?? next[`${field}_km`]
  const text = input.text?.trim()
  next[`${field}_days`] = days
  next[`${field}_km`] = km
  next[`${field}_text`] =
    text && input.days !== undefined && input.distance ? text : thresholdView(days, km, null, next.units, numbers).text
}

/** The garage's row as a change log snapshot (a settings change has no car). */
function settingsSnapshot(db: Database, tenant: string): Snapshot | null {
  const row = storedGarage(db, tenant)
  return row ? { row: { ...row, id: 0, car_id: null }, reading: null } : null
}

/** The settings the garage's history shows: label and column of the garage's row. */
export const SETTINGS_HISTORY_FIELDS: [string, string][] = [
  ['units', 'units'],
  ['numbers', 'number_format'],
  ['dates', 'date_order'],
  ['currency', 'currency'],
  ['timezone', 'timezone'],
  ['reminder_channel', 'reminder_channel'],
  ['reminder_hour', 'reminder_hour'],
  ['urgent', 'urgent_text'],
  ['very_urgent', 'very_urgent_text'],
]

/** Whether any of the settings the history shows differs between two snapshots. */
const differs = (a: Snapshot | null, b: Snapshot | null) =>
  SETTINGS_HISTORY_FIELDS.some(([, k]) => (a?.row[k] ?? null) !== (b?.row[k] ?? null))

/**
 * Changes the settings (creating the tenant's row); refusals name the field and store nothing.
 * A change of what the settings show is in the garage's history, with who made it.
 */
export function updateSettings(
  db: Database,
  tenant: string,
  patch: SettingsPatch,
  now: Date,
  actor: ChangeActor = NOBODY,
): SettingsView {
  return db.transaction(() => {
    const before = settingsSnapshot(db, tenant) ?? {
      row: { ...defaultGarage(tenant), number_format: DEFAULT_NUMBER_FORMAT, date_order: DEFAULT_DATE_ORDER, id: 0, car_id: null },
      reading: null,
    }
    const stored = storedGarage(db, tenant)
    const row = stored ?? defaultGarage(tenant)
    const next: GarageRow = { ...row }
    if (patch.units !== undefined && patch.units !== row.units) {
      next.units = patch.units
      // Thresholds the garage never set follow its units' round numbers (800 km ↔ 500 mi).
      const d = DEFAULT_THRESHOLDS[patch.units]
      if (row.urgent_text === null) [next.urgent_days, next.urgent_km] = d.urgent
      if (row.very_urgent_text === null) [next.very_urgent_days, next.very_urgent_km] = d.very_urgent
    }
    if (patch.currency !== undefined) {
      next.currency = checkCurrency(patch.currency)
      const amounts = next.currency === row.currency ? 0 : storedAmounts(db, tenant)
      if (amounts > 0)
        throw badRequest(
          'currency',
          `currency: this garage has ${amounts === 1 ? '1 amount' : `${amounts} amounts`} stored in ${row.currency} (fill-ups, service records, purchase prices); changing to ${next.currency} would show them as ${next.currency} without converting them, so the currency stays ${row.currency}`,
        )
    }
    if (patch.timezone !== undefined) next.timezone = checkTimezone(patch.timezone)
    if (patch.reminder_channel !== undefined) {
      next.reminder_channel =
        patch.reminder_channel === null ? null : checkChannel('reminder_channel', patch.reminder_channel)
    }
    if (patch.reminder_hour !== undefined) next.reminder_hour = patch.reminder_hour
    // what the answer and the thresholds' texts are written in: the format this change leaves
    const numbers = patch.numbers ?? numberFormatOf(stored)
    if (patch.urgent) mergeThreshold(next, 'urgent', patch.urgent, numbers)
    if (patch.very_urgent) mergeThreshold(next, 'very_urgent', patch.very_urgent, numbers)
    const field = patch.very_urgent ? 'very_urgent' : 'urgent'
    if (next.very_urgent_days > next.urgent_days) {
      throw badRequest(
        field,
        `very_urgent: ${next.very_urgent_days} days must not be more than urgent's ${next.urgent_days} days`,
      )
    }
    if (next.very_urgent_km > next.urgent_km + 1e-9) {
      const unit = distanceUnitOf(next.units)
      const shown = (km: number) => formatDistance(convertDistance(km, 'km', unit), unit, numbers)
      throw badRequest(
        field,
        `very_urgent: ${shown(next.very_urgent_km)} must not be more than urgent's ${shown(next.urgent_km)}`,
      )
    }
    if (patch.photo_channel_car) {
      const channel = checkChannel('photo_channel_car', patch.photo_channel_car.channel)
      if (patch.photo_channel_car.car === null) {
        db.query('DELETE FROM channel_cars WHERE tenant = ? AND channel_id = ?').run(tenant, channel)
      } else {
        const car = requireCar(db, tenant, patch.photo_channel_car.car, 'photo_channel_car')
        db.query(
          `INSERT INTO channel_cars (tenant, channel_id, car_id) VALUES (?, ?, ?)
           ON CONFLICT (tenant, channel_id) DO UPDATE SET car_id = excluded.car_id`,
        ).run(tenant, channel, car.id)
      }
    }
    ensureTenant(db, tenant, now)
    db.query(
      `UPDATE tenants SET units = ?, currency = ?, timezone = ?, reminder_channel = ?, reminder_hour = ?,
         urgent_days = ?, urgent_km = ?, urgent_text = ?, very_urgent_days = ?, very_urgent_km = ?, very_urgent_text = ?
       WHERE id = ?`,
    ).run(
      next.units,
      next.currency,
      next.timezone,
      next.reminder_channel,
      next.reminder_hour,
      next.urgent_days,
      next.urgent_km,
      next.urgent_text,
      next.very_urgent_days,
      next.very_urgent_km,
      next.very_urgent_text,
      tenant,
    )
    if (patch.digest !== undefined) db.query('UPDATE tenants SET digest = ? WHERE id = ?').run(patch.digest, tenant)
    if (patch.numbers !== undefined && patch.numbers !== numberFormatOf(stored)) {
      db.query('UPDATE tenants SET number_format = ? WHERE id = ?').run(patch.numbers, tenant)
    }
    if (patch.dates !== undefined && patch.dates !== dateOrderOf(stored)) {
      db.query('UPDATE tenants SET date_order = ? WHERE id = ?').run(patch.dates, tenant)
    }
    const after = settingsSnapshot(db, tenant)
    if (differs(before, after))
      logChange(db, tenant, actor, { kind: 'settings', action: 'edit', ref: 0, before, after }, now)
    return getSettings(db, tenant, patch.photo_channel_car?.channel.trim())
  })()
}
