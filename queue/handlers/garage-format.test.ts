/**
 * Replies are written the way the garage writes: end to end through the queue, a garage set to
 * `numbers:1.234,5 dates:DD/MM/YYYY` gets its odometer, money, economy and due dates back in that
 * format and order (items' labels and the worker's own figures alike), and a `1 234,5` garage
 * gets a no-break space between the groups. Figures are checked by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
let clock = new Date('2026-05-01T12:00:00Z')
const EURO = 'local:format-euro'
const SPACED = 'local:format-spaced'
const NBSP = '\u00a0'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

async function ok(garage: string, line: string): Promise<Reply> {
  const r = await stack.say(line, garage)
  if (r.tone !== 'ok') throw new Error(`${line}: ${r.title ?? ''} ${r.text ?? ''}`)
  return r
}

const field = (r: Reply, name: string) => r.fields?.find((f) => f.name === name)?.value

describe('a 1.234,5 DD/MM/YYYY garage', () => {
  test('setup: the settings, and a car added on 01/05/2026', async () => {
    const set = await ok(EURO, '/garage settings numbers:1.234,5 dates:DD/MM/YYYY currency:EUR')
    expect(field(set, 'Numbers')).toBe('1.234,5')
    await ok(EURO, '/car add golf odometer:"82.000 km"')
  })

  test('/car odometer "83.000 km" answers 83.000 km, +1.000 km since 01/05/2026; /car show the same', async () => {
    clock = new Date('2026-05-10T12:00:00Z')
    expect(await ok(EURO, '/car odometer golf reading:"83.000 km"')).toMatchObject({
      title: 'golf: 83.000 km',
      text: 'Recorded 83.000 km on 10/05/2026. +1.000 km since 01/05/2026.',
    })
    const show = await ok(EURO, '/car show golf')
    expect(field(show, 'Odometer')).toBe('83.000 km (10/05/2026)')
    expect(field(show, 'Odometer readings')).toBe('10/05/2026  83.000 km\n01/05/2026  82.000 km (car)')
    expect((await ok(EURO, '/car readings golf')).text).toStartWith('#2 10/05/2026  83.000 km (typed)')
  })

  test('fill-ups: money as €1.234,50, economy with a decimal comma, dates DD/MM/YYYY', async () => {
    clock = new Date('2026-05-20T12:00:00Z')
    const first = await ok(EURO, '/fuel log golf 40 L cost:"1.234,50" odometer:"83.500 km"')
    expect(first.title).toBe('Fill-up logged for golf (20/05/2026)')
    expect(field(first, 'Cost')).toBe('€1.234,50')
    clock = new Date('2026-06-01T12:00:00Z')
    // 37,5 L over 500 km: 7,5 L/100km
    const second = await ok(EURO, '/fuel log golf "37,5 L" cost:"60,25" odometer:"84.000 km"')
    expect(field(second, 'Cost')).toBe('€60,25')
    expect(field(second, 'Economy')).toBe('7,5 L/100km')
    const list = await ok(EURO, '/fuel list car:golf')
    expect(list.text).toStartWith('Average 7,5 L/100km\n')
    expect(list.text).toContain('01/06/2026 · 37,5 L · €60,25 · 84.000 km · 7,5 L/100km')
  })

  test('/car stats and /calc cost: €1.294,75, 7,5 L/100 km, the period in DD/MM/YYYY', async () => {
    const stats = await ok(EURO, '/car stats car:golf')
    expect(stats.text).toStartWith('Average 7,5 L/100 km (')
    expect(stats.text).toContain('7,50 L/100 km · 13,33 km/L')
    expect(stats.text).toContain('01/06/2026  7,5 L/100 km  (500 km, 1 fill-up)')
    expect(field(stats, 'Last 12 months')).toBe('€1.294,75')
    expect(field(stats, 'Fuel')).toBe('€1.294,75 (2 fill-ups)')
    // €1.294,75 over the 2.000 km the readings cover (82.000 to 84.000 km)
    expect(field(stats, 'Per distance')).toStartWith('€0,647/km over 2.000 km')
    const cost = await ok(EURO, '/calc cost car:golf')
    expect(cost.title).toBe('golf: €1.294,75 over 12m (02/06/2025 – 01/06/2026)')
    expect(cost.text).toBe('Running costs €1.294,75; depreciation unknown, so not in the total.')
  })

  test('a maintenance item is due 01/11/2026 or at 97.000 km, in /item and /reminders', async () => {
    const add = await ok(
      EURO,
      '/item add golf "Oil change" months:6 distance:"15.000 km" last_date:01/05/2026 last_odometer:"82.000 km"',
    )
    expect(add.text).toStartWith('due 01/11/2026 (in about 5 months) or at 97.000 km (13.000 km left;')
    expect(field(add, 'Last done')).toBe('01/05/2026 at 82.000 km')
    expect((await ok(EURO, '/item list car:golf')).text).toContain(
      'due 01/11/2026 (in about 5 months) or at 97.000 km',
    )
    expect((await ok(EURO, '/reminders list')).text).toContain('due 01/11/2026 (in about 5 months)')
  })
  test('expenses: €1.015,40 renewing on 01/06/2027, in /expense log and list', async () => {
    const paid = await ok(EURO, '/expense log car:golf kind:insurance cost:"1.015,40" date:01/06/2026 every:12m')
    expect(paid.title).toBe('Logged insurance for golf: €1.015,40 (01/06/2026)')
    expect(paid.text).toBe('It renews every 12m: next due 01/06/2027, reminded before then.')
    expect(field(paid, 'Renews')).toBe('01/06/2027')
    expect((await ok(EURO, '/expense list car:golf')).text).toContain('01/06/2026 · insurance · €1.015,40 · every 12m, renews 01/06/2027')
  })
})

describe('a 1 234,5 garage', () => {
  test('groups with a no-break space and writes a decimal comma', async () => {
    clock = new Date('2026-05-01T12:00:00Z')
    await ok(SPACED, '/garage settings numbers:"1 234,5"')
    await ok(SPACED, '/car add polo odometer:"12 000 km"')
    clock = new Date('2026-05-02T12:00:00Z')
    expect((await ok(SPACED, '/car odometer polo reading:"13 500,5 km"')).text).toBe(
      `Recorded 13 500,5 km on 2026-05-02. +1${NBSP}500,5 km since 2026-05-01.`,
    )
    expect(field(await ok(SPACED, '/fuel log polo 40 L cost:1500'), 'Cost')).toBe(`$1${NBSP}500,00`)
  })
})
