/**
 * The reminder tick end to end: the items service on a port, the orchestrator with the real
 * handlers, the reminders scheduler on the test Redis, and the reply queues a bot would read.
 * The clock is injected everywhere.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import type IORedis from 'ioredis'
import { parseFormSubmission } from '../catalog/forms.ts'
import { LocalChat } from '../bots/local/index.ts'
import { type Config, parseConfig } from '../lib/config.ts'
import { silentLogger } from '../lib/log.ts'
import { createApp, type ItemsApp } from '../services/items/app.ts'
import { testRedisUrl } from '../test/env.ts'
import { uniquePrefix } from '../test/redis.ts'
import { workerConnection } from '../lib/redis.ts'
import type { ReplyJob } from '../lib/contracts/envelope.ts'
import { queueOptions, REMINDERS_QUEUE, repliesQueue, replyJobId } from '../lib/contracts/queues.ts'
import { type Orchestrator, startOrchestrator } from './orchestrator.ts'
import { announcementEnvelopeId, type Reminders, startReminders } from './reminders.ts'

const TOKEN = 'reminders-test-token-0123456789'
let clock = new Date('2026-05-01T17:00:00Z')
const now = () => clock
let dir: string
let app: ItemsApp
let server: ReturnType<typeof Bun.serve>
let config: Config
let prefix: string
let connection: IORedis
let orchestrator: Orchestrator
let chat: LocalChat
const closers: (() => Promise<unknown> | unknown)[] = []
const localReplies: ReplyJob[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reminders-test-'))
  app = createApp({ dataDir: dir, token: TOKEN, now })
  server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (r) => app.fetch(r) })
  prefix = uniquePrefix('rem')
  config = parseConfig({
    REDIS_URL: testRedisUrl(),
    DATA_DIR: dir,
    SERVICE_TOKEN: TOKEN,
    QUEUE_PREFIX: prefix,
    ITEMS_URL: `http://127.0.0.1:${server.port}`,
    LOG_LEVEL: 'silent',
    COMMAND_ATTEMPTS: '2',
    // The scheduler's own ticks are hourly here; the tests tick by hand with the clock they set.
    REMINDER_EVERY_MS: '3600000',
  })
  connection = workerConnection(testRedisUrl())
  orchestrator = await startOrchestrator({ config, connection, log: silentLogger, now, reminders: false })
  chat = new LocalChat({
    redisUrl: testRedisUrl(),
    queuePrefix: prefix,
    tenant: 'home',
    timeoutMs: 10_000,
    onReply: (j) => localReplies.push(j),
  })
  await chat.connect()
})

afterAll(async () => {
  for (const close of closers.reverse()) await close()
  await chat?.close()
  await orchestrator?.close()
  connection?.disconnect()
  server?.stop(true)
  await app?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function items(method: string, path: string, tenant: string, body?: unknown): Promise<any> {
  const res = await fetch(`${config.ITEMS_URL}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'x-tenant': tenant, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await res.json()
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`)
  return json
}

async function garage(tenant: string, channel: string, timezone = 'America/Chicago') {
  await items('PATCH', '/settings', tenant, {
    units: 'imperial',
    timezone,
    reminder_channel: channel,
    reminder_hour: 9,
  })
  await items('POST', '/cars', tenant, {
    nickname: 'corolla',
    odometer: { value: 48000, unit: 'mi', text: '48,000 mi' },
  })
}

async function reminders(): Promise<Reminders> {
  const r = await startReminders({
    connection,
    queuePrefix: prefix,
    config,
    log: silentLogger,
    now,
    process: false,
  })
  closers.push(() => r.close())
  return r
}

async function waitFor<T>(
  what: string,
  get: () => Promise<T | undefined> | T | undefined,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await get()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(25)
  }
}

describe('reminder tick', () => {
  test('several workers upserting make one scheduler of each kind on the reminders queue: the tick and the daily check of garages that left', async () => {
    await reminders()
    const second = await reminders()
    const schedulers = await second.queue.getJobSchedulers()
    expect(schedulers.map((s) => [s.key, s.every]).sort()).toEqual([
      ['garage-leave-check', 24 * 3_600_000],
      ['reminder-tick', 3_600_000],
    ])
    expect(second.queue.name).toBe(REMINDERS_QUEUE)
  })

  test('a Discord garage gets one post in its channel with Done / Snooze / Log service, even from duplicated ticks', async () => {
    const tenant = 'discord:424242'
    await garage(tenant, '777000111')
    const item = await items('POST', '/items', tenant, {
      car: 'corolla',
      name: 'Oil change',
      months: 6,
      last_date: '2025-11-06',
    })
    clock = new Date('2026-05-02T17:00:00Z')
    const a = await reminders()
    const b = await reminders()
    // Two workers tick at once, then one of them again (a retried job).
    await Promise.all([a.tick(), b.tick()])
    await a.tick()
    const q = new Queue(repliesQueue('discord'), queueOptions(connection, prefix))
    closers.push(() => q.close())
    const jobs = (await q.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed', 'wait'])) as {
      id?: string
      data: ReplyJob
    }[]
    const mine = jobs.filter((j) => j.data.tenant === tenant)
    expect(mine).toHaveLength(1)
    const job = mine[0]!
    expect(job.id).toBe(replyJobId(job.data.envelopeId))
    expect(job.data.envelopeId).toMatch(/^reminder-\d+$/)
    expect(job.data.replyTo).toEqual({ platform: 'discord', channelId: '777000111' })
    expect(job.data.reply.title).toBe('Oil change on corolla is very urgent')
    expect(job.data.reply.text).toContain('2026-05-06 (in 4 days)')
    expect(job.data.reply.actions?.map((x) => [x.id, x.label])).toEqual([
      [`item.done:${item.id}`, 'Done'],
      [`item.snooze:${item.id}`, 'Snooze 7 days'],
      [`form:log_service:${item.id}`, 'Log service'],
      [`item.take:${job.data.envelopeId.slice('reminder-'.length)}`, "I'll do it"],
    ])
  })

  test('a Slack garage is posted to its channel', async () => {
    const tenant = 'slack:T0SLACK1'
    await garage(tenant, 'C0REMIND')
    await items('POST', '/items', tenant, {
      car: 'corolla',
      name: 'Tyres',
      months: 12,
      last_date: '2025-05-10',
    })
    const r = await reminders()
    await r.tick()
    const q = new Queue(repliesQueue('slack'), queueOptions(connection, prefix))
    closers.push(() => q.close())
    const jobs = (await q.getJobs(['waiting', 'completed', 'active', 'delayed', 'failed'])) as {
      data: ReplyJob
    }[]
    const mine = jobs.filter((j) => j.data.tenant === tenant)
    expect(mine.map((j) => j.data.replyTo)).toEqual([{ platform: 'slack', channelId: 'C0REMIND' }])
    expect(mine[0]!.data.reply.title).toBe('Tyres on corolla is urgent')
  })
})

describe('through the terminal chat', () => {
  test('items, a record, fuel; a reminder appears; Done, Snooze and Log service work from its buttons', async () => {
    clock = new Date('2026-05-01T17:00:00Z')
    const say = async (line: string) => {
      const replies = await chat.send(line)
      return replies.at(-1)!
    }
    expect(
      (
        await say(
          '/garage settings units:imperial timezone:America/Chicago reminder_channel:garage reminder_hour:9',
        )
      ).tone,
    ).toBe('ok')
    expect((await say('/car add corolla odometer:"48,000 mi"')).tone).toBe('ok')
    const added = await say(
      '/item add corolla name:"Oil change" months:6 distance:"5,000 mi" last_date:2025-11-01 last_odometer:"44,000 mi"',
    )
    expect(added.title).toBe('Added Oil change to corolla')
    expect(added.text).toContain('2026-05-01 (today)')
    await say('/item add corolla name:"Cabin filter" months:12')
    // A bad record names the field; an unknown item lists the car's items.
    const bad = await say('/service log corolla title:Service items:"Oil change, Brake fluid"')
    expect(bad.tone).toBe('error')
    expect(bad.text).toContain(
      'items: corolla has no item "Brake fluid"; its items: Cabin filter, Oil change',
    )
    const refused = await say('/item add corolla name:Tyres')
    expect(refused.text).toStartWith('months')
    const fuel = await say('/fuel log corolla volume:"11.2 gal" cost:41.30 odometer:"48,100 mi" full:yes')
    expect(fuel.title).toBe('Fill-up logged for corolla (2026-05-01)')
    const list = await say('/reminders list')
    expect(list.text.split('\n')[0]).toStartWith('corolla: Oil change — very urgent')

    // The tick at 12:00 Chicago announces the oil change in the garage's channel.
    const r = await reminders()
    localReplies.length = 0
    await r.tick()
    const posted = await waitFor('the reminder', () =>
      localReplies.find((j) => j.envelopeId.startsWith('reminder-')),
    )
    expect(posted.replyTo).toEqual({ platform: 'local', session: 'garage', channel: true })
    expect(posted.reply.title).toBe('Oil change on corolla is very urgent')
    const [done, snooze, log] = posted.reply.actions!.map((a) => a.id)

    // Snooze: hidden 7 days, it says until when.
    const snoozed = await say(`!press ${snooze}`)
    expect(snoozed.text).toBe(
      'Oil change on corolla is snoozed until 2026-05-08; it will be reminded again then if still due.',
    )
    // Log service (the form): cost and odometer for that item.
    const logged = await say(`!press ${log} cost:89.90 odometer:"48,200 mi"`)
    expect(logged.title).toBe('Logged Oil change on corolla')
    expect(logged.text).toContain('at 48,200 mi for $89.90')
    expect(logged.text).toContain('at 53,200 mi')
    // Done the next day: a record at the current odometer; the item moves on.
    clock = new Date('2026-05-02T17:00:00Z')
    const didIt = await say(`!press ${done}`)
    expect(didIt.title).toBe('Oil change on corolla: done')
    expect(didIt.text).toContain('on 2026-05-02 at 48,200 mi')
    const records = await say('/service list corolla')
    expect(records.text.split('\n')).toHaveLength(2)
    expect(await r.tick()).toEqual({ posted: 0, examined: expect.any(Number) })
    // The form through the core parser names a bad field.
    const badForm = parseFormSubmission('log_service', '1', { cost: '-3' })
    expect(badForm.ok).toBe(false)
    expect(!badForm.ok && badForm.field).toBe('cost')
  })

  test('list, edit and remove items; fuel and service lists; bad input named by field, nothing stored', async () => {
    clock = new Date('2026-05-03T17:00:00Z')
    const say = async (line: string) => (await chat.send(line)).at(-1)!
    const before = await items('GET', '/items?car=corolla', 'local:home')
    const edited = await say('/item edit corolla item:"cabin filter" months:6 notes:"HEPA one"')
    expect(edited.title).toBe('Updated Cabin filter on corolla')
    expect(edited.text).toContain('2026-11-01')
    const list = await say('/item list corolla')
    expect(list.title).toBe('corolla: 2 items')
    expect(list.text).toContain('Cabin filter — not urgent — due 2026-11-01')
    const fuel = await say('/fuel list corolla')
    expect(fuel.text).toContain('11.2 gal · $41.30 · 48,100 mi')
    for (const [line, field] of [
      ['/fuel log corolla volume:0', 'volume'],
      ['/fuel log corolla volume:"10 gal" cost:-3', 'cost'],
      ['/service log corolla title:x cost:1e309', 'cost'],
      ['/service log corolla title:x odometer:"40,000 mi"', 'odometer'],
      ['/item add corolla name:Tyres months:0', 'months'],
      ['/item add corolla name:Tyres distance:"0 mi"', 'distance'],
      ['/item add corolla name:Tyres months:6 last_date:2026-06-01', 'last_date'],
      ['/garage settings timezone:Mars/Olympus', 'timezone'],
      ['/garage settings reminder_hour:25', 'reminder_hour'],
    ] as const) {
      const r = await say(line)
      expect(r.tone).toBe('error')
      expect(r.text).toStartWith(field)
    }
    const after = await items('GET', '/items?car=corolla', 'local:home')
    const dues = (l: any) => Object.fromEntries(l.items.map((i: any) => [i.name, i.due_date]))
    expect(dues(after)).toEqual({ ...dues(before), 'Cabin filter': '2026-11-01' })
    expect((await items('GET', '/fillups?car=corolla', 'local:home')).fillups).toHaveLength(1)
    expect((await items('GET', '/records?car=corolla', 'local:home')).records).toHaveLength(2)
    const removed = await say('/item remove corolla item:"Cabin filter"')
    expect(removed.title).toBe('Removed Cabin filter')
    expect((await say('/reminders list car:corolla')).text.split('\n')).toHaveLength(1)
  })

  test('an announcement id is the reply envelope id', () => {
    expect(announcementEnvelopeId(12)).toBe('reminder-12')
    expect(replyJobId(announcementEnvelopeId(12))).toBe('reply-reminder-12-final')
  })
})
