import { describe, expect, test } from 'bun:test'
import { migrations } from './migrations.ts'
import { corolla, expectRefused, harness } from './testing.ts'

const h = harness()
const { call, count } = h

describe('the service edge', () => {
  test('health needs no token; everything else needs the right one', async () => {
    expect((await call('GET', '/health', { headers: { authorization: '' } })).status).toBe(200)
    expect((await call('GET', '/cars', { headers: { authorization: '' } })).status).toBe(401)
    const wrong = await call('GET', '/cars', { headers: { authorization: 'Bearer not-the-token-at-all' } })
    expect(wrong.status).toBe(401)
    expect(wrong.body.error.code).toBe('unauthorized')
    expect(
      (await call('POST', '/cars', { body: corolla, headers: { authorization: 'Bearer x' } })).status,
    ).toBe(401)
    expect(count('cars')).toBe(0)
  })

  test('X-Tenant is required and must be well-formed', async () => {
    const missing = await call('GET', '/cars', { tenant: null })
    expect(missing.status).toBe(400)
    expect(missing.body.error.message).toContain('X-Tenant')
    expect((await call('POST', '/cars', { tenant: 'nobody', body: corolla })).status).toBe(400)
    expect((await call('GET', '/settings', { tenant: 'discord:abc' })).status).toBe(400)
    expect(count('cars')).toBe(0)
  })

  test('ready and openapi answer', async () => {
    expect((await call('GET', '/ready')).body.ok).toBe(true)
    const doc = await call('GET', '/openapi/json')
    expect(doc.status).toBe(200)
    expect(doc.body).toMatchObject({ openapi: '3.1.2', info: { title: 'car-manager items' } })
    expect(Object.keys(doc.body.paths)).toContain('/cars/{car}/readings')
    expect(Object.keys(doc.body.paths)).not.toContain('/openapi/json')
    const page = await h.app.handle(new Request('http://localhost/openapi'))
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(await page.text()).toContain('data-url="openapi/json"')
  })

  test('malformed bodies, wrong types, unknown fields and huge numbers are 4xx naming the field', async () => {
    expect((await call('POST', '/cars', { raw: '{"nickname":' })).status).toBe(400)
    expectRefused(await call('POST', '/cars', { body: { nickname: 42 } }), 422, 'nickname')
    expectRefused(await call('POST', '/cars', { body: { nickname: 'a', odometr: 5 } }), 422, 'odometr')
    expectRefused(await call('POST', '/cars', { raw: '{"nickname":"a","year":1e309}' }), 422, 'year')
    expectRefused(
      await call('POST', '/cars', { raw: '{"nickname":"a","odometer":{"value":1e309}}' }),
      422,
      'odometer.value',
    )
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'a', odometer: { value: 1e20 } } }),
      422,
      'odometer.value',
    )
    expectRefused(await call('POST', '/cars', { body: { nickname: 'a', year: 2018.5 } }), 422, 'year')
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'a', purchase_price: { value: 'NaN' } } }),
      422,
      'purchase_price.value',
    )
    expectRefused(await call('PATCH', '/settings', { body: { reminder_hour: 25 } }), 422, 'reminder_hour')
    expectRefused(await call('PATCH', '/settings', { body: { units: 'furlongs' } }), 422, 'units')
    expect((await call('POST', '/cars', { body: [1, 2] })).status).toBe(422)
    expect((await call('POST', '/cars', { body: 'corolla' })).status).toBe(422)
    expect(count('cars')).toBe(0)
    expect(count('tenants')).toBe(0)
  })
})

describe('idempotency', () => {
  test('the same key answers the first result again and stores one row', async () => {
    const key = { 'idempotency-key': 'env-123' }
    const first = await call('POST', '/cars', { body: corolla, headers: key })
    const again = await call('POST', '/cars', { body: corolla, headers: key })
    expect(again.status).toBe(201)
    expect(again.body).toEqual(first.body)
    expect(count('cars')).toBe(1)
    // a new key is a new request: the nickname is taken now
    expect(
      (await call('POST', '/cars', { body: corolla, headers: { 'idempotency-key': 'env-124' } })).status,
    ).toBe(409)
    const r1 = await call('POST', '/cars/corolla/readings', {
      body: { reading: { value: 53000, unit: 'mi' } },
      headers: { 'idempotency-key': 'r1' },
    })
    const r2 = await call('POST', '/cars/corolla/readings', {
      body: { reading: { value: 53000, unit: 'mi' } },
      headers: { 'idempotency-key': 'r1' },
    })
    expect(r2.body).toEqual(r1.body)
    expect(count('odometer_readings')).toBe(2)
    const d1 = await call('DELETE', '/cars/corolla?confirm=yes', { headers: { 'idempotency-key': 'd1' } })
    const d2 = await call('DELETE', '/cars/corolla?confirm=yes', { headers: { 'idempotency-key': 'd1' } })
    expect(d2.status).toBe(200)
    expect(d2.body).toEqual(d1.body)
  })

  test('a refused write stores no answer: the same key can succeed once fixed', async () => {
    const key = { 'idempotency-key': 'env-9' }
    expect((await call('POST', '/cars', { body: { nickname: 'a b' }, headers: key })).status).toBe(422)
    expect((await call('POST', '/cars', { body: { nickname: 'ab' }, headers: key })).status).toBe(201)
    expect(count('idempotency')).toBe(1)
  })

  test('keys are per tenant', async () => {
    const key = { 'idempotency-key': 'same' }
    await call('POST', '/cars', { body: corolla, headers: key })
    const other = await call('POST', '/cars', {
      tenant: 'local:b',
      body: { nickname: 'civic' },
      headers: key,
    })
    expect(other.status).toBe(201)
    expect(other.body.nickname).toBe('civic')
  })
})

describe('tenant isolation', () => {
  test('the same nickname in two garages is two cars; one garage never reaches the other', async () => {
    const a = await call('POST', '/cars', { tenant: 'discord:111', body: corolla })
    const b = await call('POST', '/cars', {
      tenant: 'discord:222',
      body: { nickname: 'Corolla', year: 2010 },
    })
    expect(b.status).toBe(201)
    expect(b.body.id).not.toBe(a.body.id)
    expect((await call('GET', '/cars/corolla', { tenant: 'discord:222' })).body.year).toBe(2010)
    // B asks for A's car by numeric id: not found, and the message lists only B's cars
    const byId = await call('GET', `/cars/${a.body.id}`, { tenant: 'discord:222' })
    expect(byId.status).toBe(404)
    expect(byId.body.error.message).toContain('cars: Corolla')
    expect(JSON.stringify(byId.body)).not.toContain('corolla"')
    expect(
      (await call('PATCH', `/cars/${a.body.id}`, { tenant: 'discord:222', body: { plate: 'STOLEN' } }))
        .status,
    ).toBe(404)
    expect(
      (
        await call('POST', `/cars/${a.body.id}/readings`, {
          tenant: 'discord:222',
          body: { reading: { value: 1e6 } },
        })
      ).status,
    ).toBe(404)
    expect((await call('DELETE', `/cars/${a.body.id}?confirm=yes`, { tenant: 'discord:222' })).status).toBe(
      404,
    )
    expect(
      (
        await call('PATCH', '/settings', {
          tenant: 'discord:222',
          body: { photo_channel_car: { channel: '5', car: String(a.body.id) } },
        })
      ).status,
    ).toBe(404)
    // a tenant C with no cars cannot reach either by nickname
    expect((await call('DELETE', '/cars/corolla?confirm=yes', { tenant: 'discord:333' })).status).toBe(404)
    const aNow = await call('GET', '/cars/corolla', { tenant: 'discord:111' })
    expect(aNow.body).toMatchObject({ plate: 'AB-123', odometer: { value: 52000 }, reading_count: 1 })
    // B removes its own Corolla; A's stays
    expect((await call('DELETE', '/cars/corolla?confirm=yes', { tenant: 'discord:222' })).status).toBe(200)
    expect((await call('GET', '/cars/corolla', { tenant: 'discord:111' })).status).toBe(200)
  })

  test('lists and autocomplete show only the garage own cars', async () => {
    await call('POST', '/cars', { tenant: 'slack:T1', body: { nickname: 'corolla' } })
    await call('POST', '/cars', { tenant: 'slack:T2', body: { nickname: 'corvette' } })
    expect(
      (await call('GET', '/cars?q=cor', { tenant: 'slack:T2' })).body.cars.map(
        (c: { nickname: string }) => c.nickname,
      ),
    ).toEqual(['corvette'])
    expect((await call('GET', '/cars', { tenant: 'slack:T3' })).body.cars).toEqual([])
    expect((await call('GET', '/settings', { tenant: 'slack:T3' })).body.stored).toBe(false)
  })
})

describe('migrations', () => {
  test('reopening an existing file keeps the data and re-runs nothing', async () => {
    await call('POST', '/cars', { body: corolla })
    const path = h.dir
    await h.app.stop()
    const again = h.fresh(path)
    const version = (again.decorator.db.query('PRAGMA user_version').get() as { user_version: number })
      .user_version
    expect(version).toBe(migrations.length)
    const res = await call('GET', '/cars/corolla', { on: again })
    expect(res.status).toBe(200)
    expect(res.body.odometer.value).toBe(52000)
    h.app = again
  })
})

describe('breaking it', () => {
  test('a nickname taken by another writer between check and insert is a 409, not a 500', async () => {
    // Another process wins the race: its row lands just before ours (simulated with a trigger;
    // the rival's id is its own, as a writer's id from the car id counter would be).
    h.app.decorator.db.exec(`CREATE TEMP TRIGGER rival BEFORE INSERT ON cars WHEN NEW.nickname_key = 'golf' BEGIN
      INSERT INTO cars (id, tenant, nickname, nickname_key, odometer_unit, created_at) VALUES (NEW.id + 1000, NEW.tenant, 'Golf', 'golf', 'km', 'x');
    END`)
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'golf' } }),
      409,
      'nickname',
      /already has a car/,
    )
    h.app.decorator.db.exec('DROP TRIGGER rival')
    expect(count('cars')).toBe(0)
  })

  test('random bodies and paths never get a 5xx', async () => {
    const fc = await import('fast-check')
    const value = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(
        1e308,
        -1e308,
        Number.MAX_SAFE_INTEGER + 2,
        -0,
        0.1,
        '',
        '🚗',
        'x'.repeat(5000),
        null,
        true,
      ),
    )
    const distance = fc.record(
      { value, unit: fc.oneof(value, fc.constantFrom('km', 'mi', null)), text: value },
      { requiredKeys: [] },
    )
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          nickname: fc.oneof(value, fc.stringMatching(/^[a-z]{1,8}$/)),
          year: value,
          odometer: fc.oneof(value, distance),
          reading: fc.oneof(value, distance),
          vin: value,
          purchase_date: fc.oneof(
            value,
            fc.constantFrom('2026-05-10', '0000-00-00', '2026-13-01', '9999-12-31'),
          ),
          purchase_price: fc.oneof(value, fc.record({ value, text: value }, { requiredKeys: [] })),
          confirm: value,
          date: value,
          units: value,
          currency: value,
          timezone: value,
          urgent: fc.oneof(value, fc.record({ days: value, distance, text: value }, { requiredKeys: [] })),
          photo_channel_car: fc.oneof(value, fc.record({ channel: value, car: value }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      ),
    )
    const route = fc.constantFrom(
      ['POST', '/cars'],
      ['PATCH', '/cars/corolla'],
      ['POST', '/cars/corolla/readings'],
      ['PATCH', '/settings'],
      ['DELETE', '/cars/corolla'],
      ['GET', '/cars/%F0%9F%9A%97'],
      ['GET', '/cars?q=%00'],
    )
    await call('POST', '/cars', { body: corolla })
    await fc.assert(
      fc.asyncProperty(route, body, async ([method, path], b) => {
        const res = await call(method!, path!, { body: method === 'GET' ? undefined : b })
        expect(res.status).toBeLessThan(500)
        if (res.status >= 400) expect(typeof res.body.error.message).toBe('string')
      }),
      { numRuns: 300 },
    )
  })
})
