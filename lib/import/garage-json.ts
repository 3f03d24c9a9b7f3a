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
  type ImportCarFields,
  type ImportIssue,
  type ImportItem,
  type ImportKind,
  type ImportPhoto,
  type ImportQuote,
  ImportRefused,
  type ImportRow,
  type ImportSettings,
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
  const cars = new Map<
    number,
    { name: string; distance: DistanceUnit; volume: VolumeUnit | null; hours: boolean; fields: ImportCarFields }
  >()
  for (const c of arrayOf(files, 'cars.json', zip)) {
    const id = num(c.id)
    const name = str(c.nickname)
    if (id === null || name === null) continue
    cars.set(id, {
      name,
      // An hour meter's readings are hours (its odometer_unit column keeps 'km'): imported as hours.
      hours: c.meter === 'hours' || c.odometer_unit === 'h',
      distance: c.odometer_unit === 'mi' ? 'mi' : 'km',
      volume:
        c.volume_unit === 'gal' || c.volume_unit === 'impgal' || c.volume_unit === 'L' ? c.volume_unit : null,
      fields: carFields(c),
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
  // the names of the export's items, by which a record says which it did
  const itemNames = new Map<number, string>()
  for (const i of arrayOf(files, 'maintenance_items.json', zip)) {
    const id = num(i.id)
    const name = str(i.name)?.trim()
    if (id !== null && name && name.length <= 100) itemNames.set(id, name)
  }
  add('service_records.json', arrayOf(files, 'service_records.json', zip), (r) => ({
    ...base,
    ...(Array.isArray(r.item_ids) && r.item_ids.length
      ? {
          items: [
            ...new Set(
              (r.item_ids as unknown[]).flatMap((id) => {
                const name = itemNames.get(num(id) ?? -1)
                return name ? [name] : []
              }),
            ),
          ].slice(0, 50),
        }
      : {}),
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
  add('expenses.json', arrayOf(files, 'expenses.json', zip), (r) => {
    const months = num(r.every_months)
    const text = str(r.every_text)
    return {
      ...base,
      kind: 'tax',
      date: String(r.paid_on),
      odometer: num(r.odometer),
      ...money(r),
      title: str(r.kind),
      notes: str(r.notes),
      // a renewal as the garage takes one (every 1, 3, 6 or 12 months); another is left a payment of its own
      ...(months !== null && [1, 3, 6, 12].includes(months)
        ? { every: { months, text: text && text.length <= 10 ? text : `${months}m` } }
        : {}),
    }
  })
  // A charge's kWh ride in `volume`; where it was (home, public, fast) in `title`.
  add('charges.json', arrayOf(files, 'charges.json', zip), (r) => ({
    ...base,
    kind: 'charge',
    date: String(r.charged_on),
    odometer: num(r.odometer),
    volume: num(r.kwh),
    ...money(r),
    title: str(r.place),
  }))
  const sources = new Map<string, CarSource>()
  for (const c of cars.values())
    sources.set(c.name, {
      distance: c.distance,
      volume: 'L',
      units: c.distance === 'km' ? 'metric' : c.volume === 'impgal' ? 'uk' : 'imperial',
      ...(c.hours ? { meter: 'hours' as const } : {}),
      fields: c.fields,
    })
  // A car's drivers: a chat user id as the platform writes it (letters, digits, . _ -) and a name.
  const drivers: NonNullable<ParsedImport['drivers']> = []
  for (const d of arrayOf(files, 'car_drivers.json', zip)) {
    const car = cars.get(num(d.car_id) ?? -1)
    const user = str(d.user_id)
    const name = str(d.name)
    if (!car || !user || !/^[A-Za-z0-9._-]{1,64}$/.test(user) || !name) continue
    drivers.push({ car: car.name, user_id: user, name: name.slice(0, 200) })
  }
  const items = readItems(files, zip, cars, problems)
  const issues = readIssues(files, zip, cars, problems)
  const quotes = readQuotes(files, zip, new Set(issues.map((i) => i.number)), problems)
  const settings = readSettings(files)
  const photos = readPhotos(files, zip, cars, new Set(issues.map((i) => i.number)), problems)
  // An issue keeps the photos whose originals come with it (the others are said in the notes).
  const carried = new Set(photos.list.map((p) => p.sha256))
  for (const issue of issues) issue.photos = issue.photos.filter((p) => carried.has(p.sha256))
  const recurring = rows.filter((r) => r.file === 'expenses.json' && r.every).length
  return {
    format: 'Car Manager export',
    files: [...files.keys()].filter((f) => f.endsWith('.json')),
    rows,
    problems,
    units: { distance: null, volume: null },
    cars: sources,
    ...(drivers.length ? { drivers } : {}),
    ...(items.length ? { items } : {}),
    ...(issues.length ? { issues } : {}),
    ...(quotes.length ? { quotes } : {}),
    ...(photos.list.length ? { photos: photos.list } : {}),
    ...(settings ? { settings } : {}),
    numbers: { format: '1,234.5', how: 'file' },
    dates: { order: 'YYYY-MM-DD', how: 'iso' },
    notes: [
      ...photos.notes,
      ...(recurring
        ? [
            `${recurring} recurring ${recurring === 1 ? 'expense renews' : 'expenses renew'} as in the export (reminded before the next is due)`,
          ]
        : []),
    ],
  }
}

const threshold = (days: unknown, km: unknown, text: unknown) => {
  const d = num(days)
  const k = num(km)
  return d === null || k === null || !Number.isInteger(d) || d < 0 || k < 0 ? null : { days: d, km: k, text: str(text) }
}
const DATE = /^\d{4}-\d{2}-\d{2}$/

/** The maintenance items of the export's cars; a row that does not fit is a problem with its line. */
function readItems(
  files: Map<string, Uint8Array>,
  zip: string,
  cars: Map<number, { name: string }>,
  problems: Problem[],
): ImportItem[] {
  const items: ImportItem[] = []
  arrayOf(files, 'maintenance_items.json', zip).forEach((r, i) => {
    const file = 'maintenance_items.json'
    const line = i + 2
    const car = cars.get(num(r.car_id) ?? -1)
    const name = str(r.name)?.trim()
    const months = num(r.months)
    const distance = num(r.distance)
    const last = str(r.last_date)
    if (!car) return problems.push({ file, line, why: `car_id ${String(r.car_id)} is no car of cars.json` })
    if (!name || name.length > 100) return problems.push({ file, line, why: 'name: missing or longer than 100 characters' })
    if ((months === null || !Number.isInteger(months) || months <= 0) && (distance === null || distance <= 0))
      return problems.push({ file, line, why: `${name}: no schedule (months or distance)` })
    if (!last || !DATE.test(last)) return problems.push({ file, line, why: `${name}: last_date is no date` })
    const due = str(r.due_date)
    const snoozed = str(r.snoozed_until)
    items.push({
      car: car.name,
      name,
      months: months !== null && Number.isInteger(months) && months > 0 ? months : null,
      distance: distance !== null && distance > 0 ? distance : null,
      distance_text: distance !== null && distance > 0 ? (str(r.distance_text)?.slice(0, 100) ?? null) : null,
      fixed: r.fixed === 1 || r.fixed === true,
      last_date: last,
      last_odometer: num(r.last_odometer),
      due_date: due && DATE.test(due) ? due : null,
      due_odometer: num(r.due_odometer),
      notes: str(r.notes)?.slice(0, 2000) ?? null,
      snoozed_until: snoozed && DATE.test(snoozed) ? snoozed : null,
      urgent: threshold(r.urgent_days, r.urgent_km, r.urgent_text),
      very_urgent: threshold(r.very_urgent_days, r.very_urgent_km, r.very_urgent_text),
    })
  })
  return items
}

/** settings.json: the exporting garage's settings row, or null (it kept the defaults). */
function readSettings(files: Map<string, Uint8Array>): ImportSettings | null {
  const bytes = files.get('settings.json')
  if (!bytes) return null
  let r: Row | null
  try {
    r = JSON.parse(new TextDecoder().decode(bytes)) as Row | null
  } catch {
    return null
  }
  if (!r || typeof r !== 'object') return null
  const hour = num(r.reminder_hour)
  const urgent = threshold(r.urgent_days, r.urgent_km, r.urgent_text)
  const very = threshold(r.very_urgent_days, r.very_urgent_km, r.very_urgent_text)
  const units = r.units === 'imperial' ? 'imperial' : r.units === 'metric' ? 'metric' : null
  const currency = str(r.currency)
  const timezone = str(r.timezone)
  if (!units || !currency || !timezone || hour === null || !urgent || !very) return null
  const one = (v: unknown, known: string[]) => (typeof v === 'string' && known.includes(v) ? v : known[0]!)
  return {
    units,
    numbers: one(r.number_format, ['1,234.5', '1.234,5', '1 234,5']),
    dates: one(r.date_order, ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY']),
    currency,
    timezone,
    reminder_hour: hour,
    digest: one(r.digest, ['off', 'weekly', 'monthly']),
    urgent,
    very_urgent: very,
  }
}

const oneOf = <T extends string>(v: unknown, known: readonly T[]): T | null =>
  typeof v === 'string' && (known as readonly string[]).includes(v) ? (v as T) : null
const text = (v: unknown, max: number) => (typeof v === 'string' && v.trim() && [...v].length <= max ? v.trim() : null)

/** A car row's own fields; a value that does not fit is left out (the car made by the import has none). */
function carFields(c: Row): ImportCarFields {
  const year = num(c.year)
  const price = num(c.purchase_price_minor)
  const bought = str(c.purchase_date)
  return {
    make: text(c.make, 60),
    model: text(c.model, 60),
    year: year !== null && Number.isInteger(year) && year >= 1886 && year <= 2200 ? year : null,
    plate: text(c.plate, 20),
    vin: typeof c.vin === 'string' && /^[A-HJ-NPR-Z0-9]{17}$/.test(c.vin) ? c.vin : null,
    purchase_date: bought && DATE.test(bought) ? bought : null,
    purchase_price_minor: price !== null && Number.isInteger(price) && price >= 0 ? price : null,
    purchase_currency: text(c.purchase_currency, 20),
    purchase_price_text: text(c.purchase_price_text, 100),
    volume_unit: oneOf(c.volume_unit, ['L', 'gal', 'impgal'] as const),
    economy_unit: oneOf(c.economy_unit, ['L/100km', 'km/L', 'mpg', 'impmpg'] as const),
    energy_unit: oneOf(c.energy_unit, ['kWh/100km', 'km/kWh', 'mi/kWh', 'Wh/mi'] as const),
    powertrain: oneOf(c.powertrain, ['combustion', 'hybrid', 'phev', 'ev'] as const),
    fuels: typeof c.fuels === 'string' && /^[a-z]{1,20}(,[a-z]{1,20}){0,5}$/.test(c.fuels) ? c.fuels : null,
    units_from_garage: c.units_from_garage === 1 || c.units_from_garage === true,
    archived: archivedOf(c),
    loan: loanOf(c),
    value: valueOf(c),
  }
}

const positive = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null)
const day = (v: unknown) => (typeof v === 'string' && DATE.test(v) ? v : null)

function archivedOf(c: Row): ImportCarFields['archived'] {
  const on = day(c.archived_on)
  if (!on) return null
  const price = num(c.archived_price_minor)
  const odometer = num(c.archived_odometer)
  return {
    on,
    price_minor: price !== null && Number.isInteger(price) && price >= 0 ? price : null,
    currency: text(c.archived_currency, 20),
    odometer: odometer !== null && odometer >= 0 ? odometer : null,
    odometer_text: text(c.archived_odometer_text, 100),
  }
}

function loanOf(c: Row): ImportCarFields['loan'] {
  const minor = positive(c.loan_minor)
  const currency = text(c.loan_currency, 20)
  const rate = num(c.loan_rate)
  const months = positive(c.loan_months)
  const start = day(c.loan_start)
  if (!minor || !currency || rate === null || rate < 0 || rate > 100 || !months || months > 600 || !start) return null
  return { minor, currency, text: text(c.loan_text, 100), rate, months, start }
}

function valueOf(c: Row): ImportCarFields['value'] {
  const minor = positive(c.value_minor)
  const currency = text(c.value_currency, 20)
  const on = day(c.value_on)
  return minor && currency && on ? { minor, currency, text: text(c.value_text, 100), on } : null
}

/** A text of at most `max` characters (at least one), else null. */
const bounded = (v: unknown, max: number) => (typeof v === 'string' && v.length >= 1 && v.length <= max ? v : null)
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ][0-9:.]+Z?$/
const instant = (v: unknown) => (typeof v === 'string' && v.length <= 40 && INSTANT.test(v) ? v : null)
const whole = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null)

/** The export's issues with their comments (removed ones stay removed) and history; a row that does not fit is a problem. */
function readIssues(
  files: Map<string, Uint8Array>,
  zip: string,
  cars: Map<number, { name: string }>,
  problems: Problem[],
): ImportIssue[] {
  const comments = new Map<number, ImportIssue['comments']>()
  arrayOf(files, 'issue_comments.json', zip).forEach((c, i) => {
    const issue = num(c.issue_id)
    const text = bounded(c.text, 4000)
    const at = instant(c.created_at)
    if (issue === null || !text || !at) {
      problems.push({ file: 'issue_comments.json', line: i + 2, why: 'a comment without its issue, text or time' })
      return
    }
    const list = comments.get(issue) ?? []
    list.push({
      author: bounded(c.author, 200) ?? 'someone',
      text,
      created_at: at,
      edited_at: instant(c.edited_at),
      removed_at: instant(c.removed_at),
    })
    comments.set(issue, list)
  })
  const history = new Map<number, ImportIssue['history']>()
  for (const h of arrayOf(files, 'issue_history.json', zip)) {
    const issue = num(h.issue_id)
    const field = bounded(h.field, 40)
    const at = instant(h.at)
    if (issue === null || !field || !at) continue
    const list = history.get(issue) ?? []
    list.push({
      actor: bounded(h.actor, 200) ?? 'someone',
      actor_id: bounded(h.actor_id, 64),
      field,
      old_value: bounded(h.old_value, 4000),
      new_value: bounded(h.new_value, 4000),
      at,
    })
    history.set(issue, list)
  }
  const issues: ImportIssue[] = []
  arrayOf(files, 'issues.json', zip).forEach((r, i) => {
    const file = 'issues.json'
    const line = i + 2
    const car = cars.get(num(r.car_id) ?? -1)
    const id = num(r.id)
    const number = whole(r.number)
    const title = bounded(typeof r.title === 'string' ? r.title.trim() : null, 200)
    const created = instant(r.created_at)
    const severity = oneOf(r.severity, ['low', 'medium', 'high', 'critical'] as const)
    const status = oneOf(r.status, ['open', 'in_progress', 'waiting_parts', 'resolved', 'wont_fix'] as const)
    if (!car) return problems.push({ file, line, why: `car_id ${String(r.car_id)} is no car of cars.json` })
    if (id === null || !number || !title || !created || !severity || !status)
      return problems.push({ file, line, why: 'an issue without its number, title, time, severity or status' })
    issues.push({
      car: car.name,
      number,
      title,
      details: bounded(r.details, 4000),
      severity,
      status,
      resolution: bounded(r.resolution, 4000),
      opened_by: bounded(r.opened_by, 200) ?? 'someone',
      created_at: created,
      updated_at: instant(r.updated_at) ?? created,
      closed_at: instant(r.closed_at),
      comments: (comments.get(id) ?? []).slice(0, 1000),
      quotes: (Array.isArray(r.quotes) ? (r.quotes as Row[]) : []).flatMap((q) => {
        const quote = whole(q?.quote_id)
        const at = instant(q?.added_at)
        return quote && at ? [{ quote, added_by: bounded(q.added_by, 200) ?? 'someone', added_at: at }] : []
      }),
      photos: (Array.isArray(r.photos) ? (r.photos as Row[]) : []).flatMap((p) => {
        const sha = str(p?.sha256)
        const at = instant(p?.added_at)
        return sha && SHA256.test(sha) && at ? [{ sha256: sha, added_by: bounded(p.added_by, 200) ?? 'someone', added_at: at }] : []
      }),
      history: (history.get(id) ?? []).slice(0, 2000),
    })
  })
  return issues
}

const SHA256 = /^[0-9a-f]{64}$/
const FORMAT = /^[a-z0-9]{1,10}$/
const USER_ID = /^[A-Za-z0-9._:-]{1,64}$/

/**
 * The export's photos whose originals the zip holds (photos/<sha256>.<format>, the bytes checked
 * against the name), each filed on a car and/or an issue the export brings. A photo listed without
 * its original (an export without photos:yes), and one filed nowhere, are counted in the notes; an
 * original whose bytes do not match its name is a problem on its line.
 */
function readPhotos(
  files: Map<string, Uint8Array>,
  zip: string,
  cars: Map<number, { name: string }>,
  issues: Set<number>,
  problems: Problem[],
): { list: ImportPhoto[]; notes: string[] } {
  const list: ImportPhoto[] = []
  const checked = new Map<string, boolean>()
  let missing = 0
  let unfiled = 0
  arrayOf(files, 'photos.json', zip).forEach((r, i) => {
    const file = 'photos.json'
    const line = i + 2
    const sha = str(r.sha256)
    const format = str(r.format)
    if (!sha || !SHA256.test(sha) || !format || !FORMAT.test(format))
      return problems.push({ file, line, why: 'a photo without its sha256 or format' })
    const original = `photos/${sha}.${format}`
    const bytes = files.get(original)
    if (!bytes) return missing++
    if (!checked.has(sha)) checked.set(sha, new Bun.CryptoHasher('sha256').update(bytes).digest('hex') === sha)
    if (!checked.get(sha))
      return problems.push({ file, line, why: `${original} is not the photo its name says (its sha256 differs); left out` })
    const car = cars.get(num(r.car_id) ?? -1)?.name ?? null
    const number = whole(r.issue)
    const issue = number !== null && issues.has(number) ? number : null
    if (car === null && issue === null) return unfiled++
    const uploader = str(r.uploader)
    list.push({
      sha256: sha,
      file: original,
      bytes: bytes.byteLength,
      car,
      issue,
      uploader: uploader && USER_ID.test(uploader) ? uploader : 'import',
      uploader_name: bounded(r.uploader_name, 200) ?? 'someone',
      filename: bounded(r.filename, 255),
      added_at: instant(r.created_at),
    })
  })
  const notes = [
    ...(missing
      ? [
          `${missing === 1 ? 'a photo is' : `${missing} photos are`} listed without ${missing === 1 ? 'its original' : 'their originals'} and left out (export with photos:yes to bring them)`,
        ]
      : []),
    ...(unfiled ? [`${unfiled === 1 ? 'a photo' : `${unfiled} photos`} filed on no car or issue left out`] : []),
  ]
  return { list, notes }
}

/** The export's quotes of the issues it brings (a quote of another issue is a problem). */
function readQuotes(
  files: Map<string, Uint8Array>,
  zip: string,
  issues: Set<number>,
  problems: Problem[],
): ImportQuote[] {
  const quotes: ImportQuote[] = []
  arrayOf(files, 'quotes.json', zip).forEach((r, i) => {
    const file = 'quotes.json'
    const line = i + 2
    const issue = whole(r.issue)
    const shop = bounded(typeof r.shop === 'string' ? r.shop.trim() : null, 100)
    const currency = typeof r.currency === 'string' && /^[A-Z]{3}$/.test(r.currency) ? r.currency : null
    const amount = whole(r.amount_minor)
    const created = instant(r.created_at)
    const status = oneOf(r.status, ['open', 'accepted', 'rejected'] as const)
    if (issue === null || !issues.has(issue))
      return problems.push({ file, line, why: `issue ${String(r.issue)} is no issue of issues.json` })
    if (!shop || !currency || amount === null || !created || !status)
      return problems.push({ file, line, why: 'a quote without its shop, currency, amount, time or status' })
    const until = str(r.valid_until)
    const number = whole(r.number)
    if (!number) return problems.push({ file, line, why: 'a quote without its number' })
    quotes.push({
      number,
      issue,
      shop,
      currency,
      amount_minor: amount,
      amount_text: bounded(r.amount_text, 100),
      parts_minor: whole(r.parts_minor),
      labour_minor: whole(r.labour_minor),
      valid_until: until && DATE.test(until) ? until : null,
      notes: bounded(r.notes, 1000),
      status,
      accepted_at: instant(r.accepted_at),
      accepted_by: bounded(r.accepted_by, 200),
      created_by: bounded(r.created_by, 200),
      created_at: created,
    })
  })
  return quotes
}
