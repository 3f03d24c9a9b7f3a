/**
 * An accepted quote carried into the service record of the work, end to end as typed in the
 * terminal chat (the catalog's grammar) through the queue and orchestrator to the items, issues and
 * quotes services: `/service log … issue:N` and `/issue close … record:N`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import { renderText } from '../../lib/contracts/reply-text.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'

let stack: Stack
const clock = new Date('2026-11-20T18:00:00Z')
const GARAGE = 'local:quote-link'
const OTHER = 'local:quote-link-other'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'issues', 'quotes'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

async function say(line: string, tenant = GARAGE): Promise<Reply & { shown: string }> {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  const reply = await stack.command(parsed.kind, parsed.payload, { tenant, actor: { name: 'Ann' } })
  return { ...reply, shown: renderText(reply) }
}

async function get(service: 'items' | 'issues' | 'quotes', path: string, tenant = GARAGE): Promise<any> {
  const res = await fetch(`${stack.url(service)}${path}`, { headers: stack.headers(tenant) })
  expect(res.status).toBe(200)
  return res.json()
}

const records = async (tenant = GARAGE): Promise<any[]> =>
  (await get('items', '/records?limit=100', tenant)).records

const recordOf = (reply: Reply): number => {
  const value = reply.fields?.find((f) => f.name === 'Record')?.value ?? ''
  expect(value).toMatch(/^#\d+$/)
  return Number(value.slice(1))
}

/** Opens an issue on a car with two quotes and accepts the first; answers the issue number. */
async function issueWithAcceptedQuote(title: string, car = 'corolla'): Promise<number> {
  const opened = await say(`/issue log car:${car} title:"${title}" severity:high`)
  expect(opened.tone).toBe('ok')
  const issue = Number(opened.ref?.replace('issue:', ''))
  const joe = await say(`/quote add issue:${issue} shop:"Joe's Garage" amount:640 parts:420 labor:220`)
  expect(joe.tone).toBe('ok')
  expect((await say(`/quote add issue:${issue} shop:"Bob Auto" amount:710`)).tone).toBe('ok')
  const id = joe.actions?.[0]?.id.split(':')[1]
  const accepted = await say(`/quote accept id:${id}`)
  expect(accepted.title).toBe(`Accepted quote ${id} from Joe's Garage: $640.00`)
  expect(accepted.text).toContain(`issue:${issue} (the record takes $640.00)`)
  return issue
}

describe('an accepted quote carried into the record of the work', () => {
  beforeAll(async () => {
    expect((await say('/garage settings units:imperial currency:USD timezone:America/Chicago')).tone).toBe(
      'ok',
    )
    expect((await say('/car add corolla odometer:"52,000 mi"')).tone).toBe('ok')
    expect((await say('/car add civic')).tone).toBe('ok')
    expect((await say('/garage settings currency:USD', OTHER)).tone).toBe('ok')
    expect((await say('/car add corolla', OTHER)).tone).toBe('ok')
  })

  test('without a cost the record takes the accepted amount, and the quote is linked to it', async () => {
    const issue = await issueWithAcceptedQuote('Grinding when braking')
    const logged = await say(`/service log car:corolla title:"Front pads" kind:repair issue:${issue}`)
    expect(logged.tone).toBe('ok')
    const id = recordOf(logged)
    expect(logged.title).toBe(`Logged Front pads on corolla (2026-11-20) for issue #${issue}`)
    expect(logged.text).toBe(
      [
        `For issue #${issue}, accepted quote from Joe's Garage: $640.00.`,
        'Quote 1 is linked to this record.',
        `Close it with /issue close number:${issue} resolution:"…" record:${id}.`,
      ].join('\n'),
    )
    expect(logged.fields?.find((f) => f.name === 'Cost')?.value).toBe('$640.00')
    const stored = await get('items', `/records/${id}`)
    expect([stored.cost, stored.cost_minor, stored.kind]).toEqual(['$640.00', 64000, 'repair'])
    expect((await get('quotes', '/quotes/1')).recordId).toBe(id)
    expect((await say(`/quote list issue:${issue}`)).shown).toContain(
      `— accepted: total $640.00 · parts $420.00 · labour $220.00 · logged as service record #${id}`,
    )

    // The quote is counted once: a second record for the same issue does not take it again.
    const more = await say(`/service log car:corolla title:"Brake fluid" issue:${issue}`)
    expect(more.tone).toBe('ok')
    expect(more.text).toContain(
      `For issue #${issue}: its accepted quote from Joe's Garage: $640.00 is already linked to service record #${id}, so it was not used again.`,
    )
    expect((await get('items', `/records/${recordOf(more)}`)).cost).toBeNull()
    expect((await get('quotes', '/quotes/1')).recordId).toBe(id)

    // Closing with that record keeps everything as it is and says so.
    const closed = await say(`/issue close number:${issue} resolution:"Replaced front pads" record:${id}`)
    expect(closed.text).toBe(
      `Replaced front pads\nFixed by service record #${id}.\nService record #${id} keeps its cost $640.00 (the accepted quote from Joe's Garage: $640.00). Quote 1 is linked to it.`,
    )
    expect((await get('issues', `/issues/${issue}`)).record_id).toBe(id)
  })

  test('a typed cost wins, and the quote is still linked', async () => {
    const issue = await issueWithAcceptedQuote('Check engine light')
    const logged = await say(
      `/service log car:corolla title:"O2 sensor" cost:700 kind:repair issue:#${issue}`,
    )
    const id = recordOf(logged)
    expect(logged.text).toContain(
      `For issue #${issue}, cost $700.00 as typed (the accepted quote from Joe's Garage: $640.00).`,
    )
    expect((await get('items', `/records/${id}`)).cost_minor).toBe(70000)
    const quotes = (await get('quotes', `/quotes?issue=${issue}`)).quotes
    expect(quotes.find((q: any) => q.status === 'accepted').recordId).toBe(id)
  })

  test("another garage's issue number is refused like a missing one, and nothing is stored", async () => {
    const before = (await records()).length
    const theirs = await say('/service log car:corolla title:"Front pads" issue:1', OTHER)
    expect(theirs.tone).toBe('error')
    expect(theirs.text).toBe('issue: there is no issue #1 in this garage (see /issue list)')
    const missing = await say('/service log car:corolla title:"Front pads" issue:99')
    expect(missing.text).toBe('issue: there is no issue #99 in this garage (see /issue list)')
    // An issue of this garage about another car is refused too.
    const civic = await say('/service log car:civic title:"Front pads" cost:10 issue:1')
    expect(civic.tone).toBe('error')
    expect(civic.text).toBe('issue: #1 (Grinding when braking) is about corolla, not civic')
    expect(await records(OTHER)).toEqual([])
    expect((await records()).length).toBe(before)
    const quote = (await get('quotes', '/quotes?issue=1')).quotes.find((q: any) => q.status === 'accepted')
    expect(quote.recordId).not.toBeNull()
  })

  test('/issue close record: refuses a record of another garage or car, changing nothing', async () => {
    const issue = await issueWithAcceptedQuote('Wipers streak', 'civic')
    const mine = recordOf(await say('/service log car:civic title:"Wipers"'))
    const corolla = recordOf(await say('/service log car:corolla title:"Wash"'))
    const foreign = recordOf(await say('/service log car:corolla title:"Wash"', OTHER))

    const theirs = await say(`/issue close number:${issue} resolution:Fixed record:${foreign}`)
    expect(theirs.tone).toBe('error')
    expect(theirs.text).toBe(
      `record: there is no service record #${foreign} in this garage (see /service list)`,
    )
    const wrongCar = await say(`/issue close number:${issue} resolution:Fixed record:${corolla}`)
    expect(wrongCar.text).toBe(
      `record: service record #${corolla} is for corolla, but #${issue} is about civic`,
    )
    const shown = await get('issues', `/issues/${issue}`)
    expect([shown.status, shown.record_id]).toEqual(['in_progress', null])
    expect((await get('items', `/records/${foreign}`, OTHER)).cost).toBeNull()

    // The right record without a cost takes the accepted amount when the issue is closed.
    const closed = await say(`/issue close number:${issue} resolution:"New blades" record:${mine}`)
    expect(closed.tone).toBe('ok')
    expect(closed.text).toBe(
      `New blades\nFixed by service record #${mine}.\nService record #${mine} now carries the accepted quote from Joe's Garage: $640.00. Quote ${(await acceptedOf(issue)).number} is linked to it.`,
    )
    expect((await get('items', `/records/${mine}`)).cost).toBe('$640.00')
    expect((await acceptedOf(issue)).recordId).toBe(mine)
  })

  test('with quotes stopped the record is logged without the amount, and closing later carries it', async () => {
    const issue = await issueWithAcceptedQuote('Pulls to the left')
    const quote = await acceptedOf(issue)
    await stack.stopService('quotes')
    let id: number
    try {
      const logged = await say(`/service log car:corolla title:Alignment kind:repair issue:${issue}`)
      expect(logged.tone).toBe('ok')
      id = recordOf(logged)
      expect(logged.text).toContain(
        `For issue #${issue}: the quotes service could not be checked, so no accepted quote was used; no cost recorded.`,
      )
      expect(logged.fields?.find((f) => f.name === 'Cost')).toBeUndefined()
      expect((await get('items', `/records/${id}`)).cost).toBeNull()

      const closed = await say(`/issue close number:${issue} resolution:Aligned record:${id}`)
      expect(closed.tone).toBe('ok')
      expect(closed.text).toContain(
        `The quotes service could not be checked; close #${issue} again with record:${id} later to carry its accepted quote.`,
      )
    } finally {
      await stack.startService('quotes')
    }
    expect((await acceptedOf(issue)).recordId).toBeNull()
    const again = await say(`/issue close number:${issue} resolution:Aligned record:${id}`)
    expect(again.text).toContain(
      `Service record #${id} now carries the accepted quote from Joe's Garage: $640.00.`,
    )
    expect((await get('items', `/records/${id}`)).cost_minor).toBe(64000)
    expect((await acceptedOf(issue)).recordId).toBe(id)
    expect(quote.number).toBe((await acceptedOf(issue)).number)
  })
})

async function acceptedOf(issue: number): Promise<any> {
  return get('quotes', `/issues/${issue}/accepted`)
}
