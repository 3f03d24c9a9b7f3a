/**
 * `bun run charts:sample [dir]`: renders the charts of a sample garage into PNG files and prints
 * their paths. The garage is made on the spot in a temporary folder (the items, calculator,
 * images, issues and reports services run in this process on loopback ports): two cars, a year and a
 * half of fill-ups (some partial), services, a repair and expenses, logged through the same
 * command handlers a chat uses; then every `/car chart` metric of each car and every
 * `/garage chart` metric is planned by the worker's code and drawn by the reports service.
 * Also writes the vehicle history PDF of the first car. Nothing leaves the machine.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseLine } from '../catalog/grammar.ts'
import { parseConfig } from '../lib/config.ts'
import { SERVICES, type ServiceName } from '../lib/contracts/services.ts'
import { addDays } from '../lib/domain/dates.ts'
import { silentLogger } from '../lib/log.ts'
import { drawChart, drawPdf } from '../queue/clients/reports.ts'
import { type HandlerContext, uncachedStamps } from '../queue/handler.ts'
import { carChartPlan, garageChartPlan, METRICS } from '../queue/handlers/shared/charts.ts'
import { carReportDoc } from '../queue/handlers/shared/reports.ts'
import { garageOf } from '../queue/handlers/shared/lookups.ts'
import { loadHandlers } from '../queue/orchestrator.ts'

const out = resolve(process.argv[2] ?? 'data/charts-sample')
const dataDir = mkdtempSync(join(tmpdir(), 'cm-charts-sample-'))
const token = 'charts-sample-token-0123456789'
const NAMES: ServiceName[] = ['items', 'calculator', 'images', 'issues', 'reports']
const env: Record<string, string> = { DATA_DIR: dataDir, SERVICE_TOKEN: token, LOG_LEVEL: 'silent' }
const servers: { stop: (force?: boolean) => unknown }[] = []
const apps: { stop: () => unknown }[] = []
const now = () => new Date('2026-06-15T12:00:00Z')
const config0 = parseConfig(env)
for (const name of NAMES) {
  const { createApp } = (await import(`../${SERVICES[name].app}`)) as {
    createApp: (deps: { dataDir: string; token: string; config: typeof config0; now: () => Date }) => { fetch: (r: Request) => Response | Promise<Response>; stop: () => unknown }
  }
  const app = createApp({ dataDir, token, config: config0, now })
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (r) => app.fetch(r) })
  env[SERVICES[name].url] = `http://127.0.0.1:${server.port}`
  apps.push(app)
  servers.push(server)
}
const config = parseConfig(env)
const tenant = 'local:sample'
let seq = 0
const context = (): HandlerContext => {
  const id = `sample-${++seq}`
  return {
    envelope: { id, kind: 'sample', tenant, actor: { platform: 'local', userId: 'sample', name: 'Sample' }, replyTo: { platform: 'local', session: 'sample' }, payload: {}, at: now().getTime() } as HandlerContext['envelope'],
    serviceUrl: (name) => String(config[SERVICES[name].url]),
    serviceHeaders: (opts) => ({ authorization: `Bearer ${token}`, 'x-tenant': tenant, ...(opts?.write ? { 'idempotency-key': opts.key ?? id } : {}) }),
    now,
    log: silentLogger,
    config,
    finalAttempt: true,
    stamps: uncachedStamps,
  } as HandlerContext
}

const handlers = await loadHandlers(undefined, silentLogger)
async function say(line: string) {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`${line}: ${parsed.error}`)
  const reply = await handlers.get(parsed.kind)!.run(parsed.payload, context())
  if (reply?.tone === 'error') throw new Error(`${line}: ${reply.text}`)
}

try {
  await say('/garage settings units:metric currency:EUR')
  await say('/car add corolla make:Toyota model:Corolla year:2018 plate:AB-123 units:imperial')
  await say('/car add golf make:Volkswagen model:Golf year:2020')
  let mi = 48_000
  let km = 21_000
  for (let i = 0; i < 40; i++) {
    const date = addDays('2025-01-04', 13 * i)
    mi += 290 + ((i * 37) % 60)
    km += 520 + ((i * 53) % 90)
    const partial = i % 9 === 4
    await say(`/fuel log car:corolla volume:"${(partial ? 5 : 9 + ((i * 7) % 10) / 10).toFixed(1)} gal" cost:${(31 + ((i * 11) % 9)).toFixed(2)} odometer:"${mi} mi" full:${partial ? 'no' : 'yes'} date:${date}`)
    await say(`/fuel log car:golf volume:"${(36 + ((i * 5) % 9)).toFixed(1)} L" cost:${(62 + ((i * 13) % 15)).toFixed(2)} odometer:"${km} km" date:${addDays(date, 2)}`)
  }
  await say('/service log car:corolla title:"Oil and filter" cost:89.90 date:2025-03-10')
  await say('/service log car:corolla title:"Oil and filter" cost:92.50 date:2025-09-14')
  await say('/service log car:corolla title:"Brake pads" kind:repair cost:240 date:2025-11-02')
  await say('/service log car:golf title:"Inspection" cost:180 date:2025-05-20')
  await say('/service log car:golf title:"Roof rack" kind:upgrade cost:310 date:2026-02-11')
  await say('/expense log car:corolla kind:insurance cost:620 date:2025-02-01')
  await say('/expense log car:corolla kind:insurance cost:640 date:2026-02-01')
  await say('/expense log car:golf kind:tax cost:150 date:2025-04-15')
  await say('/expense log car:golf kind:parking cost:45 date:2025-12-03')

  mkdirSync(out, { recursive: true })
  const paths: string[] = []
  const write = async (name: string, bytes: Uint8Array) => {
    const path = join(out, name)
    await Bun.write(path, bytes)
    paths.push(path)
  }
  for (const car of ['corolla', 'golf'])
    for (const metric of METRICS) {
      const ctx = context()
      const plan = await carChartPlan(ctx, { car, metric, period: metric === 'economy' ? undefined : { days: 548, text: '18m' } })
      if (plan.chart) await write(plan.file ?? `${car}-${metric}.png`, await drawChart(ctx, plan.chart))
    }
  for (const metric of METRICS) {
    const ctx = context()
    const plan = await garageChartPlan(ctx, { metric, ...(metric === 'economy' ? {} : { period: { days: 365, text: '12m' } }) })
    if (plan.chart) await write(plan.file ?? `garage-${metric}.png`, await drawChart(ctx, plan.chart))
  }
  const ctx = context()
  const { doc } = await carReportDoc(ctx, 'corolla', await garageOf(ctx))
  await write('corolla-history.pdf', await drawPdf(ctx, doc))
  for (const p of paths) console.log(p)
} finally {
  for (const s of servers) s.stop(true)
  for (const a of apps) await a.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
