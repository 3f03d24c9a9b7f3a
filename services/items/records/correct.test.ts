import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, Garage, mi } from '../testing.ts'

cleanUpAfterAll()

const gal = (value: number) => ({ value, unit: 'gal', text: `${value} gal` })

describe('correcting fill-ups and service records', () => {
  test('fill-ups are numbered per garage; edit keeps the number, economy and odometer follow', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.setup('local:b')
    const b = await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48100) }, 'local:b')
    expect(b.number).toBe(1)
    const f1 = await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48100) })
    const f2 = await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48400) })
    expect([f1.number, f2.number]).toEqual([1, 2])
    expect(f2.economy).toBe('30.0 mpg')
    const edited = await g.ok('POST', '/fillups/edit', { number: 2, odometer: mi(48500) })
    expect(edited).toMatchObject({ number: 2, volume: '10 gal', economy: '40.0 mpg', odometer: '48,500 mi' })
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(48500)
    expect(g.count('odometer_readings', "source = 'fuel'")).toBe(3) // one in garage b, one each here
    const volume = await g.ok('POST', '/fillups/edit', { number: 2, volume: gal(5) })
    expect(volume).toMatchObject({ odometer: '48,500 mi', economy: '80.0 mpg' })
    // another garage's number is its own
    expect((await g.call('POST', '/fillups/edit', { number: 2, volume: gal(5) }, 'local:b')).status).toBe(404)
  })

  test('removing a fill-up takes its reading with it; its number is not given again', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48100) })
    await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48400) })
    const gone = await g.ok('POST', '/fillups/remove', { number: 2 })
    expect(gone).toMatchObject({ removed: { number: 2, economy: '30.0 mpg' }, average: null })
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(48100)
    expect((await g.ok('GET', '/fillups?car=corolla')).fillups).toHaveLength(1)
    expect((await g.call('POST', '/fillups/remove', { number: 2 })).status).toBe(404)
    const next = await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48300) })
    expect(next).toMatchObject({ number: 3, economy: '20.0 mpg' })
  })

  test("removing a record puts its items' due point back and takes its reading; edit moves them again", async () => {
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
    const item = () => g.app.decorator.db.query("SELECT * FROM maintenance_items WHERE name = 'Oil change'").get() as any
    const before = item()
    const r = await g.ok('POST', '/records', { car: 'corolla', title: 'Oil', items: 'Oil change', odometer: mi(49500), cost: { value: 89.9, text: '89.90' } })
    expect(item().last_date).toBe('2026-11-20')
    expect(item().due_odometer).toBe(54500)
    const edited = await g.ok('PATCH', `/records/${r.id}`, { odometer: mi(49000) })
    expect(edited).toMatchObject({ id: r.id, cost: '$89.90', odometer: "49,000 mi", title: 'Oil' })
    expect(edited.items.map((i: any) => i.name)).toEqual(['Oil change'])
    expect(item().due_odometer).toBe(54000)
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(49000)
    await g.ok('DELETE', `/records/${r.id}`)
    expect(item()).toMatchObject({
      last_date: before.last_date,
      last_odometer: before.last_odometer,
      due_date: before.due_date,
      due_odometer: before.due_odometer,
    })
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(48000)
    expect(g.count('service_records')).toBe(0)
    expect((await g.call('DELETE', `/records/${r.id}`)).status).toBe(404)
  })

  test('an item done again by a later record keeps that one when the earlier record goes', async () => {
    const g = new Garage('2026-11-20T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6, last_date: '2026-01-01' })
    const first = await g.ok('POST', '/records', { car: 'corolla', title: 'Oil', items: 'Oil change', date: '2026-06-01' })
    await g.ok('POST', '/records', { car: 'corolla', title: 'Oil again', items: 'Oil change' })
    await g.ok('DELETE', `/records/${first.id}`)
    const row = g.app.decorator.db.query('SELECT last_date FROM maintenance_items').get() as any
    expect(row.last_date).toBe('2026-11-20')
  })
})
