/**
 * /garage export: the garage (or one car) as a zip, answered privately with the zip as the
 * Reply's `file`. The worker pages through each service's `GET /export?kind=…` (services/lib/
 * export.ts) and writes every page into a zip on disk as it comes (export-zip.ts), so neither it
 * nor a service ever holds the whole garage; the zip is then streamed to the images service's
 * short-lived files (`POST /files`, kept a day) and the bot that delivers the reply fetches it.
 *
 * ## The json layout (format `car-manager-garage`, version 1), for /garage import
 *
 *     manifest.json          { format: "car-manager-garage", version: 1, exported_at (ISO UTC),
 *                              car: null | { id, nickname } (an export of one car),
 *                              counts: { <kind>: rows }, photos: null | files under photos/ }
 *     settings.json          the garage's settings row, or null (the garage uses the defaults)
 *     <kind>.json            a JSON array, one row per line, in id order
 *     photos/<sha256>.<fmt>  the originals, with photos:yes
 *
 * The kinds, each a service's own table with its own column names (minus `tenant`):
 * - items: `garage_roles`, `channel_cars`, `cars` (archived ones too: `archived_on` not null),
 *   `odometer_readings`, `maintenance_items`, `service_records` (+ `item_ids`: the maintenance
 *   items the record did; `items_before` parsed), `fuel_fillups`, `expenses`, `expense_renewals`,
 *   `charges`, `car_drivers`, `member_prefs`;
 * - issues: `issues` (+ `photos`: [{ sha256, added_by, added_at }], `quotes`: [{ quote_id, … }]),
 *   `issue_comments` (by `issue_id`; removed ones keep `removed_at`), `issue_history`;
 * - quotes: `quotes` (its issue by number in `issue`), `job_overrides`;
 * - images: `photos` (links: `car_id` and/or `issue` number, with `format`, `bytes`, `width`, `height`).
 * Rows point at each other by the ids of the exporting garage (`car_id`, `issue_id`,
 * `reading_id`, `item_ids`, `record_id`); an importer maps them to the ids it makes. Conventions
 * are the services': money in integer minor units (`*_minor`) with its `currency`; distances in
 * the car's `odometer_unit`; fuel in `litres`; `*_text` as the user typed it; dates a user gave
 * `YYYY-MM-DD`, `created_at` ISO-8601 UTC. Reminder bookkeeping (announced levels) is left out.
 * An export of one car leaves out what belongs to the garage only (roles, job overrides) and
 * keeps the settings.
 *
 * ## csv: `<kind>.csv` per kind (the same columns; lists and objects as JSON) and README.txt.
 * ## lubelogger: `<car>/service.csv|repair.csv|upgrade.csv|gas.csv|odometer.csv|tax.csv`, the
 * CSV files LubeLogger's importer reads per vehicle, and README.txt.
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Reply } from '../../../lib/contracts/envelope.ts'
import type { ServiceName } from '../../../lib/contracts/services.ts'
import { fromMinor, minorDigits } from '../../../lib/domain/money.ts'
import { type DistanceUnit, fromLitres, type VolumeUnit, volumeUnitFor } from '../../../lib/domain/units.ts'
import { type HandlerContext, ServiceUnavailable, StorageFull, UserError } from '../../handler.ts'
import { storeFile } from '../../clients/reports.ts'
import { csvLine } from './export-csv.ts'
import { ZipFileWriter } from './export-zip.ts'
import { resolveCar } from './lookups.ts'

export const EXPORT_FORMAT = 'car-manager-garage'
export const EXPORT_VERSION = 1
/** Rows asked per page. */
export const EXPORT_PAGE_ROWS = 1_000

type Row = Record<string, unknown>
type Page = { kind: string; columns: string[]; rows: Row[]; next: number | null }

/** Every kind in the order written, with its service; `garage`: the whole garage's, left out of one car's export. */
const KINDS: readonly { kind: string; service: ServiceName; garage?: boolean }[] = [
  { kind: 'garage_roles', service: 'items', garage: true },
  { kind: 'channel_cars', service: 'items' },
  { kind: 'cars', service: 'items' },
  { kind: 'odometer_readings', service: 'items' },
  { kind: 'maintenance_items', service: 'items' },
  { kind: 'service_records', service: 'items' },
  { kind: 'fuel_fillups', service: 'items' },
  { kind: 'expenses', service: 'items' },
  { kind: 'expense_renewals', service: 'items' },
  { kind: 'charges', service: 'items' },
  { kind: 'car_drivers', service: 'items' },
  { kind: 'member_prefs', service: 'items', garage: true },
  { kind: 'issues', service: 'issues' },
  { kind: 'issue_comments', service: 'issues' },
  { kind: 'issue_history', service: 'issues' },
  { kind: 'quotes', service: 'quotes' },
  { kind: 'job_overrides', service: 'quotes', garage: true },
  { kind: 'photos', service: 'images' },
]

export type ExportPayload = { car?: string; format?: string; photos?: boolean }
type Format = 'json' | 'csv' | 'lubelogger'
type Car = { id: number; nickname: string }

/** The refusal of a service call, as the handlers' calls map it. */
async function failed(service: ServiceName, res: Response): Promise<never> {
  if (res.status === 507) throw new StorageFull(service)
  if (res.status >= 400 && res.status < 500) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null
    throw new UserError(body?.error?.message ?? `the ${service} service refused the export (${res.status})`)
  }
  throw new ServiceUnavailable(service)
}

async function call(ctx: HandlerContext, service: ServiceName, path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response
  try {
    res = await fetch(`${ctx.serviceUrl(service)}${path}`, {
      ...init,
      headers: { ...ctx.serviceHeaders(), ...(init.headers as Record<string, string> | undefined) },
    })
  } catch {
    throw new ServiceUnavailable(service)
  }
  if (!res.ok) await failed(service, res)
  return res
}

/** The pages of one kind, in id order; the first page always comes (its columns are needed). */
async function* pages(ctx: HandlerContext, service: ServiceName, kind: string, car?: number): AsyncGenerator<Page> {
  let after = 0
  for (;;) {
    const qs = new URLSearchParams({ kind, after: String(after), limit: String(EXPORT_PAGE_ROWS) })
    if (car !== undefined) qs.set('car', String(car))
    const page = (await (await call(ctx, service, `/export?${qs}`)).json()) as Page
    yield page
    if (page.next === null) return
    after = page.next
  }
}

/** What a kind's rows are kept by: a car's export keeps the quotes of its issues only. */
type Keep = (kind: string, row: Row) => boolean

function keeper(car: Car | undefined): { keep: Keep; saw: (kind: string, row: Row) => void } {
  const issues = new Set<number>()
  return {
    keep: (kind, row) => !car || kind !== 'quotes' || issues.has(Number(row.issue)),
    saw: (kind, row) => {
      if (car && kind === 'issues') issues.add(Number(row.number))
    },
  }
}

/** Each kind of the export, paged: `onKind(kind, columns)` first, then `onRow` per kept row; answers the counts. */
async function eachKind(
  ctx: HandlerContext,
  car: Car | undefined,
  on: { kind: (kind: string, columns: string[]) => void; row: (row: Row) => void; end: () => void },
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  const { keep, saw } = keeper(car)
  for (const { kind, service, garage } of KINDS) {
    if (car && garage) continue
    let count = 0
    let started = false
    for await (const page of pages(ctx, service, kind, car?.id)) {
      if (!started) on.kind(kind, page.columns)
      started = true
      for (const row of page.rows) {
        if (!keep(kind, row)) continue
        saw(kind, row)
        on.row(row)
        count++
      }
    }
    on.end()
    counts[kind] = count
  }
  return counts
}

async function settingsOf(ctx: HandlerContext): Promise<Row | null> {
  const page = (await (await call(ctx, 'items', '/export?kind=settings')).json()) as Page
  return page.rows[0] ?? null
}

/** Adds the originals of the export's photos under photos/, each once; answers how many. */
async function addPhotos(ctx: HandlerContext, zip: ZipFileWriter, car: Car | undefined): Promise<number> {
  const seen = new Set<string>()
  for await (const page of pages(ctx, 'images', 'photos', car?.id)) {
    for (const row of page.rows) {
      const sha = String(row.sha256)
      if (seen.has(sha)) continue
      seen.add(sha)
      const res = await call(ctx, 'images', `/export/photos/${sha}`)
      const entry = zip.entry(`photos/${sha}.${String(row.format ?? 'bin')}`, true)
      for await (const chunk of res.body ?? []) entry.write(chunk as Uint8Array)
      entry.end()
    }
  }
  return seen.size
}

async function writeJson(ctx: HandlerContext, zip: ZipFileWriter, car: Car | undefined, now: Date, photos: boolean) {
  zip.add('settings.json', `${JSON.stringify(await settingsOf(ctx), null, 2)}\n`)
  let entry: ReturnType<ZipFileWriter['entry']> | undefined
  let first = true
  const counts = await eachKind(ctx, car, {
    kind: (kind) => {
      entry = zip.entry(`${kind}.json`)
      entry.write('[')
      first = true
    },
    row: (row) => {
      entry!.write(`${first ? '\n' : ',\n'}${JSON.stringify(row)}`)
      first = false
    },
    end: () => {
      entry!.write(first ? ']\n' : '\n]\n')
      entry!.end()
    },
  })
  const photoFiles = photos ? await addPhotos(ctx, zip, car) : null
  const manifest = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exported_at: now.toISOString(),
    car: car ? { id: car.id, nickname: car.nickname } : null,
    counts,
    photos: photoFiles,
  }
  zip.add('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`)
  return counts
}

/** What README.txt says of the columns many kinds share. */
const CONVENTIONS = `Conventions of every file:
- one row per record, in the order the garage made them; the first line names the columns;
- id, car_id, issue_id, reading_id, record_id, item_ids: the records' ids in this garage, by which rows point at each other;
- *_minor: money in integer minor units (cents) of the row's currency (ISO code);
- odometer, distance, value: in the car's odometer_unit (km or mi); litres: fuel in litres;
- *_text: the value as it was typed, shown back as typed;
- dates a person gave (read_on, done_on, filled_on, paid_on, due_date, …): YYYY-MM-DD in the garage's timezone;
  created_at, at, …: ISO-8601 UTC;
- lists and objects (item_ids, photos, quotes, items_before): JSON;
- a cell that begins with =, +, - or @ (and is not a number) starts with ' so that a spreadsheet does not run it.
`

async function writeCsv(ctx: HandlerContext, zip: ZipFileWriter, car: Car | undefined, photos: boolean) {
  const settings = await settingsOf(ctx)
  const described: string[] = []
  if (settings) {
    zip.add('settings.csv', csvLine(Object.keys(settings)) + csvLine(Object.values(settings)))
    described.push(`settings.csv: ${Object.keys(settings).join(', ')}`)
  }
  let entry: ReturnType<ZipFileWriter['entry']> | undefined
  let columns: string[] = []
  const counts = await eachKind(ctx, car, {
    kind: (kind, cols) => {
      columns = cols
      entry = zip.entry(`${kind}.csv`)
      entry.write(csvLine(cols))
      described.push(`${kind}.csv: ${cols.join(', ')}`)
    },
    row: (row) => entry!.write(csvLine(columns.map((c) => row[c]))),
    end: () => entry!.end(),
  })
  const photoFiles = photos ? await addPhotos(ctx, zip, car) : null
  zip.add(
    'README.txt',
    `Car Manager export${car ? ` of ${car.nickname}` : ''}: one CSV file per kind of record (UTF-8, comma-separated, RFC 4180 quoting).\n\n` +
      `${CONVENTIONS}\nFiles and their columns:\n${described.map((d) => `- ${d}`).join('\n')}\n` +
      (photoFiles !== null ? `- photos/: the ${photoFiles} photos' originals, named <sha256>.<format> as in photos.csv\n` : ''),
  )
  return counts
}

const LUBE_HEADERS = {
  service: ['Date', 'Description', 'Cost', 'Notes', 'Odometer', 'Tags'],
  gas: ['Date', 'Odometer', 'FuelConsumed', 'Cost', 'FuelEconomy', 'IsFillToFull', 'MissedFuelUp', 'Notes', 'Tags'],
  odometer: ['Date', 'InitialOdometer', 'Odometer', 'Notes', 'Tags'],
  tax: ['Date', 'Description', 'Cost', 'Notes', 'Tags'],
} as const

/** Money as LubeLogger reads it: a plain decimal with a point; 0 when none was given. */
const lubeCost = (minor: unknown, currency: unknown) =>
  typeof minor === 'number' && typeof currency === 'string'
    ? fromMinor(minor, currency).toFixed(minorDigits(currency))
    : '0'
/** LubeLogger keeps whole odometers and needs one: 0 when the record has none. */
const lubeOdometer = (value: unknown) => (typeof value === 'number' ? String(Math.round(value)) : '0')
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
/** A car's folder name: its nickname without what a path may not hold. */
const folderOf = (car: Row) => `${String(car.nickname).replace(/[/\\\x00-\x1f:*?"<>|]/g, '_')}-${String(car.id)}`

async function writeLube(ctx: HandlerContext, zip: ZipFileWriter, only: Car | undefined, photos: boolean) {
  const counts: Record<string, number> = { cars: 0, service: 0, repair: 0, upgrade: 0, gas: 0, odometer: 0, tax: 0 }
  /** One file of a car from one kind's pages: `line` answers the row's cells, or null to leave it out. */
  const file = async (name: string, header: readonly string[], kind: string, car: number, line: (r: Row) => unknown[] | null) => {
    const entry = zip.entry(name)
    entry.write(csvLine(header))
    let n = 0
    for await (const page of pages(ctx, 'items', kind, car)) {
      for (const row of page.rows) {
        const cells = line(row)
        if (cells) {
          entry.write(csvLine(cells))
          n++
        }
      }
    }
    entry.end()
    return n
  }
  for await (const page of pages(ctx, 'items', 'cars', only?.id)) {
    for (const car of page.rows) {
      counts.cars!++
      const id = Number(car.id)
      const dir = folderOf(car)
      const distance = car.odometer_unit as DistanceUnit
      const volume = (car.volume_unit as VolumeUnit | null) ?? volumeUnitFor(distance)
      for (const kind of ['service', 'repair', 'upgrade'] as const) {
        counts[kind]! += await file(`${dir}/${kind}.csv`, LUBE_HEADERS.service, 'service_records', id, (r) =>
          r.kind === kind ? [r.done_on, r.title, lubeCost(r.cost_minor, r.currency), r.notes ?? '', lubeOdometer(r.odometer), ''] : null,
        )
      }
      counts.gas! += await file(`${dir}/gas.csv`, LUBE_HEADERS.gas, 'fuel_fillups', id, (r) => [
        r.filled_on,
        lubeOdometer(r.odometer),
        Number(fromLitres(Number(r.litres), volume).toFixed(3)),
        lubeCost(r.cost_minor, r.currency),
        '',
        r.full ? 'True' : 'False',
        r.missed ? 'True' : 'False',
        '',
        '',
      ])
      counts.odometer! += await file(`${dir}/odometer.csv`, LUBE_HEADERS.odometer, 'odometer_readings', id, (r) => [
        r.read_on,
        '',
        lubeOdometer(r.value),
        r.text ?? '',
        '',
      ])
      counts.tax! += await file(`${dir}/tax.csv`, LUBE_HEADERS.tax, 'expenses', id, (r) => [
        r.paid_on,
        capitalised(String(r.kind)),
        lubeCost(r.cost_minor, r.currency),
        r.notes ?? '',
        '',
      ])
    }
  }
  const photoFiles = photos ? await addPhotos(ctx, zip, only) : null
  zip.add(
    'README.txt',
    'Car Manager export for LubeLogger: one folder per car (<nickname>-<id>), each with the CSV files\n' +
      "LubeLogger's importer reads for a vehicle: service.csv, repair.csv and upgrade.csv (Service, Repair and\n" +
      'Upgrade records), gas.csv (Gas records), odometer.csv (Odometer records) and tax.csv (Taxes: our expenses).\n' +
      'Dates are YYYY-MM-DD; costs are plain decimals with a point; odometers are whole numbers in the car\'s unit\n' +
      "(0 where the record has none); fuel is in the car's volume unit. Import each file on the car's page in\n" +
      'LubeLogger (set its units to the same as the car here).\n' +
      (photoFiles !== null ? `photos/: the ${photoFiles} photos' originals (LubeLogger does not import them).\n` : ''),
  )
  return counts
}

const FORMATS: readonly Format[] = ['json', 'csv', 'lubelogger']

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

export async function garageExport(p: ExportPayload, ctx: HandlerContext): Promise<Reply> {
  const format = (p.format ?? 'json') as Format
  if (!FORMATS.includes(format)) throw new UserError(`format: "${p.format}" is not one of ${FORMATS.join(', ')}`, 'format')
  const car = p.car === undefined ? undefined : await resolveCar(ctx, p.car)
  const now = ctx.now()
  const day = now.toISOString().slice(0, 10)
  const name = `car-manager-${car ? `${car.nickname.replace(/[^A-Za-z0-9_.-]+/g, '_')}-` : ''}${format}-${day}.zip`
  const path = join(tmpdir(), `cm-export-${randomUUID()}.zip`)
  const zip = new ZipFileWriter(path)
  try {
    let counts: Record<string, number>
    try {
      counts =
        format === 'json'
          ? await writeJson(ctx, zip, car, now, p.photos === true)
          : format === 'csv'
            ? await writeCsv(ctx, zip, car, p.photos === true)
            : await writeLube(ctx, zip, car, p.photos === true)
      await zip.close()
    } catch (error) {
      zip.abandon()
      throw error
    }
    // streamed from disk to the images service's short-lived files
    const file = await storeFile(ctx, Bun.file(path), name, 'application/zip')
    const summary =
      format === 'lubelogger'
        ? [plural(counts.cars ?? 0, 'car'), plural((counts.service ?? 0) + (counts.repair ?? 0) + (counts.upgrade ?? 0), 'service record'), plural(counts.gas ?? 0, 'fill-up'), plural(counts.odometer ?? 0, 'odometer reading'), plural(counts.tax ?? 0, 'expense')]
        : [
            plural(counts.cars ?? 0, 'car'),
            plural(counts.odometer_readings ?? 0, 'odometer reading'),
            plural(counts.service_records ?? 0, 'service record'),
            plural(counts.fuel_fillups ?? 0, 'fill-up'),
            plural(counts.expenses ?? 0, 'expense'),
            plural(counts.issues ?? 0, 'issue'),
            plural(counts.quotes ?? 0, 'quote'),
            plural(counts.photos ?? 0, 'photo'),
          ]
    return {
      tone: 'ok',
      title: `Export of ${car ? car.nickname : 'the garage'} (${format})`,
      text: `${summary.join(', ')}. The zip is kept for a day.`,
      file,
      ephemeral: true,
    }
  } finally {
    rmSync(path, { force: true })
  }
}
