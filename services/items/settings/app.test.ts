import { describe, expect, test } from 'bun:test'
import { corolla, expectRefused, harness } from '../testing.ts'

const h = harness()
const { call, count } = h

describe('settings', () => {
  test('an unknown garage reads the defaults and nothing is stored', async () => {
    const res = await call('GET', '/settings', { tenant: 'slack:T123' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      tenant: 'slack:T123',
      units: 'metric',
      currency: 'USD',
      timezone: 'UTC',
      reminder_channel: null,
      reminder_hour: 9,
      urgent: { days: 30, km: 800, text: '30 d, 800 km' },
      very_urgent: { days: 7, km: 160, text: '7 d, 160 km' },
      stored: false,
    })
    expect(count('tenants')).toBe(0)
  })

  test('changes are validated, stored and read back', async () => {
    const res = await call('PATCH', '/settings', {
      body: {
        units: 'imperial',
        currency: 'eur',
        timezone: 'America/Chicago',
        reminder_channel: '123456789012345678',
        reminder_hour: 7,
      },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      units: 'imperial',
      currency: 'EUR',
      timezone: 'America/Chicago',
      reminder_channel: '123456789012345678',
      reminder_hour: 7,
      stored: true,
      // thresholds never set follow the units' round numbers
      urgent: { days: 30, text: '30 d, 500 mi', distance: { value: 500, unit: 'mi' } },
      very_urgent: { days: 7, text: '7 d, 100 mi' },
    })
    expect(res.body.urgent.km).toBeCloseTo(804.672, 3)
    expect((await call('GET', '/settings')).body).toEqual(res.body)
    expect(count('tenants')).toBe(1)
  })

  test('thresholds: typed text kept, a left-out part keeps its value, very urgent not beyond urgent', async () => {
    const set = await call('PATCH', '/settings', {
      body: {
        urgent: { days: 21, distance: { value: 500, unit: 'mi', text: '500 mi' }, text: '21 d, 500 mi' },
      },
    })
    expect(set.status).toBe(200)
    expect(set.body.urgent).toMatchObject({ days: 21, text: '21 d, 500 mi' })
    expect(set.body.urgent.km).toBeCloseTo(804.672, 3)
    const daysOnly = await call('PATCH', '/settings', { body: { very_urgent: { days: 3, text: '3 d' } } })
    expect(daysOnly.body.very_urgent).toMatchObject({ days: 3, km: 160 })
    expectRefused(
      await call('PATCH', '/settings', { body: { very_urgent: { days: 40, text: '40 d' } } }),
      422,
      'very_urgent',
      /40 days.*21/,
    )
    expectRefused(
      await call('PATCH', '/settings', {
        body: { very_urgent: { distance: { value: 900, unit: 'km' }, text: '900 km' } },
      }),
      422,
      'very_urgent',
    )
    expectRefused(await call('PATCH', '/settings', { body: { urgent: { text: 'soon' } } }), 422, 'urgent')
    expect((await call('GET', '/settings')).body.very_urgent.days).toBe(3)
  })

  test('a currency, timezone or channel that does not exist is refused and nothing is stored', async () => {
    expectRefused(
      await call('PATCH', '/settings', { body: { currency: 'XYZ' } }),
      422,
      'currency',
      /ISO 4217/,
    )
    expectRefused(await call('PATCH', '/settings', { body: { currency: 'dollars' } }), 422, 'currency')
    expectRefused(
      await call('PATCH', '/settings', { body: { timezone: 'Mars/Olympus_Mons' } }),
      422,
      'timezone',
    )
    expectRefused(await call('PATCH', '/settings', { body: { timezone: '' } }), 422, 'timezone')
    expectRefused(
      await call('PATCH', '/settings', { body: { reminder_channel: '#general please' } }),
      422,
      'reminder_channel',
    )
    expect(count('tenants')).toBe(0)
  })

  test('photo channel car: set for a channel, read back with ?channel=, forgotten with null', async () => {
    await call('POST', '/cars', { body: corolla })
    const set = await call('PATCH', '/settings', {
      body: { photo_channel_car: { channel: 'C42', car: 'COROLLA' } },
    })
    expect(set.status).toBe(200)
    expect(set.body.photo_channel_car).toMatchObject({ nickname: 'corolla' })
    expect((await call('GET', '/settings?channel=C42')).body.photo_channel_car.nickname).toBe('corolla')
    expect((await call('GET', '/settings?channel=C43')).body.photo_channel_car).toBeNull()
    expect((await call('GET', '/settings', { tenant: 'local:b' })).body.photo_channels).toEqual([])
    const unknown = await call('PATCH', '/settings', {
      body: { photo_channel_car: { channel: 'C42', car: 'civic' } },
    })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.message).toContain('cars: corolla')
    await call('PATCH', '/settings', { body: { photo_channel_car: { channel: 'C42', car: null } } })
    expect((await call('GET', '/settings?channel=C42')).body.photo_channel_car).toBeNull()
  })

  test('the number format: 1,234.5 by default, changed and read back, nothing else accepted', async () => {
    expect((await call('GET', '/settings')).body.numbers).toBe('1,234.5')
    const res = await call('PATCH', '/settings', { body: { numbers: '1.234,5' } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ numbers: '1.234,5', stored: true })
    expect((await call('GET', '/settings')).body.numbers).toBe('1.234,5')
    // another change keeps it
    expect((await call('PATCH', '/settings', { body: { currency: 'EUR' } })).body.numbers).toBe('1.234,5')
    expect((await call('PATCH', '/settings', { body: { numbers: '1 234,5' } })).body.numbers).toBe('1 234,5')
    expect((await call('PATCH', '/settings', { body: { numbers: '1234.5' } })).status).toBe(422)
    expect((await call('GET', '/settings')).body.numbers).toBe('1 234,5')
  })
})
