/**
 * A shared car on Discord, end to end through the real discord.js bot and the stand-in: a
 * manager makes Bob a driver (a mention), Bob asks for private copies (the worker opens the bot's
 * DM with him), the reminder posted in the channel mentions him and reaches his DM too, and
 * pressing I'll do it answers "Taken by Bob"; Carol's later press is told Bob has it.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { REST } from 'discord.js'
import { type DiscordBot, startDiscordBot } from '../../bots/discord/bot.ts'
import { deployCommands } from '../../bots/discord/deploy.ts'
import { silentLogger } from '../../lib/log.ts'
import { type DiscordStandin, type InteractionRecord, startStandin } from '../discord-standin/standin.ts'
import { type Stack, startStack } from '../stack.ts'
import { TestClock } from './reminders.ts'

const GUILD = '1200000000000000061'
const GARAGE = '1300000000000000061'
const REMINDERS = '1300000000000000062'
const ALICE = '1400000000000000001' // the guild's owner: a manager
const BOB = '1400000000000000062'
const CAROL = '1400000000000000063'

const clock = new TestClock('2026-03-02T16:00:00Z')
let standin: DiscordStandin
let stack: Stack
let bot: DiscordBot

beforeAll(async () => {
  standin = startStandin({
    guilds: [
      {
        id: GUILD,
        name: 'Family garage',
        channels: [
          { id: GARAGE, name: 'garage' },
          { id: REMINDERS, name: 'reminders' },
        ],
      },
    ],
    users: [
      { id: ALICE, username: 'alice', global_name: 'Alice' },
      { id: BOB, username: 'bob', global_name: 'Bob' },
      { id: CAROL, username: 'carol', global_name: 'Carol' },
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
  await deployCommands({
    rest: new REST({ api: standin.apiUrl }).setToken(standin.token),
    applicationId: standin.applicationId,
  })
  bot = await startDiscordBot({ config: stack.config, token: standin.token, log: silentLogger })
}, 20_000)

afterAll(async () => {
  await bot?.close()
  await stack?.close()
  await standin?.close()
})

const textOf = (m: { content: string; embeds: any[] }) => `${m.content}\n${JSON.stringify(m.embeds)}`

function answer(rec: InteractionRecord) {
  return standin.waitFor(
    () => rec.followups[0] ?? (rec.originalEdits > 0 ? rec.original : undefined),
    8_000,
    `answer to ${rec.id}`,
  )
}

async function run(
  userId: string,
  name: string,
  sub: string,
  options: Parameters<DiscordStandin['sendCommand']>[3],
) {
  return textOf(await answer(standin.sendCommand(GUILD, name, sub, options, { channelId: GARAGE, userId })))
}

test('drivers are mentioned in the reminder, get it privately, and I’ll do it says who took it', async () => {
  expect(
    await run(ALICE, 'garage', 'settings', {
      timezone: 'UTC',
      reminder_channel: { channel: REMINDERS },
      reminder_hour: 9,
    }),
  ).toContain(`in <#${REMINDERS}>`)
  await run(ALICE, 'car', 'add', { nickname: 'corolla', odometer: '48,000 mi' })
  expect(await run(ALICE, 'car', 'drivers', { car: 'corolla', add: `<@${BOB}>` })).toContain(
    `<@${BOB}> drives corolla`,
  )
  // Bob is a driver of the garage (no Manage Server): he may not add Carol
  expect(await run(BOB, 'car', 'drivers', { car: 'corolla', add: `<@${CAROL}>` })).toContain(
    'needs a manager',
  )
  expect(await run(BOB, 'garage', 'me', { reminders: 'dm' })).toContain('also sent to you privately')
  const dm = standin.dmChannels.get(BOB)
  expect(dm).toBeDefined()
  // the item last: the scheduler ticks all along, and its first post must find the driver and his choice
  await run(ALICE, 'item', 'add', { car: 'corolla', name: 'Oil change', months: 6, last_date: '2025-09-06' })

  // 2026-03-02 16:00 UTC, past the hour: the oil change (due 2026-03-06) is very urgent
  const post = await standin.waitFor(() => standin.channelMessages(REMINDERS)[0], 8_000, 'the reminder')
  expect(post.embeds[0].title).toBe('Oil change on corolla is very urgent')
  expect(post.embeds[0].description).toContain(`Drivers: <@${BOB}>`)
  // a mention in an embed notifies no one: the driver is pinged in the content, and only he
  expect(post.content).toBe(`<@${BOB}>`)
  expect(post.mentions.map((u: { id: string }) => u.id)).toEqual([BOB])
  const copy = await standin.waitFor(() => standin.channelMessages(dm!)[0], 8_000, 'the private copy')
  expect(copy.embeds[0].title).toBe('Oil change on corolla is very urgent (a car you drive)')
  expect(standin.channelMessages(REMINDERS)).toHaveLength(1)

  const take = post.components
    .flatMap((row: any) => row.components)
    .find((b: any) => b.label === "I'll do it")
  expect(take.custom_id).toMatch(/^item\.take:\d+$/)
  const bobs = textOf(
    await answer(standin.pressButton(GUILD, take.custom_id, { message: post, userId: BOB })),
  )
  expect(bobs).toContain('Taken by Bob')
  expect(bobs).toContain('Bob will do Oil change on corolla.')
  const carols = textOf(
    await answer(standin.pressButton(GUILD, take.custom_id, { message: post, userId: CAROL })),
  )
  expect(carols).toContain('Bob already took Oil change on corolla; nothing changed.')
}, 30_000)
