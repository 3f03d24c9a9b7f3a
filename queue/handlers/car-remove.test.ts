import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startStack, type Stack } from '../../test/stack.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ services: ['items', 'images'] })
})
afterAll(async () => {
  await stack.close()
})

const km = (value: number) => ({ value, unit: 'km' as const, text: `${value} km` })

test('/car remove says what goes with the car and what stays; nothing is removed without confirm', async () => {
  const tenant = 'local:removal'
  const run = (kind: string, payload: unknown) => stack.command(kind, payload, { tenant })
  expect((await run('car.add', { nickname: 'civic', odometer: km(80_000) })).tone).toBe('ok')
  expect((await run('item.add', { car: 'civic', name: 'Oil change', months: 6 })).tone).toBe('ok')
  expect((await run('item.add', { car: 'civic', name: 'Tyres', distance: km(40_000) })).tone).toBe('ok')
  expect((await run('service.log', { car: 'civic', title: 'Oil', items: 'Oil change', odometer: km(80_100) })).tone).toBe('ok')
  expect(
    (await run('fuel.log', { car: 'civic', volume: { value: 40, unit: 'L', text: '40 L' }, odometer: km(80_400), full: true }))
      .tone,
  ).toBe('ok')

  const refused = await run('car.remove', { car: 'civic' })
  expect(refused.tone).toBe('error')
  expect(refused.text).toContain('confirm')
  expect(refused.text).toContain('2 maintenance items')
  expect((await run('item.list', { car: 'civic' })).tone).toBe('ok')

  const removed = await run('car.remove', { car: 'civic', confirm: true })
  expect(removed.tone).toBe('ok')
  expect(removed.text).toBe(
    'civic is gone with its 3 odometer readings, 2 maintenance items, 1 service record and 1 fill-up. Its issues are kept (see /issue list).',
  )
  const after = await fetch(`${stack.url('items')}/items?car=civic`, { headers: stack.headers(tenant) })
  expect(after.status).toBe(404)
}, 30_000)
