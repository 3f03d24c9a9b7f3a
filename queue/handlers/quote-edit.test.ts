/**
 * /quote edit and /quote remove through the queue: each answers with an Undo button
 * (`quote.undo_change:<change id>`) that puts the quote back as it was, once; an accepted quote
 * keeps its amount and is not removed; wrong values name the field and change nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseActionId } from '../../catalog/actions.ts'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
const GARAGE = 'local:quote-edit'
const OTHER = 'local:quote-edit-other'

beforeAll(async () => {
  stack = await startStack({
    services: ['items', 'issues', 'quotes'],
    now: () => new Date('2026-11-20T18:00:00Z'),
  })
})
afterAll(async () => {
  await stack?.close()
})

async function say(line: string, tenant = GARAGE): Promise<Reply> {
  if (line.startsWith('!press ')) {
    const action = parseActionId(line.slice(7).trim())
    if (!action || action.type !== 'kind') throw new Error(`not a button: ${line}`)
    return stack.command(action.kind, { arg: action.arg }, { tenant })
  }
  const parsed = parseLine(line)
  if (!parsed.ok) return { tone: 'error', text: parsed.error }
  return stack.command(parsed.kind, parsed.payload, { tenant })
}

const undoOf = (r: Reply) => {
  const id = r.actions?.[0]?.id ?? ''
  expect(r.actions?.[0]?.label).toBe('Undo')
  expect(id).toMatch(/^quote\.undo_change:\d+$/)
  return `!press ${id}`
}

const quoteFields = async () =>
  (await say('/quote list issue:1')).fields?.map((f) => `${f.name}: ${f.value}`) ?? []

describe('/quote edit and /quote remove', () => {
  test('setup: a USD garage with an issue and two quotes', async () => {
    expect((await say('/garage settings currency:USD')).tone).toBe('ok')
    expect((await say('/car add corolla')).tone).toBe('ok')
    expect((await say('/issue log car:corolla title:"Brakes"')).tone).toBe('ok')
    expect((await say('/quote add issue:1 shop:Joe amount:640 parts:420 labor:220')).tone).toBe('ok')
    expect((await say('/quote add issue:1 shop:Bob amount:590')).tone).toBe('ok')
  })

  test('edit says what changed, with Undo; Undo puts it back; twice is refused', async () => {
    const edited = await say('/quote edit number:1 amount:700 notes:"includes rotors"')
    expect(edited.tone).toBe('ok')
    expect(edited.title).toBe('Quote 1 from Joe corrected (issue #1)')
    expect(edited.text).toBe(
      'amount $640.00 → $700.00\nnotes — → includes rotors\ntotal $700.00 · parts $420.00 · labour $220.00',
    )
    const undo = undoOf(edited)
    expect(await quoteFields()).toContain(
      '1 · Joe: total $700.00 · parts $420.00 · labour $220.00\nincludes rotors',
    )
    const undone = await say(undo)
    expect(undone.tone).toBe('ok')
    expect(undone.title).toBe('Undone: quote 1 from Joe reads as before')
    expect(await quoteFields()).toContain('1 · Joe: total $640.00 · parts $420.00 · labour $220.00')
    const twice = await say(undo)
    expect(twice.tone).toBe('error')
    expect(twice.text).toContain('was already undone; nothing changed')
  })

  test('undo of an edit after a later edit is refused, nothing changed', async () => {
    const first = await say('/quote edit number:2 shop:"Bob Auto"')
    await say('/quote edit number:2 amount:580')
    const early = await say(undoOf(first))
    expect(early.tone).toBe('error')
    expect(early.text).toMatch(
      /^quote 2 was changed again since \(change #Q\d+\); undo that first\. Nothing changed$/,
    )
    expect((await quoteFields()).some((f) => f.startsWith('2 · Bob Auto — cheapest: total $580.00'))).toBe(
      true,
    )
  })

  test('remove answers with Undo; editing the removed quote is not found; Undo puts it back', async () => {
    const removed = await say('/quote remove number:2')
    expect(removed.tone).toBe('ok')
    expect(removed.title).toBe('Quote 2 from Bob Auto removed from issue #1')
    expect((await quoteFields()).map((f) => f.split(':')[0])).toEqual(['1 · Joe — cheapest'])
    const issueQuotes = async () =>
      (await say('/issue show number:1')).fields?.find((f) => f.name === 'Quotes')?.value
    expect(await issueQuotes()).toBe('#1')
    const edit = await say('/quote edit number:2 notes:x')
    expect(edit.tone).toBe('error')
    expect(edit.text).toMatch(/^no quote 2 in this garage: it was removed \(change #Q\d+\); \/garage undo change:Q\d+ brings it back$/)
    const back = await say(undoOf(removed))
    expect(back.title).toBe('Undone: quote 2 from Bob Auto is back on issue #1')
    expect((await quoteFields()).map((f) => f.split(':')[0])).toEqual(['2 · Bob Auto — cheapest', '1 · Joe'])
    expect(await issueQuotes()).toBe('#1, #2')
  })

  test('an accepted quote keeps its amount (refused, naming amount) and is not removed; its notes can change', async () => {
    expect((await say('/quote accept id:1')).tone).toBe('ok')
    const amount = await say('/quote edit number:1 amount:500')
    expect(amount.tone).toBe('error')
    expect(amount.text).toContain('amount: quote 1 (Joe) is accepted')
    expect(amount.text).toContain('cannot be edited (its shop, notes and valid_until can). Nothing changed')
    const removed = await say('/quote remove number:1')
    expect(removed.text).toBe(
      'quote 1 (Joe) is accepted for issue #1; an accepted quote is not removed. Nothing changed',
    )
    const notes = await say('/quote edit number:1 notes:"2-year warranty"')
    expect(notes.tone).toBe('ok')
    expect(notes.actions?.[0]?.id).toMatch(/^quote\.undo_change:\d+$/)
    expect((await quoteFields()).find((f) => f.startsWith('1 · Joe'))).toContain('total $640.00')
  })

  test('wrong values name the field and change nothing; another garage’s quote is not found', async () => {
    const before = await quoteFields()
    for (const [line, expected] of [
      ['/quote edit number:2', 'Give what to change'],
      ['/quote edit number:x amount:5', 'number'],
      ['/quote edit number:0 amount:5', 'number'],
      ['/quote edit number:2 amount:€50', 'amount'],
      ['/quote edit number:2 amount:abc', 'amount'],
      ['/quote edit number:2 valid_until:2020-01-01', 'valid_until: 2020-01-01 is already past'],
      ['/quote edit number:2 parts:900', 'parts'],
      ['/quote remove number:99', 'no quote 99 in this garage'],
      ['!press quote.undo_change:nope', 'change: "nope" is not a change number'],
    ] as const) {
      const r = await say(line)
      expect([line, r.tone, r.text.includes(expected)]).toEqual([line, 'error', true])
    }
    expect((await say('/quote remove number:2', OTHER)).text).toBe('no quote 2 in this garage')
    expect((await say('!press quote.undo_change:1', OTHER)).text).toBe('no quote change #Q1 in this garage')
    expect(await quoteFields()).toEqual(before)
  })
})
