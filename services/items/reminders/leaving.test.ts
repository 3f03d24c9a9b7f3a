import { expect, test } from 'bun:test'
import { chicagoAfternoon, cleanUpAfterAll, Garage } from '../testing.ts'

cleanUpAfterAll()

const usd = (value: number) => ({ value, text: value.toFixed(2) })

test('a garage marked leaving announces nothing; back, what fell due meanwhile is announced once', async () => {
  const g = new Garage(chicagoAfternoon('2026-05-01'))
  await g.setup()
  await g.ok('POST', '/items', { car: 'corolla', name: 'Oil change', months: 1, last_date: '2026-04-01' })
  await g.ok('POST', '/expenses', { car: 'corolla', kind: 'insurance', cost: usd(900), date: '2025-05-10', every: '1y' })
  await g.ok('PUT', '/tenant/leaving', { reason: 'removed from the Discord server' })
  for (const date of ['2026-05-01', '2026-05-02', '2026-05-05']) {
    g.at(chicagoAfternoon(date))
    expect(await g.tick()).toEqual([])
  }
  expect(g.count('announcements')).toBe(0)
  await g.ok('DELETE', '/tenant/leaving')
  g.at(chicagoAfternoon('2026-05-06'))
  const back = await g.tick()
  expect(back.map((a: { item: string }) => a.item).sort()).toEqual(['Insurance', 'Oil change'])
  expect(await g.tick()).toEqual([])
})
