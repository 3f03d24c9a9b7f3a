/**
 * Photo drops on Slack end to end: a `message` event with files through the real Bolt app, which
 * downloads `url_private` from the stand-in's file host with the bot token and keeps it in the
 * images service's files for the orchestrator's photo handler, the real images service storing it, and the delivery answering in the thread with
 * the thumbnail uploaded through the files methods.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseConfig } from '../../lib/config.ts'
import { silentLogger } from '../../lib/log.ts'
import { workerConnection } from '../../lib/redis.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { type SlackStandin, startStandin } from '../../test/slack-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type RunningSlack, startSlack } from './index.ts'

let standin: SlackStandin
let stack: Stack
let slack: RunningSlack
let appUrl: string
const team = 'TP0001'
const tenant = `slack:${team}`

type Block = { type: string; slack_file?: { id: string }; text?: { text: string } }

const blocksOf = (m: { blocks?: unknown[] }) => (m.blocks ?? []) as Block[]

async function gallery(): Promise<{ sha256: string; car: string | null; issue: number | null }[]> {
  const r = await fetch(`${stack.url('images')}/images`, { headers: stack.headers(tenant) })
  return ((await r.json()) as { photos: { sha256: string; car: string | null; issue: number | null }[] })
    .photos
}

beforeAll(async () => {
  standin = startStandin()
  stack = await startStack({
    services: ['items', 'images', 'issues'],
    env: { SLACK_BOT_TOKEN: standin.botToken, SLACK_FILE_HOSTS: standin.fileHost },
  })
  const config = parseConfig({
    // Commands come faster than a person sends them; the limits have their own tests.
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
  const add = await standin.sendCommand(appUrl, {
    command: '/car',
    text: 'add corolla make:Toyota model:Corolla year:2018',
    teamId: team,
    channelId: 'C0SETUP',
  })
  const added = await standin.waitFor(
    () => standin.channelMessages('C0SETUP')[0],
    10_000,
    'the /car add reply',
  )
  if (!added.text?.includes('corolla') || standin.responses(add.responseUrl).length > 0)
    throw new Error(`the /car add reply was not posted in the channel: ${added.text}`)
})

afterAll(async () => {
  await slack?.close()
  await stack?.close()
  await standin?.close()
})

describe('photos dropped on Slack', () => {
  test('a photo dropped with "corolla" lands on the Corolla; the thread answer shows its thumbnail; the same photo twice is stored once', async () => {
    const jpeg = await makeJpeg(800, 600, { seed: 7 })
    const file = standin.addFile({ name: 'IMG_0001.jpg', bytes: jpeg, mimetype: 'image/jpeg', teamId: team })
    const drop = await standin.dropPhoto(appUrl, {
      teamId: team,
      channel: 'C0GARAGE',
      text: 'corolla, front bumper',
      files: [file],
    })
    expect(drop.status).toBe(200)
    expect(drop.ms).toBeLessThan(3000)

    const answer = await standin.waitFor(
      () => standin.channelMessages('C0GARAGE', drop.ts)[0],
      15_000,
      'the thread answer',
    )
    expect(answer.method).toBe('chat.postMessage')
    expect(answer.text).toContain('corolla')
    const image = blocksOf(answer).find((b) => b.type === 'image')
    expect(image?.slack_file?.id).toBeDefined()

    // The worker fetched url_private with the bot token.
    const fetches = standin.requests.filter(
      (r) => r.path.startsWith('/files-pri/') && r.path.includes(file.id),
    )
    expect(fetches.map((r) => [r.headers.authorization, r.status])).toEqual([
      [`Bearer ${standin.botToken}`, 200],
    ])

    const photos = await gallery()
    expect(photos.length).toBe(1)
    expect(photos[0]!.car).toBe('corolla')
    // The thumbnail in the answer is the images service's 256 px JPEG of that photo.
    const shown = standin.file(image!.slack_file!.id)!
    const thumb = await fetch(`${stack.url('images')}/images/${photos[0]!.sha256}/256`, {
      headers: stack.headers(tenant),
    })
    expect(shown.bytes).toEqual(new Uint8Array(await thumb.arrayBuffer()))

    const again = standin.addFile({ name: 'IMG_0001 copy.jpg', bytes: jpeg, teamId: team })
    const second = await standin.dropPhoto(appUrl, {
      teamId: team,
      channel: 'C0GARAGE',
      text: 'corolla again',
      files: [again],
    })
    const answer2 = await standin.waitFor(
      () => standin.channelMessages('C0GARAGE', second.ts)[0],
      15_000,
      'the second answer',
    )
    expect(answer2.text).toContain('Already on corolla')
    expect((await gallery()).length).toBe(1)
  })

  test('a photo in the thread of the /photo add prompt is filed on that car', async () => {
    const cmd = await standin.sendCommand(appUrl, {
      command: '/photo',
      text: 'add car:corolla',
      teamId: team,
      channelId: 'C0PICS',
    })
    expect(cmd.status).toBe(200)
    const prompt = await standin.waitFor(() => standin.channelMessages('C0PICS')[0], 5_000, 'the prompt')
    await Bun.sleep(50)
    const file = standin.addFile({
      name: 'rear.png',
      bytes: await makeJpeg(320, 240, { seed: 11 }),
      mimetype: 'image/jpeg',
      teamId: team,
    })
    const drop = await standin.dropPhoto(appUrl, {
      teamId: team,
      channel: 'C0PICS',
      text: '',
      thread_ts: prompt.ts,
      files: [file],
    })
    const answer = await standin.waitFor(
      () => standin.channelMessages('C0PICS', prompt.ts).find((m) => m.ts !== prompt.ts),
      15_000,
      'the answer in the prompt thread',
    )
    expect(answer.text).toContain('corolla')
    const photos = await gallery()
    expect(photos.filter((p) => p.car === 'corolla').length).toBe(2)
    expect(drop.status).toBe(200)
  })

  test('a Slack file the bot token cannot read is answered clearly and stores nothing', async () => {
    const before = (await gallery()).length
    const file = standin.addFile({
      name: 'secret.jpg',
      bytes: await makeJpeg(64, 64, { seed: 3 }),
      token: 'xoxb-another-app',
      teamId: team,
    })
    const drop = await standin.dropPhoto(appUrl, {
      teamId: team,
      channel: 'C0GARAGE',
      text: 'corolla',
      files: [file],
    })
    const answer = await standin.waitFor(
      () => standin.channelMessages('C0GARAGE', drop.ts)[0],
      15_000,
      'the refusal',
    )
    expect(answer.text).toContain('No photo was added')
    expect((await gallery()).length).toBe(before)
  })

  test("/issue log is posted in the channel; a photo dropped in that message's thread lands on the issue", async () => {
    const log = await standin.sendCommand(appUrl, {
      command: '/issue',
      text: 'log car:corolla title:"Grinding when braking" severity:high',
      teamId: team,
      channelId: 'C0ISSUES',
    })
    expect(log.status).toBe(200)
    const opened = await standin.waitFor(
      () => standin.channelMessages('C0ISSUES')[0],
      15_000,
      'the /issue log message',
    )
    expect(opened.method).toBe('chat.postMessage')
    expect(opened.thread_ts).toBeUndefined()
    expect(opened.text).toContain('#1 opened on corolla')
    expect(opened.text).toContain('Grinding when braking')
    // The answer went to the channel, not (also) to the command's response_url.
    expect(standin.responses(log.responseUrl)).toEqual([])
    // The delivery remembers the message's ts as the issue's thread, as agreed (HSET <prefix>:threads).
    const redis = workerConnection(stack.config.REDIS_URL!)
    try {
      const deadline = Date.now() + 5_000
      let ref: string | null = null
      while (!ref && Date.now() < deadline) {
        ref = await redis.hget(`${stack.prefix}:threads`, `${tenant}|${opened.ts}`)
        if (!ref) await Bun.sleep(20)
      }
      expect(ref).toBe('issue:1')
    } finally {
      redis.disconnect()
    }

    const jpeg = await makeJpeg(640, 480, { seed: 31 })
    const file = standin.addFile({ name: 'brake.jpg', bytes: jpeg, mimetype: 'image/jpeg', teamId: team })
    const drop = await standin.dropPhoto(appUrl, {
      teamId: team,
      channel: 'C0ISSUES',
      text: '',
      thread_ts: opened.ts,
      files: [file],
    })
    expect(drop.status).toBe(200)
    const answer = await standin.waitFor(
      () => standin.channelMessages('C0ISSUES', opened.ts)[0],
      15_000,
      "the answer in the issue's thread",
    )
    expect(answer.method).toBe('chat.postMessage')
    expect(answer.text).toContain('#1')
    const image = blocksOf(answer).find((b) => b.type === 'image')
    expect(image?.slack_file?.id).toBeDefined()

    const onIssue = (await gallery()).filter((p) => p.issue === 1)
    expect(onIssue.length).toBe(1)
    const thumb = await fetch(`${stack.url('images')}/images/${onIssue[0]!.sha256}/256`, {
      headers: stack.headers(tenant),
    })
    expect(standin.file(image!.slack_file!.id)!.bytes).toEqual(new Uint8Array(await thumb.arrayBuffer()))

    const issue = await fetch(`${stack.url('issues')}/issues/1`, { headers: stack.headers(tenant) })
    expect(issue.status).toBe(200)
    const shown = (await issue.json()) as { title: string; photos: { sha256: string }[] }
    expect(shown.title).toBe('Grinding when braking')
    expect(shown.photos.map((p) => p.sha256)).toEqual([onIssue[0]!.sha256])

    // /issue show answers in the channel too, with the photo's thumbnail.
    const show = await standin.sendCommand(appUrl, {
      command: '/issue',
      text: 'show number:1',
      teamId: team,
      channelId: 'C0ISSUES',
    })
    const card = await standin.waitFor(
      () => standin.channelMessages('C0ISSUES').find((m) => m.ts !== opened.ts && m.thread_ts === undefined),
      15_000,
      'the /issue show message',
    )
    expect(JSON.stringify(card.blocks)).toContain('Photos')
    expect(blocksOf(card).find((b) => b.type === 'image')?.slack_file?.id).toBe(image!.slack_file!.id)
    expect(standin.responses(show.responseUrl)).toEqual([])
  })

  test('/issue log in a channel the bot is not in is answered at the response_url', async () => {
    standin.notInChannel.add('C0NOBOT')
    const log = await standin.sendCommand(appUrl, {
      command: '/issue',
      text: 'log car:corolla title:"Rattle at idle" severity:low',
      teamId: team,
      channelId: 'C0NOBOT',
    })
    expect(log.status).toBe(200)
    const answer = await standin.waitFor(
      () => standin.responses(log.responseUrl)[0],
      15_000,
      'the /issue log answer at the response_url',
    )
    expect(answer.response_type).toBe('in_channel')
    expect(JSON.stringify(answer)).toContain('#2 opened on corolla')
    await Bun.sleep(200)
    expect(standin.responses(log.responseUrl).length).toBe(1)
    expect(standin.channelMessages('C0NOBOT')).toEqual([])
  })

  test("files that are not images, the bot's own messages and a redelivered event make no job", async () => {
    const jobs = async () =>
      (await stack.dispatcher.queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed'])).filter(
        Boolean,
      ).length
    const before = await jobs()
    const notes = standin.addFile({
      name: 'notes.txt',
      bytes: new TextEncoder().encode('tyre pressures'),
      mimetype: 'text/plain',
      teamId: team,
    })
    expect(
      (
        await standin.dropPhoto(appUrl, {
          teamId: team,
          channel: 'C0GARAGE',
          text: 'corolla',
          files: [notes],
        })
      ).status,
    ).toBe(200)
    const own = standin.addFile({ name: 'thumb.jpg', bytes: await makeJpeg(32, 32), teamId: team })
    await standin.dropPhoto(appUrl, {
      teamId: team,
      channel: 'C0GARAGE',
      text: 'corolla',
      files: [own],
      botId: standin.botId,
      user: standin.botUserId,
    })
    await Bun.sleep(300)
    expect(await jobs()).toBe(before)

    const file = standin.addFile({
      name: 'side.jpg',
      bytes: await makeJpeg(100, 80, { seed: 21 }),
      teamId: team,
    })
    const body = standin.messageEvent({
      teamId: team,
      channel: 'C0REDO',
      text: 'corolla side',
      files: [file],
    })
    await standin.sendEvent(appUrl, body)
    await standin.sendEvent(appUrl, body)
    await standin.waitFor(() => standin.channelMessages('C0REDO')[0], 15_000, 'the answer')
    await Bun.sleep(300)
    expect(await jobs()).toBe(before + 1)
    expect(standin.channelMessages('C0REDO').length).toBe(1)
  })
})
