/**
 * Fairness between garages: what one garage's flood does to everyone else's answers. Twenty
 * small garages send one `car.list` a second each (20/s together) for a while on their own,
 * then again while one garage sends 3,000 commands at once from twenty of its users, twice
 * what the stack answers in a second flat out. Both go
 * through the bots' own dispatch with the default rate limits (bots/shared/rate-limit.ts), so the
 * flood is answered at dispatch instead of filling the queue every garage shares. Aim: the other
 * garages' p99 under the flood at most twice their p99 without it.
 */
import { Dispatcher } from '../bots/shared/dispatch.ts'
import { localEnvelope } from '../bots/shared/envelope.ts'
import { rateLimits } from '../bots/shared/rate-limit.ts'
import { parseConfig } from '../lib/config.ts'
import type { Envelope } from '../lib/contracts/envelope.ts'
import { producerConnection } from '../lib/redis.ts'
import { BENCH_SESSION, ReplyCollector, runLoad } from './commands.ts'
import { round, type Row, say } from './lib.ts'
import type { BenchStack } from './stack.ts'

const GARAGES = 20
const OTHERS_PER_SECOND = 20
/** The flood: this many commands offered at once, one second into the others' run. */
const FLOOD = 3_000

const command = (tenant: string, user: string, id: string): Envelope =>
  localEnvelope({
    id,
    kind: 'car.list',
    tenant,
    user: { id: user, name: user },
    session: BENCH_SESSION,
    payload: {},
  })

/** One command a second from each of the small garages, in turn. */
const others = (i: number, id: string) => command(`local:bench-garage-${i % GARAGES}`, 'owner', id)
/** The flooding garage's commands, from twenty of its users in turn. */
const flood = (i: number, id: string) => command('local:bench-flood', `user-${i % 20}`, id)

/** Offers the flood all at once after a second and counts what dispatch took and refused. */
async function offerFlood(dispatcher: Dispatcher) {
  await Bun.sleep(1_000)
  const tag = `flood${Date.now().toString(36)}`
  let taken = 0
  let refused = 0
  await Promise.all(
    Array.from({ length: FLOOD }, (_, i) =>
      dispatcher.dispatch(flood(i, `${tag}-${i}`)).then((r) => {
        if (r.ok) taken++
        else refused++
      }),
    ),
  )
  return { offered: FLOOD, taken, refused }
}

export async function benchFairness(o: { stack: BenchStack; redisUrl: string; seconds: number }): Promise<Row[]> {
  const section = 'fairness'
  const connection = producerConnection(o.redisUrl)
  const limits = rateLimits(parseConfig({}))
  const dispatcher = new Dispatcher(connection, o.stack.prefix, 4, 10_000, limits)
  const collector = new ReplyCollector(o.redisUrl, o.stack.prefix)
  await collector.ready()
  const p = { dispatcher, collector }
  const n = OTHERS_PER_SECOND * o.seconds
  const timeout = 30_000
  try {
    say(`fairness: ${GARAGES} garages at ${OTHERS_PER_SECOND}/s together for ${o.seconds} s, alone`)
    await runLoad(p, GARAGES, undefined, others, timeout)
    const idle = await runLoad(p, n, OTHERS_PER_SECOND, others, timeout)
    // The buckets refill at the garages' own pace in between: one command a second each.
    await Bun.sleep(2_000)
    say(`fairness: the same, while one garage offers ${FLOOD} commands at once`)
    const [during, flooded] = await Promise.all([
      runLoad(p, n, OTHERS_PER_SECOND, others, timeout),
      offerFlood(dispatcher),
    ])
    const ratio = during.latency.p99 / idle.latency.p99
    const answered = (x: typeof idle) => `${x.answered}/${x.sent} answered, ${x.dispatchFailures} refused at dispatch`
    return [
      {
        section,
        name: 'other garages alone: latency p99',
        value: round(idle.latency.p99, 1),
        unit: 'ms',
        note: `${GARAGES} garages, ${OTHERS_PER_SECOND}/s together; p50 ${round(idle.latency.p50, 1)} ms; ${answered(idle)}`,
      },
      {
        section,
        name: 'other garages under one garage\'s flood: latency p99',
        value: round(during.latency.p99, 1),
        unit: 'ms',
        baseline: round(idle.latency.p99, 1),
        ratio: round(ratio, 2),
        aim: '≤ 2× alone',
        met: ratio <= 2 && during.lost === 0 && during.dispatchFailures === 0,
        note: `p50 ${round(during.latency.p50, 1)} ms; ${answered(during)}; the flood: ${flooded.offered} offered at once, ${flooded.taken} taken, ${flooded.refused} told to slow down`,
      },
    ]
  } finally {
    await collector.close()
    await dispatcher.close()
    connection.disconnect()
  }
}
