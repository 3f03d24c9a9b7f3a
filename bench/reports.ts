/**
 * Charts and reports (services/reports):
 * - a chart of 1,000 fill-ups (economy per segment and its rolling average, 1200 × 600 PNG)
 *   drawn by the renderer process, against the same renderer rasterising a fixed SVG of the same
 *   size (that chart's own SVG, made once), in the same run; the renderer's peak RSS;
 * - the vehicle history report of a car with 500 service records and 20 photos, end to end as
 *   `/car report` does it (read from items, issues and images, laid out, drawn as a PDF, stored
 *   as the garage's file), against `/car stats` of the same car (the text answer that reads the
 *   same records) in the same run. The services run in this process on loopback ports, each on
 *   its own SQLite in a temporary folder.
 *
 * `bun bench/reports.ts` prints the rows; `bun run bench` calls the default export.
 * `--quick` measures fewer runs.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseLine } from '../catalog/grammar.ts'
import { type Config, parseConfig } from '../lib/config.ts'
import { SERVICES, type ServiceName } from '../lib/contracts/services.ts'
import { addDays } from '../lib/domain/dates.ts'
import { silentLogger } from '../lib/log.ts'
import { drawPdf, storeFile } from '../queue/clients/reports.ts'
import { type HandlerContext, type KindHandler, uncachedStamps } from '../queue/handler.ts'
import { garageOf } from '../queue/handlers/shared/lookups.ts'
import { carReportDoc } from '../queue/handlers/shared/reports.ts'
import { loadHandlers } from '../queue/orchestrator.ts'
import type { ChartBody } from '../services/reports/model.ts'
import { RendererPool } from '../services/reports/pool.ts'
import { chartSvg } from '../services/reports/render.ts'
import { makeJpeg } from '../test/fixtures/images.ts'
import { median, round, type Row, say } from './lib.ts'

const DAY = 86_400_000

/** An economy chart of `n` fill-ups, as /car chart sends it. */
export function economyChart(n: number): ChartBody {
  const per: [number, number][] = []
  const rolling: [number, number][] = []
  const start = Date.UTC(2020, 0, 1)
  for (let i = 0; i < n; i++) {
    const v = 33 + 4 * Math.sin(i / 9) + ((i * 7919) % 13) / 6
    per.push([start + i * 3 * DAY, Math.round(v * 100) / 100])
    rolling.push([start + i * 3 * DAY, Math.round((33 + 4 * Math.sin(i / 9)) * 100) / 100])
  }
  return {
    title: 'corolla: fuel economy',
    subtitle: 'mpg, per full-to-full segment; higher is better',
    x: { kind: 'time' },
    y: { label: 'mpg', zero: false },
    series: [
      { name: 'per fill-up', type: 'line', values: [], points: per },
      { name: 'rolling average (5)', type: 'line', dashed: true, values: [], points: rolling },
    ],
  }
}

export type ChartFigures = { runs: number; chart: number[]; svg: number[]; peakRssMb: number; pngBytes: number }

export async function measureChart(runs: number): Promise<ChartFigures> {
  const pool = new RendererPool({ maxMemoryMb: 2048, timeoutMs: 60_000 })
  try {
    const body = economyChart(1000)
    const svg = chartSvg(body)
    // Warm-up: process start, module load, the JIT reaching the drawing loops.
    for (let i = 0; i < 3; i++) {
      await pool.render({ kind: 'chart', body, format: 'png' })
      await pool.render({ kind: 'svg', svg })
    }
    const chart: number[] = []
    const raster: number[] = []
    let pngBytes = 0
    let peak = 0
    for (let i = 0; i < runs; i++) {
      let t = performance.now()
      pngBytes = (await pool.render({ kind: 'chart', body, format: 'png' })).byteLength
      chart.push(performance.now() - t)
      peak = Math.max(peak, pool.lastPeakMb)
      t = performance.now()
      await pool.render({ kind: 'svg', svg })
      raster.push(performance.now() - t)
    }
    return { runs, chart, svg: raster, peakRssMb: peak, pngBytes }
  } finally {
    pool.close()
  }
}

export type ReportFigures = { runs: number; report: number[]; stats: number[]; pdfBytes: number; peakRssMb: number; records: number; photos: number }

/** The report of a car with `records` service records and `photos` photos, on services in this process. */
export async function measureReport(runs: number, records = 500, photos = 20): Promise<ReportFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-bench-reports-'))
  const token = 'bench-reports-token-0123456789'
  const env: Record<string, string> = { DATA_DIR: dataDir, SERVICE_TOKEN: token, LOG_LEVEL: 'silent' }
  const now = () => new Date('2026-06-15T12:00:00Z')
  const initial = parseConfig(env)
  const running: { server: ReturnType<typeof Bun.serve>; app: { stop: () => unknown } }[] = []
  let renderer: RendererPool | undefined
  try {
    for (const name of ['items', 'calculator', 'images', 'issues', 'reports'] as ServiceName[]) {
      const { createApp } = (await import(`../${SERVICES[name].app}`)) as {
        createApp: (deps: Record<string, unknown>) => { fetch: (r: Request) => Response | Promise<Response>; stop: () => unknown }
      }
      if (name === 'reports') renderer = new RendererPool({ maxMemoryMb: 2048, timeoutMs: 60_000 })
      const app = createApp({ dataDir, token, config: initial, now, ...(name === 'reports' ? { renderer } : {}) })
      const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (r) => app.fetch(r) })
      env[SERVICES[name].url] = `http://127.0.0.1:${server.port}`
      running.push({ server, app })
    }
    const config: Config = parseConfig(env)
    const tenant = 'local:bench-reports'
    let seq = 0
    const context = (): HandlerContext =>
      ({
        envelope: { id: `bench-${++seq}`, kind: 'bench', tenant, actor: { platform: 'local', userId: 'bench', name: 'Bench' }, replyTo: { platform: 'local', session: 'bench' }, payload: {}, at: now().getTime() },
        serviceUrl: (name: ServiceName) => String(config[SERVICES[name].url]),
        serviceHeaders: (opts?: { write?: boolean; key?: string }) => ({ authorization: `Bearer ${token}`, 'x-tenant': tenant, ...(opts?.write ? { 'idempotency-key': opts.key ?? `bench-${seq}` } : {}) }),
        now,
        log: silentLogger,
        config,
        finalAttempt: true,
        stamps: uncachedStamps,
      }) as HandlerContext
    const handlers = await loadHandlers(undefined, silentLogger)
    const run = async (line: string) => {
      const parsed = parseLine(line)
      if (!parsed.ok) throw new Error(`${line}: ${parsed.error}`)
      const reply = await (handlers.get(parsed.kind) as KindHandler).run(parsed.payload, context())
      if (reply?.tone === 'error') throw new Error(`${line}: ${reply.text}`)
    }
    say(`reports: a car with ${records} records and ${photos} photos`)
    await run('/garage settings units:metric currency:EUR')
    await run('/car add corolla make:Toyota model:Corolla year:2018 plate:AB-123')
    for (let i = 0; i < records; i++)
      await run(`/service log car:corolla title:"Service ${i + 1}" cost:${(40 + (i % 50)).toFixed(2)} odometer:"${20_000 + i * 150} km" date:${addDays('2020-01-01', 4 * i)}`)
    for (let i = 0; i < photos; i++) {
      const jpeg = await makeJpeg(800, 600, { seed: i + 1, quality: 80 })
      const res = await fetch(`${config.IMAGES_URL}/images?${new URLSearchParams({ uploader: 'bench', uploader_name: 'Bench', car_id: '1', car: 'corolla' })}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-tenant': tenant, 'content-type': 'application/octet-stream', 'idempotency-key': `photo-${i}` },
        body: jpeg,
      })
      if (!res.ok) throw new Error(`photo ${i}: ${res.status} ${await res.text()}`)
    }
    const report = async () => {
      const ctx = context()
      const { doc } = await carReportDoc(ctx, 'corolla', await garageOf(ctx))
      const bytes = await drawPdf(ctx, doc)
      await storeFile(ctx, bytes, 'corolla-history.pdf', 'application/pdf')
      return bytes.byteLength
    }
    const stats = async () => {
      const reply = await (handlers.get('car.stats') as KindHandler).run({ car: 'corolla' }, context())
      if (reply?.tone !== 'ok') throw new Error(`/car stats: ${reply?.text}`)
    }
    await report()
    await stats()
    const times: number[] = []
    const base: number[] = []
    let pdfBytes = 0
    for (let i = 0; i < runs; i++) {
      let t = performance.now()
      pdfBytes = await report()
      times.push(performance.now() - t)
      t = performance.now()
      await stats()
      base.push(performance.now() - t)
    }
    return { runs, report: times, stats: base, pdfBytes, peakRssMb: renderer?.lastPeakMb ?? 0, records, photos }
  } finally {
    for (const r of running) {
      r.server.stop(true)
      await r.app.stop()
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export function reportRows(c: ChartFigures, r: ReportFigures): Row[] {
  const section = 'reports'
  const chart = median(c.chart)
  const svg = median(c.svg)
  const report = median(r.report)
  const stats = median(r.stats)
  return [
    {
      section,
      name: `chart of 1,000 fill-ups, 1200 × 600 PNG (${round(c.pngBytes / 1024)} KB), ECharts SVG + resvg in the renderer (median of ${c.runs})`,
      value: round(chart),
      unit: 'ms',
      baseline: round(svg),
      ratio: round(chart / svg, 2),
      aim: '≤ 150 ms',
      met: chart <= 150,
      note: 'baseline: the same renderer rasterising a fixed SVG of the same size (that chart’s SVG) in the same run',
    },
    {
      section,
      name: 'peak RSS of the renderer process (charts)',
      value: round(c.peakRssMb),
      unit: 'MB',
    },
    {
      section,
      name: `vehicle history PDF of a car with ${r.records} records and ${r.photos} photos, read + laid out + drawn + stored (${round(r.pdfBytes / 1024)} KB; median of ${r.runs})`,
      value: round(report),
      unit: 'ms',
      baseline: round(stats),
      ratio: round(report / stats, 2),
      aim: '≤ 2,000 ms',
      met: report <= 2000,
      note: 'baseline: /car stats of the same car (the text answer reading the same records) in the same run',
    },
    {
      section,
      name: 'peak RSS of the renderer process (report)',
      value: round(r.peakRssMb),
      unit: 'MB',
    },
  ]
}

/** For `bun run bench`. */
export default async function reports(opts: { quick?: boolean } = {}): Promise<Row[]> {
  const chart = await measureChart(opts.quick ? 5 : 15)
  const report = await measureReport(opts.quick ? 2 : 5)
  return reportRows(chart, report)
}

if (import.meta.main) {
  const rows = await reports({ quick: process.argv.includes('--quick') })
  for (const r of rows)
    console.log(`${r.name}: ${r.value} ${r.unit}${r.baseline !== undefined ? ` (baseline ${r.baseline} ${r.unit}, ×${r.ratio})` : ''}${r.aim ? ` aim ${r.aim}: ${r.met ? 'met' : 'NOT met'}` : ''}`)
}
