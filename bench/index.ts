/**
 * `bun run bench`: measures the stack on this machine against baselines taken in the same run,
 * prints a table and writes bench/results.json.
 *
 * It starts its own redis-server (AOF on, `appendfsync everysec`, `noeviction`, as production
 * has it; never the machine's 6379), every service and the worker as separate processes with
 * SQLite on disk in a temporary folder (bench/stack.ts), and removes all of it afterwards. The
 * parts: commands (bench/commands.ts), service http (bench/http.ts), memory (bench/memory.ts),
 * one garage's flood against twenty others (bench/fairness.ts), operations (bench/ops.ts),
 * commands during backups (bench/backup.ts), the reminder tick (bench/reminder-tick.ts),
 * photo thumbnails (bench/thumbnails.ts), imports and a large export (bench/imports.ts), and
 * charts and the vehicle history report (bench/reports.ts).
 *
 * Options: --n=2000 (commands per run), --rate=200 (offered commands/s), --seconds=5 (per HTTP
 * run), --concurrency=8 (worker and baseline), --quick (n=300, 2 s HTTP runs),
 * --only=commands,http,memory,fairness,ops,backup,reminders,thumbnails,imports,reports
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRedis } from '../test/redis.ts'
import { benchBackup } from './backup.ts'
import { benchCommands } from './commands.ts'
import { benchFairness } from './fairness.ts'
import { benchItemsHttp } from './http.ts'
import { type Child, failedRow, formatTable, round, type Row, say } from './lib.ts'
import { idleMemory, memoryAfterRuns } from './memory.ts'
import { opsRows } from './ops.ts'
import { startBenchStack, TOKEN } from './stack.ts'

const PARTS = ['commands', 'http', 'memory', 'fairness', 'ops', 'backup', 'reminders', 'thumbnails', 'imports', 'reports'] as const

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
  const all: readonly string[] = PARTS
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
    const stack = await startBenchStack({
      redisUrl: redis.url,
      dataDir,
      workDir,
      concurrency: opts.concurrency,
      children,
      rows,
    })
    const memory = await idleMemory(children, redis.url)

    // a. Commands through the real path, against the bare two-hop baseline.
    if (opts.only.has('commands')) {
      const result = await benchCommands({
        stack,
        redisUrl: redis.url,
        workDir,
        n: opts.n,
        rate: opts.rate,
        concurrency: opts.concurrency,
        pids: memory.pids,
        children,
      })
      rows.push(...result.rows)
      Object.assign(details, result.details)
    }

    // b. Service HTTP: the items routes against a bare Bun.serve.
    if (opts.only.has('http')) {
      const result = await benchItemsHttp({ stack, seconds: opts.seconds, workDir, children })
      rows.push(...result.rows)
      if (result.details) details.http = result.details
    }

    // c. Memory of every process of the stack, idle and after the runs.
    if (opts.only.has('memory')) {
      const result = await memoryAfterRuns(memory, redis.url)
      rows.push(...result.rows)
      details.memory = result.details
    }

    // e. One garage's flood against twenty others, through dispatch with the default rate limits
    // (after the memory reading: its garages are not the stack's idle state).
    if (opts.only.has('fairness')) {
      rows.push(...(await benchFairness({ stack, redisUrl: redis.url, seconds: opts.quick ? 3 : 10 })))
    }

    // Operations: health/readiness of every HTTP process, and the structure of their logs.
    if (opts.only.has('ops')) rows.push(...(await opsRows(stack, children, TOKEN)))

    // Commands while `bun run backup` runs back to back, against the same mix without it.
    if (opts.only.has('backup')) {
      try {
        rows.push(
          ...(await benchBackup({
            stack,
            redisUrl: redis.url,
            workDir,
            n: opts.n,
            rate: opts.rate,
            rows: opts.quick ? 10_000 : 100_000,
          })),
        )
      } catch (error) {
        rows.push(failedRow('backup', error))
      }
    }

    // d. Parts measured in processes of their own. Each module is loaded only when its part
    // runs, so the bench client measured above does not hold the image codecs.
    for (const [part, section, file, load] of [
      ['reminders', 'reminder tick', 'reminder-tick.ts', () => import('./reminder-tick.ts')],
      ['thumbnails', 'thumbnails', 'thumbnails.ts', () => import('./thumbnails.ts')],
      ['imports', 'imports', 'imports.ts', () => import('./imports.ts')],
      ['reports', 'reports', 'reports.ts', () => import('./reports.ts')],
    ] as const) {
      if (!opts.only.has(part)) continue
      say(`${section}: bench/${file}`)
      try {
        const partRows = await (await load()).default({ quick: opts.quick })
        rows.push(...partRows)
        details[part] = partRows
      } catch (error) {
        rows.push(failedRow(section, error))
      }
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
