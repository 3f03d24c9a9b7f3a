import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, Garage, mi, request } from '../testing.ts'

cleanUpAfterAll()

const gal = (value: number) => ({ value, unit: 'gal', text: `${value} gal` })
const as = (g: Garage, actor: string, method: string, path: string, body?: unknown) =>
  request(g.app, method, path, { body, tenant: 'local:a', headers: { 'x-actor': actor } })

describe('history and undo', () => {
  test('undo of an edit, a remove and an add puts the garage back; twice is refused', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48100) })
    const add = await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48400) })
    expect(add.change).toBeGreaterThan(0)
    const edit = await g.ok('POST', '/fillups/edit', { number: 2, odometer: mi(48500) })
    const undoEdit = await g.ok('POST', '/changes/undo', { change: edit.change })
    expect(undoEdit.undone).toMatchObject({ id: edit.change, action: 'edit', ref: 2 })
    expect((await g.ok('GET', '/fillups?car=corolla')).fillups[0]).toMatchObject({ number: 2, odometer: '48,400 mi', economy: '30.0 mpg' })
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(48400)
    const twice = await g.call('POST', '/changes/undo', { change: edit.change })
    expect(twice.status).toBe(409)
    expect(JSON.stringify(twice.body)).toContain('already undone')
    const undoOfUndo = await g.call('POST', '/changes/undo', { change: undoEdit.change })
    expect(undoOfUndo.status).toBe(409)
    const removed = await g.ok('POST', '/fillups/remove', { number: 2 })
    // the add cannot be undone now: the fill-up was removed since
    const stale = await g.call('POST', '/changes/undo', { change: add.change })
    expect(stale.status).toBe(409)
    expect(JSON.stringify(stale.body)).toContain('removed since')
    // editing a removed fill-up says so
    const gone = await g.call('POST', '/fillups/edit', { number: 2, volume: gal(3) })
    expect(gone.status).toBe(404)
    expect(JSON.stringify(gone.body)).toContain(`it was removed (change #${removed.change}`)
    await g.ok('POST', '/changes/undo', { change: removed.change })
    expect((await g.ok('GET', '/fillups?car=corolla')).fillups[0]).toMatchObject({ number: 2, economy: '30.0 mpg' })
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(48400)
    // now the add is the latest change standing again: undo it
    await g.ok('POST', '/changes/undo', { change: add.change })
    expect((await g.ok('GET', '/fillups?car=corolla')).fillups).toHaveLength(1)
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(48100)
  })

  test("undo of a service record's remove moves its items on again; the asker's last change", async () => {
    const g = new Garage('2026-11-20T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 6, distance: mi(5000), last_date: '2026-05-01', last_odometer: mi(48000) })
    const item = () => g.app.decorator.db.query('SELECT * FROM maintenance_items').get() as any
    const before = item()
    const r = (await as(g, 'local:ann Ann', 'POST', '/records', { car: 'corolla', title: 'Oil', items: 'Oil change', odometer: mi(49500) })).body as any
    const after = item()
    expect(after.due_odometer).toBe(54500)
    await as(g, 'local:bob Bob', 'DELETE', `/records/${r.id}`)
    expect(item().due_odometer).toBe(before.due_odometer)
    // Ann's last change is the log, which Bob's remove stands on
    const annUndo = await as(g, 'local:ann Ann', 'POST', '/changes/undo', {})
    expect(annUndo.status).toBe(409)
    expect(JSON.stringify(annUndo.body)).toContain('by Bob')
    const bobUndo = await as(g, 'local:bob Bob', 'POST', '/changes/undo', {})
    expect(bobUndo.status).toBe(200)
    expect(item()).toMatchObject({ last_date: after.last_date, due_odometer: 54500 })
    expect((await g.ok('GET', `/records/${r.id}`)).items.map((i: any) => i.name)).toEqual(['Oil change'])
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(49500)
    const again = await as(g, 'local:bob Bob', 'POST', '/changes/undo', {})
    expect(again.status).toBe(404)
    const h = await g.ok('GET', '/changes')
    expect(h.changes.map((c: any) => [c.action, c.actor, c.kind, c.ref])).toEqual([
      ['undo', 'Bob', 'service', r.id],
      ['remove', 'Bob', 'service', r.id],
      ['add', 'Ann', 'service', r.id],
      // the garage's settings, made by setup() without an X-Actor
      ['edit', 'someone', 'settings', 0],
    ])
    expect(h.changes[2].fields).toContainEqual({ name: 'odometer', before: null, after: '49,500 mi' })
    expect(h.changes[1].undone_by).toBe(h.changes[0].id)
    expect((await g.ok('GET', '/changes?limit=1&page=2')).changes[0].action).toBe('remove')
    // another garage sees none of it
    expect((await g.ok('GET', '/changes', undefined, 'local:b')).total).toBe(0)
  })
})

describe('odometer readings', () => {
  test('readings are numbered; edit and remove move the odometer; undo puts them back; a record’s reading is its own', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup() // reading #1: the car's 48,000 mi
    const r = await g.ok('POST', '/cars/corolla/readings', { reading: mi(48300) })
    expect(r.change).toBeGreaterThan(0)
    const list = await g.ok('GET', '/readings?car=corolla')
    expect(list.readings.map((x: any) => [x.number, x.text])).toEqual([
      [2, '48,300 mi'],
      [1, '48,000 mi'],
    ])
    const edited = await g.ok('POST', '/readings/edit', { number: 2, reading: mi(48200) })
    expect(edited).toMatchObject({ odometer: '48,200 mi', reading: { number: 2, text: '48,200 mi' } })
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(48200)
    const removed = await g.ok('POST', '/readings/remove', { number: 2 })
    expect(removed.odometer).toBe('48,000 mi')
    await g.ok('POST', '/changes/undo', { change: removed.change })
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(48200)
    await g.ok('POST', '/changes/undo', { change: edited.change })
    expect((await g.ok('GET', '/cars/corolla')).odometer.value).toBe(48300)
    expect((await g.ok('GET', '/readings?car=corolla')).readings[0]).toMatchObject({ number: 2, text: '48,300 mi' })
    // a fill-up's reading is corrected through the fill-up
    await g.ok('POST', '/fillups', { car: 'corolla', volume: gal(10), odometer: mi(48400) })
    const fuelReading = (await g.ok('GET', '/readings?car=corolla')).readings[0]
    const refused = await g.call('POST', '/readings/remove', { number: fuelReading.number })
    expect(refused.status).toBe(409)
    expect(JSON.stringify(refused.body)).toContain('came with fill-up #1')
    const h = await g.ok('GET', '/changes')
    expect(h.changes.map((c: any) => [c.kind, c.action])).toContainEqual(['reading', 'edit'])
  })
})
