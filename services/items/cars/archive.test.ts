import { Database } from 'bun:sqlite'
import { describe, expect, test } from 'bun:test'
import { migrate } from '../../lib/db.ts'
import { migrations } from '../migrations.ts'
import { chicagoAfternoon, cleanUpAfterAll, expectFieldRefused, expectRefused, Garage, mi } from '../testing.ts'

cleanUpAfterAll()

const gal = (value: number) => ({ value, unit: 'gal', text: `${value} gal` })

describe('archived cars', () => {
  test('archive keeps the history readable, leaves the list, refuses new logs; unarchive brings it back', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48300) })
    await g.ok('POST', '/cars', { nickname: 'golf', odometer: mi(10000) })
    const a = await g.ok('POST', '/cars/corolla/archive', {
      date: '2026-04-30',
      price: { value: 9500, text: '9,500' },
      odometer: mi(48500),
    })
    expect(a.car.archived).toEqual({
      on: '2026-04-30',
      price: { minor: 950000, currency: 'USD', text: '$9,500.00', label: '$9,500.00' },
      odometer: '48,500 mi',
    })
    expect(a.change).toBeGreaterThan(0)
    expect((await g.ok('GET', '/cars')).cars.map((c: any) => c.nickname)).toEqual(['golf'])
    expect((await g.ok('GET', '/cars?archived=yes')).cars.map((c: any) => c.nickname)).toEqual(['corolla', 'golf'])
    expect((await g.ok('GET', '/cars?q=cor')).cars.map((c: any) => c.nickname)).toEqual(['corolla'])
    expect((await g.ok('GET', '/cars/corolla')).archived.on).toBe('2026-04-30')
    expect((await g.ok('GET', '/fillups?car=corolla')).fillups).toHaveLength(1)

    const before = { readings: g.count('odometer_readings'), fillups: g.count('fuel_fillups'), records: g.count('service_records') }
    const refusals = [
      await g.call('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48600) }),
      await g.call('POST', '/records', { car: 'corolla', title: 'Oil' }),
      await g.call('POST', '/cars/corolla/readings', { reading: mi(48700) }),
    ]
    for (const r of refusals) expectRefused(r, 409, 'car', /corolla is archived \(since 2026-04-30\).*\/car unarchive corolla/)
    expectRefused(await g.call('PATCH', '/cars/corolla', { odometer: mi(48700) }), 409, 'odometer', /\/car unarchive corolla/)
    expect({ readings: g.count('odometer_readings'), fillups: g.count('fuel_fillups'), records: g.count('service_records') }).toEqual(before)
    expectRefused(await g.call('POST', '/cars/corolla/archive', {}), 409, 'car', /already archived/)
    // Nothing new reaches it by another way either: a record of golf moved onto it, or an item.
    const golfFill = await g.ok('POST', '/fillups', { car: 'golf', volume: gal(9), odometer: mi(10300) })
    const golfRecord = await g.ok('POST', '/records', { car: 'golf', title: 'Wipers' })
    expectRefused(await g.call('POST', '/fillups/edit', { number: golfFill.number, car: 'corolla' }), 409, 'car', /corolla is archived/)
    expectRefused(await g.call('PATCH', `/records/${golfRecord.id}`, { car: 'corolla' }), 409, 'car', /corolla is archived/)
    expectRefused(await g.call('POST', '/items', { car: 'corolla', name: 'Tyres', months: 12 }), 409, 'car', /no new maintenance item/)
    expect((await g.ok('GET', '/fillups?car=golf')).fillups).toHaveLength(1)
    expect((await g.ok('GET', `/records/${golfRecord.id}`)).car).toBe('golf')
    // Edited in place, a record of the archived car itself stays correctable.
    const oldFill = (await g.ok('GET', '/fillups?car=corolla')).fillups[0]
    expect((await g.call('POST', '/fillups/edit', { number: oldFill.number, cost: { value: 30 } })).status).toBe(200)

    const h = await g.ok('GET', '/changes')
    const archived = h.changes.find((c: any) => c.kind === 'car')
    expect(archived).toMatchObject({ kind: 'car', action: 'edit', car: 'corolla' })
    expect(archived.fields).toContainEqual({ name: 'archived', before: null, after: '2026-04-30' })

    const u = await g.ok('POST', '/cars/corolla/unarchive', {})
    expect(u.car.archived).toBeNull()
    expectRefused(await g.call('POST', '/cars/corolla/unarchive', {}), 409, 'car', /not archived/)
    expect((await g.call('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48600) })).status).toBe(201)
  })

  test('wrong values name the field and store nothing', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    expectFieldRefused(await g.call('POST', '/cars/corolla/archive', { date: '2026-13-01' }), 'date')
    expectFieldRefused(await g.call('POST', '/cars/corolla/archive', { date: '2026-06-01' }), 'date', /future/)
    expectFieldRefused(await g.call('POST', '/cars/corolla/archive', { price: { value: -1 } }), 'price')
    expectFieldRefused(await g.call('POST', '/cars/corolla/archive', { odometer: mi(40000) }), 'odometer', /lower than/)
    expectFieldRefused(await g.call('POST', '/cars/corolla/archive', { colour: 'red' }), 'colour')
    expect((await g.call('POST', '/cars/nosuch/archive', {})).status).toBe(404)
    expect((await g.ok('GET', '/cars/corolla')).archived).toBeNull()
    expect(g.count('changes', "kind != 'settings'")).toBe(0)
  })

  test('its reminders stop while archived and start again when it is back', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6, last_date: '2025-10-01' })
    await g.ok('POST', '/cars/corolla/archive', {})
    g.at(chicagoAfternoon('2026-05-02'))
    expect(await g.tick()).toEqual([])
    expect((await g.ok('GET', '/reminders')).items).toEqual([])
    g.at(chicagoAfternoon('2026-05-03'))
    expect(await g.tick()).toEqual([])
    const { change } = await g.ok('POST', '/cars/corolla/unarchive', {})
    g.at(chicagoAfternoon('2026-05-04'))
    expect((await g.tick()).map((a: any) => a.item)).toEqual(['Oil change'])
    // undo of the unarchive archives it again; a record's undo route does not take a car's change
    expectRefused(await g.call('POST', '/changes/undo', { change }), 409, 'change', /Undo button/)
    const undone = await g.ok('POST', '/cars/archive/undo', { change })
    expect(undone.undone).toMatchObject({ kind: 'car', undone_by: undone.change })
    expect((await g.ok('GET', '/cars/corolla')).archived).not.toBeNull()
    expectRefused(await g.call('POST', '/cars/archive/undo', { change }), 409, 'change', /already undone/)
    // another garage's undo of it is refused like a missing change, and changes nothing
    const other = await g.call('POST', '/cars/archive/undo', { change: change + 1 }, 'local:b')
    expect(other.status).toBe(404)
    expect(other.body.error.message).toBe(`change: there is no archive of a car as change #${change + 1} in this garage (see /garage history)`)
  })

  test('migration 10 keeps the change log of an older database and lets it hold a car’s archive', () => {
    const db = new Database(':memory:')
    migrate(db, migrations.slice(0, 9))
    db.run(
      `INSERT INTO changes (tenant, actor_id, actor_name, at, kind, action, ref, car_id, before, after)
       VALUES ('local:a', 'local:u', 'Ann', '2026-05-01T00:00:00Z', 'fuel', 'add', 1, 1, NULL, '{}')`,
    )
    expect(() => db.run("UPDATE changes SET kind = 'car'")).toThrow()
    migrate(db, migrations)
    expect(db.query('SELECT kind, actor_name, ref FROM changes').all()).toEqual([{ kind: 'fuel', actor_name: 'Ann', ref: 1 }])
    db.run("UPDATE changes SET kind = 'car'")
    expect(() => db.run("UPDATE changes SET kind = 'boat'")).toThrow()
    expect((db.query("SELECT count(*) AS n FROM sqlite_master WHERE type = 'index' AND tbl_name = 'changes'").get() as { n: number }).n).toBe(3)
    db.close()
  })

  test('/changes/undo without a change skips a car’s archive', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const fill = await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10) })
    await g.ok('POST', '/cars/corolla/archive', {})
    const u = await g.ok('POST', '/changes/undo', {})
    expect(u.undone).toMatchObject({ kind: 'fuel', ref: fill.number })
    expect((await g.ok('GET', '/cars/corolla')).archived).not.toBeNull()
  })
})
