/**
 * Charging end to end through the queue, with the real items and calculator services: charges
 * numbered, corrected, removed and undone like fill-ups and in the history; consumption in the
 * car's units (kWh/100 km, mi/kWh); a plug-in hybrid's months of fill-ups and charges give its
 * consumption and its fuel-and-electricity cost per km as worked out by hand here, and /calc
 * cost and /car stats agree; refusals store nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import type { Actor, Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
const clock = new Date('2026-06-01T12:00:00Z')
const GARAGE = 'local:charge-e2e'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator', 'issues', 'quotes'], now: () => clock })
  expect((await say('/garage settings units:metric currency:USD')).tone).toBe('ok')
  for (const car of ['outlander', 'golf', 'ioniq']) expect((await say(`/car add ${car}`)).tone).toBe('ok')
  expect((await say('/car add leaf units:imperial')).tone).toBe('ok')
})
afterAll(async () => {
  await stack?.close()
})

const say = (line: string): Promise<Reply> => stack.say(line, GARAGE)
const press = (id: string) => stack.press(id, GARAGE)
const field = (r: Reply, name: string) => r.fields?.find((f) => f.name === name)?.value
const count = async () => {
  let total = 0
  for (const car of ['outlander', 'golf', 'ioniq', 'leaf']) {
    const res = await fetch(`${stack.url('items')}/charges?car=${car}`, { headers: stack.headers(GARAGE) })
    total += ((await res.json()) as { total: number }).total
  }
  return total
}

describe('/charge log, list, edit, remove and undo', () => {
  test('numbered, with Undo; edit and remove say what they did; /garage history and undo know them', async () => {
    const first = await say(
      '/charge log car:ioniq energy:"40 kWh" price_per:"0.30/kWh" soc:"20-80%" odometer:"5,000 km" where:home date:2026-05-01',
    )
    expect(first.tone).toBe('ok')
    expect(first.title).toBe('Charge logged for ioniq (2026-05-01)')
    expect(field(first, 'Charge')).toBe('#1')
    expect(field(first, 'Cost')).toBe('$12.00 ($0.30/kWh)')
    expect(field(first, 'Battery')).toBe('20–80%')
    expect(first.actions?.[0]?.label).toBe('Undo')
    // 5,000 → 5,250 km on 40 kWh: 16.0 kWh/100 km
    const second = await say(
      '/charge log car:ioniq energy:"40 kWh" cost:14 odometer:"5,250 km" where:fast date:2026-05-05',
    )
    expect(field(second, 'Consumption')).toBe('16.0 kWh/100 km')

    const list = await say('/charge list car:ioniq')
    expect(list.title).toBe('ioniq: 2 charges')
    expect(list.text.split('\n')).toEqual([
      'Average 16.0 kWh/100 km',
      '#2 2026-05-05 · 40 kWh · $14.00 · fast · 5,250 km · 16.0 kWh/100 km',
      '#1 2026-05-01 · 40 kWh · $12.00 ($0.30/kWh) · 20–80% · home · 5,000 km',
    ])

    // 50 kWh over the 250 km: 20.0 kWh/100 km
    const edited = await say('/charge edit number:2 energy:"50 kWh"')
    expect(edited.title).toBe('Charge #2 corrected for ioniq (2026-05-05)')
    expect(edited.text).toBe('#2 2026-05-05 · 50 kWh · $14.00 · fast · 5,250 km · 20.0 kWh/100 km')
    const removed = await say('/charge remove number:2')
    expect(removed.title).toBe('Charge #2 removed from ioniq')
    expect(removed.text).toContain('No consumption can be measured without it.')
    expect((await say('/charge edit number:2 energy:"1 kWh"')).text).toContain(
      'there is no charge #2 in this garage: it was removed',
    )
    expect((await press(removed.actions![0]!.id)).tone).toBe('ok')
    expect((await say('/charge list car:ioniq')).text).toContain('#2 2026-05-05 · 50 kWh')
    const undone = await say('/garage undo')
    expect(undone.text).toContain('Charge #2 (ioniq) is back as it was')
    expect((await say('/charge list car:ioniq')).text).toContain('#2 2026-05-05 · 40 kWh')
    const history = await say('/garage history car:ioniq')
    expect(history.text).toContain('edited charge #2 (ioniq): energy 40 kWh → 50 kWh [undone by')
    expect(history.text).toContain('logged charge #1 (ioniq)')
  })
})

describe("consumption in the car's units", () => {
  test('an electric car in miles shows mi/kWh', async () => {
    await say('/charge log car:leaf energy:"30 kWh" odometer:"20,000 mi" date:2026-05-01')
    // 105 mi on 30 kWh: 3.50 mi/kWh
    const r = await say('/charge log car:leaf energy:"30 kWh" odometer:"20,105 mi" date:2026-05-10')
    expect(field(r, 'Consumption')).toBe('3.50 mi/kWh')
    expect((await say('/charge list car:leaf')).text.split('\n')[0]).toBe('Average 3.50 mi/kWh')
    // /car stats of a car that only charges speaks of its charges, not of missing fill-ups
    expect((await say('/car stats leaf')).text).toBe('No fill-ups: this car charges; its electricity use and costs are below.')
  })
})

describe('a plug-in hybrid over four months', () => {
  test('its consumption and its fuel-and-electricity cost per km match the hand calculation; /calc cost and /car stats agree', async () => {
    expect((await say('/car edit car:outlander powertrain:phev')).tone).toBe('ok')
    const steps = [
      '/fuel log car:outlander volume:"40 L" price_per:"1.50/L" fuel:petrol_95 odometer:"10,000 km" date:2026-02-01',
      '/charge log car:outlander energy:"10 kWh" price_per:"0.30/kWh" odometer:"10,000 km" where:home date:2026-02-01',
      '/charge log car:outlander energy:"40 kWh" price_per:"0.30/kWh" odometer:"10,500 km" where:home date:2026-03-01',
      '/fuel log car:outlander volume:"30 L" price_per:"1.50/L" fuel:petrol_95 odometer:"11,200 km" date:2026-04-01',
      '/charge log car:outlander energy:"70 kWh" price_per:"0.30/kWh" odometer:"11,200 km" where:public date:2026-04-01',
      '/charge log car:outlander energy:"90 kWh" price_per:"0.25/kWh" odometer:"12,000 km" where:home date:2026-05-01',
      '/fuel log car:outlander volume:"21 L" price_per:"1.50/L" fuel:petrol_95 odometer:"12,600 km" date:2026-05-31',
    ]
    for (const line of steps) expect((await say(line)).tone).toBe('ok')
    // By hand:
    //   fuel        40 × 1.50 + 30 × 1.50 + 21 × 1.50 = 60.00 + 45.00 + 31.50 = $136.50 (3 fill-ups)
    //   electricity 10 × 0.30 + 40 × 0.30 + 70 × 0.30 + 90 × 0.25 = 3.00 + 12.00 + 21.00 + 22.50 = $58.50 (4 charges, 210 kWh)
    //   total $195.00 over 12 calendar months (2025-06-02 – 2026-06-01): $16.25 a month
    //   driven 10,000 → 12,600 km (the first to the last odometer in the period): 2,600 km
    //   fuel and electricity per km: 195.00 / 2,600 = $0.075/km
    //   consumption: the charges after the first put back 40 + 70 + 90 = 200 kWh over
    //   10,000 → 12,000 km: 200 / 2,000 × 100 = 10.0 kWh/100 km
    //   fuel economy: 30 + 21 = 51 L over 10,000 → 12,600 km: 1.96 L/100 km
    const cost = await say('/calc cost car:outlander period:12m')
    expect(cost.title).toBe('outlander: $195.00 over 12m (2025-06-02 – 2026-06-01)')
    expect(field(cost, 'Fuel')).toBe('$136.50 (3 fill-ups)')
    expect(field(cost, 'Electricity')).toBe('$58.50 (4 charges, 210 kWh)')
    expect(field(cost, 'Per month')).toBe('$16.25')
    expect(field(cost, 'Electricity use')).toBe('10.0 kWh/100 km over 2,000 km')
    expect(field(cost, 'Fuel and charging per distance')).toBe(
      '$0.075/km (fuel $136.50 + electricity $58.50 over 2,600 km)',
    )
    expect(field(cost, 'Per distance')).toStartWith('$0.075/km over 2,600 km')
    const stats = await say('/car stats car:outlander')
    expect(field(stats, 'Last 12 months')).toBe('$195.00')
    for (const name of [
      'Fuel',
      'Electricity',
      'Per month',
      'Electricity use',
      'Fuel and charging per distance',
    ])
      expect(field(stats, name)).toBe(field(cost, name)!)
    expect(stats.text).toStartWith('Average 2.0 L/100 km')
  })
})

describe('refusals store nothing', () => {
  test('a petrol-only car, a state of charge out of range or reversed, energy in litres, a price and cost that disagree', async () => {
    await say('/fuel log car:golf volume:"40 L" odometer:"30,000 km" date:2026-05-01')
    const before = await count()
    const petrol = await say('/charge log car:golf energy:"20 kWh"')
    expect(petrol.tone).toBe('error')
    expect(petrol.text).toContain('Is it a plug-in hybrid?')
    expect(petrol.text).toContain('/car edit car:golf powertrain:phev')
    const high = await say('/charge log car:ioniq energy:"20 kWh" soc:"20-120%"')
    expect(high.tone).toBe('error')
    expect(high.text).toContain('outside 0–100%')
    const reversed = await say('/charge log car:ioniq energy:"20 kWh" soc:"80-20%"')
    expect(reversed.tone).toBe('error')
    expect(reversed.text).toContain('before-after')
    const litres = await say('/charge log car:ioniq energy:"42 L"')
    expect(litres.tone).toBe('error')
    expect(litres.text).toContain('"42 L" is not an amount of energy')
    const disagree = await say('/charge log car:ioniq energy:"10 kWh" cost:5 price_per:"0.30/kWh"')
    expect(disagree.tone).toBe('error')
    expect(disagree.text).toContain('$5.00')
    expect(disagree.text).toContain('0.30/kWh')
    const perLitre = await say('/charge log car:ioniq energy:"10 kWh" price_per:"1.50/L"')
    expect(perLitre.tone).toBe('error')
    expect(perLitre.text).toContain('price_per')
    expect(await count()).toBe(before)
  })
})

describe('roles', () => {
  test('a driver logs charges and corrects or removes only their own', async () => {
    const SERVER = 'discord:700000000000000001'
    const member = (userId: string, name: string): Partial<Actor> => ({
      platform: 'discord',
      userId,
      name,
      discord: { permissions: '0', roles: [] },
    })
    const as = (line: string, actor: Partial<Actor>) => {
      const parsed = parseLine(line)
      if (!parsed.ok) throw new Error(parsed.error)
      return stack.command(parsed.kind, parsed.payload, { tenant: SERVER, actor })
    }
    // the terminal's user is a manager: the car is theirs to add
    expect((await stack.command('car.add', { nickname: 'zoe' }, { tenant: SERVER })).tone).toBe('ok')
    const ann = member('100000000000000001', 'Ann')
    const bob = member('100000000000000002', 'Bob')
    const logged = await as('/charge log car:zoe energy:"30 kWh"', ann)
    expect(logged.tone).toBe('ok')
    const number = field(logged, 'Charge')!.slice(1)
    const refused = await as(`/charge edit number:${number} energy:"31 kWh"`, bob)
    expect(refused.tone).toBe('error')
    expect(refused.text).toContain(`Charge #${number} was logged by someone else`)
    expect((await as(`/charge remove number:${number}`, bob)).tone).toBe('error')
    expect((await as(`/charge edit number:${number} energy:"31 kWh"`, ann)).tone).toBe('ok')
  })
})
