/**
 * A shared car on Slack, end to end through the real Bolt app and the stand-in: an admin makes
 * Bob a driver (a mention), Bob asks for private copies, the reminder posted in the channel
 * mentions him and reaches him by chat.postMessage to his user id (the app's DM), and I'll do it
 * pressed by Bob answers "Taken by bob"; Carol's later press is told Bob has it.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type RunningSlack, startSlack } from '../../bots/slack/index.ts'
import { parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { type PostedMessage, type SlackStandin, startStandin } from '../slack-standin/standin.ts'
import { type Stack, startStack } from '../stack.ts'
import { TestClock } from './reminders.ts'

const TEAM = 'T0SHARED'
const GARAGE = 'C0GARAGE'
const REMINDERS = 'C0REMINDERS'
const ADMIN = 'U0ALICE'
const BOB = 'U0BOB'
const CAROL = 'U0CAROL'

const clock = new TestClock('2026-03-02T16:00:00Z')
let standin: SlackStandin
let stack: Stack
let slack: RunningSlack
let appUrl: string

beforeAll(async () => {
  standin = startStandin({ teamId: TEAM })
  standin.users.set(ADMIN, { admin: true, owner: false })
  standin.users.set(BOB, { admin: false, owner: false })
  standin.users.set(CAROL, { admin: false, owner: false })
  stack = await startStack({ services: ['items'], now: clock.now, env: { REMINDER_EVERY_MS: '200' } })
  const config = parseConfig({
    RATE_USER_PER_MINUTE: '0',
    RATE_GARAGE_PER_MINUTE: '0',
    REDIS_URL: stack.config.REDIS_URL,
    QUEUE_PREFIX: stack.prefix,
    SERVICE_TOKEN: stack.token,
    ITEMS_URL: stack.config.ITEMS_URL,
    SLACK_BOT_TOKEN: standin.botToken,
    SLACK_SIGNING_SECRET: standin.signingSecret,
    SLACK_API_URL: standin.apiUrl,
    SLACK_PORT: '0',
    LOG_LEVEL: 'silent',
  })
  slack = await startSlack(config, silentLogger, { port: 0 })
  appUrl = `http://127.0.0.1:${slack.port}/slack/events`
}, 20_000)

afterAll(async () => {
  await slack?.close()
  await stack?.close()
  await standin?.close()
})

function shown(body: { text?: string; blocks?: any[] }): string {
  const parts = [body.text ?? '']
  for (const b of body.blocks ?? []) {
    if (b.text?.text) parts.push(b.text.text)
    for (const f of b.fields ?? []) parts.push(f.text)
    for (const e of b.elements ?? [])
      if (e.text) parts.push(typeof e.text === 'string' ? e.text : e.text.text)
  }
  return parts.join('\n')
}

const seenIn = (channel: string) => new Set(standin.channelMessages(channel).map((m) => m.ts))
const next = (channel: string, seen: Set<string>, what: string): Promise<PostedMessage> =>
  standin.waitFor(() => standin.channelMessages(channel).find((m) => !seen.has(m.ts)), 8_000, what)

/** A command in the garage channel by `userId`: what the app posted there or, privately, at the response_url. */
async function run(userId: string, command: string, text: string): Promise<string> {
  const seen = seenIn(GARAGE)
  const sent = await standin.sendCommand(appUrl, { command, text, teamId: TEAM, channelId: GARAGE, userId })
  expect(sent.status).toBe(200)
  const body = await standin.waitFor(
    () =>
      standin.responses(sent.responseUrl)[0] ?? standin.channelMessages(GARAGE).find((m) => !seen.has(m.ts)),
    8_000,
    `${command} ${text}`,
  )
  return shown(body)
}

test('drivers are mentioned in the reminder, get it by DM, and I’ll do it says who took it', async () => {
  expect(
    await run(
      ADMIN,
      '/garage',
      `settings timezone:UTC reminder_channel:<#${REMINDERS}|reminders> reminder_hour:9`,
    ),
  ).toContain(REMINDERS)
  await run(ADMIN, '/car', 'add corolla odometer:"48,000 mi"')
  expect(await run(ADMIN, '/car', `drivers corolla add:<@${BOB}|bob>`)).toContain(`<@${BOB}> drives corolla`)
  expect(await run(BOB, '/garage', 'me reminders:dm')).toContain('also sent to you privately')
  const reminders = seenIn(REMINDERS)
  // the item last: the scheduler ticks all along, and its first post must find the driver and his choice
  await run(ADMIN, '/item', 'add car:corolla name:"Oil change" months:6 last_date:2025-09-06')

  const post = await next(REMINDERS, reminders, 'the reminder')
  expect(shown(post)).toContain('Oil change on corolla is very urgent')
  expect(shown(post)).toContain(`Drivers: <@${BOB}>`)
  const copy = await next(BOB, new Set(), 'the private copy')
  expect(copy.method).toBe('chat.postMessage')
  expect(shown(copy)).toContain('Oil change on corolla is very urgent (a car you drive)')

  const take = (post.blocks?.find((b) => b.type === 'actions')?.elements ?? []).find(
    (e: any) => e.text.text === "I'll do it",
  )
  expect(take.action_id).toMatch(/^item\.take:\d+$/)
  const press = async (userId: string, userName: string) => {
    const seen = seenIn(REMINDERS)
    const pressed = await standin.pressButton(appUrl, {
      teamId: TEAM,
      actionId: take.action_id,
      channelId: REMINDERS,
      messageTs: post.ts,
      userId,
      userName,
    })
    expect(pressed.status).toBe(200)
    return shown(
      await standin.waitFor(
        () =>
          standin.responses(pressed.payload.response_url)[0] ??
          standin.channelMessages(REMINDERS).find((m) => !seen.has(m.ts)),
        8_000,
        `the answer to ${userId}'s press`,
      ),
    )
  }
  const bobs = await press(BOB, 'bob')
  expect(bobs).toContain('Taken by bob')
  expect(bobs).toContain('bob will do Oil change on corolla.')
  expect(await press(CAROL, 'carol')).toContain('bob already took Oil change on corolla; nothing changed.')
}, 30_000)
