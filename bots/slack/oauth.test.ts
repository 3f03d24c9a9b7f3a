/**
 * Many workspaces: the real Bolt app with OAuth installs on, against the Slack stand-in. The
 * first workspace is SLACK_BOT_TOKEN's; a second installs the app through /slack/install →
 * Slack's authorize page → /slack/oauth_redirect, and each workspace's commands are answered
 * with its own bot token (the stand-in records the token of every call). The installed token
 * is not in the SQLite file in plain text; a photo dropped in the second workspace is downloaded
 * by the app with that workspace's token (the worker has none) and filed; a forged state installs
 * nothing; uninstalling deletes the installation.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { type SlackStandin, startStandin } from '../../test/slack-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type RunningSlack, startSlack } from './index.ts'

const FIRST = 'T0FIRST1'
const SECOND = 'T0SECOND'
const FORGED = 'T0FORGED'

let standin: SlackStandin
let stack: Stack
let slack: RunningSlack
let dataDir: string
let base: string

beforeAll(async () => {
  standin = startStandin({ teamId: FIRST })
  // The worker has no Slack token at all: a workspace's files are downloaded by the app.
  stack = await startStack({ services: ['items', 'images', 'issues'] })
  dataDir = mkdtempSync(join(tmpdir(), 'cm-slack-oauth-'))
  const config = parseConfig({
    RATE_USER_PER_MINUTE: '0',
    RATE_GARAGE_PER_MINUTE: '0',
    REDIS_URL: stack.config.REDIS_URL,
    QUEUE_PREFIX: stack.prefix,
    SERVICE_TOKEN: stack.token,
    ITEMS_URL: stack.config.ITEMS_URL,
    IMAGES_URL: stack.config.IMAGES_URL,
    DATA_DIR: dataDir,
    SLACK_BOT_TOKEN: standin.botToken,
    SLACK_SIGNING_SECRET: standin.signingSecret,
    SLACK_CLIENT_ID: standin.clientId,
    SLACK_CLIENT_SECRET: standin.clientSecret,
    SLACK_STATE_SECRET: randomBytes(24).toString('hex'),
    SLACK_TOKEN_KEY: randomBytes(32).toString('base64'),
    SLACK_API_URL: standin.apiUrl,
    SLACK_FILE_HOSTS: standin.fileHost,
    SLACK_PORT: '0',
    LOG_LEVEL: 'silent',
  })
  slack = await startSlack(config, silentLogger, { port: 0 })
  base = `http://127.0.0.1:${slack.port}`
}, 30_000)

afterAll(async () => {
  await slack?.close()
  await stack?.close()
  await standin?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

/** The installer opens /slack/install: where it is sent and the state cookie it gets. */
async function openInstall(): Promise<{ authorize: string; cookie: string }> {
  const res = await fetch(`${base}/slack/install`, { redirect: 'manual' })
  await res.body?.cancel()
  expect(res.status).toBe(302)
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  expect(cookie).toContain('=')
  return { authorize: res.headers.get('location') ?? '', cookie }
}

/** Workspaces in the app's installation table. */
function installedWorkspaces(): string[] {
  const db = new Database(join(dataDir, 'slack.sqlite'), { readonly: true })
  try {
    return (
      db.query('SELECT workspace FROM installations ORDER BY workspace').all() as { workspace: string }[]
    ).map((r) => r.workspace)
  } finally {
    db.close()
  }
}

/** A command from a workspace's channel; the chat.postMessage answering it. */
async function commandAnswered(team: string, channel: string) {
  const sent = await standin.sendCommand(`${base}/slack/events`, {
    command: '/car',
    text: `add ${channel.toLowerCase()} make:Toyota model:Corolla year:2018`,
    teamId: team,
    userId: `U${team.slice(1)}`,
    channelId: channel,
  })
  expect(sent.status).toBe(200)
  await standin.waitFor(
    () => standin.channelMessages(channel).find((m) => m.method === 'chat.postMessage'),
    10_000,
    `the answer in ${channel}`,
  )
  const posts = standin.calls('chat.postMessage').filter((c) => c.body?.channel === channel)
  expect(posts).toHaveLength(1)
  return posts[0]!
}

test('a second workspace installs the app; each workspace is answered with its own token', async () => {
  const { authorize, cookie } = await openInstall()
  expect(new URL(authorize).origin).toBe(standin.url)
  const back = standin.approveInstall(authorize, SECOND, `${base}/slack/oauth_redirect`)
  const done = await fetch(back, { headers: { cookie }, redirect: 'manual' })
  await done.body?.cancel()
  expect(done.status).toBe(200)
  const [token] = standin.installedTokens(SECOND)
  expect(token).toStartWith('xoxb-')
  expect(installedWorkspaces()).toContain(SECOND)

  const second = await commandAnswered(SECOND, 'C0SECOND')
  expect(second.token).toBe(token)
  expect(second.team).toBe(SECOND)
  const first = await commandAnswered(FIRST, 'C0FIRST1')
  expect(first.token).toBe(standin.botToken)
  expect(first.team).toBe(FIRST)
  // Every Web API call about a workspace (users.info for its member's role too) used its token.
  for (const call of standin.calls('users.info'))
    expect(call.team).toBe(call.body?.user === `U${SECOND.slice(1)}` ? SECOND : FIRST)
  expect(standin.calls('users.info').some((c) => c.team === SECOND)).toBe(true)

  // Not in the file in plain text (the database, nor its write-ahead log).
  for (const file of ['slack.sqlite', 'slack.sqlite-wal'].map((f) => join(dataDir, f)).filter(existsSync)) {
    const bytes = readFileSync(file).toString('latin1')
    expect(bytes).not.toContain(token!)
    expect(bytes).not.toContain(standin.botToken)
  }
}, 30_000)

test("a photo dropped in the second workspace is downloaded with that workspace's token and filed", async () => {
  const [token] = standin.installedTokens(SECOND)
  expect(token).toBeDefined()
  expect(stack.config.SLACK_BOT_TOKEN).toBeUndefined()
  // The stand-in's file host serves this file to the second workspace's token only.
  const file = standin.addFile({
    name: 'dash.jpg',
    bytes: await makeJpeg(320, 240, { seed: 3 }),
    mimetype: 'image/jpeg',
    teamId: SECOND,
    token,
  })
  const drop = await standin.dropPhoto(`${base}/slack/events`, {
    teamId: SECOND,
    channel: 'C0SECOND',
    user: 'U0SECOND',
    text: 'c0second dashboard light',
    files: [file],
  })
  expect(drop.status).toBe(200)
  const answer = await standin.waitFor(
    () => standin.channelMessages('C0SECOND', drop.ts)[0],
    15_000,
    'the answer in the thread',
  )
  expect(answer.text).toContain('c0second')
  const fetches = standin.requests.filter((r) => r.path.startsWith('/files-pri/') && r.path.includes(file.id))
  expect(fetches.map((r) => [r.headers.authorization, r.status])).toEqual([[`Bearer ${token}`, 200]])
  const post = standin.calls('chat.postMessage').find((c) => c.body?.thread_ts === drop.ts)
  expect(post?.token).toBe(token)

  const gallery = async (team: string) =>
    (
      (await (
        await fetch(`${stack.url('images')}/images`, { headers: stack.headers(`slack:${team}`) })
      ).json()) as {
        photos: { car: string | null }[]
      }
    ).photos
  expect((await gallery(SECOND)).map((p) => p.car)).toEqual(['c0second'])
  expect(await gallery(FIRST)).toEqual([])
}, 30_000)

test('a forged state installs nothing', async () => {
  const { authorize, cookie } = await openInstall()
  const forged = new URL(authorize)
  const state = forged.searchParams.get('state')!
  forged.searchParams.set('state', `${state.slice(0, -4)}AAAA`)
  const trades = standin.calls('oauth.v2.access').length
  const back = standin.approveInstall(forged.href, FORGED, `${base}/slack/oauth_redirect`)
  const res = await fetch(back, { headers: { cookie }, redirect: 'manual' })
  await res.body?.cancel()
  expect(res.status).toBeGreaterThanOrEqual(400)
  expect(standin.calls('oauth.v2.access')).toHaveLength(trades)
  expect(installedWorkspaces()).not.toContain(FORGED)
})

test("uninstalling deletes the workspace's installation; the other stays", async () => {
  const body = standin.messageEvent({ teamId: SECOND, channel: 'C0SECOND', user: 'U0SECOND', text: '' })
  const sent = await standin.sendEvent(`${base}/slack/events`, {
    ...body,
    event: { type: 'app_uninstalled', event_ts: body.event.event_ts },
  })
  expect(sent.status).toBe(200)
  await standin.waitFor(
    () => !installedWorkspaces().includes(SECOND) || undefined,
    5_000,
    'the installation deleted',
  )
  expect(installedWorkspaces()).toEqual([FIRST])
})
