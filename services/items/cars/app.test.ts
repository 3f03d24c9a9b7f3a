import { describe, expect, test } from 'bun:test'
import { corolla, expectRefused, harness } from '../testing.ts'

const h = harness()
const { call, count } = h

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
    h.clock = new Date('2030-01-01T00:00:00Z')
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
    // A garage with an amount stored keeps its currency: totals would add dollars and yen.
    expectRefused(
      await call('PATCH', '/settings', { body: { currency: 'JPY' } }),
      422,
      'currency',
      /1 amount stored in USD .* without converting them/,
    )
    expect((await call('GET', '/cars/a')).body.purchase_price.currency).toBe('USD')
    // 23:30 in Tokyo is already the next day there (another garage, in yen from the start)
    const tokyo = { tenant: 'local:tokyo' }
    expect((await call('PATCH', '/settings', { body: { currency: 'JPY', timezone: 'Asia/Tokyo' }, ...tokyo })).status).toBe(200)
    h.clock = new Date('2026-05-10T15:30:00Z')
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'b', purchase_price: { value: 1.5 } }, ...tokyo }),
      422,
      'purchase_price',
      /more than 0 decimals, which JPY does not have/,
    )
    const jpy = await call('POST', '/cars', {
      body: { nickname: 'b', purchase_date: '2026-05-11', purchase_price: { value: 1500000 } },
      ...tokyo,
    })
    expect(jpy.status).toBe(201)
    expect(jpy.body.purchase_price).toMatchObject({ minor: 1500000, currency: 'JPY' })
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

  test('a car id is never given again, even when the newest car was removed', async () => {
    const a = await call('POST', '/cars', { body: { nickname: 'a' } })
    const b = await call('POST', '/cars', { body: { nickname: 'b' } })
    expect((await call('DELETE', '/cars/b?confirm=yes')).status).toBe(200)
    const c = await call('POST', '/cars', { body: { nickname: 'c' } })
    expect(c.status).toBe(201)
    expect(c.body.id).toBeGreaterThan(b.body.id)
    expect(b.body.id).toBeGreaterThan(a.body.id)
  })
})


describe('what a car runs on, its energy unit, loan and value', () => {
  test('a car is added with its powertrain, fuels and energy unit; a unit of the other distance is refused and nothing stored', async () => {
    const added = await call('POST', '/cars', {
      body: { nickname: 'leaf', units: 'imperial', powertrain: 'ev', energy_unit: 'Wh/mi' },
    })
    expect(added.status).toBe(201)
    expect(added.body).toMatchObject({ powertrain: 'ev', fuels: null, energy_unit: 'Wh/mi', loan: null, value: null })
    const fuels = await call('POST', '/cars', { body: { nickname: 'vito', fuels: 'lpg, petrol 95' } })
    expect(fuels.body).toMatchObject({ fuels: 'lpg,petrol', energy_unit: 'kWh/100km' })
    const cars = count('cars')
    expectRefused(
      await call('POST', '/cars', { body: { nickname: 'zoe', units: 'metric', energy_unit: 'mi/kWh' } }),
      422,
      'energy_unit',
      /mi\/kWh is for a car that counts mi; zoe counts km: use kWh\/100km or km\/kWh/,
    )
    expectRefused(await call('POST', '/cars', { body: { nickname: 'zoe', powertrain: 'steam' } }), 422, 'powertrain', /not one of combustion, hybrid, phev, ev/)
    expect(count('cars')).toBe(cars)
    // a unit chosen for a mi car is not shown once the car counts km
    const metric = await call('PATCH', '/cars/leaf', { body: { units: 'metric' } })
    expect(metric.body.energy_unit).toBe('kWh/100km')
  })

  test("a loan and a value as typed, in the garage's number format; a value not after the purchase is refused", async () => {
    await call('PATCH', '/settings', { body: { numbers: '1.234,5', currency: 'EUR' } })
    await call('POST', '/cars', { body: { nickname: 'astra', purchase_date: '2024-03-01', purchase_price: { value: 21000, text: '21.000' } } })
    const loan = await call('PATCH', '/cars/astra', { body: { loan: '12.000 at 5,9% over 48m from 2024-03' } })
    expect(loan.status).toBe(200)
    expect(loan.body.loan).toMatchObject({ amount: { minor: 1_200_000, currency: 'EUR' }, rate_percent: 5.9, months: 48, start: '2024-03-01' })
    expectRefused(
      await call('PATCH', '/cars/astra', { body: { value: '25.000 on 2024-02-01' } }),
      422,
      'value',
      /is not after astra was bought \(2024-03-01\)/,
    )
    const value = await call('PATCH', '/cars/astra', { body: { value: '17.500 on 2025-03-01' } })
    expect(value.body.value).toMatchObject({ amount: { minor: 1_750_000 }, on: '2025-03-01' })
    expect((await call('PATCH', '/cars/astra', { body: { loan: 'none', value: 'none' } })).body).toMatchObject({ loan: null, value: null })
  })
})
