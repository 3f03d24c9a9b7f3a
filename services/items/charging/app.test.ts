import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, expectFieldRefused, Garage } from '../testing.ts'

cleanUpAfterAll()

describe('charges in the items service', () => {
  test('read in the garage number format; another garage sees none; a removed car takes its charges', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup('local:a', { numbers: '1.234,5', currency: 'EUR' })
    await g.ok('POST', '/cars', { nickname: 'zoe' })
    // "0,25/kWh" and "41,5 kWh" read the garage's way; 41.5 × 25 = 1037.5 cents
    const c = await g.ok('POST', '/charges', { car: 'zoe', energy: '41,5 kWh', price_per: '0,25/kWh' })
    expect(c).toMatchObject({ number: 1, kwh: 41.5, cost_minor: 1038, currency: 'EUR', energy: '41,5 kWh' })
    const wh = await g.ok('POST', '/charges', { car: 'zoe', energy: '7500 Wh' })
    expect(wh.kwh).toBe(7.5)
    expect((await g.ok('GET', '/charges?car=zoe', undefined, 'local:a')).total).toBe(2)
    await g.ok('PATCH', '/settings', { units: 'metric' }, 'local:b')
    await g.ok('POST', '/cars', { nickname: 'zoe' }, 'local:b')
    expect((await g.ok('GET', '/charges?car=zoe', undefined, 'local:b')).total).toBe(0)
    expect((await g.call('POST', '/charges/edit', { number: 1, energy: '1 kWh' }, 'local:b')).status).toBe(
      404,
    )
    await g.ok('DELETE', '/cars/zoe?confirm=yes')
    expect(g.count('charges', "tenant = 'local:a'")).toBe(0)
  })

  test('refused without storing: a place, a state of charge, energy that is not, a car that runs on fuel', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/cars', { nickname: 'kona' })
    expectFieldRefused(
      await g.call('POST', '/charges', { car: 'kona', energy: '20 kWh', where: 'moon' }),
      'where',
      /home, public, fast/,
    )
    expectFieldRefused(
      await g.call('POST', '/charges', { car: 'kona', energy: '20 kWh', soc: '-5-80%' }),
      'soc',
    )
    expectFieldRefused(
      await g.call('POST', '/charges', { car: 'kona', energy: '20 gal' }),
      'energy',
      /not an amount of energy/,
    )
    await g.ok('PATCH', '/cars/kona', { powertrain: 'combustion' })
    const petrol = await g.call('POST', '/charges', { car: 'kona', energy: '20 kWh' })
    expect(petrol.status).toBe(409)
    expect(petrol.body.error.message).toContain('powertrain:phev')
    expect(g.count('charges')).toBe(0)
    expectFieldRefused(
      await g.call('PATCH', '/cars/kona', { powertrain: 'steam' }),
      'powertrain',
      /combustion, hybrid, phev, ev/,
    )
  })
})
