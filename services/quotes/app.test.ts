import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from './app.ts'
import { quotesCaller } from './testing.ts'
import { dailyIndex, TIPS, tipOfTheDay } from './tips.ts'

const token = 'quotes-test-token-0123456789'
const dir = mkdtempSync(join(tmpdir(), 'cm-quotes-'))
let clock = new Date('2026-11-20T15:00:00Z')
const app = createApp({ dataDir: dir, token, now: () => clock })
afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:garage-a'
const B = 'local:garage-b'

const call = quotesCaller(app, token, A)

const usd = (value: number, text = String(value)) => ({ value, text })
const quote = (issue: number, shop: string, amount: number, extra: Record<string, unknown> = {}) => ({
  issue,
  shop,
  currency: 'USD',
  amount: usd(amount),
  today: '2026-11-20',
  ...extra,
})

describe('quotes', () => {
  test('add, compare (cheapest, expired, spread), accept once', async () => {
    const joe = await call('POST', '/quotes', {
      body: quote(12, "Joe's Garage", 640, { parts: usd(420), labour: usd(220), validUntil: '2026-12-15' }),
      key: 'k1',
    })
    expect(joe.status).toBe(201)
    expect(joe.body.quote).toMatchObject({
      number: 1,
      amountMinor: 64000,
      partsMinor: 42000,
      labourMinor: 22000,
      status: 'open',
    })
    const bob = await call('POST', '/quotes', {
      body: quote(12, 'Bob Auto', 590, { validUntil: '2026-11-25' }),
    })
    const dealer = await call('POST', '/quotes', {
      body: quote(12, 'Dealer', 910.5, { validUntil: '2026-11-30' }),
    })
    expect([bob.status, dealer.status]).toEqual([201, 201])

    // Five days later Bob's quote has expired: Joe's is the cheapest valid one.
    const list = await call('GET', '/quotes?issue=12&today=2026-11-26')
    expect(list.status).toBe(200)
    expect(list.body.quotes.map((q: any) => [q.shop, q.expired, q.cheapest])).toEqual([
      ['Bob Auto', true, false],
      ["Joe's Garage", false, true],
      ['Dealer', false, false],
    ])
    expect(list.body).toMatchObject({
      cheapest: 1,
      highestMinor: 91050,
      lowestMinor: 59000,
      spreadMinor: 32050,
    })

    const expired = await call('POST', '/quotes/2/accept', { body: { today: '2026-11-26' } })
    expect(expired.status).toBe(409)
    expect(expired.body.error.message).toContain('expired on 2026-11-25')

    const ok = await call('POST', '/quotes/1/accept', {
      body: { by: 'Ann', today: '2026-11-26' },
      key: 'acc-1',
    })
    expect(ok.status).toBe(200)
    expect(ok.body.quote.status).toBe('accepted')
    expect(ok.body.rejected).toEqual([2, 3])
    // The comparison is of what the shops asked: the acceptance changes neither spread nor cheapest.
    const after = await call('GET', '/quotes?issue=12&today=2026-11-26')
    expect(after.body.quotes.map((q: any) => [q.number, q.status, q.cheapest])).toEqual([
      [2, 'rejected', false],
      [1, 'accepted', true],
      [3, 'rejected', false],
    ])
    expect(after.body).toMatchObject({
      accepted: 1,
      cheapest: 1,
      highestMinor: 91050,
      lowestMinor: 59000,
      spreadMinor: 32050,
    })

    // The same job retried answers the same; a new attempt to accept is refused clearly.
    const replay = await call('POST', '/quotes/1/accept', { body: { by: 'Ann' }, key: 'acc-1' })
    expect(replay.status).toBe(200)
    expect(replay.body.quote.number).toBe(1)
    const twice = await call('POST', '/quotes/1/accept', { body: {}, key: 'acc-2' })
    expect(twice.status).toBe(409)
    expect(twice.body.error.message).toContain("quote 1 (Joe's Garage) was already accepted")
    const second = await call('POST', '/quotes/3/accept', { body: {}, key: 'acc-3' })
    expect(second.status).toBe(409)
    expect(second.body.error.message).toContain('issue #12 already has an accepted quote: 1')

    const accepted = await call('GET', '/issues/12/accepted')
    expect(accepted.body).toMatchObject({ number: 1, amountMinor: 64000, currency: 'USD', recordId: null })
    const linked = await call('POST', '/issues/12/accepted/record', { body: { recordId: 77 } })
    expect(linked.body.recordId).toBe(77)
    const relink = await call('POST', '/issues/12/accepted/record', { body: { recordId: 78 } })
    expect(relink.status).toBe(409)
    expect((await call('GET', '/issues/13/accepted')).status).toBe(404)
  })

  test('an idempotency key replays the first creation instead of adding twice', async () => {
    const first = await call('POST', '/quotes', { body: quote(20, 'Once', 100), key: 'same' })
    const again = await call('POST', '/quotes', { body: quote(20, 'Once', 100), key: 'same' })
    expect(again.body.quote.number).toBe(first.body.quote.number)
    expect((await call('GET', '/quotes?issue=20')).body.quotes).toHaveLength(1)
  })

  test.each([
    [{ amount: usd(640, '€640') }, 'amount', '"€640" is in EUR, but this garage keeps its money in USD'],
    [{ amount: usd(640, '640 EUR') }, 'amount', 'in EUR'],
    [
      { parts: usd(420, '£420') },
      'parts',
      '"£420" looks like GBP (£), but this garage keeps its money in USD',
    ],
    [{ amount: usd(640.123) }, 'amount', 'more than 2 decimals'],
    [{ amount: usd(-3) }, 'amount', 'cannot be negative'],
    [{ amount: usd(0) }, 'amount', 'must be more than 0'],
    [{ amount: undefined, parts: usd(10) }, 'amount', "give the quote's total"],
    [{ parts: usd(420), labour: usd(300) }, 'amount', 'less than parts + labour ($720.00)'],
    [{ validUntil: '2026-11-01' }, 'valid_until', 'already past'],
  ])('refused, naming the field, nothing stored: %o', async (extra, field, message) => {
    const r = await call('POST', '/quotes', { body: { ...quote(30, 'Bad', 640), ...extra } })
    expect(r.status).toBe(422)
    expect(r.body.error.field).toBe(field)
    expect(r.body.error.message).toContain(message)
    expect((await call('GET', '/quotes?issue=30')).body.quotes).toHaveLength(0)
  })

  test('a $ amount is fine in a CAD garage, a JPY amount has no decimals', async () => {
    const cad = await call('POST', '/quotes', {
      tenant: B,
      body: { ...quote(1, 'Maple', 0), currency: 'CAD', amount: usd(99.5, '$99.50') },
    })
    expect(cad.body.quote.amountMinor).toBe(9950)
    const jpy = await call('POST', '/quotes', {
      tenant: 'local:tokyo',
      body: { ...quote(1, 'Sakura', 0), currency: 'JPY', amount: usd(12000, '¥12,000') },
    })
    expect(jpy.body.quote.amountMinor).toBe(12000)
  })

  test('tenants are isolated: numbers and issues of another garage are not found', async () => {
    expect((await call('GET', '/quotes/1', { tenant: 'local:nobody' })).status).toBe(404)
    const acc = await call('POST', '/quotes/1/accept', { tenant: 'local:nobody', body: {} })
    expect(acc.status).toBe(404)
    expect(acc.body.error.message).toBe('no quote 1 in this garage')
    expect((await call('GET', '/quotes?issue=12', { tenant: B })).body.quotes).toHaveLength(0)
  })

  test('no token, no tenant', async () => {
    const res = await app.handle(new Request('http://localhost/quotes?issue=1'))
    expect(res.status).toBe(401)
    const noTenant = await app.handle(
      new Request('http://localhost/quotes?issue=1', { headers: { authorization: `Bearer ${token}` } }),
    )
    expect(noTenant.status).toBe(400)
  })
})

describe('estimates', () => {
  test('hours × rate + parts + tax, itemised', async () => {
    const r = await call('POST', '/estimate', {
      body: { currency: 'USD', hours: 1.5, rate: usd(120), parts: usd(80), taxPercent: 8.25 },
    })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({
      labourMinor: 18000,
      partsMinor: 8000,
      subtotalMinor: 26000,
      taxMinor: 2145,
      totalMinor: 28145,
    })
  })

  test('a catalog job gives its typical hours until the garage overrides them', async () => {
    const before = await call('POST', '/estimate', {
      body: { currency: 'USD', job: 'brake pads, front', rate: usd(100) },
    })
    expect(before.body).toMatchObject({
      hours: 1.5,
      labourMinor: 15000,
      job: { name: 'Brake pads, front', overridden: false },
    })
    const set = await call('PUT', '/jobs', { body: { job: 'Brake pads, front', hours: 2 } })
    expect(set.status).toBe(200)
    const after = await call('POST', '/estimate', {
      body: { currency: 'USD', job: 'Brake pads, front', rate: usd(100) },
    })
    expect(after.body).toMatchObject({ hours: 2, labourMinor: 20000, job: { overridden: true } })
    // Another garage still sees the typical hours.
    const other = await call('POST', '/estimate', {
      tenant: B,
      body: { currency: 'USD', job: 'Brake pads, front', rate: usd(100) },
    })
    expect(other.body.hours).toBe(1.5)
    const jobs = await call('GET', '/jobs')
    expect(jobs.body.jobs.length).toBeGreaterThanOrEqual(20)
  })

  test.each([
    [{ hours: 0, rate: usd(100) }, 'hours'],
    [{ hours: 1, rate: usd(100), taxPercent: 250 }, 'tax'],
    [{ hours: 1 }, 'rate'],
    [{ job: 'Flux capacitor', rate: usd(100) }, 'job'],
    [{ hours: 1, rate: usd(100, '€100') }, 'rate'],
  ])('bad estimate input names the field: %o', async (body, field) => {
    const r = await call('POST', '/estimate', { body: { currency: 'USD', ...body } })
    expect(r.status).toBe(422)
    expect(r.body.error.field).toBe(field)
  })
})

describe('tip of the day', () => {
  test('the catalog has at least 60 tips', () => {
    expect(TIPS.length).toBeGreaterThanOrEqual(60)
    expect(new Set(TIPS.map((t) => t.text)).size).toBe(TIPS.length)
  })

  test('stable within a day, different the next day, per garage', async () => {
    const one = await call('GET', '/tip?date=2026-11-20')
    const again = await call('GET', '/tip?date=2026-11-20')
    const next = await call('GET', '/tip?date=2026-11-21')
    expect(one.body.tip.text).toBe(again.body.tip.text)
    expect(next.body.tip.text).not.toBe(one.body.tip.text)
    // Without a date the service uses its own clock's day.
    expect((await call('GET', '/tip')).body.date).toBe('2026-11-20')
  })

  test('every tip once in as many days as there are tips; consecutive days always differ', () => {
    for (const tenant of ['local:a', 'discord:123', 'slack:T42']) {
      const seen = new Set<number>()
      let prev = -1
      for (let day = 20_000; day < 20_000 + TIPS.length; day++) {
        const i = dailyIndex(tenant, day, TIPS.length)
        expect(i).not.toBe(prev)
        seen.add(i)
        prev = i
      }
      expect(seen.size).toBe(TIPS.length)
    }
  })

  test('made relevant by the most urgent item', async () => {
    const r = await call(
      'GET',
      `/tip?date=2026-11-20&focus=${encodeURIComponent("Your Corolla's oil change is due in ~9 days")}&topic=Oil%20change`,
    )
    expect(r.body.focus).toBe("Your Corolla's oil change is due in ~9 days")
    expect(r.body.tip.topic).toBe('oil')
    expect(r.body.relevant).toBe(true)
    expect(tipOfTheDay(A, '2026-11-21', { topic: 'Brake pads' }).tip.topic).toBe('brakes')
  })
})
