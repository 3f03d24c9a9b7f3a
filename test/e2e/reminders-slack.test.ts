/**
 * Issue 5, end to end on Slack: a workspace sets its reminder channel and hour, adds a car and
 * items through the real Bolt app (signed slash commands from the Slack stand-in), the injected
 * clock moves, and the real reminder scheduler started by the orchestrator posts the
 * announcement with chat.postMessage, with its buttons; the buttons are pressed on that message.
 * The app answers commands and presses with chat.postMessage in their channel, so the answers to
 * presses share the reminders channel with the announcements and are told apart by their ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type RunningSlack, startSlack } from '../../bots/slack/index.ts'
import { parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { type PostedMessage, type SlackStandin, startStandin } from '../slack-standin/standin.ts'
import { type Stack, startStack } from '../stack.ts'
import { itemNamed, nthAnnouncement, recordsOf, TestClock } from './reminders.ts'
import { Ticks } from './ticks.ts'

const TEAM = 'T0REMIND'
const GARAGE = 'C0GARAGE'
const REMINDERS = 'C0REMINDERS'
const TENANT = `slack:${TEAM}`

const clock = new TestClock('2026-03-02T07:00:00Z') // 08:00 in Berlin
let standin: SlackStandin
let stack: Stack
let slack: RunningSlack
let appUrl: string
let ticks: Ticks

beforeAll(async () => {
  standin = startStandin({ teamId: TEAM })
  stack = await startStack({ services: ['items'], now: clock.now, env: { REMINDER_EVERY_MS: '200' } })
  ticks = new Ticks(stack.config.REDIS_URL!, stack.prefix)
  const config = parseConfig({
    // Commands come faster than a person sends them; the limits have their own tests.
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
  await ticks?.close()
  await stack?.close()
  await standin?.close()
})

/** Everything a user reads in a message: the fallback text and the block texts. */
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

/** Waits for the app's next chat.postMessage in `channel`: one whose ts is not in `seen`. */
function nextPost(channel: string, seen: Set<string>, what: string): Promise<PostedMessage> {
  return standin.waitFor(
    () => standin.channelMessages(channel).find((m) => m.method === 'chat.postMessage' && !seen.has(m.ts)),
    8_000,
    what,
  )
}

const tsIn = (channel: string) => new Set(standin.channelMessages(channel).map((m) => m.ts))

/**
 * Runs a command in the garage channel; answers what the app posted there in reply, or, for a
 * private answer (`privately`), what it posted as ephemeral at the command's response_url.
 */
async function run(command: string, text: string, privately = false): Promise<string> {
  const seen = tsIn(GARAGE)
  const sent = await standin.sendCommand(appUrl, { command, text, teamId: TEAM, channelId: GARAGE })
  expect(sent.status).toBe(200)
  if (privately) {
    const body = await standin.waitFor(
      () => standin.responses(sent.responseUrl)[0],
      8_000,
      `${command} ${text}`,
    )
    expect(body.response_type).toBe('ephemeral')
    expect(standin.channelMessages(GARAGE).filter((m) => !seen.has(m.ts))).toEqual([])
    return shown(body)
  }
  const body = await nextPost(GARAGE, seen, `${command} ${text}`)
  expect(body.thread_ts).toBeUndefined()
  expect(standin.responses(sent.responseUrl)).toEqual([])
  return shown(body)
}

/** The app's answers to presses, posted in the reminders channel: ts and the text it sent. */
const answers = new Set<string>()
const answerTexts = new Set<string>()
/** The reminders channel's announcements (not the answers to presses). */
const posted = () => standin.channelMessages(REMINDERS).filter((m) => !answers.has(m.ts))
const postCalls = () =>
  standin
    .calls('chat.postMessage')
    .filter((c) => c.body.channel === REMINDERS && !answerTexts.has(String(c.body.text)))

const item = (name: string) => itemNamed(stack, TENANT, 'corolla', name)
const records = () => recordsOf(stack, TENANT, 'corolla')
const announcement = (n: number, since: number): Promise<PostedMessage> =>
  nthAnnouncement({ ticks, standin, posted, requests: postCalls }, n, since)

const header = (m: PostedMessage) => m.blocks?.find((b) => b.type === 'header')?.text.text
const buttons = (m: PostedMessage) =>
  (m.blocks?.find((b) => b.type === 'actions')?.elements ?? []).map((e: any) => [
    e.text.text,
    e.action_id,
    e.type,
  ])

/**
 * A user presses a button of a posted reminder; `answer()` waits for what the app then posts in
 * the reminders channel (not at the press's response_url) and sets it apart from the announcements.
 */
async function press(msg: PostedMessage, actionId: string) {
  const seen = tsIn(REMINDERS)
  const pressed = await standin.pressButton(appUrl, {
    teamId: TEAM,
    actionId,
    channelId: REMINDERS,
    messageTs: msg.ts,
    userId: 'U0ALICE',
  })
  expect(pressed.status).toBe(200)
  expect(pressed.ms).toBeLessThan(3_000)
  const answer = async (what: string) => {
    const reply = await nextPost(REMINDERS, seen, what)
    answers.add(reply.ts)
    answerTexts.add(String(reply.text))
    expect(reply.thread_ts).toBeUndefined()
    expect(standin.responses(pressed.payload.response_url)).toEqual([])
    return reply
  }
  return { ...pressed, answer }
}

describe('reminders on Slack', () => {
  test('the garage, its car and items are set up through the app', async () => {
    const settings = await run(
      '/garage',
      `settings units:imperial timezone:Europe/Berlin reminder_channel:<#${REMINDERS}|reminders> reminder_hour:9`,
      true,
    )
    expect(settings).toContain(REMINDERS)
    expect(settings).toContain('after 09:00')
    const stored = await fetch(`${stack.url('items')}/settings`, { headers: stack.headers(TENANT) })
    expect(await stored.json()).toMatchObject({
      reminder_channel: REMINDERS,
      reminder_hour: 9,
      timezone: 'Europe/Berlin',
    })

    expect(await run('/car', 'add corolla odometer:"48,000 mi"')).toContain('corolla')
    expect(await run('/item', 'add car:corolla name:"Oil change" months:6 last_date:2025-11-06')).toContain(
      'Added Oil change to corolla',
    )
    expect(
      await run('/item', 'add car:corolla name:"Cabin filter" months:12 last_date:2025-06-20'),
    ).toContain('Added Cabin filter to corolla')
    const quiet = await ticks.wait(2, Date.now())
    expect(quiet.map((t) => t.posted)).toEqual([0, 0])
    expect(posted()).toHaveLength(0)
  }, 12_000)

  test('urgent before the reminder hour: nothing; after it: one chat.postMessage with Done / Snooze 7 days / Log service; Done moves the item on', async () => {
    // 2026-04-10 08:00 in Berlin: the oil change (due 2026-05-06) is urgent, but it is before 9.
    const early = clock.move('2026-04-10T06:00:00Z')
    expect((await ticks.wait(2, early)).map((t) => t.posted)).toEqual([0, 0])
    expect(posted()).toHaveLength(0)

    const at10 = clock.move('2026-04-10T08:00:00Z')
    const msg = await announcement(1, at10)
    expect(msg.method).toBe('chat.postMessage')
    expect(msg.thread_ts).toBeUndefined()
    expect(header(msg)).toBe('Oil change on corolla is urgent')
    expect(shown(msg)).toContain('2026-05-06')
    const oil = await item('Oil change')
    expect(buttons(msg)).toEqual([
      ['Done', `item.done:${oil.id}`, 'button'],
      ['Snooze 7 days', `item.snooze:${oil.id}`, 'button'],
      ['Log service', `form:log_service:${oil.id}`, 'button'],
      ["I'll do it", expect.stringMatching(/^item\.take:\d+$/), 'button'],
    ])

    const done = await press(msg, `item.done:${oil.id}`)
    const reply = shown(await done.answer('the Done reply'))
    expect(reply).toContain('Oil change on corolla: done')
    expect(reply).toContain('marked it done on 2026-04-10 at 48,000 mi')
    expect(reply).toContain('2026-10-10')

    expect(await item('Oil change')).toMatchObject({
      last_date: '2026-04-10',
      due_date: '2026-10-10',
      level: 'not_urgent',
    })
    expect((await records()).map((r) => [r.title, r.date, r.odometer])).toContainEqual([
      'Oil change',
      '2026-04-10',
      '48,000 mi',
    ])
    const list = await run('/item', 'list car:corolla')
    expect(list).toContain('Oil change')
    expect(list).toContain('2026-10-10')
    await ticks.wait(1, Date.now())
    expect(posted()).toHaveLength(1)
  }, 12_000)

  test('Snooze names its date and hides the item until then', async () => {
    const since = clock.move('2026-05-25T08:00:00Z')
    const msg = await announcement(2, since)
    expect(header(msg)).toBe('Cabin filter on corolla is urgent')
    const cabin = await item('Cabin filter')
    const snooze = await press(msg, `item.snooze:${cabin.id}`)
    const reply = await snooze.answer('the Snooze reply')
    expect(shown(reply)).toContain(
      'Cabin filter on corolla is snoozed until 2026-06-01; it will be reminded again then if still due.',
    )
    expect((await item('Cabin filter')).snoozed_until).toBe('2026-06-01')
  }, 12_000)

  test('after the snooze it comes back once, very urgent; Log service opens the modal and its submit logs the record', async () => {
    const snoozed = clock.move('2026-05-31T08:00:00Z')
    expect((await ticks.wait(2, snoozed)).map((t) => t.posted)).toEqual([0, 0])
    expect(posted()).toHaveLength(2)

    const since = clock.move('2026-06-15T08:00:00Z')
    const msg = await announcement(3, since)
    expect(header(msg)).toBe('Cabin filter on corolla is very urgent')
    const cabin = await item('Cabin filter')
    const open = await press(msg, `form:log_service:${cabin.id}`)
    const opened = await standin.waitFor(
      () => standin.views.find((v) => v.trigger_id === open.payload.trigger_id),
      3_000,
      'views.open',
    )
    expect(opened.view.type).toBe('modal')
    expect(opened.view.title.text).toBe('Log service')
    expect(opened.view.blocks.map((b: any) => b.block_id)).toEqual(['cost', 'odometer', 'date'])

    const submitted = await standin.submitView(appUrl, {
      teamId: TEAM,
      view: opened.view,
      values: { cost: '89.90', odometer: '48,500 mi' },
    })
    expect(submitted.status).toBe(200)
    expect(submitted.body).toBe('')
    const logged = shown(await open.answer('the Log service reply'))
    expect(logged).toContain('Logged Cabin filter on corolla')
    expect(logged).toContain('at 48,500 mi for $89.90')

    const record = (await records()).find((r) => r.title === 'Cabin filter' && r.date === '2026-06-15')
    expect(record).toMatchObject({ cost: '$89.90', cost_minor: 8990, odometer: '48,500 mi' })
    expect(await item('Cabin filter')).toMatchObject({ last_date: '2026-06-15', level: 'not_urgent' })

    expect((await ticks.wait(2, Date.now())).map((t) => t.posted)).toEqual([0, 0])
    expect(posted().map(header)).toEqual([
      'Oil change on corolla is urgent',
      'Cabin filter on corolla is urgent',
      'Cabin filter on corolla is very urgent',
    ])
    expect(postCalls()).toHaveLength(3)
  }, 12_000)
})
