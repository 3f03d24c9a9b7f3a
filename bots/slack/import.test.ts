/**
 * /garage import on Slack, end to end through the real Bolt app: a slash command cannot carry a
 * file, so the command says how (privately, dispatching nothing); a file dropped in a channel
 * with the word "import" is downloaded by the app with the workspace's bot token, kept in the
 * images service's files, and read by the worker, whose preview answers in the drop's thread;
 * its Import button stores the rows. A member without the manager role is refused, and bad
 * options are answered privately before anything is downloaded.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { type SlackStandin, startStandin } from '../../test/slack-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type RunningSlack, startSlack } from './index.ts'

let standin: SlackStandin
let stack: Stack
let slack: RunningSlack
let appUrl: string
const team = 'TI0001'
const tenant = `slack:${team}`
const fuelly = new Uint8Array(readFileSync(join(import.meta.dir, '../../test/fixtures/imports/fuelly.csv')))

beforeAll(async () => {
  standin = startStandin()
  stack = await startStack({ services: ['items', 'images'] })
  const config = parseConfig({
    RATE_USER_PER_MINUTE: '0',
    RATE_GARAGE_PER_MINUTE: '0',
    REDIS_URL: stack.config.REDIS_URL,
    QUEUE_PREFIX: stack.prefix,
    SERVICE_TOKEN: stack.token,
    IMAGES_URL: stack.url('images'),
    SLACK_BOT_TOKEN: standin.botToken,
    SLACK_SIGNING_SECRET: standin.signingSecret,
    SLACK_API_URL: standin.apiUrl,
    SLACK_FILE_HOSTS: standin.fileHost,
  })
  slack = await startSlack(config, silentLogger, { port: 0 })
  appUrl = `http://127.0.0.1:${slack.port}/slack/events`
})
afterAll(async () => {
  await slack?.close()
  await stack?.close()
  await standin?.close()
})

const fillups = async () => {
  const res = await fetch(`${stack.url('items')}/cars`, { headers: stack.headers(tenant) })
  const { cars } = (await res.json()) as { cars: { nickname: string }[] }
  let n = 0
  for (const c of cars) {
    const r = await fetch(`${stack.url('items')}/fillups?car=${c.nickname}`, { headers: stack.headers(tenant) })
    n += ((await r.json()) as { total: number }).total
  }
  return n
}

type Block = { type: string; elements?: { action_id?: string; text?: { text: string } }[] }

test('/garage import says how to import on Slack, privately, and dispatches nothing', async () => {
  const sent = await standin.sendCommand(appUrl, {
    command: '/garage',
    text: 'import map:"Civic=new"',
    teamId: team,
    channelId: 'C0IMPORT',
  })
  expect(sent.status).toBe(200)
  expect((JSON.parse(sent.body) as { text: string }).text).toBe(
    "/garage import needs a file, and Slack's slash commands cannot carry one: drop the file in a channel I am in with the message `import map:\"Civic=new\"`, and the preview answers in its thread.",
  )
  await Bun.sleep(200)
  expect(standin.channelMessages('C0IMPORT')).toEqual([])
})

test('a file dropped with "import" is previewed in its thread, and its Import button stores the rows', async () => {
  const file = standin.addFile({ name: 'fuelly.csv', bytes: fuelly, mimetype: 'text/csv', teamId: team })
  const drop = await standin.dropPhoto(appUrl, { teamId: team, channel: 'C0DROP', text: 'import', files: [file] })
  expect(drop.status).toBe(200)
  const preview = await standin.waitFor(
    () => standin.channelMessages('C0DROP', drop.ts)[0],
    15_000,
    'the preview in the thread',
  )
  const text = JSON.stringify(preview)
  expect(text).toContain('Import preview: fuelly.csv')
  expect(text).toContain('Nothing is stored until you press Import.')
  // the app fetched url_private with the bot token; the worker read the kept copy
  const fetches = standin.requests.filter((r) => r.path.startsWith('/files-pri/') && r.path.includes(file.id))
  expect(fetches.map((r) => [r.headers.authorization, r.status])).toEqual([[`Bearer ${standin.botToken}`, 200]])
  expect(await fillups()).toBe(0)

  const button = ((preview.blocks ?? []) as Block[])
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id?.startsWith('garage.import_confirm:'))
  expect(button?.text?.text).toMatch(/^Import \d+ rows$/)
  const press = await standin.pressButton(appUrl, { teamId: team, actionId: button!.action_id!, channelId: 'C0DROP' })
  expect(press.status).toBe(200)
  await standin.waitFor(
    () => JSON.stringify(standin.channelMessages('C0DROP')).includes('Imported') || undefined,
    15_000,
    'the Import answer',
  )
  expect(await fillups()).toBeGreaterThan(0)
})

test('a driver dropping a file to import is refused as for the command; nothing is stored', async () => {
  standin.users.set('U0DRIVER', { admin: false, owner: false })
  const before = await fillups()
  const file = standin.addFile({ name: 'later.csv', bytes: fuelly, mimetype: 'text/csv', teamId: team })
  const drop = await standin.dropPhoto(appUrl, {
    teamId: team,
    channel: 'C0DRIVER',
    user: 'U0DRIVER',
    text: 'import map:"Golf=new"',
    files: [file],
  })
  const refused = await standin.waitFor(
    () =>
      [...standin.channelMessages('C0DRIVER', drop.ts), ...standin.calls('chat.postEphemeral').map((c) => c.body)].find(
        (m) => JSON.stringify(m).includes('manager'),
      ),
    15_000,
    'the refusal',
  )
  expect(JSON.stringify(refused)).toContain('manager')
  expect(await fillups()).toBe(before)
})

test('bad options or two files are answered privately in the thread, before anything is downloaded', async () => {
  const a = standin.addFile({ name: 'a.csv', bytes: fuelly, mimetype: 'text/csv', teamId: team })
  const b = standin.addFile({ name: 'b.csv', bytes: fuelly, mimetype: 'text/csv', teamId: team })
  const wrong = await standin.dropPhoto(appUrl, { teamId: team, channel: 'C0BAD', text: 'import colour:red', files: [a] })
  const two = await standin.dropPhoto(appUrl, { teamId: team, channel: 'C0BAD', text: 'Import', files: [a, b] })
  const said = await standin.waitFor(
    () => {
      const calls = standin.calls('chat.postEphemeral').filter((c) => c.body.channel === 'C0BAD')
      return calls.length >= 2 ? calls : undefined
    },
    10_000,
    'the two private answers',
  )
  const byThread = new Map(said.map((c) => [c.body.thread_ts, String(c.body.text)]))
  expect(byThread.get(wrong.ts)).toContain('colour')
  expect(byThread.get(two.ts)).toBe('Drop one file per import (2 came with this message); a zip may hold several CSV files.')
  expect(standin.requests.filter((r) => r.path.includes(a.id) || r.path.includes(b.id))).toEqual([])
  // nothing said in the channel for everyone to see
  expect(standin.channelMessages('C0BAD').filter((m) => m.method !== 'chat.postEphemeral')).toEqual([])
})
