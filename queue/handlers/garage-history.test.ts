/**
 * /garage history and /garage undo over the three services that keep changes (items' records,
 * issues' comments, quotes): merged newest first with paging right across them, `car:` and
 * `issue:` filtering all of them, times in the garage's timezone and date order; undo of the
 * asker's newest change wherever it is, or of one named `#12`, `#I3`, `#Q5`; a service that is
 * down is named, and an undo that cannot tell the last change changes nothing. Also the reported
 * problems of /issue show and /quote list, and replies in the garage's number format.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
let clock = new Date('2026-11-20T18:00:00Z')
const GARAGE = 'local:garage-history'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'issues', 'quotes'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

/** A line typed by `who` one minute after the last one. */
async function as(who: string, line: string, tenant = GARAGE): Promise<Reply> {
  clock = new Date(clock.getTime() + 60_000)
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  return stack.command(parsed.kind, parsed.payload, {
    tenant,
    actor: { userId: who.toLowerCase(), name: who },
  })
}
const ann = (line: string, tenant = GARAGE) => as('Ann', line, tenant)
const lines = (r: Reply) => (r.text ?? '').split('\n')

describe('one history over records, issues and quotes', () => {
  test('setup: a Chicago garage writing DD/MM/YYYY, eleven fill-ups, then an issue, a comment and a quote', async () => {
    expect(
      (await ann('/garage settings units:imperial currency:USD timezone:America/Chicago dates:DD/MM/YYYY'))
        .tone,
    ).toBe('ok')
    expect((await ann('/car add corolla odometer:"48,000 mi"')).tone).toBe('ok')
    for (let n = 1; n <= 11; n++)
      expect(
        (await ann(`/fuel log car:corolla volume:"10 gal" odometer:"${48_000 + n * 100} mi"`)).tone,
      ).toBe('ok')
    expect((await ann('/issue log car:corolla title:Brakes')).tone).toBe('ok')
    expect((await ann('/issue comment number:1 text:"Pads worn"')).tone).toBe('ok')
    expect((await ann('/quote add issue:1 shop:Joe amount:640')).tone).toBe('ok')
    expect((await ann('/issue comment_edit number:C1 text:"Pads at 2 mm"')).tone).toBe('ok')
    expect((await ann('/quote edit number:1 amount:600')).tone).toBe('ok')
  })

  test('a page of ten is right across services, in the garage’s time and date order, and says what is older', async () => {
    const h = await ann('/garage history')
    expect(h.tone).toBe('ok')
    // 12 of items (the settings and 11 fill-ups), 3 of the issue, 2 of the quote
    expect(h.title).toBe('History: 17 changes (1–10 shown)')
    const page = lines(h)
    expect(page).toHaveLength(11)
    // 18:00 UTC is noon in Chicago; the quote's edit was the 18th minute after.
    expect(page[0]).toMatch(
      /^#Q\d+ 20\/11\/2026 12:18 Ann edited quote 1 from Joe \(issue #1\): amount \$640\.00 → \$600\.00$/,
    )
    expect(page[1]).toMatch(/^#I\d+ 20\/11\/2026 12:17 Ann edited comment #C1 — issue #1 Brakes \(corolla\)$/)
    expect(page[2]).toMatch(
      /^#Q\d+ 20\/11\/2026 12:16 Ann added quote 1 from Joe \(issue #1\): amount \$640\.00$/,
    )
    expect(page[3]).toMatch(/^#I\d+ 20\/11\/2026 12:15 Ann commented — issue #1 Brakes \(corolla\)$/)
    expect(page[4]).toMatch(/^#I\d+ 20\/11\/2026 12:14 Ann opened it — issue #1 Brakes \(corolla\)$/)
    // then the newest records of items, though items' own first page holds ten of them
    expect(page[5]).toMatch(/^#\d+ 20\/11\/2026 12:13 Ann logged fill-up #11 \(corolla\)/)
    expect(page[9]).toMatch(/^#\d+ 20\/11\/2026 12:09 Ann logged fill-up #7 \(corolla\)/)
    expect(page[10]).toBe('… 7 older changes: /garage history page:2')

    const second = await ann('/garage history page:2')
    expect(second.title).toBe('History: 17 changes (11–17 shown)')
    expect(lines(second)).toHaveLength(7)
    expect(lines(second)[0]).toMatch(/Ann logged fill-up #6 \(corolla\)/)
    expect(lines(second)[6]).toMatch(/Ann changed the settings/)
  })

  test('car: and issue: filter every service', async () => {
    expect((await as('Cy', '/car add civic odometer:"20,000 mi"')).tone).toBe('ok')
    expect((await as('Cy', '/fuel log car:civic volume:"8 gal" odometer:"20,300 mi"')).tone).toBe('ok')
    expect((await as('Cy', '/issue log car:civic title:Wipers')).tone).toBe('ok')
    expect((await as('Cy', '/quote add issue:2 shop:Ace amount:45')).tone).toBe('ok')
    const civic = await ann('/garage history car:civic')
    expect(civic.title).toBe('History of civic: 3 changes')
    expect(lines(civic)[0]).toMatch(/^#Q\d+ .* Cy added quote 2 from Ace \(issue #2\): amount \$45\.00$/)
    expect(lines(civic)[1]).toMatch(/^#I\d+ .* Cy opened it — issue #2 Wipers \(civic\)$/)
    expect(lines(civic)[2]).toMatch(/^#\d+ .* Cy logged fill-up #\d+ \(civic\)/)
    const issue = await ann('/garage history issue:1')
    expect(issue.title).toBe('History of issue #1: 5 changes')
    expect(issue.text).not.toContain('civic')
    expect(issue.text).not.toContain('fill-up')
  })
})

describe('/garage undo across services', () => {
  test("without change: the asker's newest undoable change, wherever it is kept", async () => {
    const undone = await ann('/garage undo')
    expect(undone.tone).toBe('ok')
    expect(undone.title).toMatch(/^Undone: change #Q\d+$/)
    expect(undone.text).toBe('Quote 1 from Joe reads as before (issue #1).\namount $600.00 → $640.00')
    expect((await ann('/quote list issue:1')).fields?.[0]?.value).toContain('total $640.00')
    // Bob has changed nothing he could undo
    expect((await as('Bob', '/garage undo')).text).toBe(
      'change: you have no change left to undo in this garage (see /garage history); nothing changed',
    )
  })

  test('undoing twice, and an undo a later change depends on, are refused and change nothing', async () => {
    const h = await ann('/garage history issue:1')
    const edit = /^#(I\d+) .* Ann edited comment #C1/m.exec(h.text ?? '')![1]!
    const quoteUndo = /^#(Q\d+) .* Ann undid a change of quote 1/m.exec(h.text ?? '')![1]!
    const undone = /\(undo of #(Q\d+)\)/.exec(h.text ?? '')![1]!
    const twice = await ann(`/garage undo change:${undone}`)
    expect(twice.tone).toBe('error')
    expect(twice.text).toBe(
      `change #${undone} of quote 1 was already undone; nothing changed (Ann undid it: change #${quoteUndo})`,
    )
    expect((await ann(`/garage undo change:${quoteUndo}`)).text).toBe(
      `change #${quoteUndo} is itself an undo; nothing changed`,
    )
    // Bob edits the comment again: Ann's edit cannot be undone before his is
    expect((await as('Bob', '/issue comment_edit number:C1 text:"Pads at 1 mm"')).tone).toBe('ok')
    const bob = /^#(I\d+) .* Bob edited comment #C1/m.exec(
      (await ann('/garage history issue:1')).text ?? '',
    )![1]!
    const stale = await ann(`/garage undo change:${edit}`)
    expect(stale.tone).toBe('error')
    expect(stale.text).toBe(
      `comment #C1 was changed again since (change #${bob}); undo that first. Nothing changed`,
    )
    expect(
      (await ann('/issue show number:1')).fields?.find((f) => f.name.startsWith('Comments'))?.value,
    ).toContain('Pads at 1 mm')
    // Bob's own undo is his last change; then Ann's edit can go
    const bobs = await as('Bob', '/garage undo')
    expect(bobs.title).toBe(`Undone: change #${bob}`)
    expect(bobs.text).toBe('Comment #C1 reads as before on issue #1 Brakes.\nAnn: Pads at 2 mm')
    expect((await ann(`/garage undo change:${edit.toLowerCase()}`)).text).toBe(
      'Comment #C1 reads as before on issue #1 Brakes.\nAnn: Pads worn',
    )
    const opened = /^#(I\d+) .* Ann opened it — issue #1/m.exec(
      (await ann('/garage history issue:1')).text ?? '',
    )![1]!
    expect((await ann(`/garage undo change:${opened}`)).text).toBe(
      `change: #${opened} (its opening of issue #1) is not undone from the history; close it with /issue close. Nothing changed`,
    )
    expect((await ann('/garage undo change:Z9')).text).toContain(
      'is not a change; give one /garage history lists',
    )
  })

  test('a record of items is still undone by its number', async () => {
    const h = await ann('/garage history car:corolla page:2')
    const fill = /^#(\d+) .* Ann logged fill-up #6 \(corolla\)/m.exec(h.text ?? '')
    expect(fill).not.toBeNull()
    const r = await ann(`/garage undo change:${fill![1]}`)
    expect(r.title).toBe(`Undone: change #${fill![1]}`)
    expect(r.text).toMatch(
      /^Fill-up #6 \(corolla\) is gone again\.\n#\d+ 20\/11\/2026 12:08 Ann logged fill-up #6/,
    )
  })

  test('with the quotes service down: history says which part is missing, undo of the last change changes nothing', async () => {
    const before = await ann('/garage history')
    await stack.stopService('quotes')
    try {
      const h = await ann('/garage history')
      expect(h.tone).toBe('warn')
      expect(h.text).toContain(
        'Not shown: changes of quotes (the quotes service cannot be reached). This history is incomplete; ask again later.',
      )
      expect(h.text).not.toMatch(/^#Q/m)
      expect(h.text).toMatch(/^#I\d+ /m)
      expect(h.text).toMatch(/^#\d+ /m)
      const undo = await ann('/garage undo')
      expect(undo.tone).toBe('error')
      expect(undo.text).toBe(
        'Nothing was undone: your last change cannot be told while the quotes service cannot be reached (it may hold it). Try again later, or name the change: /garage undo change:12 (see /garage history).',
      )
    } finally {
      await stack.startService('quotes')
    }
    // nothing changed meanwhile (the history reads as before, plus nothing)
    const after = await ann('/garage history')
    expect(after.title).toBe(before.title)
    expect(after.text).toBe(before.text)
  })
})

test('with the items service down: the issues and quotes parts still show, in UTC, and the missing part is named', async () => {
  await stack.stopService('items')
  try {
    const h = await ann('/garage history issue:1')
    expect(h.tone).toBe('ok')
    // issue:1 asks nothing of items' records, but the garage's timezone lives there
    expect(lines(h)[0]).toMatch(/^#I\d+ 2026-11-2\d \d\d:\d\d \S+ /)
    expect(h.text).toContain("Times are UTC: the garage's timezone could not be read.")
    const all = await ann('/garage history')
    expect(all.tone).toBe('warn')
    expect(all.text).toContain(
      'Not shown: changes of fill-ups, service records, readings, cars and settings (the garage (items) service cannot be reached).',
    )
    expect(all.text).toMatch(/^#Q\d+ /m)
    expect(all.text).not.toMatch(/^#\d+ /m)
  } finally {
    await stack.startService('items')
  }
})

describe('reported problems', () => {
  const G = 'local:garage-history-reported'
  test('/issue show counts the history lines it leaves out and says where to see them; times and dates are the garage’s', async () => {
    expect(
      (await ann('/garage settings currency:USD timezone:America/Chicago dates:DD/MM/YYYY', G)).tone,
    ).toBe('ok')
    expect((await ann('/car add golf', G)).tone).toBe('ok')
    expect((await ann('/issue log car:golf title:Rattle', G)).tone).toBe('ok')
    for (let n = 1; n <= 10; n++)
      expect((await ann(`/issue comment number:1 text:"check ${n}"`, G)).tone).toBe('ok')
    const shown = await ann('/issue show number:1', G)
    const history = shown.fields?.find((f) => f.name === 'History')?.value.split('\n') ?? []
    expect(history[0]).toBe('… 3 earlier changes: /garage history issue:1')
    expect(history).toHaveLength(9)
    // not UTC: the comment at the minute's UTC time is shown on Chicago's clock, day first
    expect(history.at(-1)).toMatch(/^20\/11\/2026 1[0-9]:\d\d Ann commented$/)
    const all = await ann('/garage history issue:1', G)
    expect(all.title).toBe('History of issue #1: 11 changes (1–10 shown)')
    expect(lines(all).at(-1)).toBe('… 1 older change: /garage history issue:1 page:2')
    expect(lines(await ann('/garage history issue:1 page:2', G))[0]).toMatch(
      /Ann opened it — issue #1 Rattle/,
    )
  })

  test('/quote list after an acceptance: the spread of all three quotes, and "accepted" said once', async () => {
    expect((await ann('/quote add issue:1 shop:Joe amount:640', G)).tone).toBe('ok')
    expect((await ann('/quote add issue:1 shop:Ace amount:700', G)).tone).toBe('ok')
    expect((await ann('/quote add issue:1 shop:Bo amount:650', G)).tone).toBe('ok')
    expect((await ann('/quote accept id:3', G)).tone).toBe('ok')
    const list = await ann('/quote list issue:1', G)
    expect(list.text).toContain(
      'Spread $60.00 between highest $700.00 and lowest $640.00 (9% over the lowest).',
    )
    const all = [list.title, list.text, ...(list.fields ?? []).flatMap((f) => [f.name, f.value])].join('\n')
    expect(all.match(/accepted/g)).toHaveLength(1)
    expect(all.match(/rejected/g)).toHaveLength(2)
  })
})

describe("replies in the garage's number format", () => {
  const G = 'local:garage-history-format'
  test('quote replies, and the texts the quotes service makes, write 1.234,5 and DD/MM/YYYY', async () => {
    expect((await ann('/garage settings currency:USD numbers:1.234,5 dates:DD/MM/YYYY', G)).tone).toBe('ok')
    expect((await ann('/car add golf', G)).tone).toBe('ok')
    expect((await ann('/issue log car:golf title:Clutch', G)).tone).toBe('ok')
    const added = await ann('/quote add issue:1 shop:Joe amount:"1.234,50" valid_until:2026-12-24', G)
    expect(added.text).toStartWith('total $1.234,50 · valid until 24/12/2026')
    const edited = await ann('/quote edit number:1 amount:"1.300"', G)
    // the service's own text of the change
    expect(edited.text).toStartWith('amount $1.234,50 → $1.300,00\ntotal $1.300,00')
    const h = await ann('/garage history issue:1', G)
    expect(lines(h)[0]).toMatch(/Ann edited quote 1 from Joe \(issue #1\): amount \$1\.234,50 → \$1\.300,00$/)
    expect(lines(h)[1]).toMatch(
      /Ann added quote 1 from Joe \(issue #1\): amount \$1\.234,50, valid_until 24\/12\/2026$/,
    )
    const accepted = await ann('/quote accept id:1', G)
    expect(accepted.title).toBe('Accepted quote 1 from Joe: $1.300,00')
  })
})
