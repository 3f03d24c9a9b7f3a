import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, Garage } from '../testing.ts'

cleanUpAfterAll()

const row = (car: number, date: string, odometer: number, volume: number) => ({
  line: 2,
  car,
  kind: 'fuel',
  date,
  odometer,
  volume,
  cost_minor: 6000,
  cost_text: '60',
  full: true,
  missed: false,
  title: null,
  notes: null,
})

const fillups = async (g: Garage, car: string) => (await g.ok('GET', `/fillups?car=${car}`)).total as number

describe('imports in one transaction', () => {
  test('a commit that fails half way leaves the garage as it was, and the import still waiting', async () => {
    const g = new Garage('2026-05-01T12:00:00Z')
    await g.ok('POST', '/cars', { nickname: 'golf', units: 'metric' })
    const pending = await g.ok('POST', '/imports', {
      file: 'two-cars.csv',
      format: 'Fuelly export',
      units: { distance: 'km', volume: 'L' },
      // the first new car is made, the second cannot be: its nickname has a space
      cars: [
        { name: 'Golf', car: 'golf' },
        { name: 'A', new_nickname: 'polo' },
        { name: 'B', new_nickname: 'bad name' },
      ],
      rows: [row(0, '2025-01-05', 1000, 40), row(1, '2025-01-06', 2000, 40), row(2, '2025-01-07', 3000, 40)],
    })
    expect(pending.kinds).toEqual([{ kind: 'fuel', rows: 3, new: 3, known: 0 }])
    const failed = await g.call('POST', '/imports/commit', { id: pending.id })
    expect(failed.status).toBe(422)
    expect(failed.body.error.message).toContain('no spaces')
    expect((await g.ok('GET', '/cars')).cars.map((c: { nickname: string }) => c.nickname)).toEqual(['golf'])
    expect(await fillups(g, 'golf')).toBe(0)
    // nothing was numbered either: the next fill-up is #1
    const next = await g.ok('POST', '/fillups', { car: 'golf', volume: { value: 10, unit: 'L' } })
    expect(next.number).toBe(1)
    // it is still waiting: Cancel drops it, and then it is gone
    expect((await g.ok('POST', '/imports/cancel', { id: pending.id })).cancelled).toBe(true)
    expect((await g.call('POST', '/imports/commit', { id: pending.id })).status).toBe(404)
  })

  test('an import is undone while none of it changed; once one of its rows is edited, undo is refused', async () => {
    const g = new Garage('2026-05-01T12:00:00Z')
    await g.ok('POST', '/cars', { nickname: 'golf', units: 'metric' })
    const body = {
      file: 'golf.csv',
      format: 'Fuelly export',
      units: { distance: 'km', volume: 'L' },
      cars: [{ name: 'Golf', car: 'golf' }],
      rows: [row(0, '2025-01-05', 1000, 40), row(0, '2025-02-05', 1500, 40)],
    }
    const first = await g.ok('POST', '/imports/commit', { id: (await g.ok('POST', '/imports', body)).id })
    expect(first).toMatchObject({ import: 1, numbers: [{ kind: 'fuel', first: 1, last: 2 }] })
    // a second preview of the same rows finds them known; a pending import expires after a day
    const again = await g.ok('POST', '/imports', body)
    expect(again.kinds).toEqual([{ kind: 'fuel', rows: 2, new: 0, known: 2 }])
    g.at('2026-05-02T12:00:01Z')
    expect((await g.call('POST', '/imports/commit', { id: again.id })).status).toBe(404)

    const undone = await g.ok('POST', '/imports/undo', { import: 1 })
    expect(undone).toEqual({ import: 1, removed: 2, file: 'golf.csv', carried: false })
    expect(await fillups(g, 'golf')).toBe(0)
    expect((await g.call('POST', '/imports/undo', { import: 1 })).status).toBe(409)

    const second = await g.ok('POST', '/imports/commit', { id: (await g.ok('POST', '/imports', body)).id })
    expect(second.numbers).toEqual([{ kind: 'fuel', first: 3, last: 4 }])
    await g.ok('POST', '/fillups/edit', { number: 4, volume: { value: 41, unit: 'L' } })
    const refused = await g.call('POST', '/imports/undo', { import: second.import })
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toMatch(
      /^import #2 cannot be undone: fill-up #4 it added was changed since \(change #\d+\)/,
    )
    expect(await fillups(g, 'golf')).toBe(2)
  })
})

describe('another garage', () => {
  /** A file of one fill-up of the garage's golf. */
  const oneFillUp = (file: string) => ({
    file,
    format: 'Fuelly export',
    units: { distance: 'km', volume: 'L' },
    cars: [{ name: 'Golf', car: 'golf' }],
    rows: [row(0, '2025-01-05', 1000, 40)],
  })
  test("its pending import is neither imported nor cancelled, and answers like a missing one", async () => {
    const g = new Garage('2026-05-01T12:00:00Z')
    await g.ok('POST', '/cars', { nickname: 'golf', units: 'metric' })
    await g.ok('POST', '/cars', { nickname: 'golf', units: 'metric' }, 'local:b')
    const pending = await g.ok('POST', '/imports', {
      ...oneFillUp('one.csv'),
      source: { kept: 'a'.repeat(32), map: 'Golf=golf' },
    })
    // where its file is kept (its Map cars step): its own garage only
    expect(await g.ok('GET', `/imports/${pending.id}/source`)).toEqual({
      file: 'one.csv',
      source: { kept: 'a'.repeat(32), map: 'Golf=golf' },
    })
    const noSource = await g.call('GET', `/imports/${'f'.repeat(24)}/source`, undefined, 'local:b')
    const source = await g.call('GET', `/imports/${pending.id}/source`, undefined, 'local:b')
    expect([source.status, source.body.error.message]).toEqual([404, noSource.body.error.message])
    const missing = await g.call('POST', '/imports/commit', { id: 'f'.repeat(32) }, 'local:b')
    for (const path of ['/imports/commit', '/imports/cancel']) {
      const r = await g.call('POST', path, { id: pending.id }, 'local:b')
      expect([path, r.status]).toEqual([path, missing.status])
      expect(r.body.error.message).toBe(missing.body.error.message.replace('f'.repeat(32), pending.id))
    }
    expect(await fillups(g, 'golf')).toBe(0)
    expect(g.count('fuel_fillups')).toBe(0)
    // Still waiting in its own garage: it imports there.
    const done = await g.ok('POST', '/imports/commit', { id: pending.id })
    expect(await fillups(g, 'golf')).toBe(1)
    // Its undo neither: another garage's import number is a missing one there.
    const missingUndo = await g.call('POST', '/imports/undo', { import: 987654 }, 'local:b')
    const undo = await g.call('POST', '/imports/undo', { import: done.import }, 'local:b')
    expect(undo.status).toBe(missingUndo.status)
    expect(undo.body.error.message).toBe(missingUndo.body.error.message.replace('987654', String(done.import)))
    expect(await fillups(g, 'golf')).toBe(1)
    // imports are numbered per garage: the other garage's first is its #1 too
    const own = await g.ok('POST', '/imports', oneFillUp('b.csv'), 'local:b')
    expect((await g.ok('POST', '/imports/commit', { id: own.id }, 'local:b')).import).toBe(done.import)
  })
})

describe('a car on an hour meter', () => {
  test('a file counting distance is not imported into it: refused naming map, nothing kept', async () => {
    const g = new Garage('2026-05-01T12:00:00Z')
    await g.ok('POST', '/cars', { nickname: 'tractor', meter: 'hours' })
    const r = await g.call('POST', '/imports', {
      file: 'fuel.csv',
      format: 'Fuelly export',
      units: { distance: 'km', volume: 'L' },
      cars: [{ name: 'Tractor', car: 'tractor' }],
      rows: [row(0, '2025-01-05', 1000, 40)],
    })
    expect(r.status).toBe(422)
    expect(r.body.error).toMatchObject({ field: 'map' })
    expect(r.body.error.message).toContain('tractor runs on an hour meter')
    expect(g.count('pending_imports')).toBe(0)
  })
})
