/**
 * `bun run bench`: measures the stack on this machine against baselines taken in the same run,
 * prints a table and writes bench/results.json.
 *
 * It starts its own redis-server (AOF on, `appendfsync everysec`, `noeviction`, as production
 * has it; never the machine's 6379), every service that exists and the worker as separate
 * processes with SQLite on disk in a temporary folder, and removes all of it afterwards.
 *
 * Options: --n=2000 (commands per run), --rate=200 (offered commands/s), --seconds=5 (per HTTP
 * run), --concurrency=8 (worker and baseline), --quick (n=300, 2 s HTTP runs),
 * --only=commands,http,memory,ops,reminders,thumbnails
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import IORedis from 'ioredis'
import { COMMANDS_QUEUE, queueOptions, repliesQueue } from '../lib/contracts/queues.ts'
import { freePort, startRedis } from '../test/redis.ts'
import {
  type CommandRuns,
  commandRows,
  type LoadResult,
  makeProducer,
  mixedCommand,
  runLoad,
  setupCommands,
} from './commands.ts'
import { benchHttp } from './http.ts'
import {
  type Child,
  cpuMs,
  formatTable,
  type PartResult,
  peakRssMb,
  pssMb,
  round,
  type Row,
  rssMb,
  startChild,
  waitForOk,
} from './lib.ts'
import { auditLog, checkEndpoints } from './ops.ts'

const ROOT = join(import.meta.dir, '..')
const SERVICES = ['items', 'issues', 'images', 'quotes', 'calculator'] as const
const TOKEN = 'bench-service-token-0123456789abcdef'
const HTTP_TENANT = 'local:bench-http'
/** How long the stack is left quiet after the runs before its memory is read again. */
const SETTLE_MS = 5_000

type Options = {
  n: number
  rate: number
  seconds: number
  concurrency: number
  quick: boolean
  only: Set<string>
}

export function parseArgs(argv: string[]): Options {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
  const quick = argv.includes('--quick')
  const num = (name: string, def: number) => {
    const raw = get(name)
    if (raw === undefined) return def
    const v = Number(raw)
    if (!Number.isInteger(v) || v < 1) {
      console.error(`bench: --${name} must be a positive whole number, got ${JSON.stringify(raw)}`)
      process.exit(2)
    }
    return v
  }
  const all = ['commands', 'http', 'memory', 'ops', 'reminders', 'thumbnails']
  const only = new Set((get('only') ?? all.join(',')).split(',').filter(Boolean))
  for (const part of only) {
    if (!all.includes(part)) {
      console.error(`bench: --only takes ${all.join(', ')}; got ${part}`)
      process.exit(2)
    }
  }
  return {
    n: num('n', quick ? 300 : 2000),
    rate: num('rate', 200),
    seconds: num('seconds', quick ? 2 : 5),
    concurrency: num('concurrency', 8),
    quick,
    only,
  }
}

const say = (msg: string) => process.stderr.write(`bench: ${msg}\n`)

/** Runs an optional part module (bench/<file>) that another helper provides. */
async function optionalPart(
  section: string,
  file: string,
  quick: boolean,
): Promise<{ rows: Row[]; raw?: unknown }> {
  const path = join(import.meta.dir, file)
  if (!existsSync(path)) {
    return {
      rows: [
        {
          section,
          name: 'not yet available',
          value: null,
          unit: '',
          note: `bench/${file} does not exist yet`,
        },
      ],
    }
  }
  try {
    const mod = (await import(path)) as Record<string, unknown>
    const fn = (
      typeof mod.default === 'function'
        ? mod.default
        : Object.values(mod).find((v) => typeof v === 'function')
    ) as ((opts: { quick: boolean }) => Promise<PartResult> | PartResult) | undefined
    if (!fn)
      return {
        rows: [
          {
            section,
            name: 'not yet available',
            value: null,
            unit: '',
            note: `bench/${file} exports no function`,
          },
        ],
      }
    const raw = await fn({ quick })
    if (Array.isArray(raw)) {
      return { rows: raw.map((r) => ({ ...r, section: r.section ?? section })), raw }
    }
    const rows: Row[] = Object.entries(raw ?? {}).map(([name, v]) =>
      typeof v === 'number'
        ? { section, name, value: round(v, 2), unit: '' }
        : { section, name, value: null, unit: '', note: typeof v === 'string' ? v : JSON.stringify(v) },
    )
    return { rows, raw }
  } catch (error) {
    return {
      rows: [
        {
          section,
          name: 'failed',
          value: null,
          unit: '',
          note: String((error as Error)?.message ?? error).slice(0, 300),
        },
      ],
    }
  }
}

/** One section of Redis's INFO, from a short-lived connection. */
async function redisInfo(url: string, section: 'server' | 'memory'): Promise<string> {
  const client = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await client.connect()
    return await client.info(section)
  } finally {
    client.disconnect()
  }
}

async function redisPid(url: string): Promise<number | undefined> {
  return Number(/process_id:(\d+)/.exec(await redisInfo(url, 'server'))?.[1]) || undefined
}

/** Memory Redis itself accounts for (INFO used_memory), in MB: its data, apart from allocator slack. */
async function redisUsedMb(url: string): Promise<number | null> {
  const info = await redisInfo(url, 'memory').catch(() => '')
  return Number(/used_memory:(\d+)/.exec(info)?.[1]) / 1024 / 1024 || null
}

async function dropQueues(url: string, queuePrefix: string): Promise<void> {
  const connection = new IORedis(url, { maxRetriesPerRequest: null })
  try {
    for (const name of [COMMANDS_QUEUE, repliesQueue('local')]) {
      const queue = new Queue(name, queueOptions(connection, queuePrefix))
      await queue.obliterate({ force: true })
      await queue.close()
    }
    // Hand the freed pages back to the system, as a long-running Redis would over time.
    await connection.call('MEMORY', 'PURGE').catch(() => {})
  } finally {
    connection.disconnect()
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const started = Date.now()
  const workDir = mkdtempSync(join(tmpdir(), 'cm-bench-'))
  const dataDir = join(workDir, 'data')
  mkdirSync(dataDir)
  const children: Child[] = []
  const rows: Row[] = []
  const details: Record<string, unknown> = {}
  say(`work folder ${workDir}; ${opts.quick ? 'quick run' : 'full run'} (n=${opts.n}, ${opts.rate}/s)`)

  mkdirSync(join(workDir, 'redis'))
  const redis = await startRedis({ aof: true, dir: join(workDir, 'redis') }).catch((error) => {
    rmSync(workDir, { recursive: true, force: true })
    throw error
  })
  const cleanup = async () => {
    for (const c of children.reverse()) await c.stop()
    redis.kill()
    rmSync(workDir, { recursive: true, force: true })
  }
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)))

  try {
    // The stack: every service that exists, and the worker, each its own process.
    const present = SERVICES.filter((s) => existsSync(join(ROOT, 'services', s, 'index.ts')))
    const ports = new Map<string, number>()
    for (const s of present) ports.set(s, await freePort())
    const workerPort = await freePort()
    const stackPrefix = `bench${Date.now().toString(36)}`
    const basePrefix = `${stackPrefix}base`
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      REDIS_URL: redis.url,
      DATA_DIR: dataDir,
      SERVICE_TOKEN: TOKEN,
      QUEUE_PREFIX: stackPrefix,
      LOG_LEVEL: 'info',
      WORKER_PORT: String(workerPort),
      WORKER_CONCURRENCY: String(opts.concurrency),
      SERVICE_HOST: '127.0.0.1',
    }
    for (const [s, port] of ports) {
      env[`${s.toUpperCase()}_PORT`] = String(port)
      env[`${s.toUpperCase()}_URL`] = `http://127.0.0.1:${port}`
    }
    const http: { name: string; url: string; child: Child }[] = []
    for (const s of present) {
      const child = startChild(
        s,
        ['bun', join(ROOT, 'services', s, 'index.ts')],
        env,
        join(workDir, `${s}.log`),
      )
      children.push(child)
      http.push({ name: s, url: `http://127.0.0.1:${ports.get(s)}`, child })
    }
    const failed: string[] = []
    for (const h of [...http]) {
      try {
        await waitForOk(`${h.url}/health`, h.child)
      } catch (error) {
        const why = String((error as Error).message)
          .split('\n')
          .slice(0, 4)
          .join(' ')
          .slice(0, 300)
        say(`${h.name} did not start: ${why}`)
        rows.push({
          section: 'operations',
          name: `${h.name} starts`,
          value: null,
          unit: '',
          met: false,
          note: why,
        })
        failed.push(h.name)
        http.splice(http.indexOf(h), 1)
        children.splice(children.indexOf(h.child), 1)
        await h.child.stop()
      }
    }
    const up = present.filter((s) => !failed.includes(s))
    let worker: Child | undefined
    let workerProblem: string | undefined
    try {
      worker = startChild(
        'worker',
        ['bun', join(ROOT, 'queue', 'worker.ts')],
        env,
        join(workDir, 'worker.log'),
      )
      children.push(worker)
      await waitForOk(`http://127.0.0.1:${workerPort}/ready`, worker)
      http.push({ name: 'worker', url: `http://127.0.0.1:${workerPort}`, child: worker })
    } catch (error) {
      workerProblem = String((error as Error).message)
        .split('\n')
        .slice(0, 6)
        .join(' ')
        .slice(0, 300)
      say(`the worker did not start: ${workerProblem}`)
      rows.push({
        section: 'operations',
        name: 'worker starts',
        value: null,
        unit: '',
        met: false,
        note: workerProblem,
      })
      if (worker) {
        children.splice(children.indexOf(worker), 1)
        await worker.stop()
      }
      worker = undefined
    }
    say(`stack up: ${[...up, ...(worker ? ['worker'] : [])].join(', ')}`)

    const pids = new Map<string, number>()
    for (const c of children) pids.set(c.name, c.proc.pid)
    const rPid = await redisPid(redis.url)
    if (rPid) pids.set('redis-server', rPid)
    await Bun.sleep(1_500)
    const idle = new Map([...pids].map(([name, pid]) => [name, rssMb(pid)]))
    const idlePss = new Map([...pids].map(([name, pid]) => [name, pssMb(pid)]))

    // a. Commands through the real path, against the bare two-hop baseline.
    if (opts.only.has('commands')) {
      if (!worker || !up.includes('items')) {
        rows.push({
          section: 'commands',
          name: 'not available',
          value: null,
          unit: '',
          note: !up.includes('items')
            ? 'the items service is not running (see operations)'
            : `worker: ${workerProblem}`,
        })
      } else {
        say('commands: starting the baseline hop process')
        const hop = startChild(
          'hop-worker',
          ['bun', join(ROOT, 'bench', 'hop-worker.ts'), redis.url, basePrefix, String(opts.concurrency)],
          env,
          join(workDir, 'hop-worker.log'),
        )
        children.push(hop)
        const hopDeadline = Date.now() + 15_000
        while (!readFileSync(hop.logFile, 'utf8').includes('"ready"')) {
          if (Date.now() > hopDeadline || hop.proc.exitCode !== null)
            throw new Error(`hop worker did not start: ${readFileSync(hop.logFile, 'utf8')}`)
          await Bun.sleep(50)
        }
        const real = makeProducer(redis.url, stackPrefix)
        const base = makeProducer(redis.url, basePrefix)
        await Promise.all([real.collector.ready(), base.collector.ready()])
        try {
          let i = 0
          for (const make of setupCommands) {
            const setup = await runLoad(real, 1, undefined, (_, id) => make(id), 15_000)
            if (setup.answered !== 1 || (setup.tones.ok ?? 0) !== 1) {
              throw new Error(`setting up car ${++i} failed: ${setup.firstError ?? 'no reply within 15 s'}`)
            }
          }
          const timeout = Math.max(30_000, (opts.n / 50) * 1000)
          const warm = Math.min(300, opts.n)
          say(`commands: warm-up (${warm} each)`)
          await runLoad(base, warm, undefined, mixedCommand, timeout)
          await runLoad(real, warm, undefined, mixedCommand, timeout)
          say(`commands: ${opts.n} at ${opts.rate}/s, baseline then real`)
          const baseRate = await runLoad(base, opts.n, opts.rate, mixedCommand, timeout)
          const realRate = await runLoad(real, opts.n, opts.rate, mixedCommand, timeout)
          // Flat out is short and the machine is shared: alternate three rounds, keep the medians.
          say(`commands: ${opts.n} flat out, 3 rounds alternating baseline and real`)
          const baseFlats: LoadResult[] = []
          const realFlats: LoadResult[] = []
          const watched = new Map<string, number>([
            ...pids,
            ['hop-worker', hop.proc.pid],
            ['bench client', process.pid],
          ])
          const cpu = { real: new Map<string, number>(), base: new Map<string, number>() }
          const measureCpu = async (side: 'real' | 'base', run: () => Promise<LoadResult>) => {
            const before = new Map([...watched].map(([name, pid]) => [name, cpuMs(pid) ?? 0]))
            const result = await run()
            for (const [name, pid] of watched) {
              cpu[side].set(name, (cpu[side].get(name) ?? 0) + (cpuMs(pid) ?? 0) - before.get(name)!)
            }
            return result
          }
          for (let round = 0; round < 3; round++) {
            baseFlats.push(
              await measureCpu('base', () => runLoad(base, opts.n, undefined, mixedCommand, timeout)),
            )
            realFlats.push(
              await measureCpu('real', () => runLoad(real, opts.n, undefined, mixedCommand, timeout)),
            )
          }
          const median = (runs: LoadResult[]) => [...runs].sort((x, y) => x.throughput - y.throughput)[1]!
          const realRuns: CommandRuns = { rate: realRate, flat: median(realFlats) }
          const baseRuns: CommandRuns = { rate: baseRate, flat: median(baseFlats) }
          rows.push(...commandRows(realRuns, baseRuns, opts.rate))
          const perCommand = (side: 'real' | 'base') =>
            [...cpu[side]]
              .filter(([, ms]) => ms > 0)
              .sort((x, y) => y[1] - x[1])
              .map(([name, ms]) => `${name} ${((ms * 1000) / (3 * opts.n)).toFixed(0)}`)
              .join(', ')
          rows.push({
            section: 'commands',
            name: 'flat out: CPU µs per command',
            value: null,
            unit: '',
            note: `real: ${perCommand('real')}; baseline: ${perCommand('base')} (10 ms clock ticks)`,
          })
          details.flatRounds = {
            real: realFlats.map((r) => round(r.throughput, 1)),
            baseline: baseFlats.map((r) => round(r.throughput, 1)),
            cpuMs: { real: Object.fromEntries(cpu.real), baseline: Object.fromEntries(cpu.base) },
          }
          rows.push({
            section: 'commands',
            name: 'duplicate replies',
            value: real.collector.duplicates,
            unit: '',
            aim: '0',
            met: real.collector.duplicates === 0,
          })
          details.commands = { real: realRuns, baseline: baseRuns, concurrency: opts.concurrency }
        } catch (error) {
          rows.push({
            section: 'commands',
            name: 'failed',
            value: null,
            unit: '',
            note: String((error as Error).message).slice(0, 300),
          })
        } finally {
          await real.close()
          await base.close()
          await hop.stop()
          children.splice(children.indexOf(hop), 1)
          // The baseline's queues are not the stack's: drop them before Redis's memory is read.
          await dropQueues(redis.url, basePrefix)
        }
      }
    }

    // b. Service HTTP: the items routes against a bare Bun.serve.
    if (opts.only.has('http')) {
      const items = http.find((h) => h.name === 'items')
      if (!items) {
        rows.push({
          section: 'service http',
          name: 'not available',
          value: null,
          unit: '',
          note: 'the items service is not running (see operations)',
        })
      } else {
        say('service http: autocannon')
        try {
          // A garage of its own: three cars, the one read with 60 odometer readings (about five
          // years of monthly readings), whatever the commands part did to the bench garage.
          const headers = { authorization: `Bearer ${TOKEN}`, 'x-tenant': HTTP_TENANT }
          const post = async (path: string, body: unknown) => {
            const res = await fetch(`${items.url}${path}`, {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/json' },
              body: JSON.stringify(body),
            })
            if (res.status !== 200 && res.status !== 201)
              throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`)
          }
          for (const [nickname, make] of [
            ['corolla', 'Toyota'],
            ['civic', 'Honda'],
            ['golf', 'Volkswagen'],
          ] as const) {
            await post('/cars', {
              nickname,
              make,
              odometer: { value: 52_000, unit: 'km', text: '52,000 km' },
            })
          }
          for (let i = 1; i <= 60; i++) {
            await post('/cars/corolla/readings', {
              reading: { value: 52_000 + i * 1_200, unit: 'km', text: `${52_000 + i * 1_200} km` },
            })
          }
          const result = await benchHttp({
            itemsUrl: items.url,
            headers,
            routes: [
              { name: 'car read', path: '/cars/corolla' },
              { name: 'car list', path: '/cars' },
            ],
            seconds: opts.seconds,
            workDir,
            env,
            children,
          })
          rows.push(...result.rows)
          details.http = result.details
        } catch (error) {
          rows.push({
            section: 'service http',
            name: 'failed',
            value: null,
            unit: '',
            note: String((error as Error).message).slice(0, 300),
          })
        }
      }
    }

    // c. Memory of every process of the stack, idle and after the runs.
    if (opts.only.has('memory')) {
      const after = new Map([...pids].map(([name, pid]) => [name, rssMb(pid)]))
      const afterPss = new Map([...pids].map(([name, pid]) => [name, pssMb(pid)]))
      const redisUsed = await redisUsedMb(redis.url)
      // And once the stack has been quiet a few seconds: what it holds, not the last second's garbage.
      await Bun.sleep(SETTLE_MS)
      const settled = new Map([...pids].map(([name, pid]) => [name, rssMb(pid)]))
      const total = (m: Map<string, number | null>) => [...m.values()].reduce<number>((n, v) => n + (v ?? 0), 0)
      for (const [name, pid] of pids) {
        rows.push({
          section: 'memory',
          name: `${name} RSS after runs`,
          value: round(after.get(name) ?? null, 1),
          unit: 'MB',
          note: `idle ${round(idle.get(name) ?? null, 1) ?? '—'} MB, ${SETTLE_MS / 1000} s later ${round(settled.get(name) ?? null, 1) ?? '—'} MB, peak ${round(peakRssMb(pid), 1) ?? '—'} MB; PSS idle ${round(idlePss.get(name) ?? null, 1) ?? '—'} MB, after ${round(afterPss.get(name) ?? null, 1) ?? '—'} MB${name === 'redis-server' ? `; used_memory ${round(redisUsed, 1) ?? '—'} MB` : ''}`,
        })
      }
      const afterTotal = total(after)
      rows.push(
        {
          section: 'memory',
          name: 'stack total RSS after runs',
          value: round(afterTotal, 1),
          unit: 'MB',
          aim: '< 400 MB',
          met: afterTotal < 400,
          note: `idle ${round(total(idle), 1)} MB; ${pids.size} processes incl. redis-server; RSS counts the Bun executable's code in every Bun process`,
        },
        {
          section: 'memory',
          name: `stack total RSS ${SETTLE_MS / 1000} s after the runs`,
          value: round(total(settled), 1),
          unit: 'MB',
        },
        {
          section: 'memory',
          name: 'stack total PSS (shared pages counted once) after runs',
          value: round(total(afterPss), 1),
          unit: 'MB',
          note: `idle ${round(total(idlePss), 1)} MB; the memory the stack occupies`,
        },
      )
      details.memory = {
        idle: Object.fromEntries(idle),
        after: Object.fromEntries(after),
        settled: Object.fromEntries(settled),
        idlePss: Object.fromEntries(idlePss),
        afterPss: Object.fromEntries(afterPss),
      }
    }

    // Operations: health/readiness of every HTTP process, and the structure of their logs.
    if (opts.only.has('ops')) {
      rows.push(
        ...(await checkEndpoints(
          http.map((h) => ({ name: h.name, url: h.url })),
          TOKEN,
        )),
      )
      for (const c of children) {
        if (c.name === 'bare-server' || c.name === 'hop-worker') continue
        rows.push(auditLog(c.name, readFileSync(c.logFile, 'utf8')))
      }
    }

    // d. The parts other issues provide.
    for (const [part, section, file] of [
      ['reminders', 'reminder tick', 'reminder-tick.ts'],
      ['thumbnails', 'thumbnails', 'thumbnails.ts'],
    ] as const) {
      if (!opts.only.has(part)) continue
      say(`${section}: bench/${file}`)
      const result = await optionalPart(section, file, opts.quick)
      rows.push(...result.rows)
      if (result.raw !== undefined) details[part] = result.raw
    }
  } finally {
    await cleanup()
  }

  const seconds = round((Date.now() - started) / 1000, 1)
  console.log(formatTable(rows))
  console.log(
    `\n${rows.filter((r) => r.met === false).length} aim(s) missed of ${rows.filter((r) => r.met !== undefined).length}; ${seconds} s; ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )
  const results = {
    at: new Date().toISOString(),
    seconds,
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg(), bun: Bun.version },
    options: { ...opts, only: [...opts.only] },
    rows,
    details,
  }
  writeFileSync(join(import.meta.dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
  console.log('written bench/results.json')
}

if (import.meta.main) await main()
