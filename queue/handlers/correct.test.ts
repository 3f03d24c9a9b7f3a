/**
 * Records a garage can correct, end to end through the queue: /fuel edit|remove and
 * /service edit|remove, with the economy, the items' due points and the car's odometer following.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseFormSubmission } from '../../catalog/forms.ts'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
const clock = new Date('2026-06-01T17:00:00Z')
const GARAGE = 'local:correct-e2e'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'issues', 'quotes'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

const say = (line: string, tenant = GARAGE): Promise<Reply> => stack.say(line, tenant)

const field = (r: Reply, name: string) => r.fields?.find((f) => f.name === name)?.value

describe('correcting records', () => {
  test('setup', async () => {
    expect((await say('/garage settings units:imperial currency:USD timezone:UTC')).tone).toBe('ok')
    expect((await say('/car add corolla odometer:"48,000 mi"')).tone).toBe('ok')
    expect((await say('/item add corolla "Oil change" months:6 distance:"5,000 mi" last_date:2026-01-01 last_odometer:"47,000 mi"')).tone).toBe('ok')
  })

  test('fill-ups show their number; edit and remove follow through economy and odometer', async () => {
    const first = await say('/fuel log car:corolla volume:"10 gal" odometer:"48,100 mi"')
    expect(field(first, 'Fill-up')).toBe('#1')
    const second = await say('/fuel log car:corolla volume:"10 gal" odometer:"48,400 mi"')
    expect(field(second, 'Economy')).toBe('30.0 mpg')
    const edited = await say('/fuel edit number:2 odometer:"48,500 mi"')
    expect(edited.tone).toBe('ok')
    expect(field(edited, 'Economy')).toBe('40.0 mpg')
    expect((await say('/fuel list car:corolla')).text).toContain('#2 2026-06-01 · 10 gal · 48,500 mi · 40.0 mpg')
    expect((await say('/car show corolla')).text + JSON.stringify((await say('/car show corolla')).fields)).toContain('48,500 mi')
    const removed = await say('/fuel remove number:2')
    expect(removed.title).toBe('Fill-up #2 removed from corolla')
    expect(removed.text).toContain('No economy can be measured without it.')
    expect(JSON.stringify(await say('/car show corolla'))).not.toContain('48,500 mi')
    const again = await say('/fuel remove number:2')
    expect(again.tone).toBe('error')
    expect(again.text).toContain('no fill-up #2')
    const nothing = await say('/fuel edit number:1')
    expect(nothing.tone).toBe('error')
  })

  test("a service record's edit and remove move its items' due point and back", async () => {
    const logged = await say('/service log car:corolla title:Oil items:"Oil change" odometer:"49,000 mi" cost:89.90')
    const id = Number(field(logged, 'Record')?.slice(1))
    expect(field(logged, 'Oil change: next')).toContain('54,000 mi')
    const edited = await say(`/service edit number:${id} odometer:"48,800 mi" cost:94.90`)
    expect(edited.title).toBe(`Service record #${id} corrected`)
    expect(edited.text).toContain('$94.90')
    expect(field(edited, 'Oil change: next')).toContain('53,800 mi')
    const removed = await say(`/service remove number:${id}`)
    expect(removed.title).toBe(`Service record #${id} removed`)
    expect(removed.text).toContain('Oil change is back to its due point before it')
    expect(removed.text).toContain('52,000 mi')
    expect((await say('/service list car:corolla')).text).toContain('No service records')
    expect((await say(`/service edit number:${id} cost:10`)).tone).toBe('error')
    // another garage cannot touch this one's records
    expect((await say('/fuel remove number:1', 'local:other')).tone).toBe('error')
  })
})

describe('undo and history through the queue', () => {
  const T2 = 'local:undo-e2e'
  const as = (name: string, line: string) => {
    const parsed = parseLine(line)
    if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
    return stack.command(parsed.kind, parsed.payload, { tenant: T2, actor: { userId: name.toLowerCase(), name } })
  }
  const press = (name: string, id: string, tenant = T2) => {
    const [kind, arg] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)]
    return stack.command(kind, { arg }, { tenant, actor: { userId: name.toLowerCase(), name } })
  }
  const undoId = (r: Reply) => r.actions?.find((a) => a.label === 'Undo')?.id

  test('every change carries Undo; pressing it puts the garage back; twice is refused', async () => {
    await as('Ann', '/garage settings units:imperial currency:USD timezone:UTC')
    await as('Ann', '/car add civic odometer:"30,000 mi"')
    await as('Ann', '/item add civic "Oil change" months:6 distance:"5,000 mi" last_date:2026-01-01 last_odometer:"29,000 mi"')
    const f1 = await as('Ann', '/fuel log civic volume:"10 gal" odometer:"30,100 mi"')
    const f2 = await as('Ann', '/fuel log civic volume:"10 gal" odometer:"30,400 mi"')
    expect(undoId(f1)).toMatch(/^garage\.undo_change:\d+$/)
    const edit = await as('Bob', '/fuel edit number:2 odometer:"30,500 mi"')
    expect(undoId(edit)).toBeDefined()
    const undone = await press('Bob', undoId(edit)!)
    expect(undone.tone).toBe('ok')
    expect(undone.text).toContain('Fill-up #2 (civic) is back as it was')
    expect((await as('Ann', '/fuel list civic')).text).toContain('#2 2026-06-01 · 10 gal · 30,400 mi · 30.0 mpg')
    const twice = await press('Bob', undoId(edit)!)
    expect(twice.tone).toBe('error')
    expect(twice.text).toContain('was already undone by Bob')

    const rec = await as('Ann', '/service log civic title:Oil items:"Oil change" odometer:"30,400 mi" cost:89.90')
    expect(field(rec, 'Oil change: next')).toContain('35,400 mi')
    const removed = await as('Bob', `/service remove number:${field(rec, 'Record')!.slice(1)}`)
    expect(removed.text).toContain('34,000 mi')
    // Ann's log cannot be undone now: Bob removed the record since
    const stale = await press('Ann', undoId(rec)!)
    expect(stale.tone).toBe('error')
    expect(stale.text).toContain('removed since by Bob')
    // /garage undo: Bob's last change (the remove) — the record and its due point come back
    const back = await as('Bob', '/garage undo')
    expect(back.text).toContain('is back')
    const list = await as('Ann', '/service list car:civic')
    expect(list.text).toContain('Oil')
    expect((await as('Ann', '/reminders list')).text).not.toContain('past due')
    // another garage pressing this garage's Undo gets what a missing change gets
    const foreign = await press('Eve', undoId(f2)!, 'local:someone-else')
    const missing = await press('Eve', 'garage.undo_change:987654', 'local:someone-else')
    expect(foreign.text.replace(/#\d+/, '#N')).toBe(missing.text.replace(/#\d+/, '#N'))
  })

  test('/garage history lists every change with who made it, newest first, paged', async () => {
    const h = await as('Ann', '/garage history')
    const lines = h.text.split('\n')
    expect(lines[0]).toMatch(/^#\d+ \d{4}-\d\d-\d\d \d\d:\d\d Bob undid a change of service record #\d+ \(civic\) \(undo of change #\d+\)/)
    expect(lines[1]).toMatch(/Bob removed service record #\d+ \(civic\): date 2026-06-01, title Oil, kind service, cost \$89.90, odometer 30,400 mi \[undone by #\d+\]$/)
    expect(h.text).toContain('Bob edited fill-up #2 (civic): odometer 30,400 mi → 30,500 mi [undone by')
    expect(h.text).toContain('Ann logged fill-up #1 (civic): date 2026-06-01, volume 10 gal, odometer 30,100 mi, full yes, missed no')
    // the seven changes of the records, and the garage's settings made at the start
    expect(h.title).toBe('History: 8 changes')
    expect(h.text).toMatch(/changed the settings: .*units metric → imperial/)
    const page = await as('Ann', '/garage history car:civic page:2')
    expect(page.text).toContain('page 2 is past the last')
  })
})

describe('a form pressed again', () => {
  const T3 = 'local:form-twice'
  test('Log service submitted twice with the same values: the second is refused naming the first', async () => {
    const say3 = (line: string) => say(line, T3)
    await say3('/garage settings units:imperial currency:USD timezone:UTC')
    await say3('/car add golf odometer:"20,000 mi"')
    await say3('/item add golf "Oil change" months:6 distance:"5,000 mi"')
    const res = await fetch(`${stack.url('items')}/items?car=golf`, { headers: stack.headers(T3) })
    const item = ((await res.json()) as { items: { id: number }[] }).items[0]!
    const submit = (values: Record<string, unknown>) => {
      const form = parseFormSubmission('log_service', String(item.id), values)
      if (!form.ok) throw new Error(form.error)
      return stack.command(form.kind, form.payload, { tenant: T3 })
    }
    const first = await submit({ cost: '189.50' })
    expect(first.tone).toBe('ok')
    const second = await submit({ cost: '189.50' })
    expect(second.tone).toBe('error')
    const list = await say3('/service list car:golf')
    const id = /#(\d+)/.exec(list.text)![1]
    expect(second.text).toContain(`Oil change on golf was already logged as service record #${id}`)
    expect(second.text).toContain('/service log car:golf title:"Oil change" items:"Oil change" cost:189.50')
    expect(list.title).toBe('1 service record')
    // a different cost the same day is another service, logged
    expect((await submit({ cost: '25' })).tone).toBe('ok')
    // the way to log another on purpose works
    expect((await say3('/service log car:golf title:"Oil change" items:"Oil change" cost:189.50')).tone).toBe('ok')
    expect((await say3('/service list car:golf')).title).toBe('3 service records')
  })
})

describe('odometer readings through the queue', () => {
  const T4 = 'local:readings-e2e'
  const say4 = (line: string) => say(line, T4)
  const press = (id: string) =>
    stack.command(id.slice(0, id.indexOf(':')), { arg: id.slice(id.indexOf(':') + 1) }, { tenant: T4 })
  test('/car odometer number:N corrects reading #N; Undo puts it back, and takes a new reading away', async () => {
    await say4('/garage settings units:imperial timezone:UTC')
    await say4('/car add polo odometer:"10,000 mi"')
    await say4('/car add up odometer:"5,000 mi"')
    const added = await say4('/car odometer polo reading:"10,300 mi"')
    expect(field(added, 'Reading')).toBe('#3')
    expect(added.actions?.[0]?.label).toBe('Undo')
    const edited = await say4('/car odometer polo reading:"10,250 mi" number:3')
    expect(edited.title).toBe('Reading #3 of polo corrected')
    expect(edited.text).toContain('Odometer now 10,250 mi.')
    const undoEdit = await press(edited.actions![0]!.id)
    expect(undoEdit.text).toContain('Odometer reading #3 (polo) is back as it was.')
    expect(JSON.stringify(await say4('/car show polo'))).toContain('10,300 mi')
    const undoAdd = await press(added.actions![0]!.id)
    expect(undoAdd.text).toContain('Odometer reading #3 (polo) is gone again.')
    expect(JSON.stringify(await say4('/car show polo'))).not.toContain('10,300 mi')
    const gone = await say4('/car odometer polo reading:"10,400 mi" number:3')
    expect(gone.tone).toBe('error')
    expect(gone.text).toContain('no odometer reading #3')
    const otherCar = await say4('/car odometer up reading:"5,100 mi" number:1')
    expect(otherCar.tone).toBe('error')
    expect(otherCar.text).toContain('reading #1 is of polo, not up')
  })
})
