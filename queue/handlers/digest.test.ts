/**
 * The digest end to end on the real stack: `/garage settings digest:weekly` is kept and shown,
 * the reminder tick posts the garage's digest in its reminder channel once it is past the
 * reminder hour — what falls due next, the week's spending against the week before (each car's
 * `/calc cost` of those days), the economy of the two weeks, a small chart — and a second tick,
 * or a new worker's tick after a restart, posts nothing more for the same week. A garage that
 * did not ask for one gets none.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Queue } from 'bullmq'
import type IORedis from 'ioredis'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply, ReplyJob } from '../../lib/contracts/envelope.ts'
import { localGarageQueue, queueOptions } from '../../lib/contracts/queues.ts'
import { silentLogger } from '../../lib/log.ts'
import { workerConnection } from '../../lib/redis.ts'
import { pngFacts } from '../../services/reports/testing.ts'
import { type Stack, STACK_SESSION, startStack } from '../../test/stack.ts'
import { startReminders } from '../reminders.ts'
import { digestPeriod } from '../../services/items/reminders/digests.ts'
import { digestEnvelopeId } from './shared/digest.ts'

let stack: Stack
let connection: IORedis
let at = new Date('2026-06-15T08:00:00Z') // a Monday, before the reminder hour (9, UTC)
const now = () => at
const GARAGE = 'local:digest-e2e'
const QUIET = 'local:digest-quiet'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator', 'images', 'reports'], now })
  connection = workerConnection(stack.config.REDIS_URL!)
})
afterAll(async () => {
  connection?.disconnect()
  await stack?.close()
})

async function say(line: string, tenant = GARAGE): Promise<Reply> {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  const r = await stack.command(parsed.kind, parsed.payload, { tenant })
  if (r.tone === 'error') throw new Error(`${line}: ${r.text}`)
  return r
}

async function channel(tenant: string) {
  const res = await fetch(`${stack.url('items')}/settings`, {
    method: 'PATCH',
    headers: stack.headers(tenant),
    body: JSON.stringify({ reminder_channel: STACK_SESSION, reminder_hour: 9, timezone: 'UTC' }),
  })
  expect(res.status).toBe(200)
  await res.body?.cancel()
}

/** What was posted in a terminal-chat garage's channel (its reply queue) under an envelope id. */
async function posted(tenant: string, id: string): Promise<Reply[]> {
  const q = new Queue(localGarageQueue(tenant), queueOptions(connection, stack.prefix))
  try {
    const jobs = await q.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])
    return jobs.filter((j) => (j.data as ReplyJob).envelopeId === id).map((j) => (j.data as ReplyJob).reply)
  } finally {
    await q.close()
  }
}

async function tick() {
  const r = await startReminders({ connection, queuePrefix: stack.prefix, config: stack.config, log: silentLogger, now, process: false })
  try {
    await r.tick()
  } finally {
    await r.close()
  }
}

describe('the digest', () => {
  test('setup: a weekly digest is kept and shown; off is the default', async () => {
    const before = await say('/garage settings')
    expect(before.fields?.find((f) => f.name === 'Digest')?.value).toStartWith('off')
    await say('/garage settings units:metric currency:USD digest:weekly')
    await channel(GARAGE)
    const shown = await say('/garage settings')
    expect(shown.fields?.find((f) => f.name === 'Digest')?.value).toBe('weekly, in the reminder channel after 09:00')
    await say('/car add polo')
    // the week before (06-01 – 06-07) and the week the digest tells of (06-08 – 06-14)
    await say('/fuel log car:polo volume:"40 L" cost:60 odometer:"10000 km" date:2026-06-01')
    await say('/fuel log car:polo volume:"40 L" cost:60 odometer:"10500 km" date:2026-06-05')
    await say('/fuel log car:polo volume:"36 L" cost:54 odometer:"11100 km" date:2026-06-09')
    await say('/service log car:polo title:"Oil and filter" cost:120 date:2026-06-10')
    await say('/item add car:polo name:"Tyre rotation" months:6 last_date:2026-01-01')
    // a garage with a reminder channel that did not ask for a digest
    await say('/car add golf', QUIET)
    await channel(QUIET)
  })

  test('before the reminder hour nothing is posted; after it the digest comes, once', async () => {
    const id = digestEnvelopeId(GARAGE, 'week:2026-06-15')
    await tick()
    expect(await posted(GARAGE, id)).toHaveLength(0)
    at = new Date('2026-06-15T09:30:00Z')
    await tick()
    const [r, ...more] = await posted(GARAGE, id)
    expect(more).toHaveLength(0)
    if (!r) throw new Error('no digest posted')
    expect(r.title).toBe('Weekly digest: 2026-06-08 – 2026-06-14')
    expect(r.text).toContain('Tyre rotation')
    // 06-08 – 06-14: $54 of fuel and $120 of service; the week before: $120 of fuel
    expect(r.text).toContain('$174.00 against $120.00 the week before (+45%)')
    // 600 km on 36 L in the week; 500 km on 40 L the week before
    expect(r.text).toContain('polo: 6.0 L/100 km (the week before: 8.0 L/100 km)')
    expect(r.file?.type).toBe('image/png')
    const res = await fetch(`${stack.url('images')}/files/${r.file!.id}`, { headers: stack.headers(GARAGE) })
    const png = await pngFacts(new Uint8Array(await res.arrayBuffer()))
    expect([png.width, png.height]).toEqual([600, 300])
    expect(png.inked).toBeGreaterThan(0.01)

    // the same week again, and a new worker after a restart: nothing more
    at = new Date('2026-06-17T12:00:00Z')
    await tick()
    await tick()
    expect(await posted(GARAGE, id)).toHaveLength(1)
    // the quiet garage never got one
    expect(await posted(QUIET, digestEnvelopeId(QUIET, 'week:2026-06-15'))).toHaveLength(0)
  }, 30_000)

  test('the next week has its own digest', async () => {
    at = new Date('2026-06-22T10:00:00Z')
    await tick()
    const [r] = await posted(GARAGE, digestEnvelopeId(GARAGE, 'week:2026-06-22'))
    if (!r) throw new Error('no digest posted')
    expect(r.title).toBe('Weekly digest: 2026-06-15 – 2026-06-21')
    expect(r.text).toContain('$0.00 against $174.00 the week before (−100%)')
  }, 30_000)

  test('the periods: a week from Monday, a month from its first day', () => {
    expect(digestPeriod('weekly', '2026-06-17')).toEqual({
      period: 'week:2026-06-15',
      covers: { from: '2026-06-08', to: '2026-06-14' },
      before: { from: '2026-06-01', to: '2026-06-07' },
    })
    expect(digestPeriod('monthly', '2026-03-31')).toEqual({
      period: 'month:2026-03',
      covers: { from: '2026-02-01', to: '2026-02-28' },
      before: { from: '2026-01-01', to: '2026-01-31' },
    })
  })
})
