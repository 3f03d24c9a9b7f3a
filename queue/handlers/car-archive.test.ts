/**
 * /car archive and /car unarchive through the queue: the car stays readable and says it is
 * archived, leaves /car list, takes nothing new; the answer's Undo and the garage history.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseFormSubmission } from '../../catalog/forms.ts'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
const clock = new Date('2026-06-01T17:00:00Z')
const GARAGE = 'local:archive-e2e'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

const say = (line: string, tenant = GARAGE): Promise<Reply> => stack.say(line, tenant)
const press = (id: string, tenant = GARAGE) => stack.press(id, tenant)
const all = (r: Reply) => `${r.title ?? ''}\n${r.text}\n${JSON.stringify(r.fields ?? [])}`

describe('/car archive and /car unarchive', () => {
  let itemId = 0
  test('setup', async () => {
    expect((await say('/garage settings units:imperial currency:USD timezone:UTC')).tone).toBe('ok')
    expect((await say('/car add corolla odometer:"48,000 mi"')).tone).toBe('ok')
    expect((await say('/car add golf odometer:"10,000 mi"')).tone).toBe('ok')
    expect((await say('/fuel log car:corolla volume:"10 gal" odometer:"48,100 mi" cost:40')).tone).toBe('ok')
    expect((await say('/fuel log car:corolla volume:"10 gal" odometer:"48,400 mi" cost:40')).tone).toBe('ok')
    expect((await say('/service log car:corolla title:Oil cost:89.90')).tone).toBe('ok')
    expect((await say('/item add corolla "Oil change" months:6')).tone).toBe('ok')
    const res = await fetch(`${stack.url('items')}/items?car=corolla`, { headers: stack.headers(GARAGE) })
    itemId = ((await res.json()) as { items: { id: number }[] }).items[0]!.id
  })

  test('archives with date, price and odometer; says so with an Undo', async () => {
    const r = await say('/car archive corolla date:2026-05-30 price:"$9,500" odometer:"48,500 mi"')
    expect(r.tone).toBe('ok')
    expect(r.title).toBe('Archived corolla')
    expect(r.text).toContain('Archived 2026-05-30 · sold for $9,500.00 · at 48,500 mi.')
    expect(r.text).toContain('/car unarchive corolla')
    expect(r.actions?.[0]).toMatchObject({ label: 'Undo', id: expect.stringMatching(/^car\.undo_archive:\d+$/) })
  })

  test('its history stays readable and says it is archived; /car list leaves it out unless asked', async () => {
    const show = await say('/car show corolla')
    expect(show.tone).toBe('ok')
    expect(all(show)).toContain('Archived 2026-05-30 · sold for $9,500.00 · at 48,500 mi')
    const fuel = await say('/fuel list car:corolla')
    expect(fuel.text).toStartWith('Archived 2026-05-30')
    expect(fuel.text).toContain('#2 2026-06-01 · 10 gal')
    const service = await say('/service list car:corolla')
    expect(service.text).toStartWith('Archived 2026-05-30')
    expect(service.text).toContain('Oil')
    const stats = await say('/car stats corolla')
    expect(stats.tone).toBe('ok')
    expect(stats.text).toStartWith('Archived 2026-05-30')
    const list = await say('/car list')
    expect(list.title).toBe('1 car')
    expect(list.text).not.toContain('corolla')
    const archived = await say('/car list archived:yes')
    expect(archived.title).toBe('2 cars')
    expect(archived.text).toContain('corolla — ')
    expect(archived.text).toContain('archived 2026-05-30')
    expect((await say('/garage history')).text).toMatch(/archived corolla: archived — → 2026-05-30, price — → \$9,500\.00, odometer — → 48,500 mi/)
  })

  test('nothing new is logged on it, each refusal naming /car unarchive', async () => {
    const refusals = [
      await say('/fuel log car:corolla volume:"10 gal"'),
      await say('/service log car:corolla title:Tyres'),
      await say('/car odometer corolla reading:"48,600 mi"'),
      await stack.command('item.done', { arg: String(itemId) }, { tenant: GARAGE }),
    ]
    const form = parseFormSubmission('log_service', String(itemId), { cost: '10' })
    if (!form.ok) throw new Error(form.error)
    refusals.push(await stack.command(form.kind, form.payload, { tenant: GARAGE }))
    for (const r of refusals) {
      expect(r.tone).toBe('error')
      expect(r.text).toContain('corolla is archived (since 2026-05-30)')
      expect(r.text).toContain('/car unarchive corolla')
    }
    expect((await say('/fuel list car:corolla')).title).toBe('corolla: 2 fill-ups')
    expect((await say('/service list car:corolla')).title).toBe('1 service record')
  })

  test('wrong values name the field; archiving twice or unarchiving a car in use is a clear no', async () => {
    const date = parseLine('/car archive golf date:soon')
    expect(date.ok).toBe(false)
    if (!date.ok) expect(date.error).toContain('date')
    const price = parseLine('/car archive golf price:lots')
    expect(price.ok).toBe(false)
    if (!price.ok) expect(price.error).toContain('price')
    const lower = await say('/car archive golf odometer:"9,000 mi"')
    expect(lower.tone).toBe('error')
    expect(lower.text).toStartWith('odometer: 9,000 mi is lower than')
    const future = await say('/car archive golf date:2026-07-01')
    expect(future.tone).toBe('error')
    expect(future.text).toContain('date')
    expect((await say('/car list')).title).toBe('1 car')
    const twice = await say('/car archive corolla')
    expect(twice.tone).toBe('error')
    expect(twice.text).toContain('corolla is already archived (since 2026-05-30)')
    const inUse = await say('/car unarchive golf')
    expect(inUse.tone).toBe('error')
    expect(inUse.text).toContain('golf is not archived')
  })

  test('unarchive brings it back, with an Undo that archives it again', async () => {
    const back = await say('/car unarchive corolla')
    expect(back.tone).toBe('ok')
    expect(back.title).toBe('corolla is back in use')
    expect((await say('/car list')).title).toBe('2 cars')
    expect((await say('/fuel log car:corolla volume:"10 gal"')).tone).toBe('ok')
    const undo = await press(back.actions![0]!.id)
    expect(undo.tone).toBe('ok')
    expect(undo.text).toContain('corolla is archived again')
    expect((await say('/car list')).title).toBe('1 car')
    const again = await press(back.actions![0]!.id)
    expect(again.tone).toBe('error')
    expect(again.text).toContain('already undone')
    expect((await say('/garage history')).text).toMatch(/unarchived corolla/)
  })
})
