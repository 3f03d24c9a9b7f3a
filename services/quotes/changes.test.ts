/**
 * /quotes/:number/edit and /remove, each kept as a change with the quote before and after, and
 * the Undo of a change: once, only while it is the quote's latest change, never across garages,
 * replayed for a repeated Idempotency-Key; an accepted quote keeps its figures and is not removed.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from './app.ts'
import { quotesCaller } from './testing.ts'

const token = 'quotes-test-token-0123456789'
const dir = mkdtempSync(join(tmpdir(), 'cm-quote-changes-'))
const app = createApp({ dataDir: dir, token, now: () => new Date('2026-11-20T15:00:00Z') })
afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:qc-a'
const B = 'local:qc-b'
const today = '2026-11-20'

const call = quotesCaller(app, token, A)
const usd = (value: number) => ({ value, text: `$${value}` })
const get = async (n: number, tenant = A) => call('GET', `/quotes/${n}?today=${today}`, { tenant })
const edit = (n: number, body: Record<string, unknown>, key?: string, tenant = A) =>
  call('POST', `/quotes/${n}/edit`, { tenant, body: { today, by: 'Ann', ...body }, key })
const undo = (change: number, tenant = A) =>
  call('POST', `/changes/${change}/undo`, { tenant, body: { today, by: 'Ann' } })

test('setup: quotes in two garages', async () => {
  for (const [shop, amount] of [
    ['Joe', 640],
    ['Ace', 700],
    ['Bo', 650],
  ] as const) {
    const r = await call('POST', '/quotes', {
      body: {
        issue: 12,
        shop,
        currency: 'USD',
        amount: usd(amount),
        parts: usd(400),
        labour: usd(200),
        today,
      },
    })
    expect(r.status).toBe(201)
  }
  expect(
    (
      await call('POST', '/quotes', {
        tenant: B,
        body: { issue: 1, shop: 'Bee', currency: 'USD', amount: usd(90), today },
      })
    ).status,
  ).toBe(201)
})

test('edit changes only the fields given, says each before → after, and its undo puts them back', async () => {
  const r = await edit(1, { amount: usd(600), notes: 'includes rotors' }, 'k-edit')
  expect(r.status).toBe(200)
  expect(r.body).toMatchObject({
    action: 'edit',
    removed: false,
    quote: { number: 1, amountMinor: 60000, amountText: '$600', shop: 'Joe', notes: 'includes rotors' },
  })
  expect(r.body.fields).toEqual([
    { name: 'amount', before: '$640.00', after: '$600.00' },
    { name: 'notes', before: null, after: 'includes rotors' },
  ])
  const replay = await edit(1, { amount: usd(600), notes: 'includes rotors' }, 'k-edit')
  expect(replay.body.change).toBe(r.body.change)
  const u = await undo(r.body.change)
  expect(u.status).toBe(200)
  expect(u.body).toMatchObject({
    action: 'undo',
    undid: 'edit',
    undoes: r.body.change,
    quote: { amountMinor: 64000, amountText: '$640', notes: null },
  })
  expect((await get(1)).body).toMatchObject({ amountMinor: 64000, notes: null, shop: 'Joe' })
  const twice = await undo(r.body.change)
  expect([twice.status, twice.body.error.code]).toEqual([409, 'already_undone'])
  expect((await get(1)).body.amountMinor).toBe(64000)
})

test('undo of an edit after a later edit is refused until the later one is undone', async () => {
  const first = await edit(2, { shop: 'Ace Motors' })
  const second = await edit(2, { amount: usd(680) })
  const early = await undo(first.body.change)
  expect(early.status).toBe(409)
  expect(early.body.error.message).toBe(
    `quote 2 was changed again since (change #Q${second.body.change}); undo that first. Nothing changed`,
  )
  expect((await get(2)).body).toMatchObject({ shop: 'Ace Motors', amountMinor: 68000 })
  expect((await undo(second.body.change)).status).toBe(200)
  expect((await undo(first.body.change)).status).toBe(200)
  expect((await get(2)).body).toMatchObject({ shop: 'Ace', amountMinor: 70000 })
})

test('remove takes the quote out; editing it is a 404; its undo puts it back under its number', async () => {
  const gone = await call('POST', '/quotes/3/remove', { body: { today, by: 'Ann' } })
  expect(gone.status).toBe(200)
  expect(gone.body).toMatchObject({ action: 'remove', removed: true, quote: { number: 3, shop: 'Bo' } })
  expect((await get(3)).status).toBe(404)
  const editGone = await edit(3, { notes: 'x' })
  expect([editGone.status, editGone.body.error.message]).toEqual([
    404,
    `no quote 3 in this garage: it was removed (change #Q${gone.body.change}); /garage undo change:Q${gone.body.change} brings it back`,
  ])
  const again = await call('POST', '/quotes/3/remove', { body: { today } })
  expect(again.status).toBe(404)
  const list = await call('GET', `/quotes?issue=12&today=${today}`)
  expect(list.body.quotes.map((q: { number: number }) => q.number)).toEqual([1, 2])
  const back = await undo(gone.body.change)
  expect(back.status).toBe(200)
  expect(back.body).toMatchObject({
    undid: 'remove',
    removed: false,
    quote: { number: 3, shop: 'Bo', amountMinor: 65000, partsMinor: 40000 },
  })
  expect((await get(3)).body).toMatchObject({ number: 3, shop: 'Bo', status: 'open', createdBy: null })
  expect((await undo(gone.body.change)).status).toBe(409)
  // a new quote still gets a new number
  const next = await call('POST', '/quotes', {
    body: { issue: 12, shop: 'New', currency: 'USD', amount: usd(10), today },
  })
  expect(next.body.quote.number).toBe(4)
})

test('an accepted quote keeps its figures (409 naming the field), may have its notes corrected, and is not removed', async () => {
  const notesEdit = await edit(3, { notes: 'before accept' })
  expect((await call('POST', '/quotes/3/accept', { body: { today } })).status).toBe(200)
  const amount = await edit(3, { amount: usd(450) })
  expect(amount.status).toBe(409)
  expect(amount.body.error.field).toBe('amount')
  expect(amount.body.error.message).toContain('is accepted')
  const labor = await edit(3, { labour: usd(10) })
  expect([labor.status, labor.body.error.field]).toEqual([409, 'labor'])
  const notes = await edit(3, { notes: 'warranty 2 years' })
  expect(notes.status).toBe(200)
  const removed = await call('POST', '/quotes/3/remove', { body: { today } })
  expect([removed.status, removed.body.error.code]).toEqual([409, 'accepted'])
  expect((await get(3)).body).toMatchObject({
    status: 'accepted',
    amountMinor: 65000,
    notes: 'warranty 2 years',
  })
  // an undo that would change an accepted quote's figures is refused; one of its notes is not
  expect((await undo(notes.body.change)).status).toBe(200)
  expect((await undo(notesEdit.body.change)).status).toBe(200)
  expect((await get(3)).body.notes).toBeNull()
})

test('an edit of the figures is not undone once the quote was accepted since', async () => {
  const cut = await edit(1, { amount: usd(80) }, undefined, B)
  expect(cut.status).toBe(200)
  expect((await call('POST', '/quotes/1/accept', { tenant: B, body: { today } })).status).toBe(200)
  const u = await undo(cut.body.change, B)
  expect([u.status, u.body.error.code, u.body.error.message]).toEqual([
    409,
    'accepted',
    'quote 1 was accepted since, with its amount $80.00; its figures are not put back. Nothing changed',
  ])
  expect((await get(1, B)).body).toMatchObject({ amountMinor: 8000, status: 'accepted' })
  // a removed car's issues take their quotes' changes: nothing is put back for them
  const removed = await call('POST', '/quotes/remove', { tenant: B, body: { issues: [1] } })
  expect(removed.body.removed).toEqual([1])
  const after = await undo(cut.body.change, B)
  expect([after.status, after.body.error.message]).toEqual([
    404,
    `no quote change #Q${cut.body.change} in this garage`,
  ])
  expect((await get(1, B)).status).toBe(404)
})

test("another garage's quote or change is a 404 like a missing one, and nothing changes", async () => {
  const mine = await edit(1, { notes: 'A only' })
  expect(mine.status).toBe(200)
  const foreign = await undo(mine.body.change, B)
  const missing = await undo(987654, B)
  expect([foreign.status, foreign.body.error.message]).toEqual([
    404,
    `no quote change #Q${mine.body.change} in this garage`,
  ])
  expect(missing.body.error.message).toBe('no quote change #Q987654 in this garage')
  // B has no quote 2: A's is not touched
  expect((await edit(2, { notes: 'hijack' }, undefined, B)).status).toBe(404)
  expect((await call('POST', '/quotes/2/remove', { tenant: B, body: { today } })).status).toBe(404)
  expect((await get(2)).body).toMatchObject({ notes: null, shop: 'Ace' })
  expect((await get(1)).body.notes).toBe('A only')
})

test('bad values name the field: 422 or 409, never 500, nothing stored', async () => {
  const before = (await get(2)).body
  const cases: [Record<string, unknown>, number, string][] = [
    [{ amount: usd(0) }, 422, 'amount'],
    [{ amount: usd(100) }, 422, 'amount'], // less than parts + labour ($600)
    [{ parts: usd(900) }, 422, 'parts'],
    [{ amount: { value: 45, text: '£45' } }, 422, 'amount'],
    [{ validUntil: '2020-01-01' }, 422, 'valid_until'],
    [{ validUntil: '2026-13-45' }, 422, 'valid_until'],
    [{ shop: '   ' }, 422, 'shop'],
    [{ shop: 'x'.repeat(101) }, 422, 'shop'],
    [{ notes: 'x'.repeat(1001) }, 422, 'notes'],
    [{ shop: 'Ace' }, 409, 'number'],
  ]
  for (const [body, status, field] of cases) {
    const r = await edit(2, body)
    expect([JSON.stringify(body).slice(0, 40), r.status, r.body.error?.field]).toEqual([
      JSON.stringify(body).slice(0, 40),
      status,
      field,
    ])
  }
  const frac = await call('POST', '/quotes/2.5/edit', { body: { today } })
  expect([frac.status, frac.body.error.field]).toEqual([422, 'number'])
  const change = await call('POST', '/changes/x/undo', { body: { today } })
  expect([change.status, change.body.error.field]).toEqual([422, 'change'])
  expect((await get(2)).body).toEqual(before)
})
