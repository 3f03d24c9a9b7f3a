/**
 * The whole issue lifecycle as typed in the terminal chat: each line goes through the chat's
 * grammar (catalog parseLine, as LocalChat does) and is dispatched on the queue; the stack runs
 * the worker with items, issues and images. (LocalChat itself would compete with the stack's own
 * collector for replies.local, so the stack collects the replies.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import { startStack, type Stack } from '../../test/stack.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'

let stack: Stack
const chat = 'local:garage1'
const other = 'local:garage2'

beforeAll(async () => {
  // quotes too: closing with a record checks the accepted quote.
  stack = await startStack({ services: ['items', 'issues', 'images', 'quotes'] })
})
afterAll(async () => {
  await stack?.close()
})

/** A line typed in the terminal chat of a garage, and the reply the user sees. */
async function say(line: string, tenant = chat): Promise<Reply> {
  const parsed = parseLine(line)
  if (!parsed.ok) return { tone: 'error', text: parsed.error }
  return stack.command(parsed.kind, parsed.payload, { tenant, actor: { userId: 'u1', name: 'Ann' } })
}

describe('/issue through the terminal chat', () => {
  test('log, list, comment, status, close and show, with the history kept', async () => {
    expect((await say('/car add corolla make:Toyota')).tone).toBe('ok')
    expect((await say('/car add civic')).tone).toBe('ok')

    const first = await say(
      '/issue log car:Corolla title:"Grinding when braking" severity:high details:"front left, worse when cold"',
    )
    expect(first.tone).toBe('ok')
    expect(first.title).toBe('#1 opened on corolla')
    expect(first.ref).toBe('issue:1')
    const second = await say('/issue log car:civic title:"Wipers streak" severity:low')
    expect(second.title).toBe('#2 opened on civic')
    await say('/issue log car:corolla title:"Check engine light" severity:critical')

    const unknown = await say('/issue log car:beetle title:"Rust"')
    expect(unknown.tone).toBe('error')
    expect(unknown.text).toBe('no car "beetle" in this garage; cars: civic, corolla')

    const list = await say('/issue list')
    expect(list.title).toBe('3 open issues')
    expect(list.text.split('\n').map((l) => l.replace(/^\S+ /, ''))).toEqual([
      '#3 corolla — Check engine light (open)',
      '#1 corolla — Grinding when braking (open)',
      '#2 civic — Wipers streak (open)',
    ])
    const civicOnly = await say('/issue list car:civic')
    expect(civicOnly.text).toContain('#2 civic — Wipers streak')
    expect(civicOnly.text).not.toContain('#1')

    expect((await say('/issue comment number:1 text:"Pads are down to 2 mm"')).title).toBe(
      'Comment #C1 added to #1 Grinding when braking',
    )
    const waiting = await say('/issue status number:1 status:waiting_parts note:"Pads ordered"')
    expect(waiting.text).toBe('Status: open → waiting for parts')
    const logged = await say('/service log car:corolla title:"Front pads" kind:repair')
    const record = logged.fields?.find((f) => f.name === 'Record')?.value
    expect(record).toMatch(/^#\d+$/)
    const closed = await say(
      `/issue close number:#1 resolution:"Replaced front pads" record:${record!.slice(1)}`,
    )
    expect(closed.title).toBe('#1 resolved: Grinding when braking')
    expect(closed.text).toBe(`Replaced front pads\nFixed by service record ${record}.`)

    const shown = await say('/issue show number:1')
    expect(shown.title).toBe('#1 Grinding when braking')
    expect(shown.text).toBe('front left, worse when cold')
    const field = (name: string) => shown.fields?.find((f) => f.name.startsWith(name))?.value ?? ''
    expect(field('Status')).toBe('resolved')
    expect(field('Service record')).toBe(record!)
    expect(field('Comments')).toBe('#C1 Ann: Pads are down to 2 mm\n#C2 Ann: Pads ordered')
    const history = field('History')
      .split('\n')
      .map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d /, ''))
    expect(history).toEqual([
      'Ann opened it',
      'Ann commented',
      'Ann: open → waiting for parts',
      'Ann commented',
      'Ann: waiting for parts → resolved',
      'Ann resolution: Replaced front pads',
      `Ann linked service record ${record}`,
    ])

    const open = await say('/issue list')
    expect(open.text).not.toContain('#1 ')
    const all = await say('/issue list all:yes')
    expect(all.text).toContain('#1 corolla — Grinding when braking (resolved)')
  })

  test("another garage's number is not found, exactly like a missing one", async () => {
    const foreign = await say('/issue show number:1', other)
    const missing = await say('/issue show number:99', chat)
    expect(foreign.tone).toBe('error')
    expect(foreign.text).toBe('no issue #1 in this garage')
    expect(missing.text).toBe('no issue #99 in this garage')
    const comment = await say('/issue comment number:2 text:"not mine"', other)
    expect(comment.text).toBe('no issue #2 in this garage')
    const mine = await say('/issue show number:2')
    expect(mine.fields?.find((f) => f.name.startsWith('Comments'))).toBeUndefined()
  })

  test('a comment of 10,000 characters is refused naming the field', async () => {
    const reply = await say(`/issue comment number:2 text:"${'x'.repeat(10_000)}"`)
    expect(reply.tone).toBe('error')
    expect(reply.text).toMatch(/text/)
    expect(reply.text).toMatch(/4000/)
  })
})
