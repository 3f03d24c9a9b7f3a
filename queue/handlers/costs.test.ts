/**
 * Costs that add up, end to end through the queue: every fill-up of a long history counts (no
 * page of 100 is the whole story), and a fill-up logged without its odometer counts in cost and
 * puts its fuel in the economy segment around it. Figures are checked against hand sums.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { addDays } from '../../lib/domain/dates.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
const clock = new Date('2026-06-01T12:00:00Z')
const GARAGE = 'local:costs-e2e'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator', 'issues', 'quotes'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

async function say(line: string): Promise<Reply> {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  return stack.command(parsed.kind, parsed.payload, { tenant: GARAGE })
}

async function fillUp(car: string, date: string, litres: number, cost: number, odometer: number | null, full = true) {
  const res = await fetch(`${stack.url('items')}/fillups`, {
    method: 'POST',
    headers: stack.headers(GARAGE),
    body: JSON.stringify({
      car,
      date,
      volume: { value: litres, unit: 'L', text: `${litres} L` },
      cost: { value: cost, text: cost.toFixed(2) },
      ...(odometer === null ? {} : { odometer: { value: odometer, unit: 'km', text: `${odometer} km` } }),
      full,
    }),
  })
  if (res.status !== 201) throw new Error(`fill-up ${date}: ${res.status} ${await res.text()}`)
}

const field = (r: Reply, name: string) => r.fields?.find((f) => f.name === name)?.value

describe('costs that add up', () => {
  test('setup: a metric USD garage', async () => {
    expect((await say('/garage settings units:metric currency:USD')).tone).toBe('ok')
  })

  test('120 weekly fill-ups all count: $7,200, not the newest 100 ($6,000)', async () => {
    expect((await say('/car add polo')).tone).toBe('ok')
    for (let i = 0; i < 120; i++) await fillUp('polo', addDays('2024-01-07', 7 * i), 40, 60, 10_500 + 500 * i)
    const r = await say('/calc cost car:polo period:3y')
    expect(field(r, 'Fuel')).toBe('$7,200.00 (120 fill-ups)')
    // 119 segments of 500 km on 40 L each: 8.0 L/100 km.
    const stats = await say('/car stats car:polo')
    expect(stats.text).toContain('8.0 L/100 km')
    expect(stats.text).toContain('over 119 full-to-full segments')
  })

  test('lists page instead of stopping: the count of older ones and the command for the next page', async () => {
    const first = await say('/fuel list car:polo')
    expect(first.title).toBe('polo: 120 fill-ups (1–10 shown)')
    expect(first.text).toContain('2026-04-19 · 40 L · $60.00')
    expect(first.text).toEndWith('… 110 older ones: /fuel list car:polo page:2')
    const last = await say('/fuel list car:polo page:12')
    expect(last.title).toBe('polo: 120 fill-ups (111–120 shown)')
    expect(last.text).toContain('2024-01-07 · 40 L · $60.00')
    expect(last.text).not.toContain('older')
    expect((await say('/fuel list car:polo page:13')).text).toBe('polo has 120 fill-ups; page 13 is past the last')
  })

  test('a fill-up without its odometer counts in cost and its fuel in the segment around it', async () => {
    expect((await say('/car add golf')).tone).toBe('ok')
    await fillUp('golf', '2026-05-01', 40, 60, 10_000)
    await fillUp('golf', '2026-05-08', 20, 30, null, false)
    await fillUp('golf', '2026-05-15', 30, 45, 10_700)
    await fillUp('golf', '2026-05-22', 35, 52.5, null)
    const stats = await say('/car stats car:golf')
    // 700 km on 20 + 30 L = 7.1 L/100 km (leaving the partial out would say 4.3); the last one's
    // segment cannot be measured and is left out, not guessed.
    expect(stats.text).toContain('Average 7.1 L/100 km')
    expect(stats.text).toContain('over 1 full-to-full segment')
    expect(field(stats, 'Fuel')).toBe('$187.50 (4 fill-ups)')
  })

  test('a fill-up removed and brought back by undo takes its old place in the economy', async () => {
    expect((await say('/car add fabia')).tone).toBe('ok')
    await fillUp('fabia', '2026-05-30', 40, 60, 20_000)
    await fillUp('fabia', '2026-05-30', 20, 30, null, false)
    await fillUp('fabia', '2026-05-30', 30, 45, 20_700)
    const numbers = (text: string) => text.split('\n').slice(1).map((l) => Number(/^#(\d+)/.exec(l)?.[1]))
    const before = await say('/fuel list car:fabia')
    expect(before.text).toStartWith('Average 7.1 L/100km')
    const [, partial] = numbers(before.text)
    expect((await say(`/fuel remove number:${partial}`)).tone).toBe('ok')
    expect((await say('/garage undo')).tone).toBe('ok')
    const list = await say('/fuel list car:fabia')
    // 700 km on 20 + 30 L again, and the partial listed between the two full ones as before.
    expect(list.text).toStartWith('Average 7.1 L/100km')
    expect(numbers(list.text)).toEqual(numbers(before.text))
    expect((await say('/car stats car:fabia')).text).toContain('Average 7.1 L/100 km')
  })
})
