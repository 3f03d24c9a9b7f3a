import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, expectFieldRefused, Garage, request } from '../testing.ts'

cleanUpAfterAll()

const usd = (value: number) => ({ value, text: value.toFixed(2) })
const renewals = async (g: Garage) =>
  ((await g.ok('GET', '/renewals')).renewals as { car: string; kind: string; number: number; due_date: string }[]).map(
    (r) => `${r.car} ${r.kind} #${r.number} ${r.due_date}`,
  )

describe('renewals follow the expenses', () => {
  test('the latest recurring expense of a car and kind sets the renewal; corrections and undo move it', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.ok('POST', '/cars', { nickname: 'civic' })
    const first = await g.ok('POST', '/expenses', { car: 'corolla', kind: 'insurance', cost: usd(900), date: '2025-06-15', every: '1y' })
    expect(first).toMatchObject({ number: 1, every_months: 12, renews_on: '2026-06-15', cost: '$900.00' })
    // an expense of the kind that does not renew leaves the renewal alone
    await g.ok('POST', '/expenses', { car: 'corolla', kind: 'insurance', cost: usd(40), date: '2026-01-10' })
    expect(await renewals(g)).toEqual(['corolla insurance #1 2026-06-15'])
    // a later date moves it; every:none ends it; another kind or car takes it along
    await g.ok('POST', '/expenses/edit', { number: 1, date: '2025-08-31', every: '6m' })
    expect(await renewals(g)).toEqual(['corolla insurance #1 2026-02-28'])
    const none = await g.ok('POST', '/expenses/edit', { number: 1, every: 'none' })
    expect(none).toMatchObject({ every: null, renews_on: null })
    expect(await renewals(g)).toEqual([])
    const undo = await g.ok('POST', '/changes/undo', { change: none.change })
    expect(undo.undone).toMatchObject({ kind: 'expense', ref: 1, action: 'edit' })
    expect(await renewals(g)).toEqual(['corolla insurance #1 2026-02-28'])
    await g.ok('POST', '/expenses/edit', { number: 1, car: 'civic', kind: 'registration' })
    expect(await renewals(g)).toEqual(['civic registration #1 2026-02-28'])
    // paying it moves it on, once; removing the payment moves it back
    const paid = await g.ok('POST', '/expenses/pay', { number: 1, cost: usd(95) })
    expect(paid).toMatchObject({ kind: 'registration', car: 'civic', date: '2026-05-01', every: '6m', renews: 1, renews_on: '2026-11-01' })
    const again = await g.call('POST', '/expenses/pay', { number: 1, cost: usd(95) })
    expect(again.status).toBe(409)
    expect(again.body.error).toMatchObject({ code: 'already_logged', ref: paid.number })
    await g.ok('POST', '/expenses/remove', { number: paid.number })
    expect(await renewals(g)).toEqual(['civic registration #1 2026-02-28'])
    // a removed car takes its expenses and renewals with it
    await g.ok('DELETE', '/cars/civic?confirm=yes')
    expect(g.count('expenses', "kind = 'registration'")).toBe(0)
    expect(g.count('expense_renewals')).toBe(0)
  })

  test('refused without storing: a kind, an every, a cost in another currency, a date ahead, an archived car, not recurring', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    expectFieldRefused(await g.call('POST', '/expenses', { car: 'corolla', kind: 'boat', cost: usd(1) }), 'kind', /kinds: insurance, registration/)
    expectFieldRefused(await g.call('POST', '/expenses', { car: 'corolla', kind: 'tax', cost: usd(1), every: '2w' }), 'every', /use 1m, 3m, 6m, 12m, 1y/)
    expectFieldRefused(await g.call('POST', '/expenses', { car: 'corolla', kind: 'tax', cost: { value: 5, text: '€5' } }), 'cost', /USD/)
    expectFieldRefused(await g.call('POST', '/expenses', { car: 'corolla', kind: 'tax', cost: usd(1), date: '2026-05-02' }), 'date', /future/)
    const once = await g.ok('POST', '/expenses', { car: 'corolla', kind: 'tax', cost: usd(1) })
    expect((await g.call('POST', '/expenses/pay', { number: once.number, cost: usd(1) })).status).toBe(409)
    await g.ok('POST', '/cars/corolla/archive', { date: '2026-05-01' })
    expect((await g.call('POST', '/expenses', { car: 'corolla', kind: 'tax', cost: usd(1) })).status).toBe(409)
    expect(g.count('expenses')).toBe(1)
    expect(g.count('expense_renewals')).toBe(0)
  })
})

describe('another garage', () => {
  test("its expenses, their payments and renewals answer like missing ones, and are left as they were", async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    await g.setup('local:b')
    await g.ok('POST', '/expenses', { car: 'corolla', kind: 'insurance', cost: usd(900), date: '2025-06-15', every: '1y' })
    const missing = await g.call('POST', '/expenses/pay', { number: 987654, cost: usd(95) }, 'local:b')
    for (const [path, body] of [
      ['/expenses/pay', { number: 1, cost: usd(95) }],
      ['/expenses/edit', { number: 1, cost: usd(95) }],
      ['/expenses/remove', { number: 1 }],
    ] as const) {
      const r = await g.call('POST', path, body, 'local:b')
      expect([path, r.status]).toEqual([path, missing.status])
      expect(r.body.error.message).toBe(missing.body.error.message.replace('987654', '1'))
    }
    expect((await g.ok('GET', '/expenses', undefined, 'local:b')).expenses).toEqual([])
    expect((await g.ok('GET', '/renewals', undefined, 'local:b')).renewals).toEqual([])
    expect(await renewals(g)).toEqual(['corolla insurance #1 2026-06-15'])
    expect(g.count('expenses')).toBe(1)
  })
})

describe('who logged an expense', () => {
  test('the change log’s actor of its add, by id (`GET /expenses/logged`); unknown, another garage’s or none: null', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.setup()
    const logged = await request(g.app, 'POST', '/expenses', {
      body: { car: 'corolla', kind: 'parking', cost: usd(5) },
      headers: { 'x-actor': 'discord:1400000000000000002 Dan' },
    })
    expect(logged.status).toBe(201)
    const number = (logged.body as { number: number }).number
    // an edit by someone else does not make it theirs
    const edited = await request(g.app, 'POST', '/expenses/edit', {
      body: { number, cost: usd(6) },
      headers: { 'x-actor': 'discord:1400000000000000003 Ola' },
    })
    expect(edited.status).toBe(200)
    expect(await g.ok('GET', `/expenses/logged?number=${number}`)).toEqual({ by: 'discord:1400000000000000002' })
    // logged without an actor (before the change log knew one)
    const anon = await g.ok('POST', '/expenses', { car: 'corolla', kind: 'toll', cost: usd(2) })
    expect(await g.ok('GET', `/expenses/logged?number=${anon.number}`)).toEqual({ by: null })
    expect(await g.ok('GET', `/expenses/logged?number=${number}`, undefined, 'local:b')).toEqual({ by: null })
    expect(await g.ok('GET', '/expenses/logged?number=999')).toEqual({ by: null })
    expect((await g.call('GET', '/expenses/logged?number=1.5')).status).toBe(422)
  })
})
