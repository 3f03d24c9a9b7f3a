import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, expectFieldRefused, Garage, mi } from '../testing.ts'

cleanUpAfterAll()

describe('service records', () => {
  test("a record naming an item that does not exist is refused with the car's item names; nothing stored", async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6 })
    await g.ok('POST', '/items', { car: 'corolla', name: 'Cabin filter', months: 12 })
    const res = await g.call('POST', '/records', {
      car: 'corolla',
      title: 'Service',
      items: 'Oil change, Brake fluid',
      odometer: mi(48500),
    })
    expectFieldRefused(res, 'items', /"Brake fluid".*Cabin filter, Oil change/)
    expect(g.count('service_records')).toBe(0)
    expect(g.count('odometer_readings', 'value > 48000')).toBe(0)
  })

  test('a record marks the items it names done; fixed counts from the previous due point', async () => {
    const g = new Garage('2026-11-20T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/items', {
      car: 'corolla',
      name: 'Oil change',
      months: 6,
      distance: mi(5000),
      last_date: '2026-05-01',
      last_odometer: mi(48000),
    })
    await g.ok('POST', '/items', {
      car: 'corolla',
      name: 'Cabin filter',
      months: 6,
      fixed: true,
      last_date: '2026-05-01',
    })
    const r = await g.ok('POST', '/records', {
      car: 'corolla',
      title: 'Oil and filter',
      items: 'oil change, Cabin Filter',
      cost: { value: 89.9, text: '89.90' },
      odometer: mi(53200),
      date: '2026-11-20',
      kind: 'service',
      // 5,200 mi above the reading of the same day: a jump that asks for confirmation.
      confirm: true,
    })
    expect(r.items.map((i: any) => i.name).sort()).toEqual(['Cabin filter', 'Oil change'])
    const { items } = await g.ok('GET', '/items?car=corolla')
    const oil = items.find((i: any) => i.name === 'Oil change')
    const cabin = items.find((i: any) => i.name === 'Cabin filter')
    expect([oil.due_date, oil.due_odometer]).toEqual(['2027-05-20', 58200])
    expect(cabin.due_date).toBe('2027-05-01')
    const records = await g.ok('GET', '/records?car=corolla')
    expect(records.records[0].cost).toBe('$89.90')
  })
})

describe('one record, and its cost set later', () => {
  test('GET /records/:id answers this garage only; another garage gets the same 404 as a missing id', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup('local:a')
    await g.setup('local:b')
    const r = await g.ok(
      'POST',
      '/records',
      { car: 'corolla', title: 'Brake pads', kind: 'repair' },
      'local:a',
    )
    const got = await g.ok('GET', `/records/${r.id}`, undefined, 'local:a')
    expect([got.id, got.car, got.title, got.kind, got.cost]).toEqual([
      r.id,
      'corolla',
      'Brake pads',
      'repair',
      null,
    ])
    const theirs = await g.call('GET', `/records/${r.id}`, undefined, 'local:b')
    const missing = await g.call('GET', '/records/9999', undefined, 'local:a')
    expect(theirs.status).toBe(404)
    expect(theirs.body.error.message).toBe(
      `record: there is no service record #${r.id} in this garage (see /service list)`,
    )
    expect(missing.body.error.message).toBe(
      'record: there is no service record #9999 in this garage (see /service list)',
    )
  })

  test('a record without a cost takes one once; a cost already there is kept (409); bad amounts named', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup('local:a', { currency: 'USD' })
    await g.setup('local:b', { currency: 'USD' })
    const r = await g.ok('POST', '/records', { car: 'corolla', title: 'Brake pads' })
    const typed = await g.ok('POST', '/records', {
      car: 'corolla',
      title: 'Wash',
      cost: { value: 20, text: '20' },
    })

    expectFieldRefused(
      await g.call('POST', `/records/${r.id}/cost`, { cost: { value: -5 } }),
      'cost',
      /greater or equal to 0/,
    )
    expectFieldRefused(
      await g.call('POST', `/records/${r.id}/cost`, { cost: { value: 1.234 } }),
      'cost',
      /2 decimals/,
    )
    expect((await g.call('POST', `/records/${r.id}/cost`, { cost: { value: 640 } }, 'local:b')).status).toBe(
      404,
    )
    expect(g.count('service_records', 'cost_minor IS NOT NULL')).toBe(1)

    const set = await g.ok('POST', `/records/${r.id}/cost`, { cost: { value: 640, text: '$640.00' } })
    expect([set.cost, set.cost_minor]).toEqual(['$640.00', 64000])
    expect((await g.ok('GET', `/records/${r.id}`)).cost).toBe('$640.00')

    const again = await g.call('POST', `/records/${r.id}/cost`, { cost: { value: 700 } })
    expect(again.status).toBe(409)
    expect(again.body.error.message).toBe(
      `cost: service record #${r.id} already has a cost ($640.00); nothing changed`,
    )
    const kept = await g.call('POST', `/records/${typed.id}/cost`, { cost: { value: 640 } })
    expect(kept.status).toBe(409)
    expect((await g.ok('GET', `/records/${typed.id}`)).cost).toBe('$20.00')
    expect((await g.ok('GET', `/records/${r.id}`)).cost_minor).toBe(64000)
  })
})

describe('raw values beside the labels', () => {
  test("a record carries its cost, currency and odometer in the car's unit", async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup('local:a', { currency: 'EUR' })
    const r = await g.ok('POST', '/records', {
      car: 'corolla',
      title: 'Brakes',
      cost: { value: 640, text: '640 EUR' },
      odometer: { value: 48500, unit: 'mi', text: '48,500 mi' },
    })
    expect(r).toMatchObject({
      cost: '€640.00',
      cost_minor: 64000,
      currency: 'EUR',
      odometer: '48,500 mi',
      odometer_value: 48500,
      odometer_unit: 'mi',
    })
    // the answer of a write carries the change it made (what Undo takes); the record is the same
    const { change, ...logged } = r
    expect(change).toBeGreaterThan(0)
    expect(await g.ok('GET', `/records/${r.id}`)).toEqual(logged)
    // without an odometer it takes the car's on that date; without a cost, both raw values are null
    const wash = await g.ok('POST', '/records', { car: 'corolla', title: 'Wash' })
    expect(wash).toMatchObject({
      cost_minor: null,
      currency: null,
      odometer_value: 48500,
      odometer_unit: 'mi',
    })
  })

  test('a record without its odometer: the car\'s interpolated for its date, marked not typed, and no reading', async () => {
    const g = new Garage('2026-11-20T17:00:00Z')
    await g.setup() // 48,000 mi on 2026-11-20 (the car is added today)
    // Readings on May 1 and May 31; the record on May 11 is a third of the way.
    await g.ok('POST', '/cars/corolla/readings', { reading: mi(50000), date: '2026-05-01', confirm: true })
    await g.ok('POST', '/cars/corolla/readings', { reading: mi(50300), date: '2026-05-31', confirm: true })
    const readings = g.count('odometer_readings')
    const between = await g.ok('POST', '/records', { car: 'corolla', title: 'Wipers', date: '2026-05-11' })
    expect(between).toMatchObject({ odometer_value: 50100, odometer_typed: false })
    // On a day with a reading: that reading, whatever comes after.
    const onDay = await g.ok('POST', '/records', { car: 'corolla', title: 'Wash', date: '2026-05-31' })
    expect(onDay).toMatchObject({ odometer_value: 50300, odometer_typed: false })
    // Before every reading: unknown.
    const before = await g.ok('POST', '/records', { car: 'corolla', title: 'Old', date: '2026-04-01' })
    expect(before.odometer_value).toBeNull()
    expect(g.count('odometer_readings')).toBe(readings)
    // Typed: a reading of its own.
    const typed = await g.ok('POST', '/records', { car: 'corolla', title: 'Oil', date: '2026-06-10', odometer: mi(50500) })
    expect(typed).toMatchObject({ odometer_value: 50500, odometer_typed: true })
    expect(g.count('odometer_readings')).toBe(readings + 1)
  })
})
