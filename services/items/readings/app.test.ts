import { beforeEach, describe, expect, test } from 'bun:test'
import { corolla, expectRefused, harness } from '../testing.ts'

const h = harness()
const { call, count } = h

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
    // a typo confirmed anyway (unconfirmed, the jump itself is refused: see below)
    await call('POST', '/cars/corolla/readings', {
      body: { reading: { value: 530000, unit: 'mi', text: '530,000 mi' }, confirm: true },
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

  test('far above the last reading for the days since it: 409 naming the jump and the days, unless confirmed', async () => {
    const post = (value: number, extra: Record<string, unknown> = {}) =>
      call('POST', '/cars/corolla/readings', { body: { reading: { value, unit: 'mi' }, ...extra } })
    // the same day counts as one day's worth: 2,000 mi
    expect((await post(54000)).status).toBe(201)
    expectRefused(
      await post(56000.5),
      409,
      'reading',
      /^reading: 56,000\.5 mi is 2,000\.5 mi above the last reading 54,000 mi \(2026-05-10\), the same day; that is more than 2,000 mi in 1 day\. Add confirm:yes/,
    )
    h.clock = new Date('2026-05-20T12:00:00Z')
    expect((await post(74000)).status).toBe(201)
    h.clock = new Date('2026-05-23T12:00:00Z')
    expectRefused(await post(80100), 409, 'reading', /6,100 mi above .* \(2026-05-20\), 3 days later; that is more than 6,000 mi in 3 days/)
    // a dated reading is judged against the reading before its date
    expectRefused(
      await post(76100, { date: '2026-05-21' }),
      409,
      'reading',
      /2,100 mi above the last reading 74,000 mi \(2026-05-20\), 1 day later/,
    )
    expect((await post(80100, { confirm: true })).status).toBe(201)
    expect(count('odometer_readings')).toBe(4)
  })

  test('a car in km may drive 2,000 km a day; a reading typed in miles is judged in km', async () => {
    await call('POST', '/cars', {
      body: { nickname: 'golf', odometer: { value: 82000, unit: 'km', text: '82,000 km' } },
    })
    const typed = (value: number, unit: 'km' | 'mi') =>
      call('POST', '/cars/golf/readings', { body: { reading: { value, unit } } })
    expectRefused(
      await typed(53000, 'mi'),
      409,
      'reading',
      /^reading: 53,000 mi \(85,295\.2 km\) is 3,295\.2 km above the last reading 82,000 km/,
    )
    expect((await typed(52000, 'mi')).status).toBe(201)
    expect((await typed(84000, 'km')).status).toBe(201)
  })
})
