/**
 * /garage import on Slack: a slash command cannot carry a file, so the app says how to import
 * instead (Discord, or the terminal chat with a path), privately, and dispatches nothing.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { type SlackStandin, startStandin } from '../../test/slack-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type RunningSlack, startSlack } from './index.ts'

let standin: SlackStandin
let stack: Stack
let slack: RunningSlack

beforeAll(async () => {
  standin = startStandin()
  stack = await startStack({ services: ['items'] })
  const config = parseConfig({
    REDIS_URL: stack.config.REDIS_URL,
    QUEUE_PREFIX: stack.prefix,
    SERVICE_TOKEN: stack.token,
    SLACK_BOT_TOKEN: standin.botToken,
    SLACK_SIGNING_SECRET: standin.signingSecret,
    SLACK_API_URL: standin.apiUrl,
  })
  slack = await startSlack(config, silentLogger, { port: 0 })
})
afterAll(async () => {
  await slack?.close()
  await stack?.close()
  await standin?.close()
})

test('/garage import says how to import from elsewhere, privately, and dispatches nothing', async () => {
  const sent = await standin.sendCommand(`http://127.0.0.1:${slack.port}/slack/events`, {
    command: '/garage',
    text: 'import map:"Civic=new"',
    teamId: 'TI0001',
    channelId: 'C0IMPORT',
  })
  expect(sent.status).toBe(200)
  expect((JSON.parse(sent.body) as { text: string }).text).toBe(
    "/garage import needs a file, and Slack's slash commands cannot carry one: run it from Discord, or from the terminal chat with a path (/garage import file:./export.csv).",
  )
  await Bun.sleep(200)
  expect(standin.channelMessages('C0IMPORT')).toEqual([])
})
