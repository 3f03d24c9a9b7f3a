/**
 * Issue 5, end to end on Discord: a guild sets its reminder channel and hour, adds a car and
 * items through the real discord.js bot (commands dispatched by the Discord stand-in), the
 * injected clock moves, and the real reminder scheduler started by the orchestrator posts the
 * announcement in the channel with its buttons; the buttons are pressed on that message.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { REST } from 'discord.js'
import { deployCommands } from '../../bots/discord/deploy.ts'
import { type DiscordBot, startDiscordBot } from '../../bots/discord/bot.ts'
import { silentLogger } from '../../lib/log.ts'
import {
  type DiscordStandin,
  type InteractionRecord,
  type StoredMessage,
  startStandin,
} from '../discord-standin/standin.ts'
import { type Stack, startStack } from '../stack.ts'
import { itemNamed, nthAnnouncement, recordsOf, TestClock } from './reminders.ts'
import { Ticks } from './ticks.ts'

const GUILD = '1200000000000000051'
const GARAGE = '1300000000000000051'
const REMINDERS = '1300000000000000052'
const TENANT = `discord:${GUILD}`

const clock = new TestClock('2026-03-02T14:00:00Z') // 08:00 in Chicago
let standin: DiscordStandin
let stack: Stack
let bot: DiscordBot
let ticks: Ticks

beforeAll(async () => {
  standin = startStandin({
    guilds: [
      {
        id: GUILD,
        name: 'Garage',
        channels: [
          { id: GARAGE, name: 'garage' },
          { id: REMINDERS, name: 'reminders' },
        ],
      },
    ],
  })
  stack = await startStack({
    services: ['items'],
    now: clock.now,
    env: {
      DISCORD_TOKEN: standin.token,
      DISCORD_APP_ID: standin.applicationId,
      DISCORD_API_URL: standin.apiUrl,
      REMINDER_EVERY_MS: '200',
    },
  })
  ticks = new Ticks(stack.config.REDIS_URL!, stack.prefix)
  await deployCommands({
    rest: new REST({ api: standin.apiUrl }).setToken(standin.token),
    applicationId: standin.applicationId,
  })
  bot = await startDiscordBot({ config: stack.config, token: standin.token, log: silentLogger })
}, 20_000)

afterAll(async () => {
  await bot?.close()
  await ticks?.close()
  await stack?.close()
  await standin?.close()
})

const textOf = (m: { content: string; embeds: any[] }) => `${m.content}\n${JSON.stringify(m.embeds)}`

/** The user-visible answer to an interaction: the edited original or its ephemeral follow-up. */
function answer(rec: InteractionRecord, timeoutMs = 8_000) {
  return standin.waitFor(
    () => rec.followups[0] ?? (rec.originalEdits > 0 ? rec.original : undefined),
    timeoutMs,
    `answer to ${rec.id}`,
  )
}

async function run(name: string, sub: string, options: Parameters<DiscordStandin['sendCommand']>[3]) {
  const msg = await answer(standin.sendCommand(GUILD, name, sub, options, { channelId: GARAGE }))
  return textOf(msg)
}

const posted = () => standin.channelMessages(REMINDERS)
const postRequests = () => standin.requestsTo('POST', `/channels/${REMINDERS}/messages`)

const item = (name: string) => itemNamed(stack, TENANT, 'corolla', name)
const records = () => recordsOf(stack, TENANT, 'corolla')
const announcement = (n: number, since: number): Promise<StoredMessage> =>
  nthAnnouncement({ ticks, standin, posted, requests: postRequests }, n, since)

function buttons(msg: StoredMessage) {
  return msg.components.flatMap((row: any) => row.components.map((b: any) => [b.label, b.custom_id, b.type]))
}

describe('reminders on Discord', () => {
  test('the garage, its car and items are set up through the bot', async () => {
    const settings = await run('garage', 'settings', {
      units: 'imperial',
      timezone: 'America/Chicago',
      reminder_channel: { channel: REMINDERS },
      reminder_hour: 9,
    })
    expect(settings).toContain(`in <#${REMINDERS}> after 09:00`)
    expect(await run('car', 'add', { nickname: 'corolla', odometer: '48,000 mi' })).toContain('corolla')
    expect(
      await run('item', 'add', { car: 'corolla', name: 'Oil change', months: 6, last_date: '2025-11-06' }),
    ).toContain('Added Oil change to corolla')
    expect(
      await run('item', 'add', { car: 'corolla', name: 'Cabin filter', months: 12, last_date: '2025-06-20' }),
    ).toContain('Added Cabin filter to corolla')
    // Nothing is urgent yet: ticks run and post nothing.
    const quiet = await ticks.wait(2, Date.now())
    expect(quiet.map((t) => t.posted)).toEqual([0, 0])
    expect(posted()).toHaveLength(0)
  }, 12_000)

  test('urgent before the reminder hour: nothing; after it: one post with Done / Snooze 7 days / Log service; Done moves the item on', async () => {
    // 2026-04-10 08:00 in Chicago: the oil change (due 2026-05-06) is urgent, but it is before 9.
    const early = clock.move('2026-04-10T13:00:00Z')
    const before = await ticks.wait(2, early)
    expect(before.map((t) => t.posted)).toEqual([0, 0])
    expect(posted()).toHaveLength(0)

    const at10 = clock.move('2026-04-10T15:00:00Z')
    const msg = await announcement(1, at10)
    expect(msg.author.id).toBe(standin.applicationId)
    expect(msg.embeds).toHaveLength(1)
    expect(msg.embeds[0].title).toBe('Oil change on corolla is urgent')
    expect(msg.embeds[0].description).toContain('2026-05-06')
    const oil = await item('Oil change')
    expect(buttons(msg)).toEqual([
      ['Done', `item.done:${oil.id}`, 2],
      ['Snooze 7 days', `item.snooze:${oil.id}`, 2],
      ['Log service', `form:log_service:${oil.id}`, 2],
      ["I'll do it", expect.stringMatching(/^item\.take:\d+$/), 2],
    ])

    const press = standin.pressButton(GUILD, `item.done:${oil.id}`, { message: msg })
    const initial = await standin.waitFor(() => press.initial, 3_000, 'deferral of Done')
    expect(initial.type).toBe(5)
    const done = textOf(await answer(press))
    expect(done).toContain('Oil change on corolla: done')
    expect(done).toContain('Alice marked it done on 2026-04-10 at 48,000 mi')
    expect(done).toContain('2026-10-10')

    const moved = await item('Oil change')
    expect(moved).toMatchObject({ last_date: '2026-04-10', due_date: '2026-10-10', level: 'not_urgent' })
    expect((await records()).map((r) => [r.title, r.date, r.odometer])).toContainEqual([
      'Oil change',
      '2026-04-10',
      '48,000 mi',
    ])
    const list = await run('item', 'list', { car: 'corolla' })
    expect(list).toContain('Oil change')
    expect(list).toContain('2026-10-10')
    // Done posted nothing in the reminder channel.
    await ticks.wait(1, Date.now())
    expect(posted()).toHaveLength(1)
  }, 12_000)

  test('Snooze names its date and hides the item until then', async () => {
    // 2026-05-25 10:00: the cabin filter (due 2026-06-20) becomes urgent.
    const since = clock.move('2026-05-25T15:00:00Z')
    const msg = await announcement(2, since)
    const cabin = await item('Cabin filter')
    expect(msg.embeds[0].title).toBe('Cabin filter on corolla is urgent')
    expect(buttons(msg).map((b) => b[1])).toEqual([
      `item.done:${cabin.id}`,
      `item.snooze:${cabin.id}`,
      `form:log_service:${cabin.id}`,
      expect.stringMatching(/^item\.take:\d+$/),
    ])

    const press = standin.pressButton(GUILD, `item.snooze:${cabin.id}`, { message: msg })
    expect((await standin.waitFor(() => press.initial, 3_000, 'deferral of Snooze')).type).toBe(5)
    expect(textOf(await answer(press))).toContain(
      'Cabin filter on corolla is snoozed until 2026-06-01; it will be reminded again then if still due.',
    )
    expect((await item('Cabin filter')).snoozed_until).toBe('2026-06-01')
  }, 12_000)

  test('after the snooze it comes back once, very urgent; Log service opens the modal and its submit logs the record', async () => {
    // 2026-05-31: still snoozed (and only urgent): nothing.
    const snoozed = clock.move('2026-05-31T15:00:00Z')
    expect((await ticks.wait(2, snoozed)).map((t) => t.posted)).toEqual([0, 0])
    expect(posted()).toHaveLength(2)

    // 2026-06-15 10:00: five days left, very urgent, the snooze is over.
    const since = clock.move('2026-06-15T15:00:00Z')
    const msg = await announcement(3, since)
    expect(msg.embeds[0].title).toBe('Cabin filter on corolla is very urgent')
    const cabin = await item('Cabin filter')
    const open = standin.pressButton(GUILD, `form:log_service:${cabin.id}`, { message: msg })
    const modal = await standin.waitFor(() => open.initial, 3_000, 'the modal')
    expect(modal.type).toBe(9)
    expect(modal.data.custom_id).toBe(`form:log_service:${cabin.id}`)
    expect(modal.data.title).toBe('Log service')
    expect(modal.data.components.map((row: any) => row.components[0].custom_id)).toEqual([
      'cost',
      'odometer',
      'date',
    ])

    const submit = standin.submitModal(
      GUILD,
      modal.data.custom_id,
      { cost: '89.90', odometer: '48,500 mi', date: '' },
      { channelId: REMINDERS },
    )
    const logged = textOf(await answer(submit))
    expect(logged).toContain('Logged Cabin filter on corolla')
    expect(logged).toContain('at 48,500 mi for $89.90')

    const record = (await records()).find((r) => r.title === 'Cabin filter' && r.date === '2026-06-15')
    expect(record).toMatchObject({ cost: '$89.90', cost_minor: 8990, odometer: '48,500 mi' })
    expect(await item('Cabin filter')).toMatchObject({ last_date: '2026-06-15', level: 'not_urgent' })

    // Nothing more is posted: three announcements in all, each once.
    const end = Date.now()
    expect((await ticks.wait(2, end)).map((t) => t.posted)).toEqual([0, 0])
    expect(posted().map((m) => m.embeds[0].title)).toEqual([
      'Oil change on corolla is urgent',
      'Cabin filter on corolla is urgent',
      'Cabin filter on corolla is very urgent',
    ])
    expect(postRequests()).toHaveLength(3)
  }, 12_000)
})
