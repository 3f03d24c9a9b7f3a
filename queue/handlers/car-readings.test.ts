/**
 * /car readings and /car reading_remove through the queue: a car's readings listed with their
 * numbers and sources a page at a time; a typed reading removed with Undo, a record's refused.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
const clock = new Date('2026-06-01T17:00:00Z')
const GARAGE = 'local:readings-e2e'

beforeAll(async () => {
  stack = await startStack({ services: ['items'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

const say = (line: string, tenant = GARAGE): Promise<Reply> => stack.say(line, tenant)

async function press(id: string, tenant = GARAGE): Promise<Reply> {
  const colon = id.indexOf(':')
  return stack.command(id.slice(0, colon), { arg: id.slice(colon + 1) }, { tenant })
}

describe('/car readings and /car reading_remove', () => {
  test('setup', async () => {
    expect((await say('/garage settings units:imperial currency:USD timezone:UTC')).tone).toBe('ok')
    expect((await say('/car add corolla odometer:"48,000 mi"')).tone).toBe('ok') // #1
    expect((await say('/car odometer corolla reading:"48,300 mi"')).tone).toBe('ok') // #2
    expect((await say('/fuel log car:corolla volume:"10 gal" odometer:"48,400 mi"')).tone).toBe('ok') // #3
    expect((await say('/service log car:corolla title:Oil odometer:"48,500 mi"')).tone).toBe('ok') // #4
  })

  test('lists readings newest first with number, date, value and where each came from', async () => {
    const r = await say('/car readings corolla')
    expect(r.tone).toBe('ok')
    expect(r.title).toBe('corolla: 4 odometer readings')
    const lines = r.text.split('\n').slice(0, 4)
    expect(lines).toEqual([
      '#4 2026-06-01  48,500 mi (service)',
      '#3 2026-06-01  48,400 mi (fill-up)',
      '#2 2026-06-01  48,300 mi (typed)',
      '#1 2026-06-01  48,000 mi (typed)',
    ])
    expect(r.text).not.toContain('older')
  })

  test('pages like /fuel list, saying how many are older', async () => {
    for (let i = 1; i <= 8; i++) await say(`/car odometer corolla reading:"${(48_500 + i * 10).toLocaleString('en-US')} mi"`)
    const first = await say('/car readings corolla')
    expect(first.title).toBe('corolla: 12 odometer readings (1–10 shown)')
    expect(first.text).toContain('… 2 older ones: /car readings corolla page:2')
    const second = await say('/car readings corolla page:2')
    expect(second.text.split('\n').slice(0, 2)).toEqual(['#2 2026-06-01  48,300 mi (typed)', '#1 2026-06-01  48,000 mi (typed)'])
    const past = await say('/car readings corolla page:3')
    expect(past.text).toBe('corolla has 12 odometer readings; page 3 is past the last')
  })

  test('removes a typed reading: says what it was and the odometer after, with Undo; twice is a clear no', async () => {
    const removed = await say('/car reading_remove number:12')
    expect(removed.tone).toBe('ok')
    expect(removed.title).toBe('Reading #12 removed from corolla')
    expect(removed.text).toContain('It was #12 2026-06-01  48,580 mi (typed).')
    expect(removed.text).toContain('Odometer now 48,570 mi.')
    const undo = removed.actions?.find((a) => a.label === 'Undo')
    expect(undo?.id).toMatch(/^garage\.undo_change:\d+$/)
    const again = await say('/car reading_remove number:12')
    expect(again.tone).toBe('error')
    expect(again.text).toContain('there is no odometer reading #12')
    expect(again.text).toContain('it was removed')
    const history = await say('/garage history')
    expect(history.text).toMatch(/removed odometer reading #12 \(corolla\)/)
    expect((await press(undo!.id)).tone).toBe('ok')
    expect((await say('/car readings corolla')).text).toContain('#12 2026-06-01  48,580 mi (typed)')
  })

  test("a fill-up's or a service record's reading is not removed on its own", async () => {
    const fuel = await say('/car reading_remove number:3')
    expect(fuel.tone).toBe('error')
    expect(fuel.text).toContain('came with fill-up #1')
    expect(fuel.text).toContain('/fuel edit')
    const service = await say('/car reading_remove number:4')
    expect(service.tone).toBe('error')
    expect(service.text).toMatch(/came with service record #\d+/)
    expect(service.text).toContain('/service edit')
    expect((await say('/car readings corolla')).title).toBe('corolla: 12 odometer readings (1–10 shown)')
  })

  test('a reading that never was, and wrong values, name the field', async () => {
    const none = await say('/car reading_remove number:999')
    expect(none.tone).toBe('error')
    expect(none.text).toContain('number: there is no odometer reading #999')
    const bad = parseLine('/car reading_remove number:two')
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error).toContain('number')
    const zero = parseLine('/car readings corolla page:0')
    expect(zero.ok).toBe(false)
    if (!zero.ok) expect(zero.error).toContain('page')
    const other = await say('/car readings nosuch')
    expect(other.tone).toBe('error')
  })
})
