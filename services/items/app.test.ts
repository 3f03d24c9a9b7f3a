import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, type ItemsApp } from './app.ts'
import { migrations } from './migrations.ts'

const TOKEN = 'items-test-token-0123456789'
const dirs: string[] = []
const apps: ItemsApp[] = []
let clock = new Date('2026-05-10T12:00:00Z')
let app: ItemsApp
let dir: string

function fresh(existingDir?: string): ItemsApp {
  dir = existingDir ?? mkdtempSync(join(tmpdir(), 'items-test-'))
  if (!existingDir) dirs.push(dir)
  const a = createApp({ dataDir: dir, token: TOKEN, now: () => clock })
  apps.push(a)
  return a
}

type Res = { status: number; body: any }

async function call(
  method: string,
  path: string,
  opts: {
    tenant?: string | null
    body?: unknown
    raw?: string
    headers?: Record<string, string>
    on?: ItemsApp
  } = {},
): Promise<Res> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${TOKEN}`,
    'content-type': 'application/json',
  }
  if (opts.tenant !== null) headers['x-tenant'] = opts.tenant ?? 'local:a'
  Object.assign(headers, opts.headers)
  const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
  const res = await (opts.on ?? app).handle(new Request(`http://localhost${path}`, { method, headers, body }))
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {}
  return { status: res.status, body: parsed }
}

const corolla = {
  nickname: 'corolla',
  make: 'Toyota',
  model: 'Corolla',
  year: 2018,
  odometer: { value: 52000, unit: 'mi', text: '52,000 mi' },
  plate: 'AB-123',
}

function count(table: string, where = '1 = 1', ...args: (string | number)[]): number {
  return (
    app.decorator.db.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get(...args) as { n: number }
  ).n
}

function expectRefused(res: Res, status: number, field: string, words?: RegExp) {
  expect(res.status).toBe(status)
  expect(res.body.error.field).toBe(field)
  expect(res.body.error.message).toStartWith(field)
  if (words) expect(res.body.error.message).toMatch(words)
}

beforeEach(() => {
  clock = new Date('2026-05-10T12:00:00Z')
  app = fresh()
})

afterAll(async () => {
  for (const a of apps) await a.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

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
    const page = await app.handle(new Request('http://localhost/openapi'))
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
})

describe('cars', () => {
  test('add, show (by nickname in any case or by id), list', async () => {
    const added = await call('POST', '/cars', { body: corolla })
    expect(added.status).toBe(201)
    expect(added.body).toMatchObject({
      nickname: 'corolla',
      make: 'Toyota',
      model: 'Corolla',
      year: 2018,
      plate: 'AB-123',
      odometer_unit: 'mi',
      odometer: {
        value: 52000,
        unit: 'mi',
        text: '52,000 mi',
        label: '52,000 mi',
        source: 'car',
        read_on: '2026-05-10',
      },
      reading_count: 1,
    })
    expect(count('tenants')).toBe(1)
    const byName = await call('GET', '/cars/CoRoLLa')
    expect(byName.status).toBe(200)
    expect(byName.body.id).toBe(added.body.id)
    expect(byName.body.readings).toHaveLength(1)
    expect((await call('GET', `/cars/${added.body.id}`)).body.nickname).toBe('corolla')
    await call('POST', '/cars', { body: { nickname: 'Civic', year: 2020 } })
    const list = await call('GET', '/cars')
    expect(list.body.cars.map((c: { nickname: string }) => c.nickname)).toEqual(['Civic', 'corolla'])
    expect(list.body.cars[1].odometer.label).toBe('52,000 mi')
    expect(list.body.cars[0].odometer).toBeNull()
  })

  test('a distance without unit takes the garage unit, and the car keeps its unit', async () => {
    const metric = await call('POST', '/cars', {
      body: { nickname: 'golf', odometer: { value: 83000, unit: null, text: '83 000' } },
    })
    expect(metric.body.odometer_unit).toBe('km')
    expect(metric.body.odometer.text).toBe('83 000 km')
    await call('PATCH', '/settings', { body: { units: 'imperial' } })
    const imperial = await call('POST', '/cars', { body: { nickname: 'f150', odometer: { value: 30000 } } })
    expect(imperial.body.odometer_unit).toBe('mi')
    expect(imperial.body.odometer.label).toBe('30,000 mi')
    // the golf stays in km; a reading typed without unit now means miles and is converted
    const r = await call('POST', '/cars/golf/readings', {
      body: { reading: { value: 52000, text: '52,000' } },
    })
    expect(r.status).toBe(201)
    expect(r.body.reading.value).toBeCloseTo(83685.888, 3)
    expect(r.body.reading).toMatchObject({ unit: 'km', text: '52,000 mi', label: '83,685.9 km (52,000 mi)' })
  })

  test('model year 1886 .. this year + 2 by the injected clock', async () => {
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'old', year: 1700 } }),
      422,
      'year',
      /1886-2028/,
    )
    expectRefused(await call('POST', '/cars', { body: { nickname: 'new', year: 3000 } }), 422, 'year')
    expectRefused(await call('POST', '/cars', { body: { nickname: 'new', year: 2029 } }), 422, 'year')
    expect((await call('POST', '/cars', { body: { nickname: 'new', year: 2028 } })).status).toBe(201)
    clock = new Date('2030-01-01T00:00:00Z')
    expect((await call('POST', '/cars', { body: { nickname: 'newer', year: 2032 } })).status).toBe(201)
    expect((await call('POST', '/cars', { body: { nickname: 'first', year: 1886 } })).status).toBe(201)
    expect(count('cars')).toBe(3)
  })

  test('odometer abc or -5 is refused', async () => {
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'a', odometer: { value: 'abc' } } }),
      422,
      'odometer.value',
    )
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'a', odometer: { value: -5 } } }),
      422,
      'odometer.value',
    )
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'a', odometer: { value: 5, unit: 'parsecs' } } }),
      422,
      'odometer.unit',
    )
    expect(count('cars')).toBe(0)
    expect(count('odometer_readings')).toBe(0)
  })

  test('nicknames: no spaces, at most 32, not only emoji, unique per garage in any case', async () => {
    expectRefused(await call('POST', '/cars', { body: { nickname: 'my car' } }), 422, 'nickname', /spaces/)
    expectRefused(await call('POST', '/cars', { body: { nickname: 'x'.repeat(200) } }), 422, 'nickname', /32/)
    expectRefused(
      await call('POST', '/cars', { body: { nickname: '🚗🚙' } }),
      422,
      'nickname',
      /letters, digits/,
    )
    expectRefused(await call('POST', '/cars', { body: { nickname: '   ' } }), 422, 'nickname')
    expectRefused(await call('POST', '/cars', { body: { nickname: 'a/b' } }), 422, 'nickname')
    expect((await call('POST', '/cars', { body: { nickname: 'Zoë_2-b' } })).status).toBe(201)
    expect((await call('POST', '/cars', { body: { nickname: 'x'.repeat(32) } })).status).toBe(201)
    await call('POST', '/cars', { body: corolla })
    const dup = await call('POST', '/cars', { body: { ...corolla, nickname: 'COROLLA' } })
    expectRefused(dup, 409, 'nickname', /already has a car called "corolla"/)
    expect(count('cars')).toBe(3)
    // renaming onto another car's nickname is refused too; renaming to itself in another case is fine
    await call('POST', '/cars', { body: { nickname: 'civic' } })
    expectRefused(await call('PATCH', '/cars/civic', { body: { nickname: 'Corolla' } }), 409, 'nickname')
    expect((await call('PATCH', '/cars/civic', { body: { nickname: 'Civic' } })).body.nickname).toBe('Civic')
  })

  test('VIN: 17 characters without I, O, Q; a wrong check digit asks for confirm', async () => {
    const ok = await call('POST', '/cars', { body: { nickname: 'a', vin: '1m8gdm9axkp042788' } })
    expect(ok.status).toBe(201)
    expect(ok.body.vin).toBe('1M8GDM9AXKP042788')
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'b', vin: '1M8GDM9AXKP04278' } }),
      422,
      'vin',
      /17/,
    )
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'b', vin: '1M8GDM9AXKP04278O' } }),
      422,
      'vin',
      /I, O or Q/,
    )
    const wrongDigit = await call('POST', '/cars', { body: { nickname: 'b', vin: 'WVWZZZ1JZXW000001' } })
    expectRefused(wrongDigit, 409, 'vin', /check digit.*confirm:yes/)
    expect(count('cars')).toBe(1)
    expect(
      (await call('POST', '/cars', { body: { nickname: 'b', vin: 'WVWZZZ1JZXW000001', confirm: true } }))
        .status,
    ).toBe(201)
    expectRefused(await call('PATCH', '/cars/a', { body: { vin: '1M8GDM9A1KP042788' } }), 409, 'vin')
  })

  test('purchase date not in the future (garage timezone); price in minor units of the garage currency', async () => {
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'a', purchase_date: '2026-05-11' } }),
      422,
      'purchase_date',
      /future/,
    )
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'a', purchase_date: '2026-02-30' } }),
      422,
      'purchase_date',
    )
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'a', purchase_date: 'yesterday' } }),
      422,
      'purchase_date',
    )
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'a', purchase_price: { value: -3 } } }),
      422,
      'purchase_price.value',
    )
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'a', purchase_price: { value: 10.555 } } }),
      422,
      'purchase_price',
      /2 decimals/,
    )
    const usd = await call('POST', '/cars', {
      body: {
        nickname: 'a',
        purchase_date: '2026-05-10',
        purchase_price: { value: 12000.5, text: '$12,000.50' },
      },
    })
    expect(usd.status).toBe(201)
    expect(usd.body.purchase_price).toEqual({
      minor: 1200050,
      currency: 'USD',
      text: '$12,000.50',
      label: '$12,000.50',
    })
    // 23:30 in Tokyo is already the next day there
    await call('PATCH', '/settings', { body: { currency: 'JPY', timezone: 'Asia/Tokyo' } })
    clock = new Date('2026-05-10T15:30:00Z')
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'b', purchase_price: { value: 1.5 } } }),
      422,
      'purchase_price',
      /JPY has 0/,
    )
    const jpy = await call('POST', '/cars', {
      body: { nickname: 'b', purchase_date: '2026-05-11', purchase_price: { value: 1500000 } },
    })
    expect(jpy.status).toBe(201)
    expect(jpy.body.purchase_price).toMatchObject({ minor: 1500000, currency: 'JPY' })
    // the first car keeps its dollars after the garage changed currency
    expect((await call('GET', '/cars/a')).body.purchase_price.currency).toBe('USD')
  })

  test('edit changes the given fields only', async () => {
    await call('POST', '/cars', { body: corolla })
    const res = await call('PATCH', '/cars/corolla', { body: { plate: 'CD-456', year: 2019, make: '  ' } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ plate: 'CD-456', year: 2019, make: null, model: 'Corolla', removed: 0 })
    expectRefused(await call('PATCH', '/cars/corolla', { body: { year: 1700 } }), 422, 'year')
    expectRefused(await call('PATCH', '/cars/corolla', { body: { plate: 'x'.repeat(21) } }), 422, 'plate')
    expect((await call('GET', '/cars/corolla')).body.year).toBe(2019)
  })

  test('unknown car is a 404 that lists the garage cars', async () => {
    const empty = await call('GET', '/cars/corolla')
    expect(empty.status).toBe(404)
    expect(empty.body.error.message).toContain('no cars yet')
    await call('POST', '/cars', { body: corolla })
    await call('POST', '/cars', { body: { nickname: 'civic' } })
    for (const [method, path, body] of [
      ['GET', '/cars/mustang', undefined],
      ['PATCH', '/cars/mustang', { plate: 'X' }],
      ['POST', '/cars/mustang/readings', { reading: { value: 1 } }],
      ['DELETE', '/cars/mustang?confirm=yes', undefined],
      ['GET', '/cars/999', undefined],
    ] as const) {
      const res = await call(method, path, { body })
      expect(res.status).toBe(404)
      expect(res.body.error.message).toMatch(/^no car "(mustang|999)" in this garage; cars: civic, corolla$/)
    }
  })

  test('remove needs confirm and takes the readings with it', async () => {
    const added = await call('POST', '/cars', { body: corolla })
    await call('POST', '/cars/corolla/readings', { body: { reading: { value: 53000, unit: 'mi' } } })
    expectRefused(await call('DELETE', '/cars/corolla'), 409, 'confirm', /confirm:yes/)
    expectRefused(await call('DELETE', '/cars/corolla?confirm=no'), 409, 'confirm')
    expect(count('cars')).toBe(1)
    const gone = await call('DELETE', '/cars/corolla?confirm=yes')
    expect(gone.status).toBe(200)
    expect(gone.body).toMatchObject({ removed: { id: added.body.id, nickname: 'corolla' }, readings: 2 })
    expect(count('cars')).toBe(0)
    expect(count('odometer_readings')).toBe(0)
    expect((await call('GET', '/cars/corolla')).status).toBe(404)
  })

  test('autocomplete: nickname prefix, case-insensitive, at most 25', async () => {
    for (let i = 0; i < 30; i++)
      await call('POST', '/cars', { body: { nickname: `van${String(i).padStart(2, '0')}` } })
    await call('POST', '/cars', { body: { nickname: 'Vector' } })
    await call('POST', '/cars', { body: { nickname: 'civic' } })
    const vans = await call('GET', '/cars?q=VAN')
    expect(vans.body.cars).toHaveLength(25)
    expect(vans.body.cars.every((c: { nickname: string }) => c.nickname.startsWith('van'))).toBe(true)
    expect((await call('GET', '/cars?q=ve')).body.cars.map((c: { nickname: string }) => c.nickname)).toEqual([
      'Vector',
    ])
    expect((await call('GET', '/cars?q=%25')).body.cars).toEqual([])
    expect((await call('GET', '/cars')).body.cars).toHaveLength(32)
  })
})

describe('odometer readings', () => {
  beforeEach(async () => {
    await call('POST', '/cars', { body: corolla })
  })

  test('a higher reading becomes current; the history is newest first', async () => {
    const r = await call('POST', '/cars/corolla/readings', {
      body: { reading: { value: 53400, unit: 'mi', text: '53,400 mi' } },
    })
    expect(r.status).toBe(201)
    expect(r.body.reading).toMatchObject({
      value: 53400,
      text: '53,400 mi',
      source: 'reading',
      read_on: '2026-05-10',
    })
    expect(r.body.previous.value).toBe(52000)
    expect(r.body.car.odometer.value).toBe(53400)
    const show = await call('GET', '/cars/corolla')
    expect(show.body.readings.map((x: { value: number }) => x.value)).toEqual([53400, 52000])
  })

  test('lower than the last reading: 409 asking for confirm, nothing stored', async () => {
    await call('PATCH', '/cars/corolla', {
      body: { odometer: { value: 53100, unit: 'mi', text: '53,100 mi' } },
    })
    const lower = await call('POST', '/cars/corolla/readings', {
      body: { reading: { value: 53000, unit: 'mi', text: '53,000 mi' } },
    })
    expectRefused(
      lower,
      409,
      'reading',
      /lower than the last reading 53,100 mi; add confirm:yes to correct it/,
    )
    const edit = await call('PATCH', '/cars/corolla', {
      body: { odometer: { value: 53000, unit: 'mi', text: '53,000 mi' }, plate: 'NEW' },
    })
    expectRefused(edit, 409, 'odometer', /lower than the last reading 53,100 mi/)
    // in km: 85,000 km is about 52,817 mi, lower too
    expectRefused(
      await call('POST', '/cars/corolla/readings', { body: { reading: { value: 85000, unit: 'km' } } }),
      409,
      'reading',
    )
    expect(count('odometer_readings')).toBe(2)
    expect((await call('GET', '/cars/corolla')).body.plate).toBe('AB-123')
  })

  test('with confirm a lower reading is a correction: the readings above it go and it becomes current', async () => {
    await call('POST', '/cars/corolla/readings', {
      body: { reading: { value: 530000, unit: 'mi', text: '530,000 mi' } },
    })
    const fix = await call('POST', '/cars/corolla/readings', {
      body: { reading: { value: 53000, unit: 'mi', text: '53,000 mi' }, confirm: true },
    })
    expect(fix.status).toBe(201)
    expect(fix.body.removed).toBe(1)
    expect(fix.body.car.odometer.value).toBe(53000)
    const edit = await call('PATCH', '/cars/corolla', {
      body: { odometer: { value: 52900, unit: 'mi' }, confirm: true },
    })
    expect(edit.status).toBe(200)
    expect(edit.body.removed).toBe(1)
    expect(edit.body.odometer.value).toBe(52900)
    expect(count('odometer_readings')).toBe(2)
  })

  test('a reading typed in the other unit is converted and its text kept', async () => {
    const r = await call('POST', '/cars/corolla/readings', {
      body: { reading: { value: 86000, unit: 'km', text: '86,000 km' } },
    })
    expect(r.status).toBe(201)
    expect(r.body.reading.value).toBeCloseTo(86000 / 1.609344, 2)
    expect(r.body.reading.text).toBe('86,000 km')
    expect(r.body.reading.label).toBe('53,437.9 mi (86,000 km)')
  })

  test('a dated reading must fit between its neighbours; a future date is refused', async () => {
    expectRefused(
      await call('POST', '/cars/corolla/readings', {
        body: { reading: { value: 60000, unit: 'mi' }, date: '2026-05-11' },
      }),
      422,
      'date',
      /future/,
    )
    await call('POST', '/cars/corolla/readings', {
      body: { reading: { value: 40000, unit: 'mi' }, date: '2025-01-01' },
    })
    const between = await call('POST', '/cars/corolla/readings', {
      body: { reading: { value: 45000, unit: 'mi' }, date: '2025-06-01' },
    })
    expect(between.status).toBe(201)
    expect(between.body.car.odometer.value).toBe(52000)
    expectRefused(
      await call('POST', '/cars/corolla/readings', {
        body: { reading: { value: 55000, unit: 'mi' }, date: '2025-07-01' },
      }),
      409,
      'reading',
      /higher than the later reading 52,000 mi \(2026-05-10\)/,
    )
    expectRefused(
      await call('POST', '/cars/corolla/readings', {
        body: { reading: { value: 41000, unit: 'mi' }, date: '2025-07-01' },
      }),
      409,
      'reading',
      /lower than the last reading 45,000 mi \(2025-06-01\)/,
    )
  })

  test('an odometer beyond any real one is refused', async () => {
    expectRefused(
      await call('POST', '/cars/corolla/readings', { body: { reading: { value: 99_000_000, unit: 'mi' } } }),
      422,
      'reading',
    )
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
    const path = dir
    await app.stop()
    const again = fresh(path)
    const version = (again.decorator.db.query('PRAGMA user_version').get() as { user_version: number })
      .user_version
    expect(version).toBe(migrations.length)
    const res = await call('GET', '/cars/corolla', { on: again })
    expect(res.status).toBe(200)
    expect(res.body.odometer.value).toBe(52000)
    app = again
  })
})

describe('breaking it', () => {
  test('a nickname taken by another writer between check and insert is a 409, not a 500', async () => {
    // Another process wins the race: its row lands just before ours (simulated with a trigger).
    app.decorator.db.exec(`CREATE TEMP TRIGGER rival BEFORE INSERT ON cars WHEN NEW.nickname_key = 'golf' BEGIN
      INSERT INTO cars (tenant, nickname, nickname_key, odometer_unit, created_at) VALUES (NEW.tenant, 'Golf', 'golf', 'km', 'x');
    END`)
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'golf' } }),
      409,
      'nickname',
      /already has a car/,
    )
    app.decorator.db.exec('DROP TRIGGER rival')
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
