/**
 * /quote end to end: lines typed as in the terminal chat (the catalog's grammar, plain-text
 * rendering) go through the real queue and orchestrator to the items, issues and quotes
 * services; the quotes process is stopped to show everything else keeps working.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseActionId } from '../../catalog/actions.ts'
import { parseLine } from '../../catalog/grammar.ts'
import { renderText } from '../../lib/contracts/reply-text.ts'
import { silentLogger } from '../../lib/log.ts'
import { acceptedQuoteFor, linkAcceptedQuote } from '../clients/quotes.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import type { ServiceName } from '../../lib/contracts/services.ts'
import { type HandlerContext, uncachedStamps } from '../handler.ts'

let stack: Stack
let clock = new Date('2026-11-20T18:00:00Z')
const GARAGE = 'local:quotes-e2e'
const OTHER = 'local:quotes-other'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'issues', 'quotes', 'calculator'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

/** One line as the terminal chat sends it; resolves with the final reply and its text rendering. */
async function say(line: string, tenant = GARAGE): Promise<Reply & { shown: string }> {
  let kind: string
  let payload: unknown
  if (line.startsWith('!press ')) {
    const action = parseActionId(line.slice(7).trim())
    if (!action || action.type !== 'kind') throw new Error(`not a button: ${line}`)
    kind = action.kind
    payload = { arg: action.arg }
  } else {
    const parsed = parseLine(line)
    if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
    kind = parsed.kind
    payload = parsed.payload
  }
  const reply = await stack.command(kind, payload, { tenant })
  return { ...reply, shown: renderText(reply) }
}

async function openIssue(tenant: string, title: string): Promise<number> {
  const car = await fetch(`${stack.url('items')}/cars/corolla`, { headers: stack.headers(tenant) }).then(
    (r) => r.json() as any,
  )
  const res = await fetch(`${stack.url('issues')}/issues`, {
    method: 'POST',
    headers: stack.headers(tenant),
    body: JSON.stringify({
      car_id: car.id,
      car: car.nickname,
      title,
      severity: 'high',
      actor: { id: 'u1', name: 'Ann' },
    }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as any).number
}

async function issueStatus(tenant: string, n: number): Promise<string> {
  const res = await fetch(`${stack.url('issues')}/issues/${n}`, { headers: stack.headers(tenant) })
  return ((await res.json()) as any).status
}

async function quoteCount(tenant: string, issue: number): Promise<number> {
  const res = await fetch(`${stack.url('quotes')}/quotes?issue=${issue}`, { headers: stack.headers(tenant) })
  return ((await res.json()) as any).quotes.length
}

describe('/quote through the queue', () => {
  let issue: number

  test('setup: a USD garage with a car and an issue', async () => {
    expect((await say('/garage settings units:imperial currency:USD timezone:America/Chicago')).tone).toBe(
      'ok',
    )
    expect(
      (await say('/car add corolla make:Toyota model:Corolla year:2018 odometer:"52,000 mi"')).tone,
    ).toBe('ok')
    issue = await openIssue(GARAGE, 'Grinding when braking')
  })

  test('quotes are compared side by side and one is accepted, once', async () => {
    const joe = await say(
      `/quote add issue:${issue} shop:"Joe's Garage" amount:640 parts:420 labor:220 valid_until:2026-12-15`,
    )
    expect(joe.tone).toBe('ok')
    expect(joe.title).toBe(`Quote 1 from Joe's Garage for issue #${issue} (Grinding when braking)`)
    expect(joe.shown).toContain('total $640.00 · parts $420.00 · labour $220.00 · valid until 2026-12-15')
    expect(joe.actions?.[0]?.id).toBe('quote.accept_btn:1')
    await say(`/quote add issue:${issue} shop:"Bob Auto" amount:$590 valid_until:2026-11-25`)
    await say(`/quote add issue:${issue} shop:Dealer amount:"1,120.50"`)

    // The issue lists its quotes.
    const shown = await fetch(`${stack.url('issues')}/issues/${issue}`, {
      headers: stack.headers(GARAGE),
    }).then((r) => r.json() as any)
    expect(shown.quotes).toEqual([1, 2, 3])

    // Six days later Bob's quote has expired.
    clock = new Date('2026-11-26T18:00:00Z')
    const list = await say(`/quote list issue:${issue}`)
    expect(list.title).toBe(`3 quotes for issue #${issue} (Grinding when braking) on corolla`)
    expect(list.fields?.map((f) => f.name)).toEqual([
      '2 · Bob Auto',
      "1 · Joe's Garage — cheapest",
      '3 · Dealer',
    ])
    expect(list.fields?.[0]?.value).toContain('expired 2026-11-25')
    expect(list.text).toContain('Spread $530.50 between highest $1,120.50 and lowest $590.00')
    expect(list.actions?.map((a) => a.id)).toEqual(['quote.accept_btn:1', 'quote.accept_btn:3'])

    const accepted = await say('/quote accept id:1')
    expect(accepted.tone).toBe('ok')
    expect(accepted.title).toBe("Accepted quote 1 from Joe's Garage: $640.00")
    expect(accepted.text).toContain(`Issue #${issue} (Grinding when braking) is now in progress.`)
    expect(accepted.text).toContain('Quotes 2, 3 marked rejected.')
    expect(await issueStatus(GARAGE, issue)).toBe('in_progress')

    // After the acceptance the comparison is still of the three quotes, and says "accepted" once.
    const after = await say(`/quote list issue:${issue}`)
    expect(after.text).toBe(
      'Spread $530.50 between highest $1,120.50 and lowest $590.00 (90% over the lowest).',
    )
    expect(after.fields?.map((f) => `${f.name}: ${f.value}`)).toEqual([
      '2 · Bob Auto: total $590.00 · expired 2026-11-25 · rejected',
      "1 · Joe's Garage — cheapest — accepted: total $640.00 · parts $420.00 · labour $220.00 · valid until 2026-12-15",
      '3 · Dealer: total $1,120.50 · rejected',
    ])
    expect(after.shown.match(/accepted/g)).toHaveLength(1)
    expect(after.actions).toBeUndefined()

    const again = await say('/quote accept id:1')
    expect(again.tone).toBe('error')
    expect(again.text).toContain("quote 1 (Joe's Garage) was already accepted")
    const other = await say('!press quote.accept_btn:3')
    expect(other.tone).toBe('error')
    expect(other.text).toContain(`issue #${issue} already has an accepted quote: 1 (Joe's Garage)`)
  })

  test('bad input is answered clearly and stores nothing', async () => {
    const before = await quoteCount(GARAGE, issue)
    const euro = await say(`/quote add issue:${issue} shop:Dealer amount:€640`)
    expect(euro.tone).toBe('error')
    expect(euro.text).toContain('amount: "€640" is in EUR, but this garage keeps its money in USD')
    const missing = await say('/quote add issue:99 shop:Dealer amount:640')
    expect(missing.text).toBe('issue: there is no issue #99 in this garage (see /issue list)')
    expect(await quoteCount(GARAGE, issue)).toBe(before)
    expect(await quoteCount(GARAGE, 99)).toBe(0)

    // Another garage cannot see or quote this garage's issue, nor accept its quotes.
    const theirs = await say(`/quote add issue:${issue} shop:Sneaky amount:10`, OTHER)
    expect(theirs.text).toBe(`issue: there is no issue #${issue} in this garage (see /issue list)`)
    expect(await quoteCount(OTHER, issue)).toBe(0)
    expect((await say('/quote accept id:2', OTHER)).text).toBe('no quote 2 in this garage')
  })

  test('estimates and the job catalog', async () => {
    const e = await say('/quote estimate hours:1.5 rate:120 parts:80 tax:8.25%')
    expect(e.title).toBe('Estimate: $281.45')
    const job = await say('/quote estimate job:"Brake pads, front" rate:100')
    expect(job.title).toBe('Estimate: $150.00')
    expect((await say('/quote jobs job:"Brake pads, front" hours:2')).text).toContain(
      'now estimates 2 h (typical 1.5 h)',
    )
    expect((await say('/quote estimate job:"Brake pads, front" rate:100')).title).toBe('Estimate: $200.00')
  })

  test('the tip of the day is stable within the garage day and changes the next day', async () => {
    clock = new Date('2026-11-27T05:00:00Z') // 23:00 on the 26th in Chicago
    const a = await say('/quote tip')
    clock = new Date('2026-11-27T05:59:00Z')
    const b = await say('/quote tip')
    clock = new Date('2026-11-27T06:01:00Z') // 00:01 on the 27th in Chicago
    const c = await say('/quote tip')
    expect(a.title).toBe('Tip of the day (2026-11-26)')
    expect(b.text).toBe(a.text)
    expect(c.title).toBe('Tip of the day (2026-11-27)')
    expect(c.text).not.toBe(a.text)
  })

  test('the accepted amount is there for the record of the work, and the record is remembered', async () => {
    const ctx = {
      envelope: { id: 'link-1', tenant: GARAGE } as HandlerContext['envelope'],
      serviceUrl: (name: ServiceName) => stack.url(name),
      serviceHeaders: (opts?: { write?: boolean }) =>
        stack.headers(GARAGE, opts?.write ? { 'idempotency-key': 'link-1' } : {}),
      now: () => clock,
      log: silentLogger,
      config: stack.config,
      finalAttempt: true,
      stamps: uncachedStamps,
    } satisfies HandlerContext
    const q = await acceptedQuoteFor(ctx, issue)
    expect(q).toMatchObject({
      number: 1,
      shop: "Joe's Garage",
      amountMinor: 64000,
      cost: { value: 640, text: '$640.00' },
      recordId: null,
    })
    expect(await linkAcceptedQuote(ctx, issue, 42)).toBe(true)
    expect((await acceptedQuoteFor(ctx, issue))?.recordId).toBe(42)
    expect(await acceptedQuoteFor(ctx, 99)).toBeNull()
    await stack.stopService('quotes')
    try {
      // The quotes service is optional for logging work: down means "no quote", not a failure.
      expect(await acceptedQuoteFor(ctx, issue)).toBeNull()
    } finally {
      await stack.startService('quotes')
    }
  })

  test('with the quotes process stopped, /quote says so and everything else works', async () => {
    await stack.stopService('quotes')
    try {
      const id = await stack.dispatch('quote.tip', {}, { tenant: GARAGE })
      const final = await stack.reply(id, 15_000)
      expect(final.tone).toBe('error')
      expect(final.text).toContain('The quotes service is still unavailable')
      expect(
        stack
          .repliesTo(id)
          .some((r) => r.notice && r.reply.text.includes('The quotes service is unavailable, retrying')),
      ).toBe(true)
      expect((await say('/car list')).tone).toBe('ok')
      expect((await say('/calc loan amount:18000 rate:6.9% months:60')).title).toBe(
        '$18,000.00 at 6.9% over 60 months: $355.57 a month',
      )
      expect(await issueStatus(GARAGE, issue)).toBe('in_progress')
    } finally {
      await stack.startService('quotes')
    }
    expect((await say(`/quote list issue:${issue}`)).tone).toBe('ok')
  })
})
