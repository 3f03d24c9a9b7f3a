/**
 * The real Bolt app (HTTP receiver) and its delivery worker against the Slack stand-in, with
 * the real orchestrator and services from test/stack.ts: what a Slack user would see.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import IORedis from 'ioredis'
import { type Config, parseConfig } from '../../lib/config.ts'
import { createLogger, silentLogger } from '../../lib/log.ts'
import { testRedisUrl } from '../../test/env.ts'
import { type SlackStandin, startStandin } from '../../test/slack-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type RunningSlack, startSlack } from './index.ts'

let standin: SlackStandin
let stack: Stack
let slack: RunningSlack
let appUrl: string
let config: Config
let redis: IORedis
const logLines: string[] = []

/** Every job ever put on the commands queue (completed jobs are kept for a day). */
async function commandJobs() {
  const jobs = await stack.dispatcher.queue.getJobs([
    'completed',
    'failed',
    'active',
    'waiting',
    'delayed',
    'prioritized',
  ])
  return jobs.filter(Boolean)
}

/** Texts of a message or a response_url post (text and block texts). */
function shown(body: any): string {
  const parts = [body?.text ?? '']
  for (const b of body?.blocks ?? []) {
    if (b.text?.text) parts.push(b.text.text)
    for (const f of b.fields ?? []) parts.push(f.text)
    for (const e of b.elements ?? [])
      if (e.text) parts.push(typeof e.text === 'string' ? e.text : e.text.text)
  }
  return parts.join('\n')
}

/** The first chat.postMessage in a channel (the answer to a command or press made there). */
function answerIn(channel: string, what: string) {
  return standin.waitFor(
    () => standin.channelMessages(channel).find((m) => m.method === 'chat.postMessage'),
    10_000,
    what,
  )
}

beforeAll(async () => {
  standin = startStandin()
  redis = new IORedis(testRedisUrl())
  stack = await startStack({ services: ['items'] })
  config = parseConfig({
    // Commands come faster than a person sends them; the limits have their own tests.
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
    LOG_LEVEL: 'debug',
  })
  const log = createLogger('slack', 'debug', { write: (line: string) => void logLines.push(line) })
  slack = await startSlack(config, log, { port: 0 })
  appUrl = `http://127.0.0.1:${slack.port}/slack/events`
})

afterAll(async () => {
  await slack?.close()
  await stack?.close()
  await standin?.close()
  redis?.disconnect()
})

describe('Slack app over HTTP', () => {
  test('starts by checking its token with auth.test and serves /health and /ready', async () => {
    expect(standin.calls('auth.test').length).toBeGreaterThan(0)
    expect(standin.calls('auth.test')[0]!.headers.authorization).toBe(`Bearer ${standin.botToken}`)
    const health = await fetch(`http://127.0.0.1:${slack.port}/health`)
    expect(health.status).toBe(200)
    const ready = await fetch(`http://127.0.0.1:${slack.port}/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ ok: true, slack: true, queue: true })
  })

  test('url_verification answers the challenge', async () => {
    const r = await standin.urlVerification(
      appUrl,
      'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    )
    expect(r.status).toBe(200)
    expect(JSON.parse(r.body)).toEqual({
      challenge: 'challenge-3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    })
  })

  test('/car add from team A: 200 at once, then the reply naming the car posted in the channel; team B does not see it', async () => {
    const add = await standin.sendCommand(appUrl, {
      command: '/car',
      text: 'add corolla make:Toyota model:Corolla year:2018',
      teamId: 'TA0001',
      channelId: 'C0ADDA',
    })
    expect(add.status).toBe(200)
    expect(add.ms).toBeLessThan(3000)
    const body = await answerIn('C0ADDA', 'the /car add reply')
    expect(body.thread_ts).toBeUndefined()
    expect(shown(body)).toContain('corolla')
    expect(shown(body)).toContain('Toyota Corolla')
    expect(body.blocks![0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Added corolla', emoji: true },
    })
    expect(body.blocks!.find((b: any) => b.type === 'context').elements[0].text).toBe('✅ Done')
    // Posted once, and not (also) at the response_url.
    await Bun.sleep(200)
    expect(standin.channelMessages('C0ADDA').length).toBe(1)
    expect(standin.responses(add.responseUrl)).toEqual([])

    const listA = await standin.sendCommand(appUrl, {
      command: '/car',
      text: 'list',
      teamId: 'TA0001',
      channelId: 'C0LISTA',
    })
    expect(listA.status).toBe(200)
    const a = await answerIn('C0LISTA', 'team A list')
    expect(shown(a)).toContain('corolla')

    const listB = await standin.sendCommand(appUrl, {
      command: '/car',
      text: 'list',
      teamId: 'TB0002',
      channelId: 'C0LISTB',
    })
    expect(listB.status).toBe(200)
    const b = await answerIn('C0LISTB', 'team B list')
    expect(shown(b)).not.toContain('corolla')
    expect(shown(b)).toContain('No cars yet')

    // The envelopes carry the team's tenant and no token.
    const jobs = await commandJobs()
    const tenants = jobs.map((j) => j.data.tenant)
    expect(tenants).toContain('slack:TA0001')
    expect(tenants).toContain('slack:TB0002')
    for (const j of jobs) expect(JSON.stringify(j.data)).not.toContain(standin.botToken)
  })

  test('a forged signature, a stale and a future timestamp get 401 and dispatch nothing', async () => {
    const before = (await commandJobs()).length
    const forged = await standin.sendCommand(
      appUrl,
      { command: '/car', text: 'add forged', teamId: 'TA0001' },
      { signature: `v0=${'0'.repeat(64)}` },
    )
    expect(forged.status).toBe(401)
    const wrongSecret = await standin.sendCommand(
      appUrl,
      { command: '/car', text: 'add forged2', teamId: 'TA0001' },
      { secret: 'not-the-secret' },
    )
    expect(wrongSecret.status).toBe(401)
    const now = Math.floor(Date.now() / 1000)
    const stale = await standin.sendCommand(
      appUrl,
      { command: '/car', text: 'add stale', teamId: 'TA0001' },
      { timestamp: now - 5 * 60 - 5 },
    )
    expect(stale.status).toBe(401)
    const future = await standin.sendCommand(
      appUrl,
      { command: '/car', text: 'add future', teamId: 'TA0001' },
      { timestamp: now + 5 * 60 + 5 },
    )
    expect(future.status).toBe(401)
    const unsigned = await fetch(appUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'command=%2Fcar&text=list&team_id=TA0001',
    })
    expect(unsigned.status).toBe(401)
    await Bun.sleep(300)
    expect((await commandJobs()).length).toBe(before)
    for (const r of [forged, wrongSecret, stale, future]) expect(standin.responses(r.responseUrl)).toEqual([])
    // A timestamp within the window is accepted.
    const fresh = await standin.sendCommand(
      appUrl,
      { command: '/car', text: 'list', teamId: 'TA0001' },
      { timestamp: now - 4 * 60 },
    )
    expect(fresh.status).toBe(200)
    // The app acks first and dispatches after: wait for its job, so the next test counts from here.
    const deadline = Date.now() + 5_000
    while ((await commandJobs()).length === before && Date.now() < deadline) await Bun.sleep(20)
    expect((await commandJobs()).length).toBe(before + 1)
  })

  test('an empty /car and a parse error answer privately with the help and dispatch nothing', async () => {
    const before = (await commandJobs()).length
    const empty = await standin.sendCommand(appUrl, { command: '/car', text: '', teamId: 'TA0001' })
    expect(empty.status).toBe(200)
    const emptyBody = JSON.parse(empty.body)
    expect(emptyBody.response_type).toBe('ephemeral')
    expect(emptyBody.text).toContain('/car needs a subcommand')
    expect(emptyBody.text).toContain('/car add <nickname>')

    const bad = await standin.sendCommand(appUrl, {
      command: '/car',
      text: 'add corolla year:nineteen',
      teamId: 'TA0001',
    })
    const badBody = JSON.parse(bad.body)
    expect(badBody.response_type).toBe('ephemeral')
    expect(badBody.text).toContain('year')
    expect(badBody.text).toContain('/car add <nickname>')
    await Bun.sleep(200)
    expect((await commandJobs()).length).toBe(before)
    expect(standin.responses(empty.responseUrl)).toEqual([])
  })

  test('every catalog command is a slash command', async () => {
    const garage = await standin.sendCommand(appUrl, { command: '/garage', text: 'help', teamId: 'TA0001' })
    expect(garage.status).toBe(200)
    const help = await standin.waitFor(() => standin.responses(garage.responseUrl)[0], 10_000, 'garage help')
    expect(help.response_type).toBe('ephemeral')
    expect(shown(help)).toContain('/car')
  })

  test('a command in a channel the bot is not in is answered in channel at its response_url; a private answer stays private', async () => {
    standin.notInChannel.add('C0DMOTHER')
    const list = await standin.sendCommand(appUrl, {
      command: '/car',
      text: 'list',
      teamId: 'TA0001',
      channelId: 'C0DMOTHER',
    })
    expect(list.status).toBe(200)
    const body = await standin.waitFor(
      () => standin.responses(list.responseUrl)[0],
      10_000,
      'the /car list reply',
    )
    expect(body.response_type).toBe('in_channel')
    expect(shown(body)).toContain('corolla')
    expect(standin.channelMessages('C0DMOTHER')).toEqual([])
    expect(
      standin
        .calls('chat.postMessage')
        .filter((r) => r.body.channel === 'C0DMOTHER')
        .map((r) => r.status),
    ).toEqual([200])

    const help = await standin.sendCommand(appUrl, {
      command: '/garage',
      text: 'help',
      teamId: 'TA0001',
      channelId: 'C0HELP',
    })
    const said = await standin.waitFor(() => standin.responses(help.responseUrl)[0], 10_000, 'garage help')
    expect(said.response_type).toBe('ephemeral')
    expect(standin.channelMessages('C0HELP')).toEqual([])
    expect(standin.calls('chat.postMessage').filter((r) => r.body.channel === 'C0HELP')).toEqual([])
  })

  test("a button press is acknowledged and runs its job; its reply is posted in the press's channel", async () => {
    const add = await standin.sendCommand(appUrl, {
      command: '/item',
      text: 'add car:corolla name:"Oil change" months:6',
      teamId: 'TA0001',
      channelId: 'C0ITEM',
    })
    const added = await answerIn('C0ITEM', 'the /item add reply')
    expect(shown(added)).toContain('Oil change')
    expect(standin.responses(add.responseUrl)).toEqual([])
    const list = await fetch(`${stack.url('items')}/items?car=corolla`, {
      headers: stack.headers('slack:TA0001'),
    })
    const { items } = (await list.json()) as { items: { id: number; name: string }[] }
    const oil = items.find((i) => i.name === 'Oil change')!

    const press = await standin.pressButton(appUrl, {
      teamId: 'TA0001',
      actionId: `item.done:${oil.id}`,
      userId: 'U0BOB',
      channelId: 'C0PRESS',
    })
    expect(press.status).toBe(200)
    expect(press.ms).toBeLessThan(3000)
    const done = await answerIn('C0PRESS', 'the Done reply')
    expect(shown(done)).toContain('Oil change on corolla: done')
    expect(standin.responses(press.payload.response_url)).toEqual([])
    const envelopeId = `TA0001-${press.payload.actions[0].action_ts}-U0BOB`
    const job = await stack.dispatcher.queue.getJob(`cmd-${envelopeId}`)
    expect(job?.data).toMatchObject({
      kind: 'item.done',
      tenant: 'slack:TA0001',
      payload: { arg: String(oil.id) },
    })

    // A button whose id is neither a kind nor a form dispatches nothing and says so.
    const before = (await commandJobs()).length
    const junk = await standin.pressButton(appUrl, { teamId: 'TA0001', actionId: 'NOT A KIND' })
    expect(junk.status).toBe(200)
    const said = await standin.waitFor(
      () => standin.responses(junk.payload.response_url)[0],
      5_000,
      'the unknown-button answer',
    )
    expect(said.response_type).toBe('ephemeral')
    expect((await commandJobs()).length).toBe(before)
  })

  test("a form button opens the modal; a bad value is refused in the modal; a good submit runs the form's kind", async () => {
    const list = await fetch(`${stack.url('items')}/items?car=corolla`, {
      headers: stack.headers('slack:TA0001'),
    })
    const { items } = (await list.json()) as { items: { id: number; name: string }[] }
    const oil = items.find((i) => i.name === 'Oil change')!
    const press = await standin.pressButton(appUrl, {
      teamId: 'TA0001',
      actionId: `form:log_service:${oil.id}`,
      channelId: 'C0FORM',
    })
    expect(press.status).toBe(200)
    const opened = await standin.waitFor(
      () => standin.views.find((v) => v.trigger_id === press.payload.trigger_id),
      5_000,
      'views.open',
    )
    expect(opened.view.title.text).toBe('Log service')
    expect(opened.view.blocks.map((b: any) => b.block_id)).toEqual(['cost', 'odometer', 'date'])

    const before = (await commandJobs()).length
    const bad = await standin.submitView(appUrl, {
      teamId: 'TA0001',
      view: opened.view,
      values: { cost: 'lots', odometer: '53,000 mi' },
    })
    expect(bad.status).toBe(200)
    const refused = JSON.parse(bad.body)
    expect(refused.response_action).toBe('errors')
    expect(Object.keys(refused.errors)).toEqual(['cost'])
    expect(refused.errors.cost).toContain('cost')
    expect((await commandJobs()).length).toBe(before)

    const good = await standin.submitView(appUrl, {
      teamId: 'TA0001',
      view: opened.view,
      values: { cost: '89.90', odometer: '53,000 mi', date: '2026-05-01' },
    })
    expect(good.status).toBe(200)
    expect(good.body).toBe('')
    const logged = await answerIn('C0FORM', 'the item.log reply')
    expect(shown(logged)).toContain('Oil change')
    expect(standin.responses(press.payload.response_url)).toEqual([])
    const job = await stack.dispatcher.queue.getJob(`cmd-TA0001-${opened.id}-U0ALICE`)
    expect(job?.data).toMatchObject({
      kind: 'item.log',
      payload: { arg: String(oil.id), cost: { value: 89.9, text: '89.90' }, date: '2026-05-01' },
    })
  })

  test("/photo add car:corolla posts a prompt whose thread is remembered as the car's", async () => {
    const r = await standin.sendCommand(appUrl, {
      command: '/photo',
      text: 'add car:corolla',
      teamId: 'TA0001',
      channelId: 'C0PHOTOS',
    })
    expect(r.status).toBe(200)
    const prompt = await standin.waitFor(
      () => standin.channelMessages('C0PHOTOS')[0],
      5_000,
      'the photo prompt',
    )
    expect(prompt.text).toContain('corolla')
    const deadline = Date.now() + 5_000
    let ref: string | null = null
    while (!ref && Date.now() < deadline) {
      ref = await redis.hget(`${stack.prefix}:threads`, `slack:TA0001|${prompt.ts}`)
      if (!ref) await Bun.sleep(20)
    }
    expect(ref).toBe('car:corolla')

    standin.notInChannel.add('C0PRIVATE')
    const refused = await standin.sendCommand(appUrl, {
      command: '/photo',
      text: 'add car:corolla',
      teamId: 'TA0001',
      channelId: 'C0PRIVATE',
    })
    const answer = await standin.waitFor(
      () => standin.responses(refused.responseUrl)[0],
      5_000,
      'the invite-me answer',
    )
    expect(answer.response_type).toBe('ephemeral')
    expect(answer.text).toContain('/invite')

    const neither = await standin.sendCommand(appUrl, { command: '/photo', text: 'add', teamId: 'TA0001' })
    expect(JSON.parse(neither.body).response_type).toBe('ephemeral')
  })

  test('the bot token never appears in the logs', () => {
    expect(logLines.length).toBeGreaterThan(0)
    for (const line of logLines) expect(line).not.toContain(standin.botToken)
  })
})

describe('Slack app with the rate limits on', () => {
  test('a user past the limit is told to slow down, privately, and nothing more is queued', async () => {
    const limited = await startSlack(
      { ...config, RATE_USER_PER_MINUTE: 60, RATE_USER_BURST: 2, RATE_GARAGE_PER_MINUTE: 0 },
      silentLogger,
      { port: 0 },
    )
    try {
      const url = `http://127.0.0.1:${limited.port}/slack/events`
      const before = (await commandJobs()).length
      const sent = []
      for (let i = 0; i < 3; i++) {
        sent.push(await standin.sendCommand(url, { command: '/car', text: 'list', teamId: 'TC0003', userId: 'UFLOOD' }))
      }
      const deadline = Date.now() + 5_000
      while (standin.responses(sent[2]!.responseUrl).length === 0 && Date.now() < deadline) await Bun.sleep(20)
      const refusal = standin.responses(sent[2]!.responseUrl)[0] as { response_type: string; text: string }
      expect(refusal.response_type).toBe('ephemeral')
      expect(refusal.text).toMatch(/^Slow down: you can send another command in \d+ s\. This one was not run\.$/)
      // Only the two within the burst were queued; another user of the garage is not held back.
      while ((await commandJobs()).length < before + 2 && Date.now() < deadline) await Bun.sleep(20)
      const other = await standin.sendCommand(url, { command: '/car', text: 'list', teamId: 'TC0003', userId: 'UOTHER' })
      expect(other.status).toBe(200)
      while ((await commandJobs()).length < before + 3 && Date.now() < deadline) await Bun.sleep(20)
      expect((await commandJobs()).length).toBe(before + 3)
    } finally {
      await limited.close()
    }
  })
})
