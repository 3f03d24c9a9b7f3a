/**
 * /issue show's history: times in the garage's timezone (UTC, said so, while the items service
 * that knows the timezone is down), the newest 8 changes, and how many earlier ones are not shown.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
let clock = new Date('2026-11-20T18:00:00Z')
const GARAGE = 'local:history'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'issues'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

async function say(line: string): Promise<Reply> {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  return stack.command(parsed.kind, parsed.payload, { tenant: GARAGE, actor: { userId: 'u1', name: 'Ann' } })
}

const history = (r: Reply) => r.fields?.find((f) => f.name.startsWith('History'))

test("history times are the garage's, and the changes not shown are counted", async () => {
  expect((await say('/garage settings timezone:America/Chicago')).tone).toBe('ok')
  expect((await say('/car add corolla')).tone).toBe('ok')
  expect((await say('/issue log car:corolla title:"Squeak over bumps"')).tone).toBe('ok')
  // 18:00 UTC is noon in Chicago.
  const first = history(await say('/issue show number:1'))!
  expect(first.name).toBe('History')
  expect(first.value).toBe('2026-11-20 12:00 Ann opened it')

  for (let n = 1; n <= 11; n++) {
    clock = new Date(clock.getTime() + 60 * 60_000)
    expect((await say(`/issue comment number:1 text:"check ${n}"`)).tone).toBe('ok')
  }
  const lines = history(await say('/issue show number:1'))!.value.split('\n')
  expect(lines[0]).toBe('… 4 earlier changes: /garage history issue:1')
  expect(lines.slice(1)).toHaveLength(8)
  // The newest: the 11th comment, 11 hours after noon in Chicago (05:00 UTC the next day).
  expect(lines.at(-1)).toBe('2026-11-20 23:00 Ann commented')
  expect(lines[1]).toBe('2026-11-20 16:00 Ann commented')
})

test('with the items service down the history still shows, in UTC, and says so', async () => {
  await stack.stopService('items')
  try {
    const shown = await say('/issue show number:1')
    expect(shown.tone).toBe('ok')
    expect(history(shown)?.name).toBe('History (UTC)')
    expect(history(shown)?.value.split('\n').at(-1)).toBe('2026-11-21 05:00 Ann commented')
  } finally {
    await stack.startService('items')
  }
})
