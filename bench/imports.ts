/**
 * Data in and out: a 10,000-row Fuelly file previewed and imported, and a garage of 100,000
 * records exported, against the items service running as a child process of its own (its entry
 * file, SQLite on disk in a temporary folder), the way the worker uses it.
 *
 * - Preview: what the worker does for /garage import before it answers: read the file
 *   (lib/import), map its cars and rows (queue/handlers/shared/import.ts), and keep them as a
 *   pending import in the items service (`POST /imports`, which finds the rows the garage has
 *   already). Import: `POST /imports/commit` (every row written in one transaction). The
 *   baseline, in the same run, is csv-parse alone reading the same text.
 * - Export: 50,000 fill-ups and 50,000 odometer readings written straight into the items
 *   database; then every kind of the garage paged through `GET /export` as the worker does and
 *   written into a zip file (queue/handlers/shared/export-zip.ts). The figure is the items
 *   service process's memory growth while it serves the export: its RSS sampled every 5 ms
 *   (VmRSS of /proc/<pid>/status) and its peak (VmHWM), each against its value just before. The
 *   bench process, which builds the zip as the worker would, is reported too.
 *
 * `bun bench/imports.ts` prints the figures; `bun run bench` calls the default export.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { SERVICES } from '../lib/contracts/services.ts'
import { parseImport } from '../lib/import/index.ts'
import { ITEMS_EXPORT } from '../services/items/export.ts'
import { carsOf, rowsOf } from '../queue/handlers/shared/import.ts'
import { ZipFileWriter } from '../queue/handlers/shared/export-zip.ts'
import { freePort } from '../test/redis.ts'
import { seedGarage } from './seed.ts'
import { formatTable, peakRssMb, round, type Row, rssMb, say, startChild, waitForOk } from './lib.ts'

const ROOT = join(import.meta.dir, '..')
const TOKEN = 'bench-imports-token-0123456789abcdef'
const TENANT = 'local:bench-imports'
const EXPORT_TENANT = 'local:bench-export'
const FUEL_ROWS = 10_000
const EXPORT_RECORDS = 100_000

export type ImportFigures = {
  fileBytes: number
  parseMs: number
  baselineMs: number
  previewMs: number
  importMs: number
  imported: number
  exportMs: number
  exportRows: number
  zipBytes: number
  itemsRssBeforeMb: number
  itemsRssPeakMb: number
  itemsHwmBeforeMb: number
  itemsHwmAfterMb: number
  benchRssBeforeMb: number
  benchRssPeakMb: number
}

/** A Fuelly web export of one car, `rows` fill-ups a day apart (every tenth a partial one). */
function fuellyFile(rows: number): string {
  const lines = [
    'car_name,model,mpg,odometer,miles,gallons,price,city_percentage,fuelup_date,date_added,tags,notes,missed_fuelup,partial_fuelup,latitude,longitude,brand',
  ]
  const start = Date.UTC(1996, 0, 1)
  for (let i = 0; i < rows; i++) {
    const d = new Date(start + i * 86_400_000)
    const date = `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()} 8:15`
    const gallons = (9 + (i % 7) * 0.37).toFixed(3)
    const price = (2.5 + (i % 13) * 0.05).toFixed(3)
    lines.push(
      `Golf,GTI,31.2,${50_000 + i * 300},300,${gallons},${price},40,${date},${date},,fill ${i},0,${i % 10 === 9 ? 1 : 0},47.6,-122.3,Shell`,
    )
  }
  return `${lines.join('\n')}\n`
}

async function call(
  url: string,
  path: string,
  tenant: string,
  body?: unknown,
  key?: string,
  method = 'POST',
) {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'x-tenant': tenant,
      'x-actor': 'local:bench Bench',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.text()).slice(0, 300)}`)
  return res.json() as Promise<Record<string, unknown>>
}


/** Pages every kind of the garage out of the items service into a zip file, as the worker's export does. */
async function exportAll(url: string, zipPath: string): Promise<{ rows: number; bytes: number }> {
  const zip = new ZipFileWriter(zipPath)
  let rows = 0
  for (const kind of Object.keys(ITEMS_EXPORT)) {
    const entry = zip.entry(`${kind}.json`)
    entry.write('[')
    let after = 0
    let first = true
    for (;;) {
      const page = (await call(url, `/export?kind=${kind}&after=${after}&limit=1000`, EXPORT_TENANT)) as {
        rows: unknown[]
        next: number | null
      }
      for (const r of page.rows) {
        entry.write(`${first ? '\n' : ',\n'}${JSON.stringify(r)}`)
        first = false
        rows++
      }
      if (page.next === null) break
      after = page.next
    }
    entry.write('\n]\n')
    entry.end()
  }
  await zip.close()
  return { rows, bytes: zip.bytes }
}

/** Measures everything and returns the raw figures. */
export async function measureImports(): Promise<ImportFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'cm-bench-imports-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const items = startChild(
    'items',
    ['bun', join(ROOT, SERVICES.items.entry)],
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      REDIS_URL: 'redis://127.0.0.1:1',
      DATA_DIR: join(dir, 'data'),
      SERVICE_TOKEN: TOKEN,
      SERVICE_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      [SERVICES.items.port]: String(port),
    },
    join(dir, 'items.log'),
  )
  try {
    await waitForOk(`${url}/health`, items)
    await call(url, '/settings', TENANT, { units: 'imperial', currency: 'USD' }, 'bench-settings', 'PATCH')
    await call(url, '/cars', TENANT, { nickname: 'golf', units: 'imperial' }, 'bench-car')

    // ---- import ----
    const text = fuellyFile(FUEL_ROWS)
    const bytes = new TextEncoder().encode(text)
    // warm-up: module load and JIT on a small file
    parseImport(new TextEncoder().encode(fuellyFile(200)), 'warm.csv', {
      numbers: '1,234.5',
      dates: 'YYYY-MM-DD',
    })
    parse(fuellyFile(200))
    let t = performance.now()
    parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true })
    const baselineMs = performance.now() - t

    t = performance.now()
    const parsed = parseImport(bytes, 'fuelups.csv', { numbers: '1,234.5', dates: 'YYYY-MM-DD' })
    const parseMs = performance.now() - t
    const cars = carsOf(parsed, {}, ['golf'])
    const pending = (await call(
      url,
      '/imports',
      TENANT,
      {
        file: 'fuelups.csv',
        format: parsed.format,
        units: parsed.units,
        cars,
        rows: rowsOf(parsed, cars, 'USD'),
      },
      'bench-preview',
    )) as { id: string; kinds: { new: number }[] }
    const previewMs = performance.now() - t
    if (pending.kinds.reduce((n, k) => n + k.new, 0) !== parsed.rows.length)
      throw new Error(`the preview found ${JSON.stringify(pending.kinds)} new rows of ${parsed.rows.length}`)

    t = performance.now()
    const done = (await call(url, '/imports/commit', TENANT, { id: pending.id }, 'bench-commit')) as {
      kinds: { new: number }[]
    }
    const importMs = performance.now() - t
    const imported = done.kinds.reduce((n, k) => n + k.new, 0)

    // ---- export ----
    const car = (await call(
      url,
      '/cars',
      EXPORT_TENANT,
      { nickname: 'golf', units: 'metric' },
      'bench-export-car',
    )) as {
      id: number
    }
    seedGarage(join(dir, 'data'), EXPORT_TENANT, car.id, EXPORT_RECORDS)
    // warm-up: one page of each kind, so the figure is the export's and not the first request's
    for (const kind of Object.keys(ITEMS_EXPORT))
      await call(url, `/export?kind=${kind}&limit=10`, EXPORT_TENANT)
    Bun.gc(true)
    const pid = items.proc.pid
    const itemsRssBeforeMb = rssMb(pid) ?? 0
    const itemsHwmBeforeMb = peakRssMb(pid) ?? 0
    const benchRssBeforeMb = process.memoryUsage().rss / 1024 / 1024
    let itemsRssPeakMb = itemsRssBeforeMb
    let benchRssPeakMb = benchRssBeforeMb
    const sampler = setInterval(() => {
      itemsRssPeakMb = Math.max(itemsRssPeakMb, rssMb(pid) ?? 0)
      benchRssPeakMb = Math.max(benchRssPeakMb, process.memoryUsage().rss / 1024 / 1024)
    }, 5)
    t = performance.now()
    const out = await exportAll(url, join(dir, 'export.zip'))
    const exportMs = performance.now() - t
    clearInterval(sampler)
    itemsRssPeakMb = Math.max(itemsRssPeakMb, rssMb(pid) ?? 0)
    const itemsHwmAfterMb = peakRssMb(pid) ?? 0
    if (out.rows < EXPORT_RECORDS)
      throw new Error(`the export holds ${out.rows} rows, fewer than ${EXPORT_RECORDS}`)
    return {
      fileBytes: bytes.byteLength,
      parseMs,
      baselineMs,
      previewMs,
      importMs,
      imported,
      exportMs,
      exportRows: out.rows,
      zipBytes: out.bytes,
      itemsRssBeforeMb,
      itemsRssPeakMb,
      itemsHwmBeforeMb,
      itemsHwmAfterMb,
      benchRssBeforeMb,
      benchRssPeakMb,
    }
  } finally {
    await items.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

export function importRows(f: ImportFigures): Row[] {
  const section = 'imports'
  const growth = f.itemsRssPeakMb - f.itemsRssBeforeMb
  return [
    {
      section,
      name: `preview of a ${FUEL_ROWS.toLocaleString('en')}-row Fuelly file (${(f.fileBytes / 1e6).toFixed(1)} MB): read + POST /imports`,
      value: round(f.previewMs),
      unit: 'ms',
      baseline: round(f.baselineMs),
      ratio: round(f.previewMs / f.baselineMs, 2),
      aim: '≤ 1000 ms',
      met: f.previewMs <= 1000,
      note: `reading the file alone ${round(f.parseMs)} ms; baseline: csv-parse alone on the same text`,
    },
    {
      section,
      name: `Import of its ${f.imported.toLocaleString('en')} rows (POST /imports/commit, one transaction)`,
      value: round(f.importMs),
      unit: 'ms',
      baseline: round(f.baselineMs),
      ratio: round(f.importMs / f.baselineMs, 2),
      aim: '≤ 3000 ms',
      met: f.importMs <= 3000 && f.imported === FUEL_ROWS,
      note: 'baseline: csv-parse alone on the same text',
    },
    {
      section,
      name: `export of ${f.exportRows.toLocaleString('en')} rows (${EXPORT_RECORDS.toLocaleString('en')} records): items service RSS growth`,
      value: round(growth),
      unit: 'MB',
      baseline: round(f.itemsRssBeforeMb),
      aim: '≤ 50 MB',
      met: growth <= 50,
      note: `items service a child process, VmRSS sampled every 5 ms; its VmHWM ${round(f.itemsHwmBeforeMb)} → ${round(f.itemsHwmAfterMb)} MB; baseline: its RSS before; export ${round(f.exportMs)} ms, zip ${(f.zipBytes / 1e6).toFixed(1)} MB`,
    },
    {
      section,
      name: 'the same export: RSS growth of the process writing the zip (the bench, as the worker)',
      value: round(f.benchRssPeakMb - f.benchRssBeforeMb),
      unit: 'MB',
      baseline: round(f.benchRssBeforeMb),
      note: 'for reference; the worker pages and writes the same way',
    },
  ]
}

/** For `bun run bench`. */
export default async function imports(): Promise<Row[]> {
  return importRows(await measureImports())
}

if (import.meta.main) {
  say('imports: 10,000-row Fuelly preview and import, export of 100,000 records')
  const figures = await measureImports()
  console.log(formatTable(importRows(figures)))
}
