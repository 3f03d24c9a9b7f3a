/**
 * /car and /garage settings end to end through the queue: the stack runs the items app on a
 * port, the orchestrator with the real handlers, and collects the replies a user would see.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type Stack, startStack } from '../../test/stack.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'

let stack: Stack
let clock = new Date('2026-05-10T12:00:00Z')

beforeAll(async () => {
  // /car remove asks every service what goes with the car.
  stack = await startStack({ services: ['items', 'issues', 'images', 'quotes'], now: () => clock })
})

afterAll(async () => {
  await stack?.close()
})

/** /garage settings typed in a Discord channel; its reply is read from replies.discord. */
async function inChannel(tenant: string, payload: unknown, channelId = '555000111'): Promise<Reply> {
  const id = await stack.dispatch('garage.settings', payload, {
    tenant,
    replyTo: { platform: 'discord', channelId },
  })
  return stack.platformReply('discord', id)
}

const mi = (value: number, text: string) => ({ value, unit: 'mi' as const, text })

describe('/car through the queue', () => {
  test('the spine session: add, list, show, edit, odometer, remove', async () => {
    const tenant = 'local:spine'
    const add = await stack.command(
      'car.add',
      {
        nickname: 'corolla',
        make: 'Toyota',
        model: 'Corolla',
        year: 2018,
        odometer: mi(52000, '52,000 mi'),
        plate: 'AB-123',
      },
      { tenant },
    )
    expect(add).toMatchObject({
      tone: 'ok',
      title: 'Added corolla',
      text: '2018 Toyota Corolla · 52,000 mi · AB-123',
      ref: 'car:corolla',
    })

    const list = await stack.command('car.list', {}, { tenant })
    expect(list.tone).toBe('ok')
    expect(list.text).toBe('corolla — 2018 Toyota Corolla · 52,000 mi · AB-123')

    const show = await stack.command('car.show', { car: 'Corolla' }, { tenant })
    expect(show.title).toBe('corolla')
    expect(show.fields?.find((f) => f.name === 'Odometer readings')?.value).toContain(
      '2026-05-10  52,000 mi (car)',
    )

    const edit = await stack.command(
      'car.edit',
      { car: 'corolla', odometer: mi(53100, '53,100 mi') },
      { tenant },
    )
    expect(edit).toMatchObject({ tone: 'ok', title: 'Updated corolla' })
    expect(edit.text).toContain('53,100 mi')
    expect(edit.text).toContain('Changed: odometer')

    clock = new Date('2026-05-12T12:00:00Z')
    const odo = await stack.command(
      'car.odometer',
      { car: 'corolla', reading: mi(53400, '53,400 mi') },
      { tenant },
    )
    expect(odo).toMatchObject({ tone: 'ok', title: 'corolla: 53,400 mi' })
    expect(odo.text).toBe('Recorded 53,400 mi on 2026-05-12. +300 mi since 2026-05-10.')

    const preview = await stack.command('car.remove', { car: 'corolla' }, { tenant })
    expect(preview).toMatchObject({ tone: 'warn', title: 'Remove corolla?' })
    expect(preview.text).toContain('• records: 3 odometer readings')
    expect(preview.text).toContain('add confirm:yes to remove all of it')
    expect((await stack.command('car.list', {}, { tenant })).text).toContain('corolla')

    const removed = await stack.command('car.remove', { car: 'corolla', confirm: true }, { tenant })
    expect(removed).toMatchObject({ tone: 'ok', title: 'Removed corolla' })
    expect(removed.text).toContain('3 odometer readings')

    expect((await stack.command('car.list', {}, { tenant })).text).toBe('No cars yet — add one with /car add')
  })

  test('bad input answers name the field and store nothing', async () => {
    const tenant = 'local:bad'
    const cases: [string, unknown, RegExp][] = [
      ['car.add', { nickname: 'old', year: 1700 }, /^year: 1700 is not a model year/],
      ['car.add', { nickname: 'future', year: 3000 }, /^year: 3000/],
      ['car.add', { nickname: 'my car' }, /^nickname: no spaces/],
      ['car.add', { nickname: 'x'.repeat(200) }, /^nickname: at most 32/],
      ['car.add', { nickname: '🚗' }, /^nickname: use only letters/],
      ['car.add', { nickname: 'neg', odometer: { value: -5, unit: 'mi', text: '-5' } }, /^odometer/],
      ['car.show', { car: 'ghost' }, /^no car "ghost" in this garage; it has no cars yet/],
    ]
    for (const [kind, payload, message] of cases) {
      const reply = await stack.command(kind, payload, { tenant })
      expect(reply.tone).toBe('error')
      expect(reply.text).toMatch(message)
    }
    expect((await stack.command('car.list', {}, { tenant })).text).toBe('No cars yet — add one with /car add')

    await stack.command('car.add', { nickname: 'civic', odometer: mi(53100, '53,100 mi') }, { tenant })
    const dup = await stack.command('car.add', { nickname: 'CIVIC' }, { tenant })
    expect(dup.text).toMatch(/^nickname: this garage already has a car called "civic"/)
    const lower = await stack.command(
      'car.odometer',
      { car: 'civic', reading: mi(53000, '53,000 mi') },
      { tenant },
    )
    expect(lower.tone).toBe('error')
    expect(lower.text).toBe(
      'reading: 53,000 mi is lower than the last reading 53,100 mi; add confirm:yes to correct it',
    )
    const lowerEdit = await stack.command(
      'car.edit',
      { car: 'civic', odometer: mi(53000, '53,000 mi') },
      { tenant },
    )
    expect(lowerEdit.text).toMatch(/^odometer: 53,000 mi is lower than the last reading 53,100 mi/)
    const corrected = await stack.command(
      'car.odometer',
      { car: 'civic', reading: mi(53000, '53,000 mi'), confirm: true },
      { tenant },
    )
    expect(corrected.tone).toBe('ok')
    expect(corrected.text).toContain('Corrected: removed 1 reading')
    const unknown = await stack.command('car.edit', { car: 'accord', plate: 'X' }, { tenant })
    expect(unknown.text).toBe('no car "accord" in this garage; cars: civic')
    const nothing = await stack.command('car.edit', { car: 'civic' }, { tenant })
    expect(nothing.text).toMatch(/^Nothing to change/)
  })

  test('a retried job (same envelope id) adds the car once', async () => {
    const tenant = 'local:retry'
    const id = 'retry-envelope-1'
    await stack.command('car.add', { nickname: 'golf' }, { tenant, id })
    // the worker runs the same envelope again (as after a crash): the service answers the first result
    const headers = stack.headers(tenant, { 'idempotency-key': id })
    const again = await fetch(`${stack.url('items')}/cars`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ nickname: 'golf' }),
    })
    expect(again.status).toBe(201)
    const list = await fetch(`${stack.url('items')}/cars`, { headers: stack.headers(tenant) })
    expect(((await list.json()) as { cars: unknown[] }).cars).toHaveLength(1)
  })

  test('a big fleet is listed within the Reply limit, with a count of the rest', async () => {
    const tenant = 'local:fleet'
    for (let i = 0; i < 120; i++) {
      const res = await fetch(`${stack.url('items')}/cars`, {
        method: 'POST',
        headers: stack.headers(tenant),
        body: JSON.stringify({
          nickname: `truck-${String(i).padStart(3, '0')}`,
          make: 'Freightliner',
          model: 'Cascadia',
          year: 2020,
        }),
      })
      expect(res.status).toBe(201)
    }
    const list = await stack.command('car.list', {}, { tenant })
    expect(list.title).toBe('120 cars')
    expect(list.text.length).toBeLessThanOrEqual(4000)
    expect(list.text).toStartWith('truck-000 — 2020 Freightliner Cascadia · no odometer yet')
    expect(list.text).toMatch(/… and \d+ more/)
  })

  test('two garages: the same nickname twice, and neither sees the other', async () => {
    await stack.command('car.add', { nickname: 'corolla', year: 2018 }, { tenant: 'discord:1001' })
    await stack.command('car.add', { nickname: 'corolla', year: 2005 }, { tenant: 'discord:1002' })
    await stack.command('car.add', { nickname: 'civic' }, { tenant: 'discord:1002' })
    expect((await stack.command('car.list', {}, { tenant: 'discord:1001' })).text).toBe(
      'corolla — 2018 · no odometer yet',
    )
    expect((await stack.command('car.show', { car: 'civic' }, { tenant: 'discord:1001' })).tone).toBe('error')
    expect(
      (await stack.command('car.remove', { car: 'civic', confirm: true }, { tenant: 'discord:1001' })).tone,
    ).toBe('error')
    expect((await stack.command('car.show', { car: 'civic' }, { tenant: 'discord:1002' })).tone).toBe('ok')
  })
})

describe('/garage settings through the queue', () => {
  test('no option shows the defaults without storing; options change them', async () => {
    const tenant = 'discord:2001'
    const shown = await inChannel(tenant, {})
    expect(shown).toMatchObject({ tone: 'ok', title: 'Garage settings', ephemeral: true })
    expect(shown.text).toContain('defaults')
    expect(shown.fields?.find((f) => f.name === 'Units')?.value).toBe('metric (km, L)')
    expect(shown.fields?.find((f) => f.name === 'Photos in this channel')?.value).toBe('no default car')

    const changed = await inChannel(tenant, {
      units: 'imperial',
      currency: 'usd',
      timezone: 'America/Chicago',
      reminder_channel: '555000222',
      reminder_hour: 8,
      urgent: { days: 21, distance: { value: 400, unit: 'mi', text: '400 mi' }, text: '21 d, 400 mi' },
    })
    expect(changed.tone).toBe('ok')
    expect(changed.title).toBe('Updated units, currency, timezone, reminder_channel, reminder_hour, urgent')
    const field = (name: string) => changed.fields?.find((f) => f.name === name)?.value
    expect(field('Units')).toBe('imperial (mi, gal)')
    expect(field('Timezone')).toBe('America/Chicago')
    expect(field('Reminders')).toBe('in <#555000222> after 08:00')
    expect(field('Urgent')).toBe('21 d, 400 mi')
    expect(field('Very urgent')).toBe('7 d, 100 mi')
  })

  test('bad settings name the field', async () => {
    const tenant = 'discord:2002'
    const tz = await inChannel(tenant, { timezone: 'Mars/Base' })
    expect(tz.text).toMatch(/^timezone: "Mars\/Base" is not a timezone/)
    const units = await inChannel(tenant, { units: 'parsecs' })
    expect(units.text).toMatch(/^units:/)
    const cur = await inChannel(tenant, { currency: 'ABC' })
    expect(cur.text).toMatch(/^currency:/)
    const hour = await inChannel(tenant, { reminder_hour: 25 })
    expect(hour.tone).toBe('error')
    expect(hour.text).toMatch(/reminder_hour/)
    expect((await inChannel(tenant, {})).text).toContain('defaults')
  })

  test('photo_channel_car applies to the channel of the command', async () => {
    const tenant = 'discord:2003'
    await stack.command('car.add', { nickname: 'miata' }, { tenant })
    const set = await inChannel(tenant, { photo_channel_car: 'Miata' })
    expect(set.fields?.find((f) => f.name === 'Photos in this channel')?.value).toBe('go to miata')
    const elsewhere = await inChannel(tenant, {}, '999')
    expect(elsewhere.fields?.find((f) => f.name === 'Photos in this channel')?.value).toBe('no default car')
    const cleared = await inChannel(tenant, { photo_channel_car: 'none' })
    expect(cleared.fields?.find((f) => f.name === 'Photos in this channel')?.value).toBe('no default car')
    const local = await stack.command('garage.settings', { photo_channel_car: 'miata' }, { tenant })
    expect(local.text).toMatch(/^photo_channel_car:/)
  })
})
