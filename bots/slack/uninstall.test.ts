/**
 * A Slack workspace that uninstalls the app: the real Bolt app gets `app_uninstalled` (or
 * `tokens_revoked` with bot tokens) from the stand-in and the garage is marked leaving in the
 * items service; a slash command from that workspace afterwards (the app is back) clears the
 * mark and keeps the garage. A user token revoked alone marks nothing; another workspace is untouched.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { type SlackStandin, startStandin } from '../../test/slack-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { startSlack } from './index.ts'

const TEAM = 'T0LEAVE1'
const OTHER = 'T0STAY01'

let standin: SlackStandin
let stack: Stack
let slack: Awaited<ReturnType<typeof startSlack>>
let appUrl: string

beforeAll(async () => {
  standin = startStandin()
  stack = await startStack({ services: ['items'] })
  const config = parseConfig({
    RATE_USER_PER_MINUTE: '0',
    RATE_GARAGE_PER_MINUTE: '0',
    REDIS_URL: stack.config.REDIS_URL,
    QUEUE_PREFIX: stack.prefix,
    SERVICE_TOKEN: stack.token,
    ITEMS_URL: stack.url('items'),
    SLACK_BOT_TOKEN: standin.botToken,
    SLACK_SIGNING_SECRET: standin.signingSecret,
    SLACK_API_URL: standin.apiUrl,
    SLACK_PORT: '0',
    LOG_LEVEL: 'silent',
  })
  slack = await startSlack(config, silentLogger, { port: 0 })
  appUrl = `http://127.0.0.1:${slack.port}/slack/events`
}, 30_000)

afterAll(async () => {
  await slack?.close()
  await stack?.close()
  await standin?.close()
})

async function leaving(team: string): Promise<{ since: string | null; reason: string | null }> {
  const res = await fetch(`${stack.url('items')}/tenant/leaving`, { headers: stack.headers(`slack:${team}`) })
  return (await res.json()) as { since: string | null; reason: string | null }
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const end = performance.now() + 5_000
  for (;;) {
    const v = await read()
    if (ok(v)) return v
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(25)
  }
}

/** An event of the workspace as Slack sends it (`event_callback`). */
function event(team: string, e: Record<string, unknown>) {
  const body = standin.messageEvent({ teamId: team, channel: 'C0LEAVE', user: 'U0LEAVE', text: '' })
  return { ...body, event: { ...e, event_ts: body.event.event_ts } }
}

test('uninstalled: marked leaving; a user token revoked alone: nothing; a command from the workspace: the mark is cleared', async () => {
  await standin.sendEvent(appUrl, event(TEAM, { type: 'tokens_revoked', tokens: { oauth: ['U0LEAVE'] } }))
  await Bun.sleep(200)
  expect((await leaving(TEAM)).since).toBeNull()

  const sent = await standin.sendEvent(appUrl, event(TEAM, { type: 'app_uninstalled' }))
  expect(sent.status).toBe(200)
  const marked = await until(
    () => leaving(TEAM),
    (l) => l.since !== null,
    'the leaving mark',
  )
  expect(marked.reason).toBe('uninstalled from the Slack workspace')
  expect((await leaving(OTHER)).since).toBeNull()

  await standin.sendCommand(appUrl, {
    command: '/garage',
    text: 'help',
    teamId: TEAM,
    userId: 'U0LEAVE',
    channelId: 'C0LEAVE',
  })
  await until(
    () => leaving(TEAM),
    (l) => l.since === null,
    'the mark cleared',
  )
}, 20_000)
