/**
 * Shared garages end to end through the queue, with the real services: a car's drivers (anyone
 * sees them, a manager changes them), reminders that mention the drivers and carry I'll do it,
 * a private copy for a driver who chose /garage me reminders:dm (the terminal chat prints it in
 * that user's session only), "by Ann" on every record list, /garage delete (preview and confirm,
 * with counts per kind, another garage untouched) and a garage that left: marked, kept while
 * it comes back in time, deleted in every service by the daily check after the grace period.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { LocalChat } from '../../bots/local/index.ts'
import { parseLine } from '../../catalog/grammar.ts'
import type { Actor, Reply, ReplyJob } from '../../lib/contracts/envelope.ts'
import { silentLogger } from '../../lib/log.ts'
import { workerConnection } from '../../lib/redis.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type Reminders, startReminders } from '../reminders.ts'

let clock = new Date('2026-05-01T17:00:00Z')
let stack: Stack
let reminders: Reminders
const closers: (() => Promise<unknown> | unknown)[] = []

const ANN: Partial<Actor> = { platform: 'local', userId: 'local-ann', name: 'Ann' }
/** A Discord member without Manage Server: a driver by the platform's facts. */
const BOB: Partial<Actor> = { platform: 'discord', userId: '4242', name: 'Bob', discord: { roles: [] } }

beforeAll(async () => {
  stack = await startStack({
    services: ['items', 'issues', 'images', 'quotes', 'calculator', 'api'],
    now: () => clock,
    // the stack's own scheduler stays out of the way: the tests tick by hand
    env: { REMINDER_EVERY_MS: '3600000', GARAGE_GRACE_DAYS: '30' },
  })
  const connection = workerConnection(stack.config.REDIS_URL!)
  closers.push(() => connection.disconnect())
  reminders = await startReminders({
    connection,
    queuePrefix: stack.prefix,
    config: stack.config,
    log: silentLogger,
    now: () => clock,
    process: false,
  })
  closers.push(() => reminders.close())
})
afterAll(async () => {
  for (const close of closers.reverse()) await close()
  await stack?.close()
})

async function as(actor: Partial<Actor>, line: string, tenant: string): Promise<Reply> {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  return stack.command(parsed.kind, parsed.payload, { tenant, actor })
}
const say = (line: string, tenant: string) => stack.say(line, tenant)

async function items(method: string, path: string, tenant: string, body?: unknown): Promise<any> {
  const res = await fetch(`${stack.url('items')}${path}`, {
    method,
    headers: { ...stack.headers(tenant), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return res.json()
}

/** Waits (at most `ms`) until `ok()` holds. */
async function until(ok: () => unknown, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(20)
  }
}

async function chat(
  tenant: string,
  user: { id: string; name: string },
  seen: ReplyJob[],
): Promise<LocalChat> {
  const c = new LocalChat({
    redisUrl: stack.config.REDIS_URL!,
    queuePrefix: stack.prefix,
    tenant,
    user,
    timeoutMs: 10_000,
    onReply: (j) => seen.push(j),
  })
  await c.connect()
  closers.push(() => c.close())
  return c
}

describe('/car drivers', () => {
  const G = 'local:drivers-e2e'
  test('a manager adds and removes drivers; anyone sees them; a driver is refused and nothing changes', async () => {
    await say('/car add golf odometer:"20000 km"', G)
    expect((await say('/car drivers golf', G)).text).toBe(
      'golf has no drivers yet. A manager adds one with /car drivers golf add:@member; reminders of golf then mention them.',
    )
    const added = await say('/car drivers golf add:@ann', G)
    expect(added.tone).toBe('ok')
    expect(added.text).toBe('ann drives golf; its reminders mention them.')
    await say('/car drivers golf add:bob', G)
    const shown = await as(BOB, '/car drivers golf', G)
    expect(shown.title).toBe('Drivers of golf')
    expect(shown.text).toBe('• ann (added by Tester)\n• bob (added by Tester)')

    const refused = await as(BOB, '/car drivers golf remove:<@4243>', G)
    expect(refused.tone).toBe('error')
    expect(refused.text).toContain('needs a manager of this garage; you are a driver, so nothing was done')
    expect((await items('GET', '/drivers?car=golf', G)).drivers).toHaveLength(2)

    const removed = await say('/car drivers golf remove:bob', G)
    expect(removed.text).toBe('bob no longer drives golf.')
    expect(removed.fields?.[0]?.value).toBe('ann')
    expect((await say('/car drivers golf remove:bob', G)).text).toBe(
      'bob was not a driver of golf; nothing changed.',
    )
    // another garage knows nothing of them
    expect((await say('/car drivers golf', 'local:drivers-other')).tone).toBe('error')
  })
})

describe('"by Ann" on records', () => {
  const G = 'local:authors-e2e'
  test('every record list says who logged each record once someone else logged any; a solo list stays as it was', async () => {
    await say('/garage settings units:metric currency:USD timezone:UTC', G)
    await say('/car add polo odometer:"10000 km"', G)
    await say('/fuel log car:polo volume:"40 L" odometer:"10400 km"', G)
    const solo = await say('/fuel list car:polo', G)
    expect(solo.text).not.toContain(' · by ')

    await as(ANN, '/fuel log car:polo volume:"38 L" odometer:"10900 km"', G)
    await as(ANN, '/service log car:polo title:"Oil and filter" cost:80', G)
    await as(ANN, '/car odometer polo reading:"11000 km"', G)
    await as(ANN, '/expense log car:polo kind:toll cost:3.50', G)
    await say('/expense log car:polo kind:parking cost:2', G)

    const fuel = (await say('/fuel list car:polo', G)).text.split('\n').filter((l) => l.startsWith('#'))
    expect(fuel.map((l) => l.replace(/^#\d+ .* · by /, 'by '))).toEqual(['by Ann', 'by Tester'])
    expect((await say('/service list car:polo', G)).text).toMatch(
      /^#\d+ 2026-05-01 · Oil and filter .* · by Ann$/m,
    )
    const readings = (await say('/car readings polo', G)).text
    expect(readings).toMatch(/^#\d+ 2026-05-01 {2}11000 km \(typed\) · by Ann$/m)
    // the car's first reading came with the car: its author is not known, so it says nothing
    expect(readings).toMatch(/^#1 2026-05-01 {2}10000 km \(typed\)$/m)
    const expenses = (await say('/expense list car:polo', G)).text.split('\n')
    expect(expenses.find((l) => l.includes('parking'))).toEndWith(' · by Tester')
    expect(expenses.find((l) => l.includes('toll'))).toEndWith(' · by Ann')
    // Ann's own view: Tester logged some, so she sees names too
    expect((await as(ANN, '/expense list car:polo', G)).text).toContain(' · by Tester')
  })
})

describe('reminders of a shared car', () => {
  const G = 'local:rem-shared'
  test('the post mentions the drivers; I’ll do it says who took it; a dm driver gets a private copy in their own session only', async () => {
    const annSeen: ReplyJob[] = []
    const bobSeen: ReplyJob[] = []
    const ann = await chat('rem-shared', { id: 'local-ann', name: 'Ann' }, annSeen)
    await chat('rem-shared', { id: 'local-bob', name: 'Bob' }, bobSeen)
    await say('/garage settings units:metric timezone:UTC reminder_channel:garage reminder_hour:9', G)
    await say('/car add fiesta odometer:"30000 km"', G)
    await say('/item add car:fiesta name:"Oil change" months:6 last_date:2025-11-06', G)
    await say('/car drivers fiesta add:ann', G)
    await say('/car drivers fiesta add:bob', G)
    const me = (await ann.send('/garage me reminders:dm')).at(-1)!
    expect(me.text).toBe(
      'Reminders of the cars you drive (fiesta) are posted in the reminder channel and also sent to you privately.',
    )

    clock = new Date('2026-05-02T17:00:00Z')
    expect((await reminders.tick()).posted).toBe(1)
    const channelPost = (seen: ReplyJob[]) =>
      seen.find((j) => j.replyTo.platform === 'local' && j.replyTo.channel)
    // the garage's channel queue is taken by one of its chats; the private copy only by Ann's session
    const dmOf = (seen: ReplyJob[]) => seen.filter((j) => j.envelopeId.includes('-dm-'))
    await until(
      () => (channelPost(annSeen) ?? channelPost(bobSeen)) && dmOf(annSeen).length > 0,
      5_000,
      'the posts',
    )
    const post = (channelPost(annSeen) ?? channelPost(bobSeen))!.reply
    expect(post.title).toBe('Oil change on fiesta is very urgent')
    expect(post.text).toEndWith('\nDrivers: ann, bob')
    const take = post.actions!.find((a) => a.label === "I'll do it")!
    expect(take.id).toMatch(/^item\.take:\d+$/)
    const dm = dmOf(annSeen)
    expect(dm.map((j) => [j.replyTo, j.reply.title])).toEqual([
      [{ platform: 'local', session: ann.session }, 'Oil change on fiesta is very urgent (a car you drive)'],
    ])
    expect(dmOf(bobSeen)).toEqual([])

    const colon = take.id.indexOf(':')
    const press = (actor: Partial<Actor>) =>
      stack.command('item.take', { arg: take.id.slice(colon + 1) }, { tenant: G, actor })
    const taken = await press(ANN)
    expect(taken.title).toBe('Taken by Ann')
    expect(taken.text).toBe('Ann will do Oil change on fiesta.')
    const late = await press({ platform: 'local', userId: 'local-bob', name: 'Bob' })
    expect(late.tone).toBe('warn')
    expect(late.title).toBe('Taken by Ann')
    expect(late.text).toBe(
      'Ann already took Oil change on fiesta; nothing changed. Ask them if you want to do it instead.',
    )
    expect((await press(ANN)).text).toBe('You have Oil change on fiesta already.')
    // another garage cannot take it
    const other = await stack.command(
      'item.take',
      { arg: take.id.slice(colon + 1) },
      { tenant: 'local:rem-other' },
    )
    expect(other.tone).toBe('error')
  }, 30_000)
})

describe('/garage delete', () => {
  const G = 'local:delete-e2e'
  const OTHER = 'local:delete-keep'
  test('a preview counts what would go; confirm deletes in every service and says what went; another garage keeps everything', async () => {
    for (const g of [G, OTHER]) {
      await say('/car add golf odometer:"20000 km"', g)
      await say('/fuel log car:golf volume:"40 L" odometer:"20400 km"', g)
      await say('/issue log car:golf title:"Rattle"', g)
      await say('/quote add issue:1 shop:"Joe" amount:100', g)
    }
    await say('/car add polo', G)
    const preview = await say('/garage delete', G)
    expect(preview.tone).toBe('warn')
    expect(preview.text).toStartWith(
      'This would delete everything of this garage in every service: 2 cars, 2 odometer readings, 1 fill-up, 1 issue, 1 quote.',
    )
    expect((await say('/car list', G)).text).toContain('polo')
    // a driver may not even preview it
    expect((await as(BOB, '/garage delete', G)).tone).toBe('error')

    const done = await say('/garage delete confirm:yes', G)
    expect(done.tone).toBe('ok')
    expect(done.title).toBe('Garage deleted')
    expect(done.text).toBe(
      'Deleted 2 cars, 2 odometer readings, 1 fill-up, 1 issue, 1 quote. Nothing of this garage is kept; its settings are back to the defaults.',
    )
    expect((await say('/garage delete', G)).text).toStartWith(
      'This would delete everything of this garage in every service: nothing.',
    )
    expect(
      (await items('GET', '/tenant', OTHER)).kinds.filter((k: { count: number }) => k.count > 0),
    ).toEqual([
      { kind: 'cars', count: 1 },
      { kind: 'odometer readings', count: 2 },
      { kind: 'fill-ups', count: 1 },
    ])
    expect((await say('/issue list car:golf', OTHER)).text).toContain('Rattle')
    const quotes = await fetch(`${stack.url('quotes')}/tenant`, { headers: stack.headers(OTHER) })
    expect(await quotes.json()).toEqual({ kinds: [{ kind: 'quotes', count: 1 }], deleted: false })
  })
})

describe('/garage delete with a service down', () => {
  const G = 'local:delete-down'
  test('the steps before it are done once, the answer says what went and to run it again; again, it finishes', async () => {
    await say('/car add golf odometer:"20000 km"', G)
    await say('/issue log car:golf title:"Rattle"', G)
    await say('/quote add issue:1 shop:"Joe" amount:100', G)
    await stack.stopService('issues')
    try {
      const stopped = await say('/garage delete confirm:yes', G)
      expect(stopped.tone).toBe('error')
      expect(stopped.title).toBe('The garage is not deleted yet')
      expect(stopped.text).toBe(
        'The issues service is unavailable: only 1 quote went so far. Run /garage delete confirm:yes again to finish.',
      )
      expect((await say('/car list', G)).text).toContain('golf')
    } finally {
      await stack.startService('issues')
    }
    expect((await say('/garage delete confirm:yes', G)).text).toBe(
      'Deleted 1 car, 1 odometer reading, 1 issue. Nothing of this garage is kept; its settings are back to the defaults.',
    )
  }, 30_000)
})

describe('a garage that leaves', () => {
  test('marked when the bot is removed: back within the grace period keeps everything; past it the daily check deletes it in every service', async () => {
    const BACK = 'local:leave-back'
    const GONE = 'local:leave-gone'
    for (const g of [BACK, GONE]) {
      await say('/car add golf odometer:"20000 km"', g)
      await say('/issue log car:golf title:"Rattle"', g)
    }
    clock = new Date('2026-06-01T12:00:00Z')
    for (const g of [BACK, GONE])
      expect(
        (await items('PUT', '/tenant/leaving', g, { reason: 'removed from the Discord server' })).since,
      ).toBe('2026-06-01T12:00:00.000Z')
    clock = new Date('2026-06-20T12:00:00Z')
    expect(await reminders.leaveCheck()).toEqual({ deleted: [] })
    expect((await items('DELETE', '/tenant/leaving', BACK)).since).toBeNull()

    clock = new Date('2026-07-01T12:00:01Z')
    expect(await reminders.leaveCheck()).toEqual({ deleted: [GONE] })
    expect((await say('/car list', GONE)).text).not.toContain('golf')
    const issues = await fetch(`${stack.url('issues')}/tenant`, { headers: stack.headers(GONE) })
    expect(((await issues.json()) as { kinds: { count: number }[] }).kinds.every((k) => k.count === 0)).toBe(
      true,
    )
    expect((await say('/car list', BACK)).text).toContain('golf')
    expect((await say('/issue list car:golf', BACK)).text).toContain('Rattle')
    // nothing left to delete: the next check deletes nothing
    expect(await reminders.leaveCheck()).toEqual({ deleted: [] })
  })
})
