import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, expectFieldRefused, Garage, mi } from '../testing.ts'

cleanUpAfterAll()

describe('items, records and fill-ups', () => {
  test('bad input is refused naming the field, and nothing is stored', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6 })
    const before = {
      items: g.count('maintenance_items'),
      records: g.count('service_records'),
      fillups: g.count('fuel_fillups'),
      readings: g.count('odometer_readings'),
    }
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres' }),
      'months',
      /months or distance/,
    )
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: 0 }),
      'months',
      /1 or more/,
    )
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: -6 }),
      'months',
    )
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: 2.5 }),
      'months',
    )
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', distance: mi(0) }),
      'distance',
      /more than 0/,
    )
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', distance: { value: -5, unit: 'mi' } }),
      'distance',
    )
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: 6, last_date: '2026-05-02' }),
      'last_date',
      /future/,
    )
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: 6, last_date: '2026-02-30' }),
      'last_date',
    )
    expectFieldRefused(
      await g.call('POST', '/items', {
        car: 'corolla',
        name: 'Tyres',
        distance: mi(5000),
        last_odometer: mi(60000),
      }),
      'last_odometer',
    )
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'oil CHANGE', months: 3 }),
      'name',
      /already/,
    )
    expectFieldRefused(
      await g.call('POST', '/records', { car: 'corolla', title: 'Oil', odometer: mi(47000) }),
      'odometer',
      /lower/,
    )
    expectFieldRefused(
      await g.call('POST', '/records', { car: 'corolla', title: 'Oil', cost: { value: -3, text: '-3' } }),
      'cost',
    )
    expectFieldRefused(
      await g.call(
        'POST',
        '/records',
        undefined,
        'local:a',
        '{"car":"corolla","title":"Oil","cost":{"value":1e309,"text":"1e309"}}',
      ),
      'cost',
    )
    expectFieldRefused(
      await g.call('POST', '/fillups', {
        car: 'corolla',
        volume: { value: 0, unit: 'gal' },
        odometer: mi(48100),
      }),
      'volume',
      /more than 0/,
    )
    expectFieldRefused(
      await g.call('POST', '/fillups', {
        car: 'corolla',
        volume: { value: 10, unit: 'gal' },
        cost: { value: -3 },
      }),
      'cost',
    )
    expectFieldRefused(
      await g.call('POST', '/fillups', {
        car: 'corolla',
        volume: { value: 10, unit: 'gal' },
        odometer: mi(47000),
      }),
      'odometer',
    )
    expectFieldRefused(
      await g.call('PATCH', '/items', { car: 'corolla', item: 'Oil change', months: 0 }),
      'months',
    )
    expectFieldRefused(
      await g.call('PATCH', '/items', { car: 'corolla', item: 'Nope', months: 3 }),
      'item',
      /Oil change/,
    )
    // Garage settings (the items helper's route): an unknown timezone, a reminder hour of 25.
    expectFieldRefused(await g.call('PATCH', '/settings', { timezone: 'Mars/Olympus' }), 'timezone')
    expectFieldRefused(await g.call('PATCH', '/settings', { reminder_hour: 25 }), 'reminder_hour')
    // Numbers in the query and path are whole: a fraction was a SQLite "datatype mismatch" 500.
    for (const [method, path, field, range] of [
      ['GET', '/records?car=corolla&limit=1.5', 'limit', /from 1 to 100$/],
      ['GET', '/records?limit=0', 'limit', /from 1 to 100$/],
      ['GET', '/fillups?car=corolla&limit=33.12', 'limit', /from 1 to 100$/],
      ['GET', '/records/1.5', 'id', /from 1 to/],
      ['POST', '/records/1.5/cost', 'id', /from 1 to/],
      ['POST', '/items/1.5/done', 'id', /from 1 to/],
      ['POST', '/items/1e21/snooze', 'id', /from 1 to/],
    ] as const) {
      const body =
        method === 'POST' ? (path.endsWith('cost') ? { cost: { value: 5, text: '5' } } : {}) : undefined
      const r = await g.call(method, path, body)
      expect([path, r.status]).toEqual([path, 422])
      expectFieldRefused(r, field, range)
    }
    expect((await g.call('GET', '/records?car=corolla&limit=2')).status).toBe(200)
    expect({
      items: g.count('maintenance_items'),
      records: g.count('service_records'),
      fillups: g.count('fuel_fillups'),
      readings: g.count('odometer_readings'),
    }).toEqual(before)
    const settings = await g.ok('GET', '/settings')
    expect([settings.timezone, settings.reminder_hour]).toEqual(['America/Chicago', 9])
  })

  test('tenant isolation: another garage sees and touches none of these items or records', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup('local:a')
    await g.setup('local:b')
    const item = await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6 }, 'local:a')
    await g.ok('POST', '/records', { car: 'corolla', title: 'Wash' }, 'local:a')
    expect((await g.ok('GET', '/items', undefined, 'local:b')).items).toEqual([])
    expect((await g.ok('GET', '/records', undefined, 'local:b')).records).toEqual([])
    expect((await g.call('POST', `/items/${item.id}/done`, {}, 'local:b')).status).toBe(404)
    expect((await g.call('POST', `/items/${item.id}/snooze`, {}, 'local:b')).status).toBe(404)
    expect(
      (await g.call('POST', '/items/remove', { car: 'corolla', item: 'Oil change' }, 'local:b')).status,
    ).toBe(404)
    expect((await g.ok('GET', '/items', undefined, 'local:a')).items).toHaveLength(1)
    expect(g.count('service_records', "tenant = 'local:b'")).toBe(0)
  })

  test('edit and remove by car and name', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6, last_date: '2026-04-01' })
    const e = await g.ok('PATCH', '/items', {
      car: 'corolla',
      item: 'OIL CHANGE',
      months: 3,
      name: 'Oil',
      urgent: { days: 14, text: '14 d' },
    })
    expect([e.name, e.due_date, e.urgent]).toEqual(['Oil', '2026-07-01', '14 d'])
    const r = await g.ok('POST', '/items/remove', { car: 'corolla', item: 'oil' })
    expect(r.removed.name).toBe('Oil')
    expect(g.count('maintenance_items')).toBe(0)
  })
})

describe('raw values beside the labels', () => {
  test("an item carries its interval and last odometer in the car's unit", async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const item = await g.ok('POST', '/items', {
      car: 'corolla',
      name: 'Oil change',
      distance: mi(5000),
      last_odometer: mi(47000),
    })
    expect(item).toMatchObject({
      distance: '5,000 mi',
      distance_value: 5000,
      last_odometer: '47,000 mi',
      last_odometer_value: 47000,
      odometer_unit: 'mi',
      due_odometer: 52000,
    })
    // a km car in this miles garage: an interval typed in miles is kept in km
    await g.ok('POST', '/cars', {
      nickname: 'golf',
      odometer: { value: 80000, unit: 'km', text: '80,000 km' },
    })
    const golf = await g.ok('POST', '/items', { car: 'golf', name: 'Tyres', distance: mi(10000), months: 24 })
    expect(golf).toMatchObject({ distance: '10,000 mi', odometer_unit: 'km', last_odometer_value: 80000 })
    expect(golf.distance_value).toBeCloseTo(16093.44, 2)
    const listed = (await g.ok('GET', '/items?car=golf')).items[0]
    expect([listed.distance_value, listed.last_odometer_value, listed.odometer_unit]).toEqual([
      golf.distance_value,
      80000,
      'km',
    ])
  })

  test('due texts say days up to two months, then about weeks, months or years', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const due = async (name: string, months: number, last_date?: string) =>
      (await g.ok('POST', '/items', { car: 'corolla', name, months, ...(last_date ? { last_date } : {}) }))
        .due_text
    expect(await due('Wipers', 1, '2026-04-13')).toBe('due 2026-05-13 (in 12 days)')
    expect(await due('Coolant', 2, '2026-04-30')).toBe('due 2026-06-30 (in 60 days)')
    expect(await due('Brake fluid', 3, '2026-04-20')).toBe('due 2026-07-20 (in about 11 weeks)')
    expect(await due('Cabin filter', 5)).toBe('due 2026-10-01 (in about 5 months)')
    expect(await due('Timing belt', 60)).toBe('due 2031-05-01 (in about 5 years)')
    expect(await due('Battery', 1, '2025-11-01')).toBe('due 2025-12-01 (about 5 months ago)')
    expect(await due('Spark plugs', 1, '2026-03-25')).toBe('due 2026-04-25 (6 days ago)')
  })
})

describe('"last done at" from the odometer history', () => {
  /** A corolla at 48,000 mi today (2026-11-20), read at 40,000 on March 1 and 44,000 on July 1. */
  async function readCar() {
    const g = new Garage('2026-11-20T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/cars/corolla/readings', { reading: mi(40000), date: '2026-03-01' })
    await g.ok('POST', '/cars/corolla/readings', { reading: mi(44000), date: '2026-07-01' })
    return g
  }

  test('a past date between readings is interpolated; today is the current odometer', async () => {
    const g = await readCar()
    // May 1 is 61 of the 122 days from March 1 to July 1: half of 4,000 mi on from 40,000.
    const past = await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', distance: mi(5000), last_date: '2026-05-01' })
    expect(past).toMatchObject({ last_odometer_value: 42000, due_odometer: 47000 })
    const now = await g.ok('POST', '/items', { car: 'corolla', name: 'Tyres', distance: mi(10000) })
    expect(now).toMatchObject({ last_odometer_value: 48000 })
  })

  test('a date the readings do not cover is asked for, never given today\'s odometer', async () => {
    const g = await readCar()
    const items = g.count('maintenance_items')
    // Before the first reading (the bug: the current 48,000 mi was taken as "last done at").
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Air filter', distance: mi(15000), last_date: '2025-01-15' }),
      'last_odometer',
      /do not tell its odometer on 2025-01-15 \(its readings run from 2026-03-01 to 2026-11-20\)/,
    )
    // A past date after the last reading: driven since, by how much nobody typed.
    g.at('2026-12-10T17:00:00Z')
    expectFieldRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Air filter', distance: mi(15000), last_date: '2026-12-01' }),
      'last_odometer',
      /2026-12-01/,
    )
    expect(g.count('maintenance_items')).toBe(items)
    // Given, it is taken; an item due by date only needs no odometer.
    await g.ok('POST', '/items', { car: 'corolla', name: 'Air filter', distance: mi(15000), last_date: '2026-12-01', last_odometer: mi(48000) })
    const byDate = await g.ok('POST', '/items', { car: 'corolla', name: 'Wipers', months: 12, last_date: '2025-01-15' })
    expect(byDate.last_odometer_value).toBeNull()
  })

  test('a service of a past date after the last reading asks for the odometer of an item due by distance', async () => {
    const g = await readCar()
    await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', distance: mi(5000) })
    g.at('2026-12-10T17:00:00Z')
    const records = g.count('service_records')
    expectFieldRefused(
      await g.call('POST', '/records', { car: 'corolla', title: 'Oil', date: '2026-12-01', items: ['Oil change'] }),
      'odometer',
      /Oil change is due by distance/,
    )
    expect(g.count('service_records')).toBe(records)
    // A record that completes nothing by distance is kept with its odometer unknown.
    const wash = await g.ok('POST', '/records', { car: 'corolla', title: 'Wash', date: '2026-12-01' })
    expect(wash.odometer_value).toBeNull()
    // With the odometer given, the due point moves on from it.
    const done = await g.ok('POST', '/records', { car: 'corolla', title: 'Oil', date: '2026-12-01', items: ['Oil change'], odometer: mi(48300) })
    expect(done.odometer_value).toBe(48300)
    const item = (await g.ok('GET', '/items?car=corolla')).items.find((i: { name: string }) => i.name === 'Oil change')
    expect(item).toMatchObject({ last_odometer_value: 48300, due_odometer: 53300 })
  })
})
