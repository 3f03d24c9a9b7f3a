/**
 * The garage's logic on the items database: tenants and their settings, cars, odometer
 * readings. No Elysia here; callers pass the database, the tenant and the clock. Refusals are
 * `HttpError`s naming the field. Functions marked "exported for maintenance" are the contract
 * the maintenance part of this service (items, records, fuel) builds on.
 */

import type { Database, Statement } from 'bun:sqlite'
import { badRequest, conflict, HttpError, notFound } from '../lib/http.ts'
import type {
  CarCreate,
  CarDetail,
  CarEdit,
  CarView,
  DistanceInput,
  DistanceUnit,
  EditResult,
  MoneyInput,
  MoneyView,
  ReadingResult,
  ReadingSource,
  ReadingView,
  SettingsPatch,
  SettingsView,
  ThresholdInput,
  ThresholdView,
} from './model.ts'
import { recordedFor } from '../../lib/domain/car.ts'

export const KM_PER_MI = 1.609344

export type Units = 'metric' | 'imperial'

/** Thresholds of a garage that never set them, in its units' round numbers. */
const DEFAULT_THRESHOLDS: Record<Units, { urgent: [number, number]; very_urgent: [number, number] }> = {
  metric: { urgent: [30, 800], very_urgent: [7, 160] },
  imperial: { urgent: [30, 500 * KM_PER_MI], very_urgent: [7, 100 * KM_PER_MI] },
}

export const DEFAULT_SETTINGS = {
  units: 'metric' as Units,
  currency: 'USD',
  timezone: 'UTC',
  reminder_hour: 9,
}

/** How many readings GET /cars/:car shows. */
const SHOWN_READINGS = 10

type TenantRow = {
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
}

export type CarRow = {
  id: number
  tenant: string
  nickname: string
  nickname_key: string
  make: string | null
  model: string | null
  year: number | null
  odometer: number | null
  odometer_unit: DistanceUnit
  odometer_text: string | null
  plate: string | null
  vin: string | null
  purchase_date: string | null
  purchase_price_minor: number | null
  purchase_currency: string | null
  purchase_price_text: string | null
  created_at: string
  /** Kept by triggers on odometer_readings (migration 4). */
  reading_count: number
}

type ReadingRow = {
  id: number
  value: number
  text: string
  typed_unit: DistanceUnit | null
  source: ReadingSource
  read_on: string
}

// ---------------------------------------------------------------------------------------------
// formatting and small rules

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })

export function formatDistance(value: number, unit: DistanceUnit): string {
  return `${numberFormat.format(value)} ${unit}`
}

export function unitOfGarage(units: Units): DistanceUnit {
  return units === 'imperial' ? 'mi' : 'km'
}

export function convertDistance(value: number, from: DistanceUnit, to: DistanceUnit): number {
  if (from === to) return value
  const converted = from === 'mi' ? value * KM_PER_MI : value / KM_PER_MI
  return Math.round(converted * 1000) / 1000
}

/**
 * One Intl formatter per timezone or currency, made on first use: building one costs tens of
 * microseconds, far more than the query it formats. Both keys are checked names (IANA zones,
 * ISO 4217 codes), so the maps stay small.
 */
function memo<T>(make: (key: string) => T): (key: string) => T {
  const made = new Map<string, T>()
  return (key) => {
    let value = made.get(key)
    if (value === undefined) {
      value = make(key)
      made.set(key, value)
    }
    return value
  }
}

const dayFormat = memo(
  (timeZone) =>
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
)

/** "YYYY-MM-DD" of an instant in a timezone. */
export function dateIn(timezone: string, at: Date): string {
  const parts = dayFormat(timezone).formatToParts(at)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')}`
}

function checkDate(field: string, value: string, today: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  const valid =
    m &&
    (() => {
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
      return (
        d.getUTCFullYear() === Number(m[1]) &&
        d.getUTCMonth() === Number(m[2]) - 1 &&
        d.getUTCDate() === Number(m[3])
      )
    })()
  if (!valid) throw badRequest(field, `${field}: "${clip(value)}" is not a date; use YYYY-MM-DD`)
  if (value > today) throw badRequest(field, `${field}: ${value} is in the future (today is ${today})`)
  if (value < '1886-01-01') throw badRequest(field, `${field}: ${value} is before the first car (1886)`)
  return value
}

function clip(value: string, max = 40): string {
  return value.length > max ? `${value.slice(0, max)}…` : value
}

const NICKNAME = /^[\p{L}\p{N}_-]{1,32}$/u

export function checkNickname(value: string): string {
  const nickname = value.trim()
  if (nickname.length === 0) throw badRequest('nickname', 'nickname: give the car a short name, e.g. corolla')
  if ([...nickname].length > 32) {
    throw badRequest('nickname', `nickname: at most 32 characters (this one has ${[...nickname].length})`)
  }
  if (/\s/.test(nickname))
    throw badRequest('nickname', `nickname: no spaces ("${clip(nickname)}"); use - or _ instead`)
  if (!NICKNAME.test(nickname)) {
    throw badRequest(
      'nickname',
      `nickname: use only letters, digits, - and _ ("${clip(nickname)}" has other characters)`,
    )
  }
  return nickname
}

function optionalText(field: string, value: string | undefined, max: number): string | null | undefined {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (trimmed.length > max) throw badRequest(field, `${field}: at most ${max} characters`)
  return trimmed.length === 0 ? null : trimmed
}

function checkYear(year: number, now: Date): number {
  const max = now.getUTCFullYear() + 2
  if (!Number.isSafeInteger(year) || year < 1886 || year > max) {
    throw badRequest('year', `year: ${year} is not a model year; use 1886-${max}`)
  }
  return year
}

const VIN_VALUES: Record<string, number> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
}
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]

/** The North-American check digit (position 9) a VIN should have. */
export function vinCheckDigit(vin: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const c = vin[i]!
    const v = /[0-9]/.test(c) ? Number(c) : (VIN_VALUES[c] ?? 0)
    sum += v * VIN_WEIGHTS[i]!
  }
  const r = sum % 11
  return r === 10 ? 'X' : String(r)
}

function checkVin(value: string, confirm: boolean): string | null {
  const vin = value.trim().toUpperCase()
  if (vin.length === 0) return null
  if (vin.length !== 17)
    throw badRequest('vin', `vin: a VIN has 17 characters ("${clip(vin)}" has ${vin.length})`)
  if (/[IOQ]/.test(vin)) throw badRequest('vin', 'vin: a VIN never contains I, O or Q (did you mean 1 or 0?)')
  if (!/^[A-Z0-9]{17}$/.test(vin)) throw badRequest('vin', 'vin: only letters and digits')
  const expected = vinCheckDigit(vin)
  if (!confirm && vin[8] !== expected) {
    throw conflict(
      'confirm_vin',
      `vin: the check digit (9th character) is ${vin[8]} but ${expected} was expected; VINs from outside North America may not use one — add confirm:yes if ${vin} is right`,
      'vin',
    )
  }
  return vin
}

const moneyFormat = memo((currency) => new Intl.NumberFormat('en-US', { style: 'currency', currency }))

/** Decimal places of a currency (JPY 0, USD 2, BHD 3). */
export const currencyExponent: (currency: string) => number = memo(
  (currency) => moneyFormat(currency).resolvedOptions().maximumFractionDigits ?? 2,
)

export function formatMoney(minor: number, currency: string): string {
  const exp = currencyExponent(currency)
  return moneyFormat(currency).format(minor / 10 ** exp)
}

function toMinor(field: string, money: MoneyInput, currency: string): { minor: number; text: string } {
  const exp = currencyExponent(currency)
  if (!Number.isFinite(money.value) || money.value < 0) throw badRequest(field, `${field}: must be 0 or more`)
  const scaled = money.value * 10 ** exp
  const minor = Math.round(scaled)
  if (!Number.isSafeInteger(minor)) throw badRequest(field, `${field}: ${money.value} is too large`)
  if (Math.abs(scaled - minor) > 1e-6 * Math.max(1, Math.abs(scaled))) {
    throw badRequest(
      field,
      `${field}: ${currency} has ${exp} decimal${exp === 1 ? '' : 's'}; ${money.value} has more`,
    )
  }
  return { minor, text: money.text?.trim() || String(money.value) }
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'))

function checkCurrency(value: string): string {
  const code = value.trim().toUpperCase()
  if (!/^[A-Z]{3}$/.test(code) || !CURRENCIES.has(code)) {
    throw badRequest(
      'currency',
      `currency: "${clip(value)}" is not an ISO 4217 currency code; e.g. USD, EUR, JPY`,
    )
  }
  return code
}

function checkTimezone(value: string): string {
  const name = value.trim()
  try {
    if (name.length === 0) throw new RangeError()
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
  } catch {
    throw badRequest(
      'timezone',
      `timezone: "${clip(value)}" is not a timezone; use an IANA name such as America/Chicago or Europe/Paris`,
    )
  }
}

const CHANNEL = /^[A-Za-z0-9._:-]{1,100}$/

function checkChannel(field: string, value: string): string {
  const channel = value.trim()
  if (!CHANNEL.test(channel)) throw badRequest(field, `${field}: "${clip(value)}" is not a channel id`)
  return channel
}

// ---------------------------------------------------------------------------------------------
// tenants and settings

function tenantRow(db: Database, tenant: string): TenantRow | null {
  return db.query('SELECT * FROM tenants WHERE id = ?').get(tenant) as TenantRow | null
}

function defaultRow(tenant: string): TenantRow {
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

/** Creates the tenant's row with the defaults on its first successful write (call inside the write's transaction). */
export function ensureTenant(db: Database, tenant: string, now: Date): void {
  const d = defaultRow(tenant)
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

function thresholdView(days: number, km: number, text: string | null, units: Units): ThresholdView {
  const unit = unitOfGarage(units)
  const value = Math.round(convertDistance(km, 'km', unit) * 10) / 10
  const distanceText = formatDistance(value, unit)
  return {
    days,
    km,
    distance: { value, unit, text: distanceText },
    text: text ?? `${days} d, ${distanceText}`,
  }
}

export type Settings = SettingsView

/**
 * The garage's settings; the defaults (not stored) for a tenant that never wrote anything.
 * With `channel`, also the car photos dropped in that channel belong to. Exported for maintenance.
 */
export function getSettings(db: Database, tenant: string, channel?: string): Settings {
  const stored = tenantRow(db, tenant)
  const row = stored ?? defaultRow(tenant)
  const photoChannels = db
    .query(
      `SELECT cc.channel_id AS channel, c.id AS car_id, c.nickname AS car FROM channel_cars cc
       JOIN cars c ON c.id = cc.car_id WHERE cc.tenant = CAST(? AS TEXT) AND c.tenant = CAST(? AS TEXT)
       ORDER BY cc.channel_id`,
    )
    .all(tenant, tenant) as { channel: string; car_id: number; car: string }[]
  const forChannel = channel === undefined ? undefined : photoChannels.find((p) => p.channel === channel)
  return {
    tenant,
    units: row.units,
    currency: row.currency,
    timezone: row.timezone,
    reminder_channel: row.reminder_channel,
    reminder_hour: row.reminder_hour,
    urgent: thresholdView(row.urgent_days, row.urgent_km, row.urgent_text, row.units),
    very_urgent: thresholdView(row.very_urgent_days, row.very_urgent_km, row.very_urgent_text, row.units),
    photo_channels: photoChannels,
    photo_channel_car: forChannel ? { id: forChannel.car_id, nickname: forChannel.car } : null,
    stored: stored !== null,
  }
}

function mergeThreshold(
  field: string,
  current: { days: number; km: number; text: string | null },
  input: ThresholdInput,
  units: Units,
): { days: number; km: number; text: string | null } {
  if (input.days === undefined && input.distance === undefined) {
    throw badRequest(field, `${field}: give days, a distance or both, e.g. "30 d, 500 mi"`)
  }
  // A part left out keeps its current value: "/garage settings urgent:14d" changes only the days.
  const days = input.days ?? current.days
  let km = current.km
  if (input.distance) {
    const unit = input.distance.unit ?? unitOfGarage(units)
    km = convertDistance(input.distance.value, unit, 'km')
    if (km > 100_000)
      throw badRequest(field, `${field}: ${formatDistance(input.distance.value, unit)} is too far ahead`)
  }
  const typed = input.text?.trim()
  return { days, km, text: typed && input.days !== undefined && input.distance ? typed : null }
}

/** Changes the settings (creating the tenant's row); refusals name the field and store nothing. */
export function updateSettings(db: Database, tenant: string, patch: SettingsPatch, now: Date): Settings {
  return db.transaction(() => {
    const existed = tenantRow(db, tenant)
    const row = existed ?? defaultRow(tenant)
    const next: TenantRow = { ...row }
    if (patch.units !== undefined && patch.units !== row.units) {
      next.units = patch.units
      // Thresholds the garage never set follow its units' round numbers (800 km ↔ 500 mi).
      const d = DEFAULT_THRESHOLDS[patch.units]
      if (row.urgent_text === null) [next.urgent_days, next.urgent_km] = d.urgent
      if (row.very_urgent_text === null) [next.very_urgent_days, next.very_urgent_km] = d.very_urgent
    }
    if (patch.currency !== undefined) next.currency = checkCurrency(patch.currency)
    if (patch.timezone !== undefined) next.timezone = checkTimezone(patch.timezone)
    if (patch.reminder_channel !== undefined) {
      next.reminder_channel =
        patch.reminder_channel === null ? null : checkChannel('reminder_channel', patch.reminder_channel)
    }
    if (patch.reminder_hour !== undefined) next.reminder_hour = patch.reminder_hour
    if (patch.urgent) {
      const m = mergeThreshold(
        'urgent',
        { days: next.urgent_days, km: next.urgent_km, text: next.urgent_text },
        patch.urgent,
        next.units,
      )
      ;[next.urgent_days, next.urgent_km, next.urgent_text] = [
        m.days,
        m.km,
        m.text ?? thresholdView(m.days, m.km, null, next.units).text,
      ]
    }
    if (patch.very_urgent) {
      const m = mergeThreshold(
        'very_urgent',
        { days: next.very_urgent_days, km: next.very_urgent_km, text: next.very_urgent_text },
        patch.very_urgent,
        next.units,
      )
      ;[next.very_urgent_days, next.very_urgent_km, next.very_urgent_text] = [
        m.days,
        m.km,
        m.text ?? thresholdView(m.days, m.km, null, next.units).text,
      ]
    }
    if (next.very_urgent_days > next.urgent_days) {
      throw badRequest(
        patch.very_urgent ? 'very_urgent' : 'urgent',
        `very_urgent: ${next.very_urgent_days} days must not be more than urgent's ${next.urgent_days} days`,
      )
    }
    if (next.very_urgent_km > next.urgent_km + 1e-9) {
      const unit = unitOfGarage(next.units)
      throw badRequest(
        patch.very_urgent ? 'very_urgent' : 'urgent',
        `very_urgent: ${formatDistance(convertDistance(next.very_urgent_km, 'km', unit), unit)} must not be more than urgent's ${formatDistance(convertDistance(next.urgent_km, 'km', unit), unit)}`,
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
    return getSettings(db, tenant, patch.photo_channel_car?.channel.trim())
  })()
}

// ---------------------------------------------------------------------------------------------
// cars

/** A car of this tenant by nickname (case-insensitive) or numeric id; null when none. Exported for maintenance. */
export function findCar(db: Database, tenant: string, nicknameOrId: string | number): CarRow | null {
  const ref = String(nicknameOrId).trim()
  const byName = db
    .query('SELECT * FROM cars WHERE tenant = ? AND nickname_key = ?')
    .get(tenant, ref.toLowerCase()) as CarRow | null
  if (byName) return byName
  if (/^#?\d{1,15}$/.test(ref)) {
    return db
      .query('SELECT * FROM cars WHERE tenant = ? AND id = ?')
      .get(tenant, Number(ref.replace('#', ''))) as CarRow | null
  }
  return null
}

/** The tenant's nicknames, for "no car x; cars: …" answers. */
export function nicknames(db: Database, tenant: string, limit = 25): string[] {
  return (
    db
      .query('SELECT nickname FROM cars WHERE tenant = CAST(? AS TEXT) ORDER BY nickname_key LIMIT ?')
      .all(tenant, limit) as { nickname: string }[]
  ).map((r) => r.nickname)
}

/** Like findCar, but a missing car is a 404 that lists the garage's cars. Exported for maintenance. */
export function requireCar(
  db: Database,
  tenant: string,
  nicknameOrId: string | number,
  field = 'car',
): CarRow {
  const car = findCar(db, tenant, nicknameOrId)
  if (car) return car
  throw noSuchCar(db, tenant, nicknameOrId, field)
}

function noSuchCar(db: Database, tenant: string, nicknameOrId: string | number, field: string): HttpError {
  const names = nicknames(db, tenant)
  return new HttpError(
    404,
    'not_found',
    `no car "${clip(String(nicknameOrId))}" in this garage; ${names.length ? `cars: ${names.join(', ')}` : 'it has no cars yet (add one with /car add)'}`,
    field,
  )
}

function readingView(row: ReadingRow, unit: DistanceUnit): ReadingView {
  const label =
    row.typed_unit && row.typed_unit !== unit ? `${formatDistance(row.value, unit)} (${row.text})` : row.text
  return {
    id: row.id,
    value: row.value,
    unit,
    text: row.text,
    label,
    source: row.source,
    read_on: row.read_on,
  }
}

const READING_COLUMNS = 'id, value, text, typed_unit, source, read_on'

// ---------------------------------------------------------------------------------------------
// car reads: GET /cars is one statement, GET /cars/:car two (the car with its current odometer
// and its reading count, kept on the row; then its latest readings, from one index range).
//
// Every `?` of a statement with an ORDER BY (its own or a subquery's) is written CAST(? AS …):
// the SQLite in Bun (3.54) re-prepares such a statement each time a bare `?` is bound again
// (about 2 µs, more than the query itself). The cast keeps the comparison and the index use
// (see the query plans in perf.test.ts); ids and tenants are bound as integers and strings.

/**
 * Prepared once per database and kept (not in bun:sqlite's 20-entry `db.query` cache, which
 * the maintenance statements of this service would push them out of). `closeStatements`
 * finalizes them before the database closes.
 */
const statements = new WeakMap<Database, Map<string, Statement>>()

function prepared(db: Database, sql: string): Statement {
  let byText = statements.get(db)
  if (!byText) {
    byText = new Map()
    statements.set(db, byText)
  }
  let statement = byText.get(sql)
  if (!statement) {
    statement = db.prepare(sql)
    byText.set(sql, statement)
  }
  return statement
}

/** Finalizes the statements prepared on this database (call before `db.close()`). */
export function closeStatements(db: Database): void {
  for (const statement of statements.get(db)?.values() ?? []) statement.finalize()
  statements.delete(db)
}

/** The car's current reading (`o_*`, null without readings): the top of (car_id, value, read_on), no sort. */
const CURRENT_COLUMNS =
  'o.id AS o_id, o.value AS o_value, o.text AS o_text, o.typed_unit AS o_typed_unit, o.source AS o_source, o.read_on AS o_read_on'
const CURRENT_JOIN = `LEFT JOIN odometer_readings o ON o.id = (SELECT id FROM odometer_readings WHERE car_id = c.id
  ORDER BY value DESC, read_on DESC, id DESC LIMIT 1) AND o.tenant = c.tenant`

type CurrentColumns = {
  o_id: number | null
  o_value: number | null
  o_text: string | null
  o_typed_unit: DistanceUnit | null
  o_source: ReadingSource | null
  o_read_on: string | null
}

/** The car columns a view shows (not the lookup keys nor the odometer last typed on the car). */
const VIEW_COLUMNS = `c.id, c.nickname, c.make, c.model, c.year, c.plate, c.vin, c.purchase_date, c.purchase_price_minor,
  c.purchase_currency, c.purchase_price_text, c.odometer_unit, c.created_at, c.reading_count`
type ViewColumns = Pick<
  CarRow,
  | 'id'
  | 'nickname'
  | 'make'
  | 'model'
  | 'year'
  | 'plate'
  | 'vin'
  | 'purchase_date'
  | 'purchase_price_minor'
  | 'purchase_currency'
  | 'purchase_price_text'
  | 'odometer_unit'
  | 'created_at'
  | 'reading_count'
>
type CarWithCurrent = ViewColumns & CurrentColumns

const CAR_DETAIL = `SELECT ${VIEW_COLUMNS}, ${CURRENT_COLUMNS} FROM cars c ${CURRENT_JOIN}`
export const CAR_SQL = {
  detailByName: `${CAR_DETAIL} WHERE c.tenant = CAST(? AS TEXT) AND c.nickname_key = CAST(? AS TEXT)`,
  detailById: `${CAR_DETAIL} WHERE c.tenant = CAST(? AS TEXT) AND c.id = CAST(? AS INTEGER)`,
  latestReadings: `SELECT ${READING_COLUMNS} FROM odometer_readings
    WHERE car_id = CAST(? AS INTEGER) AND tenant = CAST(? AS TEXT) ORDER BY read_on DESC, id DESC LIMIT ${SHOWN_READINGS}`,
  list: `SELECT ${VIEW_COLUMNS}, ${CURRENT_COLUMNS} FROM cars c ${CURRENT_JOIN}
    WHERE c.tenant = CAST(? AS TEXT) ORDER BY c.nickname_key LIMIT 1000`,
  // a range on the (tenant, nickname_key) index: every key starting with the prefix sorts
  // between it and the prefix followed by the highest code point
  listByPrefix: `SELECT ${VIEW_COLUMNS}, ${CURRENT_COLUMNS} FROM cars c ${CURRENT_JOIN}
    WHERE c.tenant = CAST(? AS TEXT) AND c.nickname_key >= CAST(? AS TEXT) AND c.nickname_key < CAST(? AS TEXT)
    ORDER BY c.nickname_key LIMIT 25`,
  current: `SELECT c.odometer_unit, ${CURRENT_COLUMNS} FROM cars c ${CURRENT_JOIN}
    WHERE c.tenant = CAST(? AS TEXT) AND c.id = CAST(? AS INTEGER)`,
} as const

function currentView(row: CurrentColumns, unit: DistanceUnit): ReadingView | null {
  if (row.o_id === null) return null
  return readingView(
    {
      id: row.o_id,
      value: row.o_value as number,
      text: row.o_text as string,
      typed_unit: row.o_typed_unit,
      source: row.o_source as ReadingSource,
      read_on: row.o_read_on as string,
    },
    unit,
  )
}

/** The car's current odometer: its highest reading from any source (null without readings). Exported for maintenance. */
export function currentOdometer(db: Database, tenant: string, carId: number): ReadingView | null {
  const row = prepared(db, CAR_SQL.current).get(tenant, carId) as
    | (CurrentColumns & { odometer_unit: DistanceUnit })
    | null
  return row ? currentView(row, row.odometer_unit) : null
}

function priceView(car: ViewColumns): MoneyView | null {
  if (car.purchase_price_minor === null || car.purchase_currency === null) return null
  const label = formatMoney(car.purchase_price_minor, car.purchase_currency)
  return {
    minor: car.purchase_price_minor,
    currency: car.purchase_currency,
    text: car.purchase_price_text ?? label,
    label,
  }
}

function viewOf(car: ViewColumns, odometer: ReadingView | null): CarView {
  return {
    id: car.id,
    nickname: car.nickname,
    make: car.make,
    model: car.model,
    year: car.year,
    plate: car.plate,
    vin: car.vin,
    purchase_date: car.purchase_date,
    purchase_price: priceView(car),
    odometer_unit: car.odometer_unit,
    odometer,
    created_at: car.created_at,
  }
}

export function carView(db: Database, car: CarRow): CarView {
  return viewOf(car, currentOdometer(db, car.tenant, car.id))
}

/** The car (by nickname, case-insensitive, else by id) with its current reading: one statement. */
function findCarDetail(db: Database, tenant: string, ref: string): CarWithCurrent | null {
  const key = ref.trim()
  const byName = prepared(db, CAR_SQL.detailByName).get(tenant, key.toLowerCase()) as CarWithCurrent | null
  if (byName || !/^#?\d{1,15}$/.test(key)) return byName
  return prepared(db, CAR_SQL.detailById).get(tenant, Number(key.replace('#', ''))) as CarWithCurrent | null
}

function detailOf(db: Database, tenant: string, car: CarWithCurrent): CarDetail {
  const rows = prepared(db, CAR_SQL.latestReadings).all(car.id, tenant) as ReadingRow[]
  const readings: ReadingView[] = []
  for (const row of rows) readings.push(readingView(row, car.odometer_unit))
  return {
    ...viewOf(car, currentView(car, car.odometer_unit)),
    readings,
    reading_count: car.reading_count,
  }
}

/** The detail of a car just written (by its id). */
function carDetail(db: Database, car: CarRow): CarDetail {
  const detail = prepared(db, CAR_SQL.detailById).get(car.tenant, car.id) as CarWithCurrent | null
  if (!detail) throw notFound('no such car in this garage')
  return detailOf(db, car.tenant, detail)
}

/** The garage's cars by nickname; with `q`, those whose nickname starts with it (at most 25, for autocomplete). */
export function listCars(db: Database, tenant: string, q?: string): CarView[] {
  const prefix = q?.trim().toLowerCase()
  const rows = (
    prefix
      ? prepared(db, CAR_SQL.listByPrefix).all(tenant, prefix, `${prefix}\u{10FFFF}`)
      : prepared(db, CAR_SQL.list).all(tenant)
  ) as CarWithCurrent[]
  const cars: CarView[] = []
  for (const car of rows) cars.push(viewOf(car, currentView(car, car.odometer_unit)))
  return cars
}

export function showCar(db: Database, tenant: string, ref: string): CarDetail {
  return readTogether(db, () => {
    const car = findCarDetail(db, tenant, ref)
    if (!car) throw noSuchCar(db, tenant, ref, 'car')
    return detailOf(db, tenant, car)
  })
}

/**
 * Runs several reads in one read transaction: one snapshot for all of them, and one WAL
 * read lock (two fcntl calls) instead of one per statement. Inside a caller's transaction it
 * simply runs.
 */
function readTogether<T>(db: Database, read: () => T): T {
  if (db.inTransaction) return read()
  prepared(db, 'BEGIN').run()
  try {
    return read()
  } finally {
    prepared(db, 'COMMIT').run()
  }
}

function garageToday(db: Database, tenant: string, now: Date): { settings: TenantRow; today: string } {
  const settings = tenantRow(db, tenant) ?? defaultRow(tenant)
  return { settings, today: dateIn(settings.timezone, now) }
}

function checkUniqueNickname(db: Database, tenant: string, nickname: string, exceptId?: number): void {
  const other = db
    .query('SELECT id, nickname FROM cars WHERE tenant = ? AND nickname_key = ?')
    .get(tenant, nickname.toLowerCase()) as {
    id: number
    nickname: string
  } | null
  if (other && other.id !== exceptId) {
    throw conflict(
      'duplicate',
      `nickname: this garage already has a car called "${other.nickname}"; pick another nickname`,
      'nickname',
    )
  }
}

function normalizeDistance(
  d: DistanceInput,
  garageUnit: DistanceUnit,
): { value: number; unit: DistanceUnit; text: string; typed: boolean } {
  const unit = d.unit ?? garageUnit
  const typed = d.text?.trim()
  // A bare number ("52000") is shown back with the unit it was taken in.
  const text = typed && d.unit ? typed : `${typed || numberFormat.format(d.value)} ${unit}`
  return { value: d.value, unit, text, typed: Boolean(typed) }
}

/**
 * Another process may add the same nickname between the check and the insert; the UNIQUE
 * index then refuses it, and that is the same 409 as the check's.
 */
function nicknameRace<T>(write: () => T): T {
  try {
    return write()
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw conflict(
        'duplicate',
        'nickname: this garage already has a car with that nickname; pick another nickname',
        'nickname',
      )
    }
    throw error
  }
}

export function createCar(db: Database, tenant: string, body: CarCreate, now: Date): CarDetail {
  return nicknameRace(
    db.transaction(() => {
      const { settings, today } = garageToday(db, tenant, now)
      const nickname = checkNickname(body.nickname)
      const make = optionalText('make', body.make, 60)
      const model = optionalText('model', body.model, 60)
      const plate = optionalText('plate', body.plate, 20)
      const year = body.year === undefined ? null : checkYear(body.year, now)
      const purchaseDate =
        body.purchase_date === undefined ? null : checkDate('purchase_date', body.purchase_date, today)
      const price =
        body.purchase_price === undefined
          ? null
          : toMinor('purchase_price', body.purchase_price, settings.currency)
      const odometer = body.odometer ? normalizeDistance(body.odometer, unitOfGarage(settings.units)) : null
      const vin = body.vin === undefined ? null : checkVin(body.vin, body.confirm === true)
      checkUniqueNickname(db, tenant, nickname)
      ensureTenant(db, tenant, now)
      const unit = odometer?.unit ?? unitOfGarage(settings.units)
      const created = db
        .query(
          `INSERT INTO cars (tenant, nickname, nickname_key, make, model, year, odometer, odometer_unit, odometer_text, plate, vin,
           purchase_date, purchase_price_minor, purchase_currency, purchase_price_text, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(
          tenant,
          nickname,
          nickname.toLowerCase(),
          make ?? null,
          model ?? null,
          year,
          odometer?.value ?? null,
          unit,
          odometer?.text ?? null,
          plate ?? null,
          vin,
          purchaseDate,
          price?.minor ?? null,
          price ? settings.currency : null,
          price?.text ?? null,
          now.toISOString(),
        ) as CarRow
      if (odometer) {
        insertReading(
          db,
          created,
          { value: odometer.value, unit: odometer.unit, text: odometer.text },
          'car',
          today,
          now,
        )
      }
      return carDetail(db, created)
    }),
  )
}

function insertReading(
  db: Database,
  car: CarRow,
  reading: { value: number; unit: DistanceUnit; text: string },
  source: ReadingSource,
  readOn: string,
  now: Date,
): ReadingRow {
  const value = convertDistance(reading.value, reading.unit, car.odometer_unit)
  return db
    .query(
      `INSERT INTO odometer_readings (tenant, car_id, value, text, typed_unit, source, read_on, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${READING_COLUMNS}`,
    )
    .get(
      car.tenant,
      car.id,
      value,
      reading.text,
      reading.unit,
      source,
      readOn,
      now.toISOString(),
    ) as ReadingRow
}

/** The statements addReading checks a new reading against the history with (plans in perf.test.ts). */
export const READING_SQL = {
  // The highest reading on or before the date: down the (car_id, value, read_on) index from the
  // top, usually its first entry (`+read_on` keeps the planner off the date index, which would
  // read and sort every earlier reading).
  prior: `SELECT ${READING_COLUMNS} FROM odometer_readings WHERE car_id = CAST(? AS INTEGER) AND tenant = CAST(? AS TEXT)
    AND +read_on <= CAST(? AS TEXT) ORDER BY value DESC LIMIT 1`,
  // The lowest reading after the date: a range of the date index, usually empty.
  later: `SELECT ${READING_COLUMNS} FROM odometer_readings WHERE car_id = CAST(? AS INTEGER) AND tenant = CAST(? AS TEXT)
    AND read_on > CAST(? AS TEXT) ORDER BY value ASC LIMIT 1`,
  // A confirmed correction removes what contradicts it in two statements, each a range of one
  // index (one OR of both read every reading of the car): the higher readings on or before the
  // date from the value index, the lower later ones from the date index.
  removeHigherBefore:
    'DELETE FROM odometer_readings WHERE car_id = ? AND tenant = ? AND value > ? AND +read_on <= ?',
  removeLowerAfter:
    'DELETE FROM odometer_readings WHERE car_id = ? AND tenant = ? AND read_on > ? AND +value < ?',
} as const

export type AddReadingInput = {
  /** As typed; unit null or absent = the garage's unit. */
  reading: DistanceInput
  /** YYYY-MM-DD in the garage timezone; default today. */
  date?: string
  source: ReadingSource
  /** Accept a reading that contradicts the history (a correction). */
  confirm?: boolean
  /** The field named in refusals (the caller's option name, e.g. "odometer" or "reading"). */
  field?: string
}

/**
 * Records an odometer reading of a car, converted to the car's unit, keeping the typed text.
 * Readings must not go backwards in time: a reading lower than one on or before its date (or
 * higher than one after it) is refused with 409 naming the field, unless `confirm`.
 *
 * With `confirm` the reading is a correction: the user is saying the contradicting readings
 * were wrong (a typo such as 530,000 for 53,000). Those readings (from any source) are
 * deleted, so the corrected value becomes the current odometer and the history stays
 * monotonic; `removed` says how many went. Exported for maintenance (records and fill-ups
 * call it with their source inside their own transaction).
 */
export function addReading(
  db: Database,
  tenant: string,
  carRef: CarRow | string | number,
  input: AddReadingInput,
  now: Date,
): { reading: ReadingView; removed: number; car: CarRow } {
  return db.transaction(() => {
    const field = input.field ?? 'reading'
    const car = typeof carRef === 'object' ? carRef : requireCar(db, tenant, carRef)
    if (car.tenant !== tenant) throw notFound('no such car in this garage')
    const { settings, today } = garageToday(db, tenant, now)
    const readOn = input.date === undefined ? today : checkDate('date', input.date, today)
    const typed = normalizeDistance(input.reading, unitOfGarage(settings.units))
    const value = convertDistance(typed.value, typed.unit, car.odometer_unit)
    if (value > 10_000_000) throw badRequest(field, `${field}: ${typed.text} is more than any odometer shows`)
    const label = (v: number) => formatDistance(v, car.odometer_unit)
    const shown = typed.unit === car.odometer_unit ? typed.text : `${typed.text} (${label(value)})`
    const eps = 1e-6
    const prior = prepared(db, READING_SQL.prior).get(car.id, tenant, readOn) as ReadingRow | null
    const later = prepared(db, READING_SQL.later).get(car.id, tenant, readOn) as ReadingRow | null
    let removed = 0
    if (!input.confirm) {
      if (prior && value < prior.value - eps) {
        const when = prior.read_on === readOn ? '' : ` (${prior.read_on})`
        throw conflict(
          'confirm_odometer',
          `${field}: ${shown} is lower than the last reading ${readingView(prior, car.odometer_unit).label}${when}; add confirm:yes to correct it`,
          field,
        )
      }
      if (later && value > later.value + eps) {
        throw conflict(
          'confirm_odometer',
          `${field}: ${shown} on ${readOn} is higher than the later reading ${readingView(later, car.odometer_unit).label} (${later.read_on}); add confirm:yes to correct it`,
          field,
        )
      }
    } else {
      removed =
        prepared(db, READING_SQL.removeHigherBefore).run(car.id, tenant, value + eps, readOn).changes +
        prepared(db, READING_SQL.removeLowerAfter).run(car.id, tenant, readOn, value - eps).changes
    }
    ensureTenant(db, tenant, now)
    const row = insertReading(db, car, typed, input.source, readOn, now)
    return { reading: readingView(row, car.odometer_unit), removed, car }
  })()
}

export function addReadingRoute(
  db: Database,
  tenant: string,
  ref: string,
  body: { reading: DistanceInput; date?: string; confirm?: boolean },
  now: Date,
): ReadingResult {
  return db.transaction(() => {
    const car = requireCar(db, tenant, ref)
    const previous = currentOdometer(db, tenant, car.id)
    const result = addReading(db, tenant, car, { ...body, source: 'reading', field: 'reading' }, now)
    return { car: carView(db, result.car), reading: result.reading, previous, removed: result.removed }
  })()
}

export function editCar(db: Database, tenant: string, ref: string, body: CarEdit, now: Date): EditResult {
  return nicknameRace(
    db.transaction(() => {
      const car = requireCar(db, tenant, ref)
      const { settings, today } = garageToday(db, tenant, now)
      const next: CarRow = { ...car }
      if (body.nickname !== undefined) {
        next.nickname = checkNickname(body.nickname)
        next.nickname_key = next.nickname.toLowerCase()
        checkUniqueNickname(db, tenant, next.nickname, car.id)
      }
      if (body.make !== undefined) next.make = optionalText('make', body.make, 60) ?? null
      if (body.model !== undefined) next.model = optionalText('model', body.model, 60) ?? null
      if (body.plate !== undefined) next.plate = optionalText('plate', body.plate, 20) ?? null
      if (body.year !== undefined) next.year = checkYear(body.year, now)
      if (body.vin !== undefined) next.vin = checkVin(body.vin, body.confirm === true)
      if (body.purchase_date !== undefined)
        next.purchase_date = checkDate('purchase_date', body.purchase_date, today)
      if (body.purchase_price !== undefined) {
        const price = toMinor('purchase_price', body.purchase_price, settings.currency)
        next.purchase_price_minor = price.minor
        next.purchase_currency = settings.currency
        next.purchase_price_text = price.text
      }
      let removed = 0
      if (body.odometer) {
        const result = addReading(
          db,
          tenant,
          car,
          { reading: body.odometer, source: 'car', confirm: body.confirm, field: 'odometer' },
          now,
        )
        removed = result.removed
        next.odometer = result.reading.value
        next.odometer_text = result.reading.text
      }
      ensureTenant(db, tenant, now)
      const updated = db
        .query(
          `UPDATE cars SET nickname = ?, nickname_key = ?, make = ?, model = ?, year = ?, odometer = ?, odometer_text = ?, plate = ?,
           vin = ?, purchase_date = ?, purchase_price_minor = ?, purchase_currency = ?, purchase_price_text = ?
         WHERE id = ? AND tenant = ? RETURNING *`,
        )
        .get(
          next.nickname,
          next.nickname_key,
          next.make,
          next.model,
          next.year,
          next.odometer,
          next.odometer_text,
          next.plate,
          next.vin,
          next.purchase_date,
          next.purchase_price_minor,
          next.purchase_currency,
          next.purchase_price_text,
          car.id,
          tenant,
        ) as CarRow
      return { ...carDetail(db, updated), removed }
    }),
  )
}

/** Removes a car and everything recorded for it (readings, channel links, and by cascade maintenance data). */
export function removeCar(
  db: Database,
  tenant: string,
  ref: string,
  confirm: boolean,
  now: Date,
): { removed: CarView; readings: number; items: number; records: number; fillups: number } {
  return db.transaction(() => {
    const car = requireCar(db, tenant, ref)
    const view = carView(db, car)
    const count = (table: string) =>
      (db.query(`SELECT count(*) AS n FROM ${table} WHERE car_id = ?`).get(car.id) as { n: number }).n
    const counts = {
      readings: car.reading_count,
      items: count('maintenance_items'),
      records: count('service_records'),
      fillups: count('fuel_fillups'),
    }
    if (!confirm) {
      throw conflict(
        'confirm_remove',
        `confirm: removing ${car.nickname} deletes it with its ${recordedFor(counts)}; add confirm:yes to remove it`,
        'confirm',
      )
    }
    ensureTenant(db, tenant, now)
    // Readings, items, records and fill-ups go with the car (ON DELETE CASCADE).
    db.query('DELETE FROM cars WHERE id = ? AND tenant = ?').run(car.id, tenant)
    return { removed: view, ...counts }
  })()
}
