/**
 * Commands through the real path (dispatch → `commands` → worker process → items service
 * process → `replies.local` → this process) against the baseline: the same Dispatcher and
 * collector on the same Redis, with a no-op hop process in the worker's place.
 */
import { type Job, Worker } from 'bullmq'
import type IORedis from 'ioredis'
import { producerConnection, workerConnection } from '../lib/redis.ts'
import { Dispatcher } from '../bots/shared/dispatch.ts'
import type { Envelope, ReplyJob } from '../lib/contracts/envelope.ts'
import { bullPrefix, repliesQueue } from '../lib/contracts/queues.ts'
import { round, type Row, type Stats, stats } from './lib.ts'

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
    this.worker = new Worker(
      repliesQueue('local'),
      async (job: Job) => {
        const at = performance.now()
        const data = job.data as ReplyJob
        if (data.notice) return
        const prior = this.arrivals.get(data.envelopeId)
        if (prior) {
          prior.count++
          this.duplicates++
          return
        }
        this.arrivals.set(data.envelopeId, { at, tone: data.reply.tone, text: data.reply.text, count: 1 })
        this.wake?.()
      },
      { connection: this.connection, prefix: bullPrefix(queuePrefix), concurrency: 16 },
    )
    this.worker.on('error', () => {})
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
  tones: Record<string, number>
  firstError?: string
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
    tones,
    ...(firstError ? { firstError } : {}),
  }
}

const envelope = (id: string, kind: string, payload: unknown): Envelope => ({
  id,
  kind,
  tenant: BENCH_TENANT,
  actor: { platform: 'local', userId: 'bench', name: 'Bench' },
  replyTo: { platform: 'local', session: 'bench' },
  payload,
  at: Date.now(),
})

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
    aim: '≥ 0.50× baseline',
    met: flatRatio >= 0.5 && real.flat.lost === 0,
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
      row.aim = '< 25 ms'
      row.met = real.rate.latency.p99 < 25 && real.rate.lost === 0
    }
    rows.push(row)
  }
  return rows
}
