/**
 * /calc and /car stats end to end: lines typed as in the terminal chat go through the queue
 * and orchestrator to the items and calculator services; records and fill-ups are logged in
 * the items service first.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import { renderText } from '../../lib/contracts/reply-text.ts'
import { formatMoney } from '../../lib/domain/money.ts'
import { depreciation } from '../../services/calculator/service.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'

let stack: Stack
let clock = new Date('2026-01-01T18:00:00Z')
const GARAGE = 'local:calc-e2e'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

async function say(line: string): Promise<Reply & { shown: string }> {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  const reply = await stack.command(parsed.kind, parsed.payload, { tenant: GARAGE })
  return { ...reply, shown: renderText(reply) }
}

async function items(path: string, body: unknown) {
  const res = await fetch(`${stack.url('items')}${path}`, {
    method: 'POST',
    headers: stack.headers(GARAGE),
    body: JSON.stringify(body),
  })
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`)
}

const mi = (value: number) => ({ value, unit: 'mi', text: `${value.toLocaleString('en-US')} mi` })
const usd = (value: number) => ({ value, text: `$${value.toFixed(2)}` })

describe('/calc and /car stats through the queue', () => {
  test('setup: an imperial USD garage, a car with fill-ups and records', async () => {
    expect((await say('/garage settings units:imperial currency:USD timezone:America/Chicago')).tone).toBe(
      'ok',
    )
    const add = await say(
      '/car add corolla year:2018 odometer:"50,000 mi" purchase_date:2024-01-15 purchase_price:20000',
    )
    expect(add.tone).toBe('ok')
    clock = new Date('2026-03-10T18:00:00Z')
    const fill = (date: string, odo: number, gal: number, cost: number, full: boolean, missed = false) =>
      items('/fillups', {
        car: 'corolla',
        date,
        odometer: mi(odo),
        volume: { value: gal, unit: 'gal', text: `${gal} gal` },
        cost: usd(cost),
        full,
        missed,
      })
    await fill('2026-01-10', 50_100, 10, 35, true)
    await fill('2026-01-20', 50_400, 5, 17.5, false)
    await fill('2026-02-01', 50_700, 10, 35, true)
    await fill('2026-02-15', 51_000, 10, 35, true, true)
    await fill('2026-03-01', 51_330, 11, 38.5, true)
    await items('/records', {
      car: 'corolla',
      title: 'Oil and filter',
      cost: usd(89.9),
      odometer: mi(50_800),
      date: '2026-02-10',
      kind: 'service',
    })
    await items('/records', {
      car: 'corolla',
      title: 'Brake pads',
      cost: usd(640),
      odometer: mi(51_400),
      date: '2026-03-05',
      kind: 'repair',
    })
  })

  test('/car stats: economy per full-to-full segment, partials summed in, the missed fill-up breaks the chain', async () => {
    const r = await say('/car stats car:corolla')
    expect(r.tone).toBe('ok')
    // 600 mi on 5 + 10 gal = 40 mpg; the missed stretch is left out; 330 mi on 11 gal = 30 mpg.
    expect(r.text).toContain('2026-02-01  40.0 mpg  (600 mi, 2 fill-ups)')
    expect(r.text).toContain('2026-02-15  — a fill-up before this one was not logged')
    expect(r.text).toContain('2026-03-01  30.0 mpg  (330 mi, 1 fill-up)')
    expect(r.text).toContain(`Average ${(930 / 26).toFixed(1)} mpg`)
    expect(r.fields?.find((f) => f.name === 'Fuel')?.value).toBe('$161.00 (5 fill-ups)')
  })

  test('/calc cost: fuel, service, repair, depreciation, per month and per mile', async () => {
    const r = await say('/calc cost car:corolla period:90d')
    const dep = depreciation(2_000_000, '2024-01-15', '2025-12-11', '2026-03-10')
    const total = 16_100 + 8_990 + 64_000 + dep
    expect(r.title).toBe(`corolla: ${formatMoney(total, 'USD')} over 90d (2025-12-11 – 2026-03-10)`)
    expect(r.text).toBe(
      `Running costs $890.90 + depreciation ${formatMoney(dep, 'USD')} = ${formatMoney(total, 'USD')}.`,
    )
    const field = (name: string) => r.fields?.find((f) => f.name === name)?.value
    expect(field('Service')).toBe('$89.90 (1)')
    expect(field('Repair')).toBe('$640.00 (1)')
    expect(field('Per distance')).toContain(`${formatMoney(total / 1400, 'USD', 1)}/mi over 1,400 mi`)
  })

  test('/calc fuel, trip and loan', async () => {
    expect((await say('/calc fuel distance:"412 mi" volume:"11.2 gal"')).text).toBe(
      '36.8 mpg (US) · 44.2 mpg (UK) · 6.39 L/100 km · 15.64 km/L',
    )
    // Units left out are the garage's (imperial): 412 mi on 11.2 gal again.
    expect((await say('/calc fuel distance:412 volume:11.2')).text).toContain('36.8 mpg (US)')
    const trip = await say('/calc trip distance:"300 km" economy:"6.5 L/100km" price:2 price_per:L')
    expect(trip.title).toBe('300 km at 6.5 L/100km: $39.00')
    const loan = await say('/calc loan amount:18000 rate:6.9% months:60')
    expect(loan.title).toBe('$18,000.00 at 6.9% over 60 months: $355.57 a month')
    expect(loan.fields?.[0]?.value).toBe(
      'payment $355.57 = interest $103.50 + principal $252.07; balance $17,747.93',
    )
    expect(loan.fields?.[1]?.name).toBe('Month 60 (last)')
    expect((await say('/calc loan amount:12000 rate:0% months:12')).title).toBe(
      '$12,000.00 at 0% over 12 months: $1,000.00 a month',
    )
  })

  test('bad input gets a clear answer naming the field', async () => {
    expect((await say('/calc fuel distance:"0 mi" volume:"11.2 gal"')).text).toBe(
      'distance: must be more than 0 (got 0 mi)',
    )
    expect((await say('/calc fuel distance:"412 mi" volume:"0 gal"')).text).toBe(
      'volume: must be more than 0 (got 0 gal)',
    )
    expect((await say('/calc loan amount:€18000 rate:6.9% months:60')).text).toContain(
      'amount: "€18000" is in EUR, but this garage keeps its money in USD',
    )
    // The grammar refuses these before they become jobs…
    for (const line of [
      '/calc loan amount:18000 rate:250% months:60',
      '/calc loan amount:18000 rate:6.9% months:0',
      '/calc fuel distance:"-5 mi" volume:"1 gal"',
    ]) {
      const parsed = parseLine(line)
      expect(parsed.ok).toBe(false)
    }
    // …and the calculator refuses them too when a job carries them anyway.
    const rate = await stack.command(
      'calc.loan',
      { amount: { value: 18000, text: '18000' }, rate: 250, months: 60 },
      { tenant: GARAGE },
    )
    expect(rate.text).toContain('rate: 250% a year is not a loan rate')
    const months = await stack.command(
      'calc.loan',
      { amount: { value: 18000, text: '18000' }, rate: 6.9, months: 0 },
      { tenant: GARAGE },
    )
    expect(months.text).toContain('months: must be a whole number of months, at least 1 (got 0)')
    expect((await say('/calc cost car:civic')).text).toContain('no car "civic" in this garage')
  })
})
