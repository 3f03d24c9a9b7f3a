/**
 * Fuel as people buy it, end to end through the queue with the real items and calculator
 * services: a price per unit gives the total (or is checked against it), the fuel and the
 * station are kept, listed and corrected, and a dual-fuel car's two tanks keep their economy
 * apart (checked against a hand calculation). Refusals store nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
const clock = new Date('2026-06-01T12:00:00Z')
const GARAGE = 'local:fuel-price-e2e'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator', 'issues', 'quotes'], now: () => clock })
  expect((await say('/garage settings units:metric currency:USD')).tone).toBe('ok')
  for (const car of ['golf', 'astra']) expect((await say(`/car add ${car}`)).tone).toBe('ok')
  expect((await say('/car add f150 units:imperial')).tone).toBe('ok')
})
afterAll(async () => {
  await stack?.close()
})

const say = (line: string): Promise<Reply> => stack.say(line, GARAGE)
const field = (r: Reply, name: string) => r.fields?.find((f) => f.name === name)?.value
const count = async () => {
  let total = 0
  for (const car of ['golf', 'astra', 'f150']) {
    const res = await fetch(`${stack.url('items')}/fillups?car=${car}`, { headers: stack.headers(GARAGE) })
    total += ((await res.json()) as { total: number }).total
  }
  return total
}

describe('a price per unit', () => {
  test('gives the total: 40 L at 1.899/L is $75.96; 11.2 gal at $3.45/gal is $38.64; 10 gal at 1.00/L is $37.85', async () => {
    const litres = await say(
      '/fuel log car:golf volume:"40 L" price_per:"1.899/L" fuel:petrol_95 station:"Shell Main St" odometer:"10,000 km" date:2026-05-01',
    )
    expect(litres.tone).toBe('ok')
    expect(field(litres, 'Cost')).toBe('$75.96 ($1.899/L)')
    expect(field(litres, 'Fuel')).toBe('petrol 95')
    expect(field(litres, 'Station')).toBe('Shell Main St')
    const gallons = await say('/fuel log car:f150 volume:"11.2 gal" price_per:"$3.45/gal" date:2026-05-01')
    expect(field(gallons, 'Cost')).toBe('$38.64 ($3.45/gal)')
    // 10 US gal = 37.854 L, at $1.00 a litre
    const mixed = await say('/fuel log car:f150 volume:"10 gal" price_per:"1.00/L" date:2026-05-02')
    expect(field(mixed, 'Cost')).toBe('$37.85 ($1.00/L)')
  })

  test('with the total too: a cent of rounding is accepted, more is refused naming both, and nothing is stored', async () => {
    // 40 × 1.899 = 75.96; 75.97 is a cent of rounding away
    const agree = await say(
      '/fuel log car:golf volume:"40 L" cost:75.97 price_per:"1.899/L" odometer:"10,600 km" date:2026-05-10',
    )
    expect(agree.tone).toBe('ok')
    expect(field(agree, 'Cost')).toBe('$75.97 ($1.899/L)')
    const before = await count()
    const disagree = await say('/fuel log car:golf volume:"40 L" cost:80 price_per:"1.899/L" date:2026-05-11')
    expect(disagree.tone).toBe('error')
    expect(disagree.text).toContain('$80.00')
    expect(disagree.text).toContain('1.899/L')
    expect(disagree.text).toContain('$75.96')
    // a price per something that is not a volume, and a fuel that does not exist
    const kwh = await say('/fuel log car:golf volume:"40 L" price_per:"0.30/kWh"')
    expect(kwh.tone).toBe('error')
    expect(kwh.text).toContain('price_per')
    const grammar = parseLine('/fuel log car:golf volume:"40 L" fuel:kerosene')
    expect(grammar.ok).toBe(false)
    if (!grammar.ok)
      expect(grammar.error).toContain('petrol_91, petrol_95, petrol_98, diesel, e10, e85, lpg, cng, adblue')
    const kerosene = await stack.command(
      'fuel.log',
      { car: 'golf', volume: { value: 40, unit: 'L', text: '40 L' }, fuel: 'kerosene' },
      { tenant: GARAGE },
    )
    expect(kerosene.tone).toBe('error')
    expect(kerosene.text).toContain(
      'fuels: petrol_91, petrol_95, petrol_98, diesel, e10, e85, lpg, cng, adblue',
    )
    expect(await count()).toBe(before)
  })

  test('/fuel list shows the fuel and the station; /fuel edit changes them and keeps the price', async () => {
    const list = await say('/fuel list car:golf')
    const first = list.text.split('\n').find((l) => l.includes('2026-05-01'))!
    expect(first).toContain('40 L petrol 95')
    expect(first).toContain('$75.96 ($1.899/L)')
    expect(first).toContain('at Shell Main St')
    const number = Number(/^#(\d+)/.exec(first)![1])
    const edited = await say(`/fuel edit number:${number} fuel:e10 station:BP`)
    expect(edited.tone).toBe('ok')
    expect(edited.text).toContain('40 L E10')
    expect(edited.text).toContain('at BP')
    expect(edited.text).toContain('$75.96 ($1.899/L)')
    // a new volume at the kept price gives a new total: 42 × 1.899 = 79.758
    const volume = await say(`/fuel edit number:${number} volume:"42 L"`)
    expect(field(volume, 'Cost')).toBe('$79.76 ($1.899/L)')
    const history = await say('/garage history car:golf')
    expect(history.text).toContain(
      `fill-up #${number} (golf): fuel petrol 95 → E10, station Shell Main St → BP`,
    )
  })
})

describe('a dual-fuel car', () => {
  test('LPG and petrol keep their economy apart, AdBlue is in no economy', async () => {
    expect((await say('/car edit car:astra fuels:"lpg,petrol"')).tone).toBe('ok')
    const log = (line: string) => say(`/fuel log car:astra ${line}`)
    expect((await log('volume:"40 L" fuel:petrol_95 odometer:"10,000 km" date:2026-03-01')).tone).toBe('ok')
    expect((await log('volume:"50 L" fuel:lpg odometer:"10,050 km" date:2026-03-02')).tone).toBe('ok')
    const lpg1 = await log('volume:"45 L" fuel:lpg odometer:"10,550 km" date:2026-03-10')
    const petrol = await log('volume:"30 L" fuel:petrol_95 odometer:"11,000 km" date:2026-03-20')
    const lpg2 = await log('volume:"55 L" fuel:lpg odometer:"11,050 km" date:2026-03-25')
    const adblue = await log('volume:"10 L" fuel:adblue cost:15 date:2026-03-26')
    // By hand, each tank from its own previous full fill-up:
    //   LPG    10,050 → 10,550 km on 45 L: 45 / 500 × 100 = 9.0 L/100 km
    //   petrol 10,000 → 11,000 km on 30 L: 30 / 1,000 × 100 = 3.0 L/100 km
    //   LPG    10,550 → 11,050 km on 55 L: 55 / 500 × 100 = 11.0 L/100 km
    //   LPG overall 1,000 km on 100 L = 10.0 L/100 km
    // (chained together regardless of tank they would read 50 km on 50 L, 500 km on 45 L, 450 km on 30 L …)
    expect(field(lpg1, 'Economy')).toBe('9.0 L/100km')
    expect(field(petrol, 'Economy')).toBe('3.0 L/100km')
    expect(field(lpg2, 'Economy')).toBe('11.0 L/100km')
    expect(field(adblue, 'Economy')).toBeUndefined()
    expect(adblue.text).toBe('AdBlue is not fuel: counted in costs, not in the economy.')
    const list = await say('/fuel list car:astra')
    expect(list.text.split('\n')[0]).toBe('Average 10.0 L/100km LPG · 3.0 L/100km petrol')
    const stats = await say('/car stats car:astra')
    expect(field(stats, 'Economy (LPG)')).toBe('10.0 L/100 km')
    expect(field(stats, 'Economy (petrol)')).toBe('3.0 L/100 km')
    // the economy /car stats leads with is the tank filled most (LPG), not the two mixed
    expect(stats.text).toStartWith('Average 10.0 L/100 km')
    expect(field(stats, 'Fuel')).toStartWith('$15.00 (6 fill-ups)')
  })

  test('a fuel the car is told that does not exist is refused, naming the tanks', async () => {
    const r = await say('/car edit car:astra fuels:"lpg,kerosene"')
    expect(r.tone).toBe('error')
    expect(r.text).toContain('petrol, diesel, lpg, cng')
  })
})
