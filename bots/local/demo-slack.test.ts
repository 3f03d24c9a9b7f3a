/** Which settings make `bun run demo` start the Slack app: a bot token, or OAuth installs without one. */
import { expect, test } from 'bun:test'
import { parseConfig } from '../../lib/config.ts'
import { slackNeeds } from './demo.ts'

const missing = (env: Record<string, string>) => {
  const config = parseConfig({ LOG_LEVEL: 'silent', ...env })
  return slackNeeds(config).filter((s) => !config[s])
}
const OAUTH = {
  SLACK_CLIENT_ID: '123.456',
  SLACK_CLIENT_SECRET: 'client-secret-0123456789',
  SLACK_STATE_SECRET: 'state-secret-0123456789abcdef',
  SLACK_TOKEN_KEY: Buffer.alloc(32, 7).toString('base64'),
}

test('a bot token and a signing secret start it, as before; Socket Mode needs no signing secret', () => {
  expect(missing({})).toEqual(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'])
  expect(missing({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' })).toEqual([])
  expect(missing({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toEqual([])
})

test('OAuth installs start it without SLACK_BOT_TOKEN; a part of them names the rest', () => {
  expect(missing({ ...OAUTH, SLACK_SIGNING_SECRET: 's' })).toEqual([])
  expect(missing({ ...OAUTH, SLACK_APP_TOKEN: 'xapp-1' })).toEqual([])
  expect(missing({ SLACK_CLIENT_ID: '123.456', SLACK_SIGNING_SECRET: 's' })).toEqual([
    'SLACK_CLIENT_SECRET',
    'SLACK_STATE_SECRET',
    'SLACK_TOKEN_KEY',
  ])
  // with a bot token too, OAuth's settings are still all needed (the app refuses a part of them)
  expect(
    missing({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_STATE_SECRET: 'x'.repeat(32), SLACK_SIGNING_SECRET: 's' }),
  ).toEqual(['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_TOKEN_KEY'])
})
