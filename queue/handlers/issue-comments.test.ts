/**
 * Comments by number through the queue: /issue show numbers them (#C1 …), comment_edit and
 * comment_remove answer with an Undo button (`issue.undo_comment:<change id>`) that puts the
 * comment back as it was, once; wrong numbers are answered naming the field, nothing changed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseActionId } from '../../catalog/actions.ts'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
const chat = 'local:comments1'
const other = 'local:comments2'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'issues'] })
})
afterAll(async () => {
  await stack?.close()
})

/** A typed line, or `!press <action id>`, and the reply. */
async function say(line: string, tenant = chat): Promise<Reply> {
  if (line.startsWith('!press ')) {
    const action = parseActionId(line.slice(7).trim())
    if (!action || action.type !== 'kind') throw new Error(`not a button: ${line}`)
    return stack.command(action.kind, { arg: action.arg }, { tenant, actor: { userId: 'u1', name: 'Ann' } })
  }
  const parsed = parseLine(line)
  if (!parsed.ok) return { tone: 'error', text: parsed.error }
  return stack.command(parsed.kind, parsed.payload, { tenant, actor: { userId: 'u1', name: 'Ann' } })
}

const comments = async (tenant = chat) =>
  (await say('/issue show number:1', tenant)).fields?.find((f) => f.name.startsWith('Comments'))

const undoOf = (r: Reply) => {
  const id = r.actions?.[0]?.id ?? ''
  expect(r.actions?.[0]?.label).toBe('Undo')
  expect(id).toMatch(/^issue\.undo_comment:\d+$/)
  return `!press ${id}`
}

describe('/issue comment_edit and comment_remove', () => {
  test('setup: an issue with two comments, shown with their numbers', async () => {
    expect((await say('/car add corolla')).tone).toBe('ok')
    expect((await say('/issue log car:corolla title:"Grinding when braking"')).tone).toBe('ok')
    expect((await say('/issue comment number:1 text:"Pads are down to 2 mm"')).title).toBe(
      'Comment #C1 added to #1 Grinding when braking',
    )
    await say('/issue comment number:1 text:"Rotors scored"')
    const c = await comments()
    expect(c?.name).toBe('Comments (2; #C numbers for /issue comment_edit, comment_remove)')
    expect(c?.value).toBe('#C1 Ann: Pads are down to 2 mm\n#C2 Ann: Rotors scored')
  })

  test('edit answers before and after with Undo; Undo puts it back, and twice is refused', async () => {
    const edited = await say('/issue comment_edit number:C1 text:"Pads are down to 3 mm"')
    expect(edited.tone).toBe('ok')
    expect(edited.title).toBe('Comment #C1 edited on #1 Grinding when braking')
    expect(edited.text).toBe('Was: Pads are down to 2 mm\nNow: Pads are down to 3 mm')
    const undo = undoOf(edited)
    expect((await comments())?.value).toBe('#C1 Ann: Pads are down to 3 mm (edited)\n#C2 Ann: Rotors scored')
    const history = (await say('/issue show number:1')).fields?.find((f) => f.name === 'History')?.value ?? ''
    expect(history).toContain('Ann edited comment #C1')

    const undone = await say(undo)
    expect(undone.tone).toBe('ok')
    expect(undone.title).toBe('Undone: comment #C1 reads as before on #1 Grinding when braking')
    expect((await comments())?.value).toBe('#C1 Ann: Pads are down to 2 mm\n#C2 Ann: Rotors scored')
    const twice = await say(undo)
    expect(twice.tone).toBe('error')
    expect(twice.text).toContain('was already undone; nothing changed')
    expect((await comments())?.value).toBe('#C1 Ann: Pads are down to 2 mm\n#C2 Ann: Rotors scored')
  })

  test('undo of an edit after a later edit is refused, nothing changed', async () => {
    const first = await say('/issue comment_edit number:2 text:"Rotors scored, left"')
    await say('/issue comment_edit number:#C2 text:"Rotors scored, both"')
    const early = await say(undoOf(first))
    expect(early.tone).toBe('error')
    expect(early.text).toMatch(
      /^comment #C2 was changed again since \(change #\d+\); undo that first\. Nothing changed$/,
    )
    expect((await comments())?.value).toContain('#C2 Ann: Rotors scored, both (edited)')
  })

  test('remove hides it with Undo; editing a removed comment is refused; Undo brings it back', async () => {
    const removed = await say('/issue comment_remove number:C1')
    expect(removed.tone).toBe('ok')
    expect(removed.title).toBe('Comment #C1 removed from #1 Grinding when braking')
    expect(removed.text).toBe('Ann: Pads are down to 2 mm')
    expect((await comments())?.value).toBe('#C2 Ann: Rotors scored, both (edited)')
    const edit = await say('/issue comment_edit number:C1 text:"again"')
    expect(edit.tone).toBe('error')
    expect(edit.text).toBe('comment #C1 was removed; undo its removal first to edit it. Nothing changed')
    const back = await say(undoOf(removed))
    expect(back.title).toBe('Undone: comment #C1 is back on #1 Grinding when braking')
    expect((await comments())?.value).toBe(
      '#C1 Ann: Pads are down to 2 mm\n#C2 Ann: Rotors scored, both (edited)',
    )
  })

  test('wrong values name the field and change nothing; another garage’s comment is not found', async () => {
    const before = (await comments())?.value
    const notNumber = await say('/issue comment_edit number:abc text:"x"')
    expect(notNumber.tone).toBe('error')
    expect(notNumber.text).toContain(
      'number: "abc" is not a comment number; give the number /issue show lists',
    )
    const zero = await say('/issue comment_remove number:C0')
    expect(zero.text).toContain('number: "C0" is not a comment number')
    const noText = await say('/issue comment_edit number:C1')
    expect(noText.tone).toBe('error')
    expect(noText.text).toContain('text')
    const missing = await say('/issue comment_remove number:C99')
    expect(missing.text).toBe('no comment #C99 in this garage')
    const badButton = await say('!press issue.undo_comment:nope')
    expect(badButton.text).toContain('change: "nope" is not a change number')
    const foreign = await say('/issue comment_remove number:C1', other)
    expect(foreign.text).toBe('no comment #C1 in this garage')
    const foreignUndo = await say('!press issue.undo_comment:1', other)
    expect(foreignUndo.text).toBe('no comment change #1 in this garage')
    expect((await comments())?.value).toBe(before)
  })
})
