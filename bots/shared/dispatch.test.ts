import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import type IORedis from 'ioredis'
import { parseConfig } from '../../lib/config.ts'
import { commandJobId } from '../../lib/contracts/queues.ts'
import { producerConnection } from '../../lib/redis.ts'
import { testRedisUrl } from '../../test/env.ts'
import { freePort, uniquePrefix } from '../../test/redis.ts'
import { Dispatcher, type DispatchResult, dispatchFailureText, UNAVAILABLE_TEXT } from './dispatch.ts'
import { envelope } from './envelope.ts'
import { type RateLimits, rateKeys, rateLimits } from './rate-limit.ts'

let connection: IORedis
let seq = 0
const opened: Dispatcher[] = []

beforeAll(() => {
  connection = producerConnection(testRedisUrl())
})
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()))
})
afterAll(() => {
  connection.disconnect()
})

const limits = (l: Partial<RateLimits>): RateLimits => ({
  userPerMinute: 0,
  userBurst: 1,
  garagePerMinute: 0,
  garageBurst: 1,
  ...l,
})

function dispatcher(l: RateLimits, prefix = uniquePrefix('rate'), conn = connection): Dispatcher {
  const d = new Dispatcher(conn, prefix, 1, 2_500, l)
  opened.push(d)
  return d
}

const command = (tenant: string, userId: string) =>
  envelope({
    id: `r${Date.now().toString(36)}-${++seq}`,
    kind: 'garage.help',
    tenant,
    actor: { platform: 'local', userId, name: userId },
    replyTo: { platform: 'local', session: 's' },
    payload: {},
    at: Date.now(),
  })

const send = (d: Dispatcher, tenant: string, userId: string) => d.dispatch(command(tenant, userId))
const sendMany = async (d: Dispatcher, n: number, tenant: string, userId: string) => {
  const out: DispatchResult[] = []
  for (let i = 0; i < n; i++) out.push(await send(d, tenant, userId))
  return out
}

describe('dispatch rate limits', () => {
  test('a user over the limit is refused with the wait and not queued; another user of the same garage is not', async () => {
    // 10 per 10 s (60 a minute), 10 at once.
    const d = dispatcher(limits({ userPerMinute: 60, userBurst: 10 }))
    expect((await sendMany(d, 10, 'local:g1', 'ann')).every((r) => r.ok)).toBe(true)
    const job = command('local:g1', 'ann')
    const refused = await d.dispatch(job)
    expect(refused).toEqual({ ok: false, reason: 'limited', scope: 'user', retryAfterSeconds: 1 })
    expect(await d.queue.getJob(commandJobId(job.id))).toBeUndefined()
    expect(await send(d, 'local:g1', 'bob')).toEqual({ ok: true })
    // The same user id in another garage has its own bucket.
    expect(await send(d, 'local:g2', 'ann')).toEqual({ ok: true })
  })

  test('the wait is the time until the next token', async () => {
    const d = dispatcher(limits({ userPerMinute: 6, userBurst: 1 }))
    expect(await send(d, 'local:g', 'ann')).toEqual({ ok: true })
    const refused = await send(d, 'local:g', 'ann')
    expect(refused.ok).toBe(false)
    if (!refused.ok && refused.reason === 'limited') expect(refused.retryAfterSeconds).toBeOneOf([9, 10])
  })

  test('a garage over its limit is refused, whoever sends; another garage is not', async () => {
    // A garage may send 30 at once, then one every 10 s.
    const d = dispatcher(limits({ userPerMinute: 60, userBurst: 10, garagePerMinute: 6, garageBurst: 30 }))
    // 30 commands from 6 users (5 each, under their own limit) use up the garage's burst.
    for (let u = 0; u < 6; u++) expect((await sendMany(d, 5, 'slack:TBUSY', `u${u}`)).every((r) => r.ok)).toBe(true)
    const refused = await send(d, 'slack:TBUSY', 'newcomer')
    expect(refused).toMatchObject({ ok: false, reason: 'limited', scope: 'garage' })
    expect(await send(d, 'slack:TQUIET', 'u0')).toEqual({ ok: true })
    // The refused user's own bucket was not charged for the refused command.
    const d2 = dispatcher(limits({ userPerMinute: 60, userBurst: 1 }), (d.queue.opts.prefix ?? '').replace(/^bull:/, ''))
    expect(await send(d2, 'slack:TBUSY', 'newcomer')).toEqual({ ok: true })
  })

  test('the bucket refills by the time elapsed', async () => {
    // A token every 200 ms, 2 at once.
    const d = dispatcher(limits({ userPerMinute: 300, userBurst: 2 }))
    expect((await sendMany(d, 2, 'local:g', 'ann')).every((r) => r.ok)).toBe(true)
    expect((await send(d, 'local:g', 'ann')).ok).toBe(false)
    await Bun.sleep(250)
    expect(await send(d, 'local:g', 'ann')).toEqual({ ok: true })
    expect((await send(d, 'local:g', 'ann')).ok).toBe(false)
    // Never past the burst, however long it waits.
    await Bun.sleep(600)
    expect((await sendMany(d, 3, 'local:g', 'ann')).map((r) => r.ok)).toEqual([true, true, false])
  })

  test('limits of 0 are off: no refusal, no bucket in Redis', async () => {
    const prefix = uniquePrefix('rate')
    const d = dispatcher(limits({}), prefix)
    expect((await sendMany(d, 40, 'local:g', 'ann')).every((r) => r.ok)).toBe(true)
    expect(await connection.exists(...rateKeys(prefix, 'local:g', 'ann'))).toBe(0)
    // One limit off, the other on: only the one that is on refuses.
    const g = dispatcher(limits({ garagePerMinute: 60, garageBurst: 3 }))
    expect((await sendMany(g, 4, 'local:g', 'ann')).map((r) => (r.ok ? 'ok' : r.reason === 'limited' && r.scope))).toEqual([
      'ok',
      'ok',
      'ok',
      'garage',
    ])
  })

  test('an idle bucket expires from Redis once it would be full again', async () => {
    const prefix = uniquePrefix('rate')
    const d = dispatcher(limits({ userPerMinute: 600, userBurst: 2 }), prefix)
    await send(d, 'local:g', 'ann')
    const [userKey] = rateKeys(prefix, 'local:g', 'ann')
    const ttl = await connection.pttl(userKey!)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(100 + 1000)
  })

  test('Redis unreachable: unavailable, as without limits', async () => {
    const dead = producerConnection(`redis://127.0.0.1:${await freePort()}`)
    dead.on('error', () => {})
    try {
      const d = dispatcher(limits({ userPerMinute: 60, userBurst: 10 }), uniquePrefix('rate'), dead)
      const started = Date.now()
      expect(await send(d, 'local:g', 'ann')).toEqual({ ok: false, reason: 'unavailable' })
      expect(Date.now() - started).toBeLessThan(3_000)
    } finally {
      dead.disconnect()
    }
  })

  test('the settings: defaults on, 0 turns a limit off', () => {
    expect(rateLimits(parseConfig({}))).toEqual({ userPerMinute: 60, userBurst: 10, garagePerMinute: 60, garageBurst: 30 })
    expect(rateLimits(parseConfig({ RATE_USER_PER_MINUTE: '0', RATE_GARAGE_PER_MINUTE: '0' }))).toMatchObject({
      userPerMinute: 0,
      garagePerMinute: 0,
    })
    expect(() => parseConfig({ RATE_GARAGE_PER_MINUTE: '-1' })).toThrow('RATE_GARAGE_PER_MINUTE')
  })

  test('what the user is told', () => {
    expect(dispatchFailureText({ ok: false, reason: 'unavailable' })).toBe(UNAVAILABLE_TEXT)
    expect(dispatchFailureText({ ok: false, reason: 'limited', scope: 'user', retryAfterSeconds: 4 })).toStartWith(
      'Slow down: you can send another command in 4 s.',
    )
    expect(dispatchFailureText({ ok: false, reason: 'limited', scope: 'garage', retryAfterSeconds: 2 })).toStartWith(
      'This garage is sending too many commands right now; you can send another in 2 s.',
    )
  })

  test("a flood at once: the process's own buckets refuse what Redis would, without asking it each time", async () => {
    const d = dispatcher(limits({ userPerMinute: 600, userBurst: 100, garagePerMinute: 60, garageBurst: 30 }))
    const calls = async () => {
      const stats = (await connection.info('commandstats')) as string
      const count = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
      return count('evalsha') + count('eval')
    }
    // The script is loaded into Redis by the first call (EVALSHA, NOSCRIPT, EVAL); count after it.
    expect((await send(d, 'local:warm', 'u1')).ok).toBe(true)
    const before = await calls()
    const results = await Promise.all(
      Array.from({ length: 3_000 }, (_, i) => send(d, 'local:flood', `user-${i % 20}`)),
    )
    const taken = results.filter((r) => r.ok).length
    expect(taken).toBe(30)
    expect(results.filter((r) => !r.ok && r.reason === 'limited' && r.scope === 'garage')).toHaveLength(2_970)
    // Two script calls per command the process let through (the check and BullMQ's add); the
    // 2,970 others never reached Redis (asking it for each would be 3,000 calls).
    expect((await calls()) - before).toBeLessThanOrEqual(60)
    // Another garage is not held back by it.
    expect((await send(d, 'local:quiet', 'u1')).ok).toBe(true)
  })

  test("the process's buckets never refuse what the shared one takes: a token Redis refused is given back", async () => {
    const prefix = uniquePrefix('rate')
    const a = dispatcher(limits({ garagePerMinute: 60, garageBurst: 2 }), prefix)
    const b = dispatcher(limits({ garagePerMinute: 60, garageBurst: 2 }), prefix)
    // Process b spends the garage's shared bucket; process a's own bucket is still full.
    expect((await sendMany(b, 2, 'local:two', 'u')).every((r) => r.ok)).toBe(true)
    const refused = await send(a, 'local:two', 'u')
    expect(refused).toMatchObject({ ok: false, reason: 'limited', scope: 'garage' })
    // a's refused attempt cost it nothing: once the shared bucket has a token, a gets it.
    await connection.hset(rateKeys(prefix, 'local:two', 'u')[1]!, 'tokens', '1')
    expect((await send(a, 'local:two', 'u')).ok).toBe(true)
  })
})
