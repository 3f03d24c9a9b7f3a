/**
 * Records a garage can trust, end to end through the real parsers, the queue, the worker's
 * number settling and the items service: a number that reads two ways is settled by the
 * garage's number format or refused naming both readings, and implausible odometer readings
 * and fill-ups ask for confirm:yes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
let clock = new Date('2026-05-10T12:00:00Z')

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator', 'issues', 'quotes'], now: () => clock })
})

afterAll(async () => {
  await stack?.close()
})

/** A typed line through the real grammar, then the queue; a grammar refusal is returned as its error. */
async function say(tenant: string, line: string): Promise<Reply> {
  const parsed = parseLine(line)
  if (!parsed.ok) return { tone: 'error', text: `(grammar) ${parsed.error}` }
  return stack.command(parsed.kind, parsed.payload, { tenant })
}

describe('a number that reads two ways', () => {
  test('a default garage (1,234.5) refuses "83.000 km", "50.000 km" and "25.000", naming both readings', async () => {
    const g = 'local:numbers-default'
    expect((await say(g, '/car add golf odometer:"82 000 km"')).tone).toBe('ok')
    expect(await say(g, '/car odometer golf reading:"83.000 km"')).toMatchObject({
      tone: 'error',
      ephemeral: true,
      text: 'reading: "83.000 km" reads as 83 km or 83,000 km; type 83 km or 83000 km (this garage writes numbers 1,234.5)',
    })
    expect(await say(g, '/item add golf "Air filter" distance:"50.000 km"')).toMatchObject({
      tone: 'error',
      text: 'distance: "50.000 km" reads as 50 km or 50,000 km; type 50 km or 50000 km (this garage writes numbers 1,234.5)',
    })
    expect(await say(g, '/calc loan "25.000" 5% 60')).toMatchObject({
      tone: 'error',
      text: 'amount: "25.000" reads as $25 or $25,000; type 25 or 25000 (this garage writes numbers 1,234.5)',
    })
    // unambiguous forms keep working
    expect(await say(g, '/car odometer golf reading:"83000 km"')).toMatchObject({
      tone: 'ok',
      text: 'Recorded 83000 km on 2026-05-10. +1,000 km since the last reading.',
    })
    expect(await say(g, '/car odometer golf reading:"83 100 km"')).toMatchObject({
      text: 'Recorded 83 100 km on 2026-05-10. +100 km since the last reading.',
    })
    expect(await say(g, '/car odometer golf reading:"83,200.5 km"')).toMatchObject({
      text: 'Recorded 83,200.5 km on 2026-05-10. +100.5 km since the last reading.',
    })
    // a comma group is this garage's own: 1,500 is 1,500
    expect((await say(g, '/calc loan "$1,500" 5% 12')).title).toStartWith('$1,500.00 at 5% over 12 months')
  })

  test('a 1.234,5 garage takes "83.000 km" as 83,000 km and refuses "52,000 mi"', async () => {
    const g = 'local:numbers-euro'
    const set = await say(g, '/garage settings numbers:1.234,5')
    expect(set).toMatchObject({ tone: 'ok', title: 'Updated numbers' })
    expect(set.fields?.find((f) => f.name === 'Numbers')?.value).toBe('1.234,5')
    expect((await say(g, '/car add golf odometer:"82.000 km"')).tone).toBe('ok')
    expect(await say(g, '/car odometer golf reading:"83.000 km"')).toMatchObject({
      tone: 'ok',
      title: 'golf: 83.000 km',
      text: 'Recorded 83.000 km on 2026-05-10. +1.000 km since the last reading.',
    })
    expect(await say(g, '/car odometer golf reading:"52,000 mi"')).toMatchObject({
      tone: 'error',
      text: 'reading: "52,000 mi" reads as 52 mi or 52.000 mi; type 52 mi or 52000 mi (this garage writes numbers 1.234,5)',
    })
    // the loan amount 25.000 is 25,000 here, and written back the garage's way
    expect((await say(g, '/calc loan "25.000" 5% 60')).title).toStartWith('$25.000,00 at 5% over 60 months')
  })

  test('"1.234,5 km" reads the same in every garage', async () => {
    // … and the difference is written back in each garage's format
    for (const [g, numbers, delta] of [
      ['local:numbers-same-a', '1,234.5', '5.5'],
      ['local:numbers-same-b', '1.234,5', '5,5'],
      ['local:numbers-same-c', '1 234,5', '5,5'],
    ] as const) {
      expect((await say(g, `/garage settings numbers:"${numbers}"`)).tone).toBe('ok')
      expect((await say(g, '/car add polo odometer:"1.234,5 km"')).tone).toBe('ok')
      expect(await say(g, '/car odometer polo reading:"1240 km"')).toMatchObject({
        tone: 'ok',
        text: `Recorded 1240 km on 2026-05-10. +${delta} km since the last reading.`,
      })
    }
  })
})

describe('implausible readings and fill-ups ask for confirm:yes', () => {
  test('"52k miles" is not taken silently; +19,600 mi after a day is refused until confirmed', async () => {
    const g = 'local:numbers-jump'
    clock = new Date('2026-05-10T12:00:00Z')
    expect((await say(g, '/car add civic odometer:"32,400 mi"')).tone).toBe('ok')
    clock = new Date('2026-05-11T12:00:00Z')
    expect((await say(g, '/car odometer civic reading:"52k miles"')).text).toBe(
      '(grammar) reading: "52k miles": write the number in full, e.g. 52000 mi',
    )
    expect(await say(g, '/car odometer civic 52,000 mi')).toMatchObject({
      tone: 'error',
      text: 'reading: 52,000 mi is 19,600 mi above the last reading 32,400 mi (2026-05-10), 1 day later; that is more than 2,000 mi in 1 day. Add confirm:yes if it is right',
    })
    expect(await say(g, '/car edit civic odometer:"52,000 mi"')).toMatchObject({
      tone: 'error',
      text: expect.stringMatching(/^odometer: 52,000 mi is 19,600 mi above the last reading 32,400 mi/),
    })
    expect(await say(g, '/service log civic "Oil change" odometer:"52,000 mi"')).toMatchObject({
      tone: 'error',
      text: expect.stringMatching(/^odometer: 52,000 mi is 19,600 mi above the last reading 32,400 mi/),
    })
    expect(await say(g, '/fuel log civic 10 gal odometer:"52,000 mi"')).toMatchObject({
      tone: 'error',
      text: expect.stringMatching(/^odometer: 52,000 mi is 19,600 mi above the last reading 32,400 mi/),
    })
    // a plausible drive is taken as it always was
    expect(await say(g, '/car odometer civic 33,900 mi')).toMatchObject({
      tone: 'ok',
      text: 'Recorded 33,900 mi on 2026-05-11. +1,500 mi since 2026-05-10.',
    })
    expect(await say(g, '/car odometer civic 52,000 mi confirm:yes')).toMatchObject({
      tone: 'ok',
      title: 'civic: 52,000 mi',
    })
  })

  test('a fill-up over 150 L is refused until confirmed', async () => {
    const g = 'local:numbers-fill'
    expect((await say(g, '/car add civic odometer:"32,400 mi"')).tone).toBe('ok')
    expect(await say(g, '/fuel log civic 150 gal')).toMatchObject({
      tone: 'error',
      text: 'volume: 150 gal (567.8 L) is more than a fill-up of 150 L; add confirm:yes if it is right',
    })
    expect(await say(g, '/fuel log civic 151 L')).toMatchObject({
      tone: 'error',
      text: 'volume: 151 L is more than a fill-up of 150 L; add confirm:yes if it is right',
    })
    expect((await say(g, '/fuel log civic 150 L')).tone).toBe('ok')
    expect((await say(g, '/fuel log civic 150 gal confirm:yes')).tone).toBe('ok')
  })
})

describe('/garage settings reminder_channel:off', () => {
  test('switches reminder posts off instead of naming a channel "off"', async () => {
    const g = 'local:reminders-off'
    const on = await say(g, '/garage settings reminder_channel:C0123ABCD')
    expect(on.fields?.find((f) => f.name === 'Reminders')?.value).toBe('in <#C0123ABCD> after 09:00')
    const off = await say(g, '/garage settings reminder_channel:off')
    expect(off).toMatchObject({ tone: 'ok', title: 'Updated reminder_channel' })
    expect(off.fields?.find((f) => f.name === 'Reminders')?.value).toBe(
      'not posted (set reminder_channel); after 09:00',
    )
    const shown = await say(g, '/garage settings')
    expect(shown.fields?.find((f) => f.name === 'Reminders')?.value).toStartWith('not posted')
  })
})

describe('relative dates', () => {
  test('today, yesterday and N days ago are the garage\'s own days', async () => {
    const g = 'local:relative-dates'
    // 02:00 UTC on May 12 is still May 11 in Chicago
    clock = new Date('2026-05-12T02:00:00Z')
    expect((await say(g, '/garage settings timezone:America/Chicago units:imperial')).tone).toBe('ok')
    expect((await say(g, '/car add civic purchase_date:"3 days ago"')).tone).toBe('ok')
    expect(await say(g, '/car odometer civic 30,000 mi date:"3 days ago"')).toMatchObject({
      tone: 'ok',
      text: 'Recorded 30,000 mi on 2026-05-08.',
    })
    expect(await say(g, '/car odometer civic 30,100 mi date:"2 days ago"')).toMatchObject({
      text: 'Recorded 30,100 mi on 2026-05-09. +100 mi since 2026-05-08.',
    })
    expect(await say(g, '/car odometer civic 30,200 mi date:yesterday')).toMatchObject({
      text: 'Recorded 30,200 mi on 2026-05-10. +100 mi since 2026-05-09.',
    })
    expect(await say(g, '/car odometer civic 30,300 mi date:today')).toMatchObject({
      text: 'Recorded 30,300 mi on 2026-05-11. +100 mi since 2026-05-10.',
    })
    expect(await say(g, '/fuel log civic 10 gal date:yesterday')).toMatchObject({
      tone: 'ok',
      title: 'Fill-up logged for civic (2026-05-10)',
    })
    // a text option that says "today" is left alone
    const service = await say(g, '/service log civic "today" date:today')
    expect(service).toMatchObject({ tone: 'ok', title: 'Logged today on civic (2026-05-11)' })
    clock = new Date('2026-05-10T12:00:00Z')
  })
})

describe('dates in the garage\'s order', () => {
  test('a slashed date is read as the garage writes dates; one that reads two ways in a YYYY-MM-DD garage is refused naming both', async () => {
    const g = 'local:date-order'
    expect((await say(g, '/car add golf')).tone).toBe('ok')
    // The default order takes no guess: 03/04/2026 is refused naming both readings, nothing stored.
    const refused = await say(g, '/car odometer golf 1,000 km date:03/04/2026')
    expect(refused.tone).toBe('error')
    expect(refused.text).toBe(
      'date: "3/4/2026" reads two ways: 3 April 2026 or 4 March 2026. Write it YYYY-MM-DD (2026-04-03 or 2026-03-04), or tell the garage its order with /garage settings dates:DD/MM/YYYY or dates:MM/DD/YYYY',
    )
    // One that reads one way only is that date.
    expect(await say(g, '/car odometer golf 1,000 km date:25/03/2026')).toMatchObject({
      text: 'Recorded 1,000 km on 2026-03-25.',
    })
    const set = await say(g, '/garage settings dates:DD/MM/YYYY')
    expect(set.tone).toBe('ok')
    expect(set.fields).toContainEqual({ name: 'Dates', value: 'DD/MM/YYYY', inline: true })
    expect(await say(g, '/car odometer golf 1,100 km date:03/04/2026')).toMatchObject({
      text: 'Recorded 1,100 km on 03/04/2026. +100 km since 25/03/2026.',
    })
    expect(await say(g, '/garage settings dates:MM/DD/YYYY')).toMatchObject({ tone: 'ok' })
    expect(await say(g, '/car odometer golf 1,200 km date:04/05/2026')).toMatchObject({
      text: 'Recorded 1,200 km on 04/05/2026. +100 km since 04/03/2026.',
    })
    // In a MM/DD garage 25/03/2026 is no date: refused, naming the order and how to change it.
    const wrongOrder = await say(g, '/fuel log golf 40 L date:25/03/2026')
    expect(wrongOrder).toMatchObject({ tone: 'error' })
    expect(wrongOrder.text).toBe(
      'date: "25/3/2026" is not a date in MM/DD/YYYY, the order this garage writes dates in (/garage settings dates: changes it)',
    )
    expect((await say(g, '/garage settings dates:sideways')).tone).toBe('error')
  })
})

describe('currency', () => {
  test('a garage with amounts stored keeps its currency: a change would relabel them, not convert them', async () => {
    const g = 'local:currency-change'
    expect((await say(g, '/garage settings currency:EUR')).tone).toBe('ok')
    expect((await say(g, '/car add golf')).tone).toBe('ok')
    expect((await say(g, '/fuel log golf 40 L cost:60')).tone).toBe('ok')
    const refused = await say(g, '/garage settings currency:USD')
    expect(refused.tone).toBe('error')
    expect(refused.text).toBe(
      'currency: this garage has 1 amount stored in EUR (fill-ups, service records, purchase prices); changing to USD would show them as USD without converting them, so the currency stays EUR',
    )
    expect((await say(g, '/garage settings')).fields).toContainEqual({ name: 'Currency', value: 'EUR', inline: true })
    // Setting the same currency again is no change.
    expect((await say(g, '/garage settings currency:eur')).tone).toBe('ok')
  })
})

describe('settings in the history', () => {
  test('a change of the settings is in /garage history with who made it; it is not undone like a record', async () => {
    const g = 'local:settings-history'
    expect((await say(g, '/garage settings currency:EUR dates:DD/MM/YYYY')).tone).toBe('ok')
    expect((await say(g, '/garage settings timezone:Europe/Paris')).tone).toBe('ok')
    // Setting what is already set changes nothing and is not a change.
    expect((await say(g, '/garage settings timezone:Europe/Paris')).tone).toBe('ok')
    const history = await say(g, '/garage history')
    expect(history.title).toBe('History: 2 changes')
    const lines = history.text!.split('\n')
    expect(lines[0]).toMatch(/^#\d+ \S+ \S+ \S+ changed the settings: timezone UTC → Europe\/Paris$/)
    expect(lines[1]).toMatch(/changed the settings: dates YYYY-MM-DD → DD\/MM\/YYYY, currency USD → EUR$/)
    const id = Number(/^#(\d+)/.exec(lines[0]!)![1])
    const undo = await say(g, `/garage undo change:${id}`)
    expect(undo.tone).toBe('error')
    expect(undo.text).toContain("is a change of the garage's settings, which are not undone: set them again with /garage settings")
    // The asker's last change to undo skips settings: there is none here.
    expect((await say(g, '/garage undo')).text).toContain('you have no change left to undo')
    expect((await say(g, '/garage settings')).fields).toContainEqual({ name: 'Timezone', value: 'Europe/Paris', inline: true })
  })
})
