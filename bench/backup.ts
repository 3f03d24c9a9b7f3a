/**
 * Backups while the stack works: the command mix (bench/commands.ts) at the offered rate on its
 * own, and while `bun run backup` runs back to back in a process of its own, as an operator's
 * would, in four alternating rounds after a warm-up (each service writes its part with VACUUM
 * INTO; the command hashes every file). Before both, another garage gets `rows` records (the issue's garage of 100,000: fill-ups
 * and odometer readings written straight into the items database), so the snapshot has something
 * to copy. Aim: the commands' p99 during backups at most twice their p99 without.
 */
import { mkdirSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { type LoadResult, makeProducer, mixedCommand, pooled, runLoad, setupCommands } from './commands.ts'
import { median, round, type Row, say, stats } from './lib.ts'
import { seedGarage } from './seed.ts'
import type { BenchStack } from './stack.ts'

const ROOT = join(import.meta.dir, '..')
const SEED_TENANT = 'local:bench-backup'

/** A garage of `rows` records (half fill-ups, half odometer readings) on one car of its own. */
async function seed(stack: BenchStack, rows: number): Promise<void> {
  const res = await fetch(`${stack.env.ITEMS_URL}/cars`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${stack.env.SERVICE_TOKEN}`,
      'x-tenant': SEED_TENANT,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ nickname: 'archive' }),
  })
  if (!res.ok) throw new Error(`seeding the car: ${res.status} ${(await res.text()).slice(0, 200)}`)
  const car = (await res.json()) as { id: number }
  seedGarage(stack.env.DATA_DIR!, SEED_TENANT, car.id, rows)
}

/** Runs `bun run backup --to …` back to back until `stop()`; each one's time and the last one's output. */
function backupsUntilStopped(stack: BenchStack, workDir: string, round: number) {
  const times: number[] = []
  let failures = 0
  let lastOutput = ''
  let stopped = false
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const started = performance.now()
      const to = join(workDir, 'backups', `${round}-${i}`)
      // exactly what an operator types: the package script starts it at idle priority (scripts/backup.sh)
      const proc = Bun.spawn([process.execPath, 'run', 'backup', '--to', to], {
        cwd: ROOT,
        env: { ...stack.env, LOG_LEVEL: 'warn' },
        stdout: 'pipe',
        stderr: 'pipe',
      })
      const [out, err, code] = await Promise.all([
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
        proc.exited,
      ])
      if (code === 0) times.push(performance.now() - started)
      else failures++
      lastOutput = code === 0 ? out : err
      // Only the time matters here; a full run takes a hundred snapshots. Removed off the event
      // loop (a synchronous unlink of a large file would stall the collector timing the replies).
      await rm(to, { recursive: true, force: true })
    }
  })()
  return {
    stop: async () => {
      stopped = true
      await done
      return { times, failures, lastOutput }
    },
  }
}

export async function benchBackup(o: {
  stack: BenchStack
  redisUrl: string
  workDir: string
  n: number
  rate: number
  rows: number
}): Promise<Row[]> {
  const section = 'backup'
  mkdirSync(join(o.workDir, 'backups'), { recursive: true })
  say(`backup: a garage of ${o.rows} records beside the commands' one`)
  await seed(o.stack, o.rows)
  const producer = makeProducer(o.redisUrl, o.stack.prefix)
  try {
    await producer.collector.ready()
    // The two cars the mix uses (already there when the commands part ran: those replies are refusals).
    await runLoad(producer, setupCommands.length, undefined, (i, id) => setupCommands[i]!(id), 10_000)
    // Four alternating rounds of a quarter each (without, during, without, during …), their
    // latencies pooled per side: a stack still warming up, or load from elsewhere on a shared
    // machine, falls on both sides alike instead of on whichever ran first.
    const quarter = Math.ceil(o.n / 4)
    // a warm-up round, not counted: the first commands after the seed are no one's figure
    await runLoad(producer, quarter, o.rate, mixedCommand, 60_000)
    const withouts: LoadResult[] = []
    const durings: LoadResult[] = []
    const times: number[] = []
    let failures = 0
    let lastOutput = ''
    for (let round = 0; round < 4; round++) {
      say(`backup: round ${round + 1} of 4: ${quarter} commands at ${o.rate}/s without, then while backups run back to back`)
      withouts.push(await runLoad(producer, quarter, o.rate, mixedCommand, 60_000))
      const backups = backupsUntilStopped(o.stack, o.workDir, round)
      // The first backup starts a Bun process before it asks the services: let it reach them.
      await Bun.sleep(300)
      durings.push(await runLoad(producer, quarter, o.rate, mixedCommand, 60_000))
      const r = await backups.stop()
      times.push(...r.times)
      failures += r.failures
      lastOutput = r.lastOutput || lastOutput
    }
    const without = pooled(withouts)
    const during = pooled(durings)
    const taken = { times, failures, lastOutput }
    const ratio = during.latency.p99 / without.latency.p99
    const lost = (x: typeof without) =>
      x.lost || x.tones.error ? `; ${x.lost} unanswered, ${x.tones.error ?? 0} errors` : ''
    const size = /manifest\.json: (.+)$/m.exec(taken.lastOutput)?.[1]
    return [
      {
        section,
        name: 'command p99 without a backup',
        value: round(without.latency.p99),
        unit: 'ms',
        note: `p50 ${round(without.latency.p50)} ms, ${without.answered} answered${lost(without)}; 4 rounds alternating with the next, pooled`,
      },
      {
        section,
        name: 'command p99 while backups run',
        value: round(during.latency.p99),
        unit: 'ms',
        baseline: round(without.latency.p99),
        ratio: round(ratio, 2),
        aim: '≤ 2× without',
        met: ratio <= 2 && taken.times.length > 0 && during.lost === 0,
        note: `p50 ${round(during.latency.p50)} ms, ${during.answered} answered${lost(during)}`,
      },
      {
        section,
        name: 'backups taken during the run',
        value: taken.times.length,
        unit: '',
        note: `each ${round(median(taken.times), 0)} ms (median, max ${round(stats(taken.times).max, 0)} ms, with its process start)${taken.failures ? `; ${taken.failures} failed: ${taken.lastOutput.slice(0, 160)}` : ''}; snapshot ${size ?? '?'}; garage of ${o.rows} records`,
      },
    ]
  } finally {
    await producer.close()
  }
}
