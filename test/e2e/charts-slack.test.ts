/**
 * `/car chart` on Slack, end to end through the real Bolt app and the stand-in: the answer is
 * posted in the channel with its key numbers, and the chart is uploaded (getUploadURLExternal →
 * upload → completeUploadExternal) into the same channel; the uploaded bytes are a real PNG.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type RunningSlack, startSlack } from '../../bots/slack/index.ts'
import { parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { pngFacts } from '../../services/reports/testing.ts'
import { type SlackStandin, startStandin } from '../slack-standin/standin.ts'
import { type Stack, startStack } from '../stack.ts'

const TEAM = 'T0CHARTS'
const GARAGE = 'C0CHARTS'
const ADMIN = 'U0CHARTS'

let standin: SlackStandin
let stack: Stack
let slack: RunningSlack
let appUrl: string

beforeAll(async () => {
  standin = startStandin({ teamId: TEAM })
  standin.users.set(ADMIN, { admin: true, owner: false })
  stack = await startStack({ services: ['items', 'calculator', 'images', 'reports'], now: () => new Date('2026-06-15T12:00:00Z') })
  const config = parseConfig({
    RATE_USER_PER_MINUTE: '0',
    RATE_GARAGE_PER_MINUTE: '0',
    REDIS_URL: stack.config.REDIS_URL,
    QUEUE_PREFIX: stack.prefix,
    SERVICE_TOKEN: stack.token,
    ITEMS_URL: stack.config.ITEMS_URL,
    IMAGES_URL: stack.config.IMAGES_URL,
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
  }
  return parts.join('\n')
}

async function run(command: string, text: string): Promise<string> {
  const seen = new Set(standin.channelMessages(GARAGE).map((m) => m.ts))
  const sent = await standin.sendCommand(appUrl, { command, text, teamId: TEAM, channelId: GARAGE, userId: ADMIN })
  expect(sent.status).toBe(200)
  const body = await standin.waitFor(
    () => standin.responses(sent.responseUrl)[0] ?? standin.channelMessages(GARAGE).find((m) => !seen.has(m.ts) && m.method === 'chat.postMessage'),
    15_000,
    `${command} ${text}`,
  )
  return shown(body)
}

test('/car chart metric:cost posts its figures and uploads the chart into the channel', async () => {
  expect(await run('/garage', 'settings currency:EUR units:metric')).not.toContain('rror')
  expect(await run('/car', 'add golf')).toContain('golf')
  expect(await run('/service', 'log car:golf title:"Inspection" cost:120 date:2026-03-10')).not.toContain('rror')
  expect(await run('/fuel', 'log car:golf volume:"40 L" cost:70 odometer:"12000 km" date:2026-04-02')).not.toContain('rror')
  const text = await run('/car', 'chart golf metric:cost period:6m')
  expect(text).toContain('golf: cost per month')
  expect(text).toContain('€190.00 over 6m')
  expect(text).toContain('golf-cost.png is posted with this answer.')
  const upload = await standin.waitFor(
    () => standin.uploadedFiles().find((f) => f.name === 'golf-cost.png' && f.channels.includes(GARAGE)),
    15_000,
    'the chart upload',
  )
  const png = await pngFacts(upload.bytes)
  expect([png.width, png.height]).toEqual([1200, 600])
  expect(png.inked).toBeGreaterThan(0.01)
  // the chart is shared in the channel, not in anyone's direct messages
  expect(upload.channels).toEqual([GARAGE])
}, 40_000)
