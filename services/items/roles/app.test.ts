import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, Garage, mi, request } from '../testing.ts'

cleanUpAfterAll()

const gal = (value: number) => ({ value, unit: 'gal', text: `${value} gal` })
const as = (g: Garage, actor: string, method: string, path: string, body?: unknown) =>
  request(g.app, method, path, { body, tenant: 'local:a', headers: { 'x-actor': actor } })

describe('roles', () => {
  test('a garage maps roles, changes and forgets them; another garage sees none', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    expect(await g.ok('GET', '/roles')).toEqual({ roles: [] })
    await as(g, 'discord:1 Alice', 'PUT', '/roles', { ref: '111', role: 'viewer' })
    await as(g, 'discord:1 Alice', 'PUT', '/roles', { ref: '222', role: 'driver' })
    const changed = await as(g, 'discord:1 Alice', 'PUT', '/roles', { ref: '111', role: 'manager' })
    expect(changed.status).toBe(200)
    expect(changed.body.roles.map((r: { ref: string; role: string }) => [r.ref, r.role])).toEqual([
      ['111', 'manager'],
      ['222', 'driver'],
    ])
    expect(changed.body.roles[0].set_by).toBe('Alice')
    await g.ok('PUT', '/roles', { ref: '222', role: null })
    expect((await g.ok('GET', '/roles')).roles).toHaveLength(1)
    expect(await g.ok('GET', '/roles', undefined, 'local:b')).toEqual({ roles: [] })
  })

  test('a role that is not one, or a ref with other characters, is a 422 and stores nothing', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    expect((await g.call('PUT', '/roles', { ref: '111', role: 'owner' })).status).toBe(422)
    expect((await g.call('PUT', '/roles', { ref: '<@&111>', role: 'viewer' })).status).toBe(422)
    expect(g.count('garage_roles')).toBe(0)
  })

  test('who logged a fill-up, a service record, a reading or a change; unknown when the log does not say', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const fill = await as(g, 'discord:42 Bob', 'POST', '/fillups', {
      car: 'corolla',
      volume: gal(10),
      odometer: mi(48100),
    })
    expect(fill.status).toBe(201)
    await as(g, 'discord:43 Ann', 'POST', '/fillups/edit', { number: 1, volume: gal(11) })
    expect(await g.ok('GET', '/roles/logged?kind=fuel&ref=1')).toEqual({ by: 'discord:42' })
    expect(await g.ok('GET', `/roles/logged?kind=change&ref=${fill.body.change}`)).toEqual({
      by: 'discord:42',
    })
    // the car's first reading came with the car, not as a logged reading; no such fill-up at all
    expect(await g.ok('GET', '/roles/logged?kind=reading&ref=1')).toEqual({ by: null })
    expect(await g.ok('GET', '/roles/logged?kind=fuel&ref=9')).toEqual({ by: null })
    expect(await g.ok('GET', '/roles/logged?kind=fuel&ref=1', undefined, 'local:b')).toEqual({ by: null })
    expect((await g.call('GET', '/roles/logged?kind=car&ref=1')).status).toBe(422)
  })
})
