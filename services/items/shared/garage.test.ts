/**
 * Every label the items service writes is in its garage's number format and date order: a car's
 * prices and odometer in the other unit, the car's presentation for its caller, due texts and
 * reminders, fill-ups and records, refusals, and the history. Storage keeps numbers and ISO dates.
 */
import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, Garage, mi } from '../testing.ts'

cleanUpAfterAll()

const NBSP = '\u00a0'

describe('a 1.234,5 DD/MM/YYYY garage', () => {
  test("labels, due texts, reminders, refusals and history are written the garage's way", async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup('local:a', { numbers: '1.234,5', dates: 'DD/MM/YYYY', currency: 'EUR' }, '48.000 mi')
    // a price and a reading typed in km on a mi car: the car-unit value is written 1.234,5
    const edited = await g.ok('PATCH', '/cars/corolla', {
      purchase_price: { value: 12_345.5, text: '12.345,50' },
      purchase_date: '2024-03-01',
    })
    expect(edited.purchase_price.label).toBe('€12.345,50')
    expect(edited.presentation).toEqual({ numbers: '1.234,5', dates: 'DD/MM/YYYY' })
    g.at('2026-05-02T17:00:00Z')
    const km = await g.ok('POST', '/cars/corolla/readings', {
      reading: { value: 77_350, unit: 'km', text: '77.350 km' },
    })
    expect(km.reading.label).toBe('48.063,1 mi (77.350 km)')
    expect(km.car.presentation.dates).toBe('DD/MM/YYYY')
    const listed = await g.ok('GET', '/cars')
    expect(listed.cars[0]).toMatchObject({
      odometer: { label: '48.063,1 mi (77.350 km)', read_on: '2026-05-02' },
    })
    expect((await g.ok('GET', '/readings?car=corolla')).presentation).toEqual({
      numbers: '1.234,5',
      dates: 'DD/MM/YYYY',
    })

    // an item: its due text and reminder in DD/MM/YYYY and 1.234,5
    const item = await g.ok('POST', '/items', {
      car: 'corolla',
      name: 'Oil change',
      months: 6,
      distance: mi(5000),
      last_date: '2026-05-01',
      last_odometer: mi(48_000),
    })
    expect(item.due_text).toBe(
      'due 01/11/2026 (in about 6 months) or at 53.000 mi (4.936,9 mi left; ~11 weeks, at 63,1 mi/day)',
    )
    expect(item.last_odometer).toBe('48.000 mi')
    expect(item.last_date).toBe('2026-05-01')
    g.at('2026-10-20T17:00:00Z')
    const [announced] = await g.tick()
    expect(announced.due_text).toStartWith('due 01/11/2026 (in 12 days)')

    // a record and a fill-up: costs 1.234,5; a refusal's dates DD/MM/YYYY
    const record = await g.ok('POST', '/records', {
      car: 'corolla',
      title: 'Oil',
      items: 'Oil change',
      cost: { value: 1234.5, text: '1.234,50' },
    })
    expect(record.cost).toBe('€1.234,50')
    const future = await g.call('POST', '/fillups', {
      car: 'corolla',
      volume: { value: 40, unit: 'L', text: '40 L' },
      date: '2026-10-25',
    })
    expect(future.body.error.message).toBe('date: 25/10/2026 is in the future (today is 20/10/2026)')
    const lower = await g.call('POST', '/cars/corolla/readings', { reading: mi(40_000) })
    expect(lower.body.error.message).toBe(
      'reading: 40,000 mi is lower than the last reading 48.063,1 mi (77.350 km) (02/05/2026); add confirm:yes to correct it',
    )
    const history = await g.ok('GET', '/changes')
    expect(history.changes[0].fields).toContainEqual({ name: 'cost', before: null, after: '€1.234,50' })
    expect(history.changes[0].fields).toContainEqual({ name: 'date', before: null, after: '20/10/2026' })
    // stored as numbers and ISO dates
    const row = g.app.decorator.db.query('SELECT cost_minor, done_on FROM service_records').get()
    expect(row).toEqual({ cost_minor: 123_450, done_on: '2026-10-20' })
  })

  test('a 1 234,5 garage groups with a no-break space; thresholds too', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup('local:a', { numbers: '1 234,5' }, '48 000 mi')
    const settings = await g.ok('PATCH', '/settings', {
      urgent: { days: 30, distance: { value: 1500, unit: 'mi' } },
    })
    expect(settings.urgent.text).toBe(`30 d, 1${NBSP}500 mi`)
    const item = await g.ok('POST', '/items', {
      car: 'corolla',
      name: 'Tyres',
      distance: mi(10_000),
      last_odometer: mi(48_000),
    })
    expect(item.due_text).toBe(`due at 58${NBSP}000 mi (10${NBSP}000 mi left)`)
  })
})
