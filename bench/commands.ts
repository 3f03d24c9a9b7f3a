/**
 * Commands through the real path (dispatch → `commands` → worker process → items service
 * process → `replies.local` → this process) against the baseline: the same Dispatcher and
 * collector on the same Redis, with a no-op hop process in the worker's place.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Queue, type Worker } from 'bullmq'
import IORedis from 'ioredis'
import { producerConnection, workerConnection } from '../lib/redis.ts'
import { Dispatcher } from '../bots/shared/dispatch.ts'
import { localEnvelope } from '../bots/shared/envelope.ts'
import type { Envelope } from '../lib/contracts/envelope.ts'
import { bullPrefix, COMMANDS_QUEUE, localRepliesQueue, queueOptions } from '../lib/contracts/queues.ts'
import { localReplies } from '../test/replies.ts'
import { type Child, cpuMs, failedRow, round, type Row, type Stats, say, startChild, stats } from './lib.ts'
import type { BenchStack } from './stack.ts'

export const BENCH_TENANT = 'local:bench'

type Arrival = { at: number; tone: string; text: string; count: number }

/** Consumes `replies.local` under one prefix and notes when each envelope's final reply arrived. */
export class ReplyCollector {
  readonly arrivals = new Map<string, Arrival>()
  duplicates = 0
  private readonly connection: IORedis
  private readonly worker: Worker
  private wake?: () => void

  constructor(redisUrl: string, queuePrefix: string) {
    this.connection = workerConnection(redisUrl)
    this.worker = localReplies(this.connection, queuePrefix, (data) => {
      const at = performance.now()
      if (data.notice) return
      const prior = this.arrivals.get(data.envelopeId)
      if (prior) {
        prior.count++
        this.duplicates++
        return
      }
      this.arrivals.set(data.envelopeId, { at, tone: data.reply.tone, text: data.reply.text, count: 1 })
      this.wake?.()
    }, { sessions: [BENCH_SESSION] })
  }

  ready(): Promise<void> {
    return this.worker.waitUntilReady().then(() => {})
  }

  /** Waits until every id has its reply, or the deadline passes. */
  async waitFor(ids: string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs
    const missing = () => ids.reduce((n, id) => (this.arrivals.has(id) ? n : n + 1), 0)
    let left = missing()
    while (left > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.wake = resolve
        setTimeout(resolve, 25)
      })
      left = missing()
    }
    return left
  }

  async close(): Promise<void> {
    await this.worker.close()
    this.connection.disconnect()
  }
}

export type LoadResult = {
  sent: number
  answered: number
  lost: number
  dispatchFailures: number
  seconds: number
  throughput: number
  latency: Stats
  /** Every answered command's latency, in ms (what `latency` summarises). */
  samples: number[]
  tones: Record<string, number>
  firstError?: string
}

/** Runs of one side taken together: their counts added, their latencies pooled, throughput over their time. */
export function pooled(runs: LoadResult[]): LoadResult {
  const samples = runs.flatMap((r) => r.samples)
  const tones: Record<string, number> = {}
  for (const r of runs) for (const [k, v] of Object.entries(r.tones)) tones[k] = (tones[k] ?? 0) + v
  const sum = (f: (r: LoadResult) => number) => runs.reduce((n, r) => n + f(r), 0)
  const seconds = sum((r) => r.seconds)
  const firstError = runs.find((r) => r.firstError)?.firstError
  return {
    sent: sum((r) => r.sent),
    answered: sum((r) => r.answered),
    lost: sum((r) => r.lost),
    dispatchFailures: sum((r) => r.dispatchFailures),
    seconds,
    throughput: samples.length / seconds,
    latency: stats(samples),
    samples,
    tones,
    ...(firstError ? { firstError } : {}),
  }
}

type Producer = { dispatcher: Dispatcher; collector: ReplyCollector }

let seq = 0

/**
 * Offers `n` envelopes made by `make(i, id)`, at `rate` per second (open loop: latency counts
 * from each command's scheduled time, so a slow system cannot slow the offer down) or all at
 * once when `rate` is undefined, and waits for every reply.
 */
export async function runLoad(
  p: Producer,
  n: number,
  rate: number | undefined,
  make: (i: number, id: string) => Envelope,
  timeoutMs: number,
): Promise<LoadResult> {
  const tag = `b${Date.now().toString(36)}${++seq}`
  const ids: string[] = []
  const start = new Float64Array(n)
  const sends: Promise<unknown>[] = []
  let dispatchFailures = 0
  const send = (i: number) => {
    const id = `${tag}-${i}`
    ids.push(id)
    start[i] = rate === undefined ? performance.now() : t0 + (i * 1000) / rate
    sends.push(
      p.dispatcher.dispatch(make(i, id)).then((r) => {
        if (!r.ok) dispatchFailures++
      }),
    )
  }
  const t0 = performance.now()
  if (rate === undefined) {
    for (let i = 0; i < n; i++) send(i)
  } else {
    let i = 0
    while (i < n) {
      const due = Math.min(n, Math.floor(((performance.now() - t0) * rate) / 1000) + 1)
      while (i < due) send(i++)
      if (i < n) await Bun.sleep(1)
    }
  }
  await Promise.all(sends)
  const lost = await p.collector.waitFor(ids, timeoutMs)
  const latencies: number[] = []
  const tones: Record<string, number> = {}
  let last = t0
  let firstError: string | undefined
  ids.forEach((id, i) => {
    const a = p.collector.arrivals.get(id)
    if (!a) return
    latencies.push(a.at - start[i]!)
    tones[a.tone] = (tones[a.tone] ?? 0) + 1
    if (a.tone === 'error' && !firstError) firstError = a.text
    if (a.at > last) last = a.at
  })
  const seconds = (last - t0) / 1000
  return {
    sent: n,
    answered: latencies.length,
    lost,
    dispatchFailures,
    seconds,
    throughput: latencies.length / seconds,
    latency: stats(latencies),
    samples: latencies,
    tones,
    ...(firstError ? { firstError } : {}),
  }
}

const BENCH_USER = { id: 'bench', name: 'Bench' }
/** The terminal-chat session the bench's commands come from; their replies go to its queue. */
export const BENCH_SESSION = 'bench'
const envelope = (id: string, kind: string, payload: unknown): Envelope =>
  localEnvelope({ id, kind, tenant: BENCH_TENANT, user: BENCH_USER, session: BENCH_SESSION, payload })

let odometer = 60_000

/**
 * The mix: 40% car.show, 30% car.list, 30% car.odometer (a write: an odometer reading). Worker
 * slots run commands out of order, so a reading may arrive after a higher one: `confirm`
 * records it as a correction instead of refusing it, so every reply is a success.
 */
export function mixedCommand(i: number, id: string): Envelope {
  const slot = i % 10
  if (slot < 4) return envelope(id, 'car.show', { car: slot % 2 === 0 ? 'corolla' : 'civic' })
  if (slot < 7) return envelope(id, 'car.list', {})
  odometer += 7
  return envelope(id, 'car.odometer', {
    car: slot % 2 === 0 ? 'corolla' : 'civic',
    reading: { value: odometer, unit: 'km', text: `${odometer} km` },
    confirm: true,
  })
}

/** The two cars the mix reads and writes, added through the real path. */
export const setupCommands = [
  (id: string) =>
    envelope(id, 'car.add', {
      nickname: 'corolla',
      make: 'Toyota',
      model: 'Corolla',
      year: 2018,
      odometer: { value: 52_000, unit: 'km', text: '52,000 km' },
    }),
  (id: string) =>
    envelope(id, 'car.add', {
      nickname: 'civic',
      make: 'Honda',
      model: 'Civic',
      year: 2016,
      odometer: { value: 48_000, unit: 'km', text: '48 000 km' },
    }),
]

export function makeProducer(
  redisUrl: string,
  queuePrefix: string,
): Producer & { close: () => Promise<void> } {
  const connection = producerConnection(redisUrl)
  const dispatcher = new Dispatcher(connection, queuePrefix, 4, 10_000)
  const collector = new ReplyCollector(redisUrl, queuePrefix)
  return {
    dispatcher,
    collector,
    close: async () => {
      await collector.close()
      await dispatcher.close()
      connection.disconnect()
    },
  }
}

export type CommandRuns = { rate: LoadResult; flat: LoadResult }

/** Table rows comparing the real path with the baseline. */
export function commandRows(real: CommandRuns, base: CommandRuns, rate: number): Row[] {
  const section = 'commands'
  const r = (n: number) => round(n, 1)
  const problems = (x: LoadResult) => {
    const parts: string[] = []
    if (x.lost) parts.push(`${x.lost} unanswered`)
    if (x.dispatchFailures) parts.push(`${x.dispatchFailures} dispatch failures`)
    const errors = x.tones.error ?? 0
    if (errors) parts.push(`${errors} error replies, e.g. "${x.firstError?.slice(0, 80)}"`)
    return parts.join('; ')
  }
  const tones = (x: LoadResult) =>
    Object.entries(x.tones)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')
  const rows: Row[] = []
  const flatRatio = real.flat.throughput / base.flat.throughput
  rows.push({
    section,
    name: 'flat out: throughput',
    value: r(real.flat.throughput),
    unit: 'cmd/s',
    baseline: r(base.flat.throughput),
    ratio: round(flatRatio, 2),
    aim: '≥ 0.60× baseline',
    met: flatRatio >= 0.6 && real.flat.lost === 0,
    note: [`${real.flat.answered}/${real.flat.sent} answered (${tones(real.flat)})`, problems(real.flat)]
      .filter(Boolean)
      .join('; '),
  })
  for (const q of ['p50', 'p99'] as const) {
    rows.push({
      section,
      name: `flat out: latency ${q}`,
      value: r(real.flat.latency[q]),
      unit: 'ms',
      baseline: r(base.flat.latency[q]),
      ratio: round(real.flat.latency[q] / base.flat.latency[q], 2),
      note: 'all commands offered at once; mostly queueing time',
    })
  }
  rows.push({
    section,
    name: `${rate}/s: throughput achieved`,
    value: r(real.rate.throughput),
    unit: 'cmd/s',
    baseline: r(base.rate.throughput),
    ratio: round(real.rate.throughput / base.rate.throughput, 2),
    note: [`${real.rate.answered}/${real.rate.sent} answered (${tones(real.rate)})`, problems(real.rate)]
      .filter(Boolean)
      .join('; '),
  })
  for (const q of ['p50', 'p95', 'p99'] as const) {
    const row: Row = {
      section,
      name: `${rate}/s: latency ${q}`,
      value: r(real.rate.latency[q]),
      unit: 'ms',
      baseline: r(base.rate.latency[q]),
      ratio: round(real.rate.latency[q] / base.rate.latency[q], 2),
    }
    if (q === 'p99') {
      row.aim = '< 25 ms and ≤ 1.5× baseline'
      row.met =
        real.rate.latency.p99 < 25 &&
        real.rate.latency.p99 <= 1.5 * base.rate.latency.p99 &&
        real.rate.lost === 0
      row.note = 'latencies of 4 alternating rounds pooled'
    }
    rows.push(row)
  }
  return rows
}

/** Deletes every key matching `pattern`. */
async function unlinkMatching(connection: IORedis, pattern: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await connection.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) await connection.unlink(...keys)
  } while (cursor !== '0')
}

/**
 * The baseline's deduplication keys (an hour's TTL each, thousands a round), deleted after each
 * of its rounds: the baseline shares the stack's Redis, and what it leaves behind would
 * otherwise be counted in the stack's memory. obliterate() does not delete them either.
 */
async function dropBaselineIds(url: string, queuePrefix: string): Promise<void> {
  const connection = new IORedis(url, { maxRetriesPerRequest: null })
  try {
    await unlinkMatching(connection, `${bullPrefix(queuePrefix)}:*:de:*`)
  } finally {
    connection.disconnect()
  }
}

async function dropQueues(url: string, queuePrefix: string): Promise<void> {
  const connection = new IORedis(url, { maxRetriesPerRequest: null })
  try {
    for (const name of [COMMANDS_QUEUE, localRepliesQueue(BENCH_SESSION)]) {
      const queue = new Queue(name, queueOptions(connection, queuePrefix))
      await queue.obliterate({ force: true })
      await queue.close()
    }
    await unlinkMatching(connection, `${bullPrefix(queuePrefix)}:*`)
    // Hand the freed pages back to the system, as a long-running Redis would over time.
    await connection.call('MEMORY', 'PURGE').catch(() => {})
  } finally {
    connection.disconnect()
  }
}

/**
 * The commands part of `bun run bench`: the two cars set up through the real path, a warm-up,
 * `n` commands at `rate` per second, then three alternating rounds of `n` flat out (the medians
 * kept) with the CPU each process spent, for the real path and for the baseline.
 */
export async function benchCommands(o: {
  stack: BenchStack
  redisUrl: string
  workDir: string
  n: number
  rate: number
  concurrency: number
  /** The stack's processes by name, whose CPU time is read. */
  pids: Map<string, number>
  children: Child[]
}): Promise<{ rows: Row[]; details: Record<string, unknown> }> {
  const { stack, n, rate } = o
  const rows: Row[] = []
  const details: Record<string, unknown> = {}
  if (!stack.worker || !stack.up.includes('items')) {
    rows.push({
      section: 'commands',
      name: 'not available',
      value: null,
      unit: '',
      note: !stack.up.includes('items')
        ? 'the items service is not running (see operations)'
        : `worker: ${stack.workerProblem}`,
    })
    return { rows, details }
  }
  const basePrefix = `${stack.prefix}base`
  say('commands: starting the baseline hop process')
  const hop = startChild(
    'hop-worker',
    ['bun', join(import.meta.dir, 'hop-worker.ts'), o.redisUrl, basePrefix, String(o.concurrency)],
    stack.env,
    join(o.workDir, 'hop-worker.log'),
  )
  o.children.push(hop)
  const hopDeadline = Date.now() + 15_000
  while (!readFileSync(hop.logFile, 'utf8').includes('"ready"')) {
    if (Date.now() > hopDeadline || hop.proc.exitCode !== null)
      throw new Error(`hop worker did not start: ${readFileSync(hop.logFile, 'utf8')}`)
    await Bun.sleep(50)
  }
  const real = makeProducer(o.redisUrl, stack.prefix)
  const base = makeProducer(o.redisUrl, basePrefix)
  await Promise.all([real.collector.ready(), base.collector.ready()])
  try {
    let i = 0
    for (const make of setupCommands) {
      const setup = await runLoad(real, 1, undefined, (_, id) => make(id), 15_000)
      if (setup.answered !== 1 || (setup.tones.ok ?? 0) !== 1) {
        throw new Error(`setting up car ${++i} failed: ${setup.firstError ?? 'no reply within 15 s'}`)
      }
    }
    const timeout = Math.max(30_000, (n / 50) * 1000)
    const warm = Math.min(300, n)
    say(`commands: warm-up (${warm} each)`)
    await runLoad(base, warm, undefined, mixedCommand, timeout)
    await dropBaselineIds(o.redisUrl, basePrefix)
    await runLoad(real, warm, undefined, mixedCommand, timeout)
    // At a steady rate too the machine's own hiccups would land on one side only: four rounds of
    // a quarter each, alternating, their latencies pooled.
    say(`commands: ${n} at ${rate}/s, 4 rounds alternating baseline and real`)
    const baseRates: LoadResult[] = []
    const realRates: LoadResult[] = []
    const quarter = Math.ceil(n / 4)
    for (let round = 0; round < 4; round++) {
      baseRates.push(await runLoad(base, quarter, rate, mixedCommand, timeout))
      await dropBaselineIds(o.redisUrl, basePrefix)
      realRates.push(await runLoad(real, quarter, rate, mixedCommand, timeout))
    }
    const baseRate = pooled(baseRates)
    const realRate = pooled(realRates)
    // Flat out is short and the machine is shared: alternate three rounds, keep the medians.
    say(`commands: ${n} flat out, 3 rounds alternating baseline and real`)
    const baseFlats: LoadResult[] = []
    const realFlats: LoadResult[] = []
    const watched = new Map<string, number>([
      ...o.pids,
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
      baseFlats.push(await measureCpu('base', () => runLoad(base, n, undefined, mixedCommand, timeout)))
      await dropBaselineIds(o.redisUrl, basePrefix)
      realFlats.push(await measureCpu('real', () => runLoad(real, n, undefined, mixedCommand, timeout)))
    }
    const median = (runs: LoadResult[]) => [...runs].sort((x, y) => x.throughput - y.throughput)[1]!
    const realRuns: CommandRuns = { rate: realRate, flat: median(realFlats) }
    const baseRuns: CommandRuns = { rate: baseRate, flat: median(baseFlats) }
    rows.push(...commandRows(realRuns, baseRuns, rate))
    const perCommand = (side: 'real' | 'base') =>
      [...cpu[side]]
        .filter(([, ms]) => ms > 0)
        .sort((x, y) => y[1] - x[1])
        .map(([name, ms]) => `${name} ${((ms * 1000) / (3 * n)).toFixed(0)}`)
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
    // The summaries, not every latency (results.json stays readable).
    const summary = ({ rate, flat }: CommandRuns) => ({
      rate: { ...rate, samples: undefined },
      flat: { ...flat, samples: undefined },
    })
    details.commands = { real: summary(realRuns), baseline: summary(baseRuns), concurrency: o.concurrency }
    details.rateRounds = {
      realP99: realRates.map((r) => round(r.latency.p99, 1)),
      baselineP99: baseRates.map((r) => round(r.latency.p99, 1)),
    }
  } catch (error) {
    rows.push(failedRow('commands', error))
  } finally {
    await real.close()
    await base.close()
    await hop.stop()
    o.children.splice(o.children.indexOf(hop), 1)
    // The baseline's queues are not the stack's: drop them before Redis's memory is read.
    await dropQueues(o.redisUrl, basePrefix)
  }
  return { rows, details }
}
