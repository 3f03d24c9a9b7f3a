/**
 * Units belong to the car, end to end through the queue: in a metric EUR garage a car whose
 * odometer is in miles and whose fuel goes in by the gallon shows mpg and cost per mile, a km
 * car beside it L/100 km and cost per km; /car edit units: changes what is shown, and a car
 * added with nothing typed says its units are the garage's. Figures are checked by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
// the cars are added on 2026-04-01, their fill-ups logged on 2026-06-01
let clock = new Date('2026-04-01T12:00:00Z')
const GARAGE = 'local:car-units-e2e'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

async function say(line: string): Promise<Reply> {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  return stack.command(parsed.kind, parsed.payload, { tenant: GARAGE })
}

async function ok(line: string): Promise<Reply> {
  const r = await say(line)
  if (r.tone !== 'ok') throw new Error(`${line}: ${r.title ?? ''} ${r.text ?? ''}`)
  return r
}

const field = (r: Reply, name: string) => r.fields?.find((f) => f.name === name)?.value

describe('units belong to the car', () => {
  test('setup: a metric EUR garage with a mi/gal car and a km/L car', async () => {
    await ok('/garage settings units:metric currency:EUR')
    await ok('/car add mustang odometer:"10,000 mi"')
    await ok('/car add golf odometer:"20,000 km"')
    clock = new Date('2026-06-01T12:00:00Z')
    // 300 mi on 10 gal: 30.0 mpg; €40 + €40 = €80 over 300 mi.
    await ok('/fuel log car:mustang volume:"10 gal" cost:40 odometer:"10,000 mi" date:2026-05-01')
    await ok('/fuel log car:mustang volume:"10 gal" cost:40 odometer:"10,300 mi" date:2026-05-15')
    // 500 km on 40 L: 8.0 L/100 km; €60 + €60 = €120 over 500 km.
    await ok('/fuel log car:golf volume:"40 L" cost:60 odometer:"20,000 km" date:2026-05-01')
    await ok('/fuel log car:golf volume:"40 L" cost:60 odometer:"20,500 km" date:2026-05-15')
  })

  test("/car show gives each car its units; the first fill-up in gal set the mi car's", async () => {
    expect(field(await ok('/car show mustang'), 'Units')).toBe('mi, gal, mpg')
    expect(field(await ok('/car show golf'), 'Units')).toBe('km, L, L/100 km')
  })

  test('/fuel list: mpg for the mi/gal car, L/100km for the km/L one', async () => {
    const mustang = await ok('/fuel list car:mustang')
    expect(mustang.text).toStartWith('Average 30.0 mpg')
    expect(mustang.text).not.toContain('L/100km')
    const golf = await ok('/fuel list car:golf')
    expect(golf.text).toStartWith('Average 8.0 L/100km')
  })

  test('/car stats and /calc cost: mpg and cost per mile for the mi car, L/100 km and per km for the km one', async () => {
    const mustang = await ok('/car stats car:mustang')
    expect(mustang.text).toStartWith('Average 30.0 mpg (')
    expect(mustang.text).toContain('2026-05-15  30.0 mpg  (300 mi, 1 fill-up)')
    // €80 / 300 mi = €0.2667/mi
    expect(field(mustang, 'Per distance')).toStartWith('€0.267/mi over 300 mi')
    expect(field(await ok('/calc cost car:mustang'), 'Per distance')).toStartWith('€0.267/mi over 300 mi')
    const golf = await ok('/car stats car:golf')
    expect(golf.text).toStartWith('Average 8.0 L/100 km (')
    expect(golf.text).toContain('2026-05-15  8.0 L/100 km  (500 km, 1 fill-up)')
    // €120 / 500 km = €0.24/km
    expect(field(golf, 'Per distance')).toStartWith('€0.24/km over 500 km')
  })

  test('/car edit units: changes what is shown, converting nothing stored', async () => {
    const edit = await ok('/car edit mustang units:metric')
    expect(edit.text).toContain(
      'Units now mi, L, L/100 km. Nothing stored is converted (readings and fill-ups keep their values); only what is shown changes; distances stay in mi, the unit its readings and items are stored in.',
    )
    // 300 mi = 482.8 km on 10 gal = 37.85 L: 7.84 L/100 km
    expect((await ok('/fuel list car:mustang')).text).toStartWith('Average 7.8 L/100km')
    expect((await ok('/car stats car:mustang')).text).toStartWith('Average 7.8 L/100 km (')
    expect((await ok('/car show mustang')).text).toContain('10,300 mi')
    await ok('/car edit mustang economy_unit:km/L')
    // 482.8 km / 37.85 L = 12.75 km/L
    expect((await ok('/car stats car:mustang')).text).toStartWith('Average 12.8 km/L (')
    await ok('/car edit mustang units:uk')
    // 300 mi / (37.85 L / 4.54609) = 36.0 mpg (UK)
    expect((await ok('/fuel list car:mustang')).text).toStartWith('Average 36.0 mpg (UK)')
    expect(field(await ok('/car show mustang'), 'Units')).toBe('mi, UK gal, mpg (UK)')
  })

  test("a car added with nothing typed says its units are the garage's, until they are set", async () => {
    const add = await ok('/car add spare')
    const garages = "km, L, L/100 km (the garage's; change with /car edit units:…)"
    expect(field(add, 'Units')).toBe(garages)
    expect(field(await ok('/car show spare'), 'Units')).toBe(garages)
    // nothing stored in km yet: the distance unit changes too
    await ok('/car edit spare units:imperial')
    expect(field(await ok('/car show spare'), 'Units')).toBe('mi, gal, mpg')
    // an item every 10,000 mi is stored in mi: units:metric keeps the distances in mi
    await ok('/item add spare "Oil change" distance:"10,000 mi" last_odometer:"0 mi"')
    const edit = await ok('/car edit spare units:metric')
    expect(edit.text).toContain('Units now mi, L, L/100 km.')
    expect(edit.text).toContain('distances stay in mi')
  })

  test('a km car whose volume unit was never set takes the first one typed on a fill-up', async () => {
    expect(field(await ok('/car add camry odometer:"5,000 km"'), 'Units')).toBe('km, L, L/100 km')
    await ok('/fuel log car:camry volume:"10 gal" odometer:"5,400 km"')
    expect(field(await ok('/car show camry'), 'Units')).toBe('km, gal, mpg')
    // set now: a later fill-up in litres changes nothing
    await ok('/fuel log car:camry volume:"30 L" odometer:"5,800 km"')
    expect(field(await ok('/car show camry'), 'Units')).toBe('km, gal, mpg')
  })

  test("units: on /car add wins over the garage's; a bad one is refused naming the field", async () => {
    expect(field(await ok('/car add mini units:uk'), 'Units')).toBe('mi, UK gal, mpg (UK)')
    const bad = parseLine('/car add other units:furlongs')
    expect(bad.ok ? null : bad.error).toBe('units: "furlongs" is not one of metric, imperial, uk')
  })
})
