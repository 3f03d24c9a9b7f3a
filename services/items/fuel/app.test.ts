import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, Garage, mi } from '../testing.ts'

cleanUpAfterAll()

describe('fuel', () => {
  test('fuel economy leaves partial and missed fill-ups out the careful way', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const gal = (value: number) => ({ value, unit: 'gal', text: `${value} gal` })
    await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48100), full: true })
    await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(4), odometer: mi(48250), full: false })
    const third = await g.ok('POST', '/fillups', {
      car: 'corolla',
      volume: gal(6),
      odometer: mi(48400),
      full: true,
    })
    expect(third.economy).toBe('30.0 mpg') // 300 mi on 4 + 6 gal
    const fourth = await g.ok('POST', '/fillups', {
      car: 'corolla',
      volume: gal(5),
      odometer: mi(48800),
      full: true,
      missed: true,
    })
    expect(fourth.economy).toBeNull()
    const list = await g.ok('GET', '/fillups?car=corolla')
    expect(list.average).toBe('30.0 mpg')
    expect(list.fillups).toHaveLength(4)
    const car = await g.ok('GET', '/cars/corolla')
    expect(car.odometer.value).toBe(48800)
    expect(car.odometer.source).toBe('fuel')
  })

  test("a fill-up carries its raw cost and odometer beside their labels, in the car's own unit", async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup('local:a', { currency: 'USD' }, '53,000 mi')
    const gal = { value: 11.2, unit: 'gal', text: '11.2 gal' }
    const f = await g.ok('POST', '/fillups', {
      car: 'corolla',
      volume: gal,
      cost: { value: 41.3, text: '41.30' },
      odometer: { value: 53200, unit: 'mi', text: '53,200 mi' },
    })
    expect(f).toMatchObject({
      cost: '$41.30',
      cost_minor: 4130,
      currency: 'USD',
      odometer: '53,200 mi',
      odometer_value: 53200,
      odometer_unit: 'mi',
    })
    expect(g.count('fuel_fillups', 'cost_minor = 4130 AND odometer = 53200')).toBe(1)
    const listed = (await g.ok('GET', '/fillups?car=corolla')).fillups[0]
    // the answer of a write carries the change it made (what Undo takes); the fill-up is the same
    const { change, ...logged } = f
    expect(change).toBeGreaterThan(0)
    expect(listed).toEqual(logged)
    // a car kept in km, in a garage that types miles: the raw odometer is in the car's unit
    await g.ok('POST', '/cars', {
      nickname: 'golf',
      odometer: { value: 80000, unit: 'km', text: '80,000 km' },
    })
    const golf = await g.ok('POST', '/fillups', { car: 'golf', volume: gal, odometer: mi(50000) })
    expect(golf).toMatchObject({
      cost_minor: null,
      currency: null,
      odometer_value: 80467.2,
      odometer_unit: 'km',
    })
    const none = await g.ok('POST', '/fillups', { car: 'golf', volume: gal })
    expect([none.odometer, none.odometer_value, none.odometer_unit]).toEqual([null, null, 'km'])
  })
})
