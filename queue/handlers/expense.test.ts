/**
 * Expenses end to end through the queue, with the real items and calculator services: numbered,
 * corrected and undone like service records; paged; refused without storing anything; a
 * recurring one falls due as a reminder whose Log payment form logs this time's amount once;
 * and /calc cost adds them up by kind, checked against a sum written out here.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import { parseFormSubmission } from '../../catalog/forms.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import type { Announcement } from '../../services/items/reminders/model.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { reminderReply } from '../reminders.ts'

let stack: Stack
let clock = new Date('2026-06-01T12:00:00Z')
const GARAGE = 'local:expenses-e2e'

beforeAll(async () => {
  // issues and quotes too: /garage undo asks every service that keeps changes for the asker's last
  stack = await startStack({ services: ['items', 'calculator', 'issues', 'quotes'], now: () => clock })
  await say('/garage settings units:metric currency:USD timezone:UTC reminder_channel:garage urgent:14d')
  for (const car of ['golf', 'polo', 'fabia', 'skoda']) expect((await say(`/car add ${car} odometer:"20000 km"`)).tone).toBe('ok')
})
afterAll(async () => {
  await stack?.close()
})

const say = (line: string): Promise<Reply> => stack.say(line, GARAGE)
const press = (id: string) => stack.press(id, GARAGE)
const field = (r: Reply, name: string) => r.fields?.find((f) => f.name === name)?.value
const count = async (query = '') => {
  const res = await fetch(`${stack.url('items')}/expenses?${query}`, { headers: stack.headers(GARAGE) })
  return ((await res.json()) as { total: number }).total
}

describe('/expense log, list, edit, remove and undo', () => {
  test('numbered per garage; edit and remove say what they did and carry Undo; /garage undo and history know them', async () => {
    const logged = await say('/expense log car:golf kind:insurance cost:1200 date:2025-06-15 every:12m notes:"ACME policy"')
    expect(logged.tone).toBe('ok')
    expect(logged.title).toBe('Logged insurance for golf: $1,200.00 (2025-06-15)')
    expect(logged.text).toBe('It renews every 12m: next due 2026-06-15, reminded before then.')
    expect(field(logged, 'Expense')).toBe('#1')
    expect(logged.actions?.[0]?.label).toBe('Undo')
    const toll = await say('/expense log car:golf kind:toll cost:3.50 date:2026-05-30')
    expect(field(toll, 'Expense')).toBe('#2')

    const list = await say('/expense list car:golf')
    expect(list.title).toBe('golf: 2 expenses')
    expect(list.text.split('\n')).toEqual([
      '#2 2026-05-30 · toll · $3.50',
      '#1 2025-06-15 · insurance · $1,200.00 · every 12m, renews 2026-06-15 (ACME policy)',
    ])

    const edited = await say('/expense edit number:2 cost:4.20')
    expect(edited.title).toBe('Expense #2 corrected')
    expect(edited.text).toBe('#2 2026-05-30 · golf · toll · $4.20')
    expect(edited.actions?.[0]?.label).toBe('Undo')

    const removed = await say('/expense remove number:2')
    expect(removed.title).toBe('Expense #2 removed')
    expect(await count('car=golf')).toBe(1)
    expect((await say('/expense edit number:2 cost:1')).text).toContain('there is no expense #2 in this garage: it was removed')
    // its Undo button puts it back as it was
    expect((await press(removed.actions![0]!.id)).tone).toBe('ok')
    expect((await say('/expense list car:golf kind:toll')).text).toBe('#2 2026-05-30 · toll · $4.20')
    // /garage undo takes the asker's last change standing: the edit
    const undone = await say('/garage undo')
    expect(undone.tone).toBe('ok')
    expect(undone.text).toContain('Expense #2 (golf) is back as it was')
    expect((await say('/expense list car:golf kind:toll')).text).toBe('#2 2026-05-30 · toll · $3.50')
    const history = await say('/garage history car:golf')
    expect(history.text).toContain('edited expense #2 (golf): cost $3.50 → $4.20 [undone by')
    expect(history.text).toContain('logged expense #1 (golf)')
    // a new expense takes the next number: #2 stays the toll's
    expect(field(await say('/expense log car:golf kind:wash cost:12'), 'Expense')).toBe('#3')
  })

  test('lists page: the count of older ones and the command for the next page', async () => {
    for (let m = 1; m <= 12; m++) await say(`/expense log car:polo kind:parking cost:35 date:2025-${String(m).padStart(2, '0')}-15`)
    const first = await say('/expense list car:polo')
    expect(first.title).toBe('polo: 12 expenses (1–10 shown)')
    expect(first.text.split('\n')[0]).toMatch(/^#\d+ 2025-12-15 · parking · \$35\.00$/)
    expect(first.text).toEndWith('… 2 older ones: /expense list car:polo page:2')
    const second = await say('/expense list car:polo page:2')
    expect(second.title).toBe('polo: 12 expenses (11–12 shown)')
    expect(second.text).toContain('2025-01-15 · parking')
    expect(second.text).not.toContain('older')
    expect((await say('/expense list car:polo page:3')).text).toBe('12 expenses; page 3 is past the last')
    expect((await say('/expense list kind:insurance')).text).toContain('golf · insurance · $1,200.00')
  })
})

describe('refusals store nothing', () => {
  test('an unknown kind, a bad every:, another currency, an unknown car, an archived car', async () => {
    const before = await count()
    // the grammar names the kinds and the forms of every: before any job is made
    const kind = parseLine('/expense log car:golf kind:boat cost:10')
    expect(kind.ok).toBe(false)
    if (!kind.ok) expect(kind.error).toContain('insurance, registration, tax, inspection, parking, toll, loan, lease, wash, fine, other')
    const every = parseLine('/expense log car:golf kind:tax cost:10 every:2w')
    expect(every.ok).toBe(false)
    if (!every.ok) for (const form of ['12m', '1y', '6m', '3m', '1m']) expect(every.error).toContain(form)
    // a job that gets past a bot anyway is refused by the service the same way
    const cost = { value: 10, text: '10' }
    const badKind = await stack.command('expense.log', { car: 'golf', kind: 'boat', cost }, { tenant: GARAGE })
    expect(badKind.tone).toBe('error')
    expect(badKind.text).toContain('kinds: insurance, registration, tax, inspection, parking, toll, loan, lease, wash, fine, other')
    const badEvery = await stack.command('expense.log', { car: 'golf', kind: 'tax', cost, every: '2w' }, { tenant: GARAGE })
    expect(badEvery.tone).toBe('error')
    expect(badEvery.text).toContain('use 1m, 3m, 6m, 12m, 1y')
    const euros = await say('/expense log car:golf kind:tax cost:€50')
    expect(euros.tone).toBe('error')
    expect(euros.text).toContain('USD')
    const car = await say('/expense log car:beetle kind:tax cost:50')
    expect(car.tone).toBe('error')
    expect(car.text).toContain('cars: fabia, golf, polo, skoda')
    await say('/car add trabant')
    expect((await say('/car archive trabant date:2026-05-01')).tone).toBe('ok')
    const archived = await say('/expense log car:trabant kind:tax cost:50')
    expect(archived.tone).toBe('error')
    expect(archived.text).toContain('trabant is archived')
    expect(await count()).toBe(before)
  })
})

describe('renewals', () => {
  async function claim(): Promise<Announcement[]> {
    const res = await fetch(`${stack.url('items')}/reminders/claim`, {
      method: 'POST',
      headers: stack.headers(GARAGE),
      body: JSON.stringify({ at: clock.toISOString() }),
    })
    const { announcements } = (await res.json()) as { announcements: Announcement[] }
    await fetch(`${stack.url('items')}/reminders/ack`, {
      method: 'POST',
      headers: stack.headers(GARAGE),
      body: JSON.stringify({ ids: announcements.map((a) => a.id) }),
    })
    return announcements.filter((a) => a.tenant === GARAGE && a.car === 'fabia')
  }

  test('a recurring insurance falls due; its Log payment form logs this time once; remove and undo move the renewal', async () => {
    clock = new Date('2026-05-20T12:00:00Z')
    const first = await say('/expense log car:fabia kind:insurance cost:980 date:2025-06-15 every:1y')
    const number = Number(field(first, 'Expense')!.slice(1))
    expect(await claim()).toEqual([]) // 26 days before: not urgent at 14 d
    clock = new Date('2026-06-01T12:00:00Z')
    const [a, ...more] = await claim()
    expect(more).toEqual([])
    const reminder = reminderReply(a!)
    expect(reminder.title).toBe('Insurance for fabia renews in 14 days')
    expect(reminder.actions).toEqual([{ id: `form:log_payment:${number}`, label: 'Log payment', style: 'primary' }])
    expect(await claim()).toEqual([]) // announced once
    expect((await say('/reminders list car:fabia')).text).toBe('Insurance renewal — urgent — renews in 14 days (2026-06-15)')

    // the form asks for this time's amount: none is invented
    const empty = parseFormSubmission('log_payment', String(number), {})
    expect(empty.ok).toBe(false)
    const submit = async () => {
      const form = parseFormSubmission('log_payment', String(number), { cost: '1,015.40' })
      if (!form.ok) throw new Error(form.error)
      return stack.command(form.kind, form.payload, { tenant: GARAGE })
    }
    const paid = await submit()
    expect(paid.tone).toBe('ok')
    expect(paid.title).toBe('Logged insurance for fabia: $1,015.40 (2026-06-01)')
    expect(paid.text).toBe(`The payment after #${number}. Next renewal 2027-06-01.`)
    expect(paid.actions?.[0]?.label).toBe('Undo')
    const payment = Number(field(paid, 'Expense')!.slice(1))
    const twice = await submit()
    expect(twice.tone).toBe('error')
    expect(twice.text).toContain(`Insurance for fabia was already logged as #${payment}`)
    expect(await count('car=fabia')).toBe(2)
    expect((await say('/reminders list car:fabia')).text).toBe('Insurance renewal — not urgent — renews in about 12 months (2027-06-01)')
    expect(await claim()).toEqual([])

    // removing the payment moves the renewal back (and it is announced again); undo moves it on
    await say(`/expense remove number:${payment}`)
    expect((await say('/reminders list car:fabia')).text).toBe('Insurance renewal — urgent — renews in 14 days (2026-06-15)')
    expect((await claim()).map((x) => reminderReply(x).title)).toEqual(['Insurance for fabia renews in 14 days'])
    expect((await say('/garage undo')).tone).toBe('ok')
    expect((await say('/reminders list car:fabia')).text).toContain('(2027-06-01)')
    // the reminder's form pressed after that still logs nothing new
    expect((await submit()).text).toContain(`already logged as #${payment}`)
    expect(await count('car=fabia')).toBe(2)
  })
})

describe('/calc cost', () => {
  test('a year of expenses of several kinds, every one counted, matches the sum by hand', async () => {
    clock = new Date('2026-06-01T12:00:00Z')
    const lines = [
      'kind:insurance cost:900 date:2025-07-01 every:12m',
      'kind:registration cost:180.50 date:2025-09-10',
      'kind:tax cost:240 date:2026-01-15',
      'kind:fine cost:75 date:2026-03-03',
      // outside the 12 months (2025-06-02 – 2026-06-01): not counted
      'kind:toll cost:10 date:2025-05-01',
    ]
    // parking every month, 2025-06-15 to 2026-05-15: twelve of them
    for (let i = 0; i < 12; i++) {
      const month = ((5 + i) % 12) + 1
      const year = 5 + i < 12 ? 2025 : 2026
      lines.push(`kind:parking cost:35 date:${year}-${String(month).padStart(2, '0')}-15`)
    }
    for (const line of lines) expect((await say(`/expense log car:skoda ${line}`)).tone).toBe('ok')
    // 900 + 180.50 + 240 + 75 + 12 × 35 = 1,815.50; a month is 1,815.50 / 12 = 151.29
    const r = await say('/calc cost car:skoda period:12m')
    expect(r.title).toBe('skoda: $1,815.50 over 12m (2025-06-02 – 2026-06-01)')
    expect(field(r, 'Insurance')).toBe('$900.00 (1)')
    expect(field(r, 'Registration')).toBe('$180.50 (1)')
    expect(field(r, 'Tax')).toBe('$240.00 (1)')
    expect(field(r, 'Fine')).toBe('$75.00 (1)')
    expect(field(r, 'Parking')).toBe('$420.00 (12)')
    expect(field(r, 'Toll')).toBeUndefined()
    expect(field(r, 'Per month')).toBe('$151.29')
    expect(field(await say('/car stats car:skoda'), 'Last 12 months')).toBe('$1,815.50')
  })
})
