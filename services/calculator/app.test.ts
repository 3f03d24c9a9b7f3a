import { describe, expect, test } from 'bun:test'
import { createApp } from './app.ts'

const token = 'calc-test-token-0123456789'
const app = createApp({ dataDir: '/nonexistent', token })

async function post(path: string, body: unknown, auth = token) {
  const res = await app.handle(
    new Request(`http://localhost${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  )
  return { status: res.status, body: (await res.json()) as any }
}

describe('calculator routes', () => {
  test('POST /fuel gives every unit', async () => {
    const r = await post('/fuel', {
      distance: { value: 412, unit: 'mi' },
      volume: { value: 11.2, unit: 'gal' },
    })
    expect(r.status).toBe(200)
    expect(r.body.mpgUs).toBeCloseTo(36.7857, 4)
    expect(r.body.lPer100km).toBeCloseTo(6.3942, 4)
  })

  test('POST /trip converts the economy and prices per unit', async () => {
    const r = await post('/trip', {
      distance: { value: 300, unit: 'km' },
      economy: { value: 6.5, unit: 'L/100km' },
      price: { minor: 189, per: 'L' },
      currency: 'EUR',
    })
    expect(r.status).toBe(200)
    expect(r.body.litres).toBeCloseTo(19.5, 9)
    expect(r.body.costMinor).toBeCloseTo(3685.5, 6)
    expect(r.body.currency).toBe('EUR')
  })

  test('POST /loan', async () => {
    const r = await post('/loan', { amountMinor: 1_800_000, ratePercent: 6.9, months: 60, currency: 'USD' })
    expect(r.status).toBe(200)
    expect(r.body.monthlyPaymentMinor).toBe(35557)
    expect(r.body.lines).toHaveLength(60)
  })

  test('POST /cost and /economy', async () => {
    const fillUps = [
      { date: '2026-01-01', odometerKm: 1000, litres: 40, costMinor: 6000, full: true },
      { date: '2026-02-01', odometerKm: 1600, litres: 40, costMinor: 6000, full: true },
    ]
    const e = await post('/economy', { fillUps })
    expect(e.body.average.kmPerLitre).toBe(15)
    const c = await post('/cost', {
      currency: 'USD',
      from: '2026-01-01',
      to: '2026-03-31',
      records: [{ date: '2026-01-20', costMinor: 8990, kind: 'service', odometerKm: 1300 }],
      fillUps,
      readings: [{ date: '2026-03-30', km: 2000 }],
    })
    expect(c.status).toBe(200)
    expect(c.body).toMatchObject({ totalMinor: 20990, km: 1000, depreciationMinor: null, currency: 'USD' })
    expect(c.body.perKmMinor).toBeCloseTo(20.99, 9)
  })

  test.each([
    [
      '/fuel',
      { distance: { value: 0, unit: 'mi' }, volume: { value: 11.2, unit: 'gal' } },
      'distance',
      'distance: must be more than 0 (got 0 mi)',
    ],
    [
      '/fuel',
      { distance: { value: 412, unit: 'mi' }, volume: { value: -3, unit: 'gal' } },
      'volume',
      'volume: cannot be negative (got -3 gal)',
    ],
    [
      '/fuel',
      { distance: { value: 'abc', unit: 'mi' }, volume: { value: 1, unit: 'gal' } },
      'distance.value',
      'distance.value',
    ],
    [
      '/loan',
      { amountMinor: 1_800_000, ratePercent: 250, months: 60, currency: 'USD' },
      'rate',
      'rate: 250% a year',
    ],
    [
      '/loan',
      { amountMinor: 1_800_000, ratePercent: 6.9, months: 0, currency: 'USD' },
      'months',
      'months: must be',
    ],
    [
      '/trip',
      {
        distance: { value: 300, unit: 'km' },
        economy: { value: 0, unit: 'mpg' },
        price: { minor: 189, per: 'L' },
        currency: 'USD',
      },
      'economy',
      'economy: must be more than 0',
    ],
    [
      '/cost',
      { currency: 'USD', from: '2026-05-01', to: '2026-01-01', records: [], fillUps: [] },
      'to',
      'to: 2026-01-01 is before',
    ],
  ])('%s refuses bad input naming %s', async (path, body, field, message) => {
    const r = await post(path, body)
    expect(r.status).toBe(422)
    expect(r.body.error.field).toBe(field)
    expect(r.body.error.message).toContain(message)
  })

  test('a wrong token is refused', async () => {
    const r = await post('/loan', { amountMinor: 100, ratePercent: 1, months: 1, currency: 'USD' }, 'nope')
    expect(r.status).toBe(401)
  })
})
