import { describe, expect, test } from 'bun:test'
import { addDays } from '../../../lib/domain/dates.ts'
import { chicagoAfternoon, cleanUpAfterAll, expectFieldRefused, Garage, mi } from '../testing.ts'

cleanUpAfterAll()

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
    expectFieldRefused(await g.call('POST', '/reminders/claim', { at: 'yesterday' }, null), 'at')
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

describe('Log another', () => {
  test('logs the item once more like the record it repeats, once per record; another garage’s or a made-up one is 404', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const item = await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6 })
    const first = await g.ok('POST', `/items/${item.id}/log`, {
      cost: { value: 89.9, text: '89.90' },
      odometer: mi(48100),
    })
    const refused = await g.call('POST', `/items/${item.id}/log`, { cost: { value: 89.9, text: '89.90' }, odometer: mi(48100) })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toContain(`as service record #${first.record.id} `)
    const again = await g.ok('POST', `/items/${item.id}/log-again`, { record: first.record.id })
    expect(again.already).toBe(false)
    expect(again.record).toMatchObject({ date: '2026-05-01', cost: '$89.90', odometer: '48,100 mi', title: 'Oil change' })
    expect(again.record.id).not.toBe(first.record.id)
    expect(again.record.change).toBeGreaterThan(0)
    expect(g.count('service_records')).toBe(2)
    expect(g.count('odometer_readings')).toBe(2) // the car's, and the first record's: none added
    const twice = await g.ok('POST', `/items/${item.id}/log-again`, { record: first.record.id })
    expect(twice).toMatchObject({ already: true, record: { id: again.record.id } })
    expect(g.count('service_records')).toBe(2)
    const other = await g.call('POST', `/items/${item.id}/log-again`, { record: first.record.id }, 'local:b')
    expect(other.status).toBe(404)
    expectFieldRefused(await g.call('POST', `/items/${item.id}/log-again`, { record: 99999 }), 'record', /no service record #99999/)
    expect((await g.call('POST', `/items/${item.id}/log-again`, { record: 'x' })).status).toBe(422)
    expect(g.count('service_records')).toBe(2)
    expect((await g.ok('GET', '/changes')).changes[0]).toMatchObject({ kind: 'service', action: 'add', ref: again.record.id })
  })
})
