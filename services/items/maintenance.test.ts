import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, type ItemsApp } from './app.ts'
import { addDays } from '../../lib/domain/dates.ts'

const TOKEN = 'items-test-token-0123456789'
const dirs: string[] = []
const apps: ItemsApp[] = []

afterAll(async () => {
  for (const a of apps) await a.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

type Res = { status: number; body: any }

/** A garage on a fresh (or an existing) items database with a clock the test moves. */
class Garage {
  clock: Date
  app: ItemsApp
  readonly dir: string

  constructor(start: string, dir?: string) {
    this.clock = new Date(start)
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'maint-test-'))
    if (!dir) dirs.push(this.dir)
    this.app = this.boot()
  }

  boot(): ItemsApp {
    const a = createApp({ dataDir: this.dir, token: TOKEN, now: () => this.clock })
    apps.push(a)
    return a
  }

  /** A restart: a new app on the same file. */
  restart() {
    this.app = this.boot()
  }

  at(iso: string) {
    this.clock = new Date(iso)
  }

  async call(
    method: string,
    path: string,
    body?: unknown,
    tenant: string | null = 'local:a',
    raw?: string,
  ): Promise<Res> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
    }
    if (tenant) headers['x-tenant'] = tenant
    const res = await this.app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers,
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      }),
    )
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {}
    return { status: res.status, body: parsed }
  }

  async ok(method: string, path: string, body?: unknown, tenant: string | null = 'local:a'): Promise<any> {
    const r = await this.call(method, path, body, tenant)
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }

  /** One reminder tick at the current clock: claim, then acknowledge what was returned. */
  async tick(): Promise<any[]> {
    const { announcements } = await this.ok(
      'POST',
      '/reminders/claim',
      { at: this.clock.toISOString() },
      null,
    )
    if (announcements.length)
      await this.ok('POST', '/reminders/ack', { ids: announcements.map((a: any) => a.id) }, null)
    return announcements
  }

  count(table: string, where = '1 = 1', ...args: (string | number)[]): number {
    return (
      this.app.decorator.db.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get(...args) as {
        n: number
      }
    ).n
  }

  async setup(tenant = 'local:a', settings: Record<string, unknown> = {}, odometer = '48,000 mi') {
    await this.ok(
      'PATCH',
      '/settings',
      {
        units: 'imperial',
        timezone: 'America/Chicago',
        reminder_channel: 'general',
        reminder_hour: 9,
        ...settings,
      },
      tenant,
    )
    await this.ok(
      'POST',
      '/cars',
      {
        nickname: 'corolla',
        odometer: { value: Number(odometer.replace(/[^0-9]/g, '')), unit: 'mi', text: odometer },
      },
      tenant,
    )
  }
}

const mi = (value: number) => ({ value, unit: 'mi', text: `${value.toLocaleString('en-US')} mi` })

function expectRefused(res: Res, field: string, words?: RegExp) {
  expect(res.status).toBeGreaterThanOrEqual(400)
  expect(res.status).toBeLessThan(500)
  expect(res.body.error.field ?? '').toStartWith(field)
  expect(res.body.error.message).toStartWith(field)
  if (words) expect(res.body.error.message).toMatch(words)
}

/** Noon-ish local time in Chicago (CDT, UTC-5) on a date: past a reminder hour of 9. */
const chicagoAfternoon = (date: string) => `${date}T17:00:00Z`

describe('reminders', () => {
  test('an item due in 6 months passes through every level with exactly one announcement each', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const item = await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6 })
    expect(item.due_date).toBe('2026-11-01')
    const seen: { date: string; level: string }[] = []
    for (let day = 0; day <= 200; day++) {
      const date = addDays('2026-05-01', day)
      g.at(chicagoAfternoon(date))
      for (const a of await g.tick()) seen.push({ date, level: a.level })
      // A duplicated tick the same minute announces nothing more.
      expect(await g.tick()).toEqual([])
    }
    expect(seen).toEqual([
      { date: '2026-10-02', level: 'urgent' },
      { date: '2026-10-25', level: 'very_urgent' },
      { date: '2026-11-02', level: 'past_due' },
    ])
    expect(g.count('announcements')).toBe(3)
  })

  test('a car driven 60 mi/day reaches a 5,000 mi item by projection before the calendar date', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/items', {
      car: 'corolla',
      name: 'Oil change',
      months: 6,
      distance: mi(5000),
      last_odometer: mi(48000),
    })
    let first: { day: number; text: string } | undefined
    for (let day = 1; day <= 120 && !first; day++) {
      const date = addDays('2026-05-01', day)
      g.at(chicagoAfternoon(date))
      await g.ok('POST', '/cars/corolla/readings', { reading: mi(48000 + 60 * day) })
      const a = await g.tick()
      if (a.length) first = { day, text: a[0].due_text }
    }
    // 5,000 mi at 60 mi/day is day ~83; urgent (30 days) on day ~53, long before the calendar's day 154.
    expect(first?.day).toBeGreaterThanOrEqual(50)
    expect(first?.day).toBeLessThanOrEqual(56)
    expect(first?.text).toContain('at 60 mi/day')
    const list = await g.ok('GET', '/reminders?car=corolla')
    expect(list.items[0].level).toBe('urgent')
    expect(list.items[0].projected.days).toBeLessThan(list.items[0].days_left + 100)
  })

  test('a restart between ticks and a duplicated tick announce nothing twice; an unacknowledged one is handed out again', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6, last_date: '2025-11-06' })
    g.at('2026-05-02T17:00:00Z')
    const claim = () => g.ok('POST', '/reminders/claim', { at: g.clock.toISOString() }, null)
    const first = await claim()
    expect(first.announcements.map((a: any) => a.level)).toEqual(['very_urgent'])
    // The tick died before posting: the same announcement (same id) comes back, no new row.
    const again = await claim()
    expect(again.announcements.map((a: any) => a.id)).toEqual(first.announcements.map((a: any) => a.id))
    expect(g.count('announcements')).toBe(1)
    await g.ok('POST', '/reminders/ack', { ids: [first.announcements[0].id] }, null)
    g.restart()
    expect((await claim()).announcements).toEqual([])
    g.at('2026-05-03T17:00:00Z')
    g.restart()
    expect((await claim()).announcements).toEqual([])
    expect(g.count('announcements')).toBe(1)
  })

  test('two garages in different timezones are announced at their own hour', async () => {
    const g = new Garage('2026-06-01T10:00:00Z')
    await g.setup('local:chicago', { timezone: 'America/Chicago', reminder_hour: 9 })
    await g.setup('local:tokyo', { timezone: 'Asia/Tokyo', reminder_hour: 9 })
    for (const t of ['local:chicago', 'local:tokyo']) {
      await g.ok('POST', '/items', { car: 'corolla', name: 'Wipers', months: 12, last_date: '2025-06-20' }, t)
    }
    // 23:59 UTC May 31 would be Tokyo 08:59 June 1; Chicago is 18:59 May 31: Chicago's item is
    // not urgent yet on May 31? It is (due June 20, urgent 30 d): so start before Chicago's hour.
    g.at('2026-06-01T13:59:00Z') // Chicago 08:59 CDT, Tokyo 22:59
    expect((await g.tick()).map((a) => a.tenant)).toEqual(['local:tokyo'])
    g.at('2026-06-01T14:00:00Z') // Chicago 09:00 CDT
    expect((await g.tick()).map((a) => a.tenant)).toEqual(['local:chicago'])
    expect(await g.tick()).toEqual([])
  })

  test('a daylight-saving change moves nothing by an hour', async () => {
    // US spring-forward is 2026-03-08. Items due so that one turns urgent on 03-07 (CST, UTC-6)
    // and one on 03-09 (CDT, UTC-5); each is announced at 09:00 local, not an hour off.
    const g = new Garage('2026-02-01T18:00:00Z')
    await g.setup()
    await g.ok('POST', '/items', { car: 'corolla', name: 'Before', months: 3, last_date: '2026-01-06' }) // due 04-06, urgent 03-07
    await g.ok('POST', '/items', { car: 'corolla', name: 'After', months: 3, last_date: '2026-01-08' }) // due 04-08, urgent 03-09
    expect(await g.tick()).toEqual([])
    g.at('2026-03-07T14:59:00Z') // 08:59 CST
    expect(await g.tick()).toEqual([])
    g.at('2026-03-07T15:00:00Z') // 09:00 CST
    expect((await g.tick()).map((a) => a.item)).toEqual(['Before'])
    g.at('2026-03-09T13:59:00Z') // 08:59 CDT
    expect(await g.tick()).toEqual([])
    g.at('2026-03-09T14:00:00Z') // 09:00 CDT
    expect((await g.tick()).map((a) => a.item)).toEqual(['After'])
    const list = await g.ok('GET', '/reminders')
    const after = list.items.find((i: any) => i.name === 'After')
    expect(after.days_left).toBe(30)
  })

  test('a garage without a reminder channel is not announced until it sets one', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup('local:a', { reminder_channel: null })
    await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6, last_date: '2025-10-20' })
    expect(await g.tick()).toEqual([])
    await g.ok('PATCH', '/settings', { reminder_channel: 'garage' })
    const a = await g.tick()
    expect(a.map((x) => x.channel)).toEqual(['garage'])
  })

  test('claim is a system route behind the service token', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    const res = await g.app.handle(
      new Request('http://localhost/reminders/claim', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    )
    expect(res.status).toBe(401)
    expectRefused(await g.call('POST', '/reminders/claim', { at: 'yesterday' }, null), 'at')
  })
})

describe('Done and Snooze', () => {
  test('Done logs a record at the current odometer and today, and moves the item on', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const item = await g.ok('POST', '/items', {
      car: 'corolla',
      name: 'Oil change',
      months: 6,
      distance: mi(5000),
      last_date: '2025-10-01',
      last_odometer: mi(43000),
    })
    expect(item.level).toBe('past_due')
    g.at('2026-05-02T17:00:00Z')
    expect((await g.tick()).map((a) => a.level)).toEqual(['past_due'])
    await g.ok('POST', '/cars/corolla/readings', { reading: mi(48050) })
    const done = await g.ok('POST', `/items/${item.id}/done`, {})
    expect(done.already).toBe(false)
    expect(done.record.date).toBe('2026-05-02')
    expect(done.record.odometer).toBe('48,050 mi')
    expect(done.item.due_date).toBe('2026-11-02')
    expect(done.item.due_odometer).toBe(53050)
    expect(done.item.due_text).toContain('at 50 mi/day')
    expect(done.item.level).toBe('not_urgent')
    // A second press the same day logs nothing new.
    const twice = await g.ok('POST', `/items/${item.id}/done`, {})
    expect(twice.already).toBe(true)
    expect(g.count('service_records')).toBe(1)
    // It moved on: urgent again 30 days before the new due date, announced once more.
    g.at(chicagoAfternoon('2026-10-03'))
    expect((await g.tick()).map((a) => a.level)).toEqual(['urgent'])
  })

  test('Snooze hides the item 7 days and says until when; then it is announced again', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const item = await g.ok('POST', '/items', {
      car: 'corolla',
      name: 'Oil change',
      months: 6,
      last_date: '2025-10-01',
    })
    expect((await g.tick()).map((a) => a.level)).toEqual(['past_due'])
    const s = await g.ok('POST', `/items/${item.id}/snooze`, {})
    expect(s.until).toBe('2026-05-08')
    expect(s.item.snoozed_until).toBe('2026-05-08')
    for (let day = 1; day < 7; day++) {
      g.at(chicagoAfternoon(addDays('2026-05-01', day)))
      expect(await g.tick()).toEqual([])
    }
    g.at(chicagoAfternoon('2026-05-08'))
    expect((await g.tick()).map((a) => a.level)).toEqual(['past_due'])
  })

  test('Log service (the form) records cost and odometer for that item', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const item = await g.ok('POST', '/items', {
      car: 'corolla',
      name: 'Oil change',
      months: 6,
      distance: mi(5000),
      last_date: '2025-10-01',
      last_odometer: mi(43000),
    })
    const r = await g.ok('POST', `/items/${item.id}/log`, {
      cost: { value: 89.9, text: '89.90' },
      odometer: mi(48500),
    })
    expect(r.record.cost).toBe('$89.90')
    expect(r.item.due_odometer).toBe(53500)
    const car = await g.ok('GET', '/cars/corolla')
    expect(car.odometer.value).toBe(48500)
    expect(car.odometer.source).toBe('service')
  })
})

describe('items, records and fill-ups', () => {
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
    expectRefused(res, 'items', /"Brake fluid".*Cabin filter, Oil change/)
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
    expectRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres' }),
      'months',
      /months or distance/,
    )
    expectRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: 0 }),
      'months',
      /1 or more/,
    )
    expectRefused(await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: -6 }), 'months')
    expectRefused(await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: 2.5 }), 'months')
    expectRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', distance: mi(0) }),
      'distance',
      /more than 0/,
    )
    expectRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', distance: { value: -5, unit: 'mi' } }),
      'distance',
    )
    expectRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: 6, last_date: '2026-05-02' }),
      'last_date',
      /future/,
    )
    expectRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: 6, last_date: '2026-02-30' }),
      'last_date',
    )
    expectRefused(
      await g.call('POST', '/items', {
        car: 'corolla',
        name: 'Tyres',
        distance: mi(5000),
        last_odometer: mi(60000),
      }),
      'last_odometer',
    )
    expectRefused(
      await g.call('POST', '/items', { car: 'corolla', name: 'oil CHANGE', months: 3 }),
      'name',
      /already/,
    )
    expectRefused(
      await g.call('POST', '/records', { car: 'corolla', title: 'Oil', odometer: mi(47000) }),
      'odometer',
      /lower/,
    )
    expectRefused(
      await g.call('POST', '/records', { car: 'corolla', title: 'Oil', cost: { value: -3, text: '-3' } }),
      'cost',
    )
    expectRefused(
      await g.call(
        'POST',
        '/records',
        undefined,
        'local:a',
        '{"car":"corolla","title":"Oil","cost":{"value":1e309,"text":"1e309"}}',
      ),
      'cost',
    )
    expectRefused(
      await g.call('POST', '/fillups', {
        car: 'corolla',
        volume: { value: 0, unit: 'gal' },
        odometer: mi(48100),
      }),
      'volume',
      /more than 0/,
    )
    expectRefused(
      await g.call('POST', '/fillups', {
        car: 'corolla',
        volume: { value: 10, unit: 'gal' },
        cost: { value: -3 },
      }),
      'cost',
    )
    expectRefused(
      await g.call('POST', '/fillups', {
        car: 'corolla',
        volume: { value: 10, unit: 'gal' },
        odometer: mi(47000),
      }),
      'odometer',
    )
    expectRefused(
      await g.call('PATCH', '/items', { car: 'corolla', item: 'Oil change', months: 0 }),
      'months',
    )
    expectRefused(
      await g.call('PATCH', '/items', { car: 'corolla', item: 'Nope', months: 3 }),
      'item',
      /Oil change/,
    )
    // Garage settings (the items helper's route): an unknown timezone, a reminder hour of 25.
    expectRefused(await g.call('PATCH', '/settings', { timezone: 'Mars/Olympus' }), 'timezone')
    expectRefused(await g.call('PATCH', '/settings', { reminder_hour: 25 }), 'reminder_hour')
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
      expectRefused(r, field, range)
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

    expectRefused(
      await g.call('POST', `/records/${r.id}/cost`, { cost: { value: -5 } }),
      'cost',
      /greater or equal to 0/,
    )
    expectRefused(
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
