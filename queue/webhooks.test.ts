/**
 * Outgoing webhooks end to end: the real stack (services on ports, the orchestrator with its
 * webhook consumer on the test Redis) posting to receivers on loopback (Bun.serve on
 * 127.0.0.1:0) that verify the signature as the README tells receivers to. The clock is the
 * stack's, moved by the tests (a failure streak of days).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import { parseLine } from '../catalog/grammar.ts'
import type { Actor, Reply, ReplyJob } from '../lib/contracts/envelope.ts'
import { localGarageQueue, queueOptions, WEBHOOKS_QUEUE } from '../lib/contracts/queues.ts'
import { createLogger } from '../lib/log.ts'
import { workerConnection } from '../lib/redis.ts'
import { createApp } from '../services/items/app.ts'
import { uniquePrefix } from '../test/redis.ts'
import { type Stack, startStack } from '../test/stack.ts'
import { parseConfig } from '../lib/config.ts'
import { startReminders } from './reminders.ts'
import { noteWebhooks, signature, startWebhooks } from './webhooks.ts'

let clock = new Date('2026-05-01T17:00:00Z')
let stack: Stack
/** The stack with WEBHOOK_ALLOW_PRIVATE left off (its default). */
let strict: Stack
const logLines: string[] = []
const closers: (() => Promise<unknown> | unknown)[] = []

type Received = { path: string; id: string; type: string; body: any; signed: boolean; answered?: number }
const received: Received[] = []
let secrets: Record<string, string> = {}
let release: () => void = () => {}
const hanging = new Promise<void>((resolve) => {
  release = resolve
})
let receiver: ReturnType<typeof Bun.serve>

/** Verifies `X-CarManager-Signature: t=<unix>,v1=<hex>` over `<t>.<body>`, as a receiver does. */
function verify(secret: string | undefined, header: string | null, body: string): boolean {
  if (!secret || !header) return false
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]))
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest()
  const given = Buffer.from(parts.v1 ?? '', 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(parts.t)) < 300
}

const at = (path: string) => `http://127.0.0.1:${receiver.port}${path}`
const hits = (path: string) => received.filter((r) => r.path === path)

async function until<T>(what: () => T | undefined | false | Promise<T | undefined | false>, label: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await what()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`)
    await Bun.sleep(20)
  }
}

beforeAll(async () => {
  receiver = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname
      const text = await request.text()
      let body: any = null
      try {
        body = JSON.parse(text)
      } catch {}
      const r: Received = {
        path,
        id: body?.id,
        type: body?.type,
        body,
        signed: verify(secrets[path], request.headers.get('x-carmanager-signature'), text),
      }
      received.push(r)
      const answer = (status: number, headers: Record<string, string> = {}) => {
        r.answered = status
        return new Response(status < 300 ? 'ok' : 'no', { status, headers })
      }
      if (path === '/flaky') return answer(hits('/flaky').filter((h) => h.id === r.id).length <= 2 ? 500 : 200)
      if (path === '/hang') {
        await hanging
        return answer(200)
      }
      if (path === '/redirect') return answer(302, { location: at('/redirected') })
      if (path === '/down') return answer(503)
      return answer(200)
    },
  })
  const dest = { write: (line: string) => void logLines.push(line) }
  stack = await startStack({
    services: ['items', 'issues', 'images', 'quotes', 'api'],
    now: () => clock,
    log: createLogger('worker', 'trace', dest),
    env: {
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_BACKOFF_MS: '30',
      WEBHOOK_ATTEMPTS: '4',
      WEBHOOK_CONCURRENCY: '4',
      WEBHOOK_TIMEOUT_MS: '30000',
      REMINDER_EVERY_MS: '3600000',
    },
  })
  strict = await startStack({ services: ['items'], env: { REMINDER_EVERY_MS: '3600000' } })
})

afterAll(async () => {
  release()
  for (const close of closers.reverse()) await close()
  await stack?.close()
  await strict?.close()
  receiver?.stop(true)
})

const say = (line: string, tenant: string, actor?: Partial<Actor>, on: Stack = stack): Promise<Reply> => {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  return on.command(parsed.kind, parsed.payload, { tenant, ...(actor ? { actor } : {}) })
}

/** Adds a webhook by chat and keeps its secret for the receiver's check. */
async function addHook(tenant: string, path: string, events = 'all'): Promise<{ reply: Reply; number: number; secret: string }> {
  const reply = await say(`/garage webhook add url:${at(path)} events:${events}`, tenant)
  expect(reply.tone).toBe('ok')
  const secret = /whsec_[0-9a-f]{64}/.exec(reply.text)![0]
  secrets[path] = secret
  return { reply, number: Number(/#(\d+)/.exec(reply.title!)![1]), secret }
}

/** A car, added straight in the items service (the test is about what happens after). */
async function addCar(tenant: string, nickname: string, km: number) {
  const res = await fetch(`${stack.url('items')}/cars`, {
    method: 'POST',
    headers: stack.headers(tenant, { 'idempotency-key': `car-${tenant}-${nickname}` }),
    body: JSON.stringify({ nickname, odometer: { value: km, unit: 'km', text: `${km} km` } }),
  })
  expect(res.status).toBe(201)
}

async function storedHooks(on: Stack, tenant: string) {
  const res = await fetch(`${on.url('items')}/webhooks`, { headers: on.headers(tenant) })
  return ((await res.json()) as { webhooks: { number: number; status: string; url: string }[] }).webhooks
}

describe('webhooks', () => {
  test('a receiver answering 500 twice gets the event once, signed, after retries; the log shows two failures then the delivery; a redelivered job posts nothing twice', async () => {
    const G = 'local:wh-flaky'
    await addCar(G, 'golf', 10000)
    const { reply, secret } = await addHook(G, '/flaky', 'record.created,record.changed')
    expect(reply.ephemeral).toBe(true)
    const logged = await say('/fuel log car:golf volume:"40 L" odometer:"10500 km" cost:60', G)
    expect(logged.tone).toBe('ok')

    await until(() => hits('/flaky').some((h) => h.answered === 200), 'the accepted delivery')
    const tries = hits('/flaky')
    expect(tries.map((t) => t.answered)).toEqual([500, 500, 200])
    expect(tries.every((t) => t.signed)).toBe(true)
    expect(new Set(tries.map((t) => t.id)).size).toBe(1)
    const event = tries[2]!.body
    expect(Object.keys(event).sort()).toEqual(['at', 'data', 'garage', 'id', 'type'])
    expect(event).toMatchObject({ type: 'record.created', garage: G, data: { kind: 'fillup', car: 'golf' } })
    expect(event.data.record).toMatchObject({ number: 1, car: 'golf' })

    const shown = await until(async () => {
      const r = await say('/garage webhook log id:1', G)
      return r.text.includes('attempt 3: delivered') ? r : undefined
    }, 'the log of the delivery')
    const lines = shown.text.split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[0]).toContain(`record.created ${event.id} attempt 3: delivered (HTTP 200)`)
    expect(lines[1]).toContain('attempt 2: failed (HTTP 500)')
    expect(lines[2]).toContain('attempt 1: failed (HTTP 500)')

    // The same delivery again (a job handed out twice): the event already reached it, so nothing is posted or logged.
    const queue = new Queue(WEBHOOKS_QUEUE, queueOptions(workerConnection(stack.config.REDIS_URL!), stack.prefix))
    closers.push(() => queue.close())
    const again = await queue.add('deliver', { tenant: G, webhook: 1, event }, { jobId: 'redelivered-1' })
    const done = await until(async () => {
      const job = await queue.getJob(again.id!)
      return job?.finishedOn ? job : undefined
    }, 'the redelivered job')
    expect(done.returnvalue).toEqual({ outcome: 'already delivered' })
    expect(hits('/flaky')).toHaveLength(3)
    expect((await say('/garage webhook log id:1', G)).text.split('\n')).toHaveLength(3)

    // a correction is record.changed; the secret was never logged
    await say('/fuel edit number:1 cost:61', G)
    await until(() => hits('/flaky').some((h) => h.type === 'record.changed' && h.answered === 200), 'record.changed')
    expect(logLines.length).toBeGreaterThan(0)
    expect(logLines.filter((l) => l.includes(secret))).toEqual([])
  })

  test('a hanging receiver does not hold up another webhook; a redirect is a failure and is not followed', async () => {
    const G = 'local:wh-hang'
    await addCar(G, 'polo', 5000)
    await addHook(G, '/hang')
    await addHook(G, '/fast')
    await addHook(G, '/redirect')
    await say('/expense log car:polo kind:parking cost:12', G)
    await until(() => hits('/fast').length > 0, 'the other webhook’s delivery')
    const hang = hits('/hang')
    expect(hang).toHaveLength(1)
    expect(hang[0]!.answered).toBeUndefined()
    expect(hits('/fast')[0]).toMatchObject({ signed: true, type: 'record.created', answered: 200 })
    expect(hits('/fast')[0]!.body.data.kind).toBe('expense')

    const shown = await until(async () => {
      const r = await say('/garage webhook log id:3', G)
      return r.text.includes('attempt 2: failed') ? r : undefined
    }, 'the redirect retried')
    expect(shown.text).toContain('attempt 1: failed (redirect (HTTP 302) not followed)')
    expect(shown.text).not.toContain('delivered')
    expect(hits('/redirected')).toEqual([])
    release()
    await until(() => hits('/hang')[0]!.answered === 200, 'the hanging receiver to answer')
  })

  test('issue events, and reminder.urgency_changed from the reminder tick', async () => {
    const G = 'local:wh-issues'
    await say('/garage settings units:metric timezone:UTC reminder_channel:garage reminder_hour:9', G)
    await addCar(G, 'fiesta', 30000)
    await say('/item add car:fiesta name:"Oil change" months:6 last_date:2025-11-06', G)
    await addHook(G, '/issues', 'issue.opened,issue.closed,reminder.urgency_changed')
    await say('/issue log car:fiesta title:"Squeaky brakes"', G)
    await say('/issue close number:1 resolution:"New pads"', G)
    await until(() => hits('/issues').length >= 2, 'the issue events')
    expect(hits('/issues').map((h) => [h.type, h.body.data.issue.number, h.signed])).toEqual([
      ['issue.opened', 1, true],
      ['issue.closed', 1, true],
    ])

    const connection = workerConnection(stack.config.REDIS_URL!)
    closers.push(() => connection.disconnect())
    const publisher = await startWebhooks({ connection, config: stack.config, log: createLogger('t', 'silent'), postReply: async () => {}, process: false })
    closers.push(() => publisher.close())
    const reminders = await startReminders({ connection, queuePrefix: stack.prefix, config: stack.config, log: createLogger('t', 'silent'), now: () => clock, process: false, webhooks: publisher })
    closers.push(() => reminders.close())
    expect((await reminders.tick()).posted).toBe(1)
    const urgent = await until(() => hits('/issues').find((h) => h.type === 'reminder.urgency_changed'), 'the urgency event')
    expect(urgent.body.data).toEqual({ car: 'fiesta', item: 'Oil change', level: 'very_urgent', level_label: 'very urgent', due_text: 'due 2026-05-06 (in 5 days)' })
    expect(urgent.signed).toBe(true)
  })

  test("a reminder's Log service button sends record.created like /service log", async () => {
    const G = 'local:wh-logbutton'
    await addCar(G, 'ka', 41000)
    await say('/item add car:ka name:"Cabin filter" months:12 last_date:2025-12-01', G)
    await addHook(G, '/logged', 'record.created')
    const listed = await fetch(`${stack.url('items')}/items?car=ka`, { headers: stack.headers(G) })
    const { items } = (await listed.json()) as { items: { id: number; name: string }[] }
    const filter = items.find((i) => i.name === 'Cabin filter')!
    const logged = await stack.command('item.log', { arg: String(filter.id), cost: { value: 24.5, text: '24.50' } }, { tenant: G })
    expect(logged.tone).toBe('ok')
    const hit = await until(() => hits('/logged')[0], 'the service record event')
    expect(hit).toMatchObject({ signed: true, type: 'record.created' })
    expect(hit.body.data).toMatchObject({ kind: 'service', car: 'ka' })
  })

  test('a webhook failing past WEBHOOK_PAUSE_AFTER_HOURS is paused and the managers are told once; resume brings it back', async () => {
    const G = 'local:wh-down'
    await addCar(G, 'mini', 1000)
    await addHook(G, '/down', 'record.created')
    await say('/fuel log car:mini volume:"30 L" odometer:"1400 km"', G)
    await until(() => hits('/down').length >= 4, 'every attempt')
    clock = new Date(clock.getTime() + 73 * 3600_000)
    await say('/fuel log car:mini volume:"30 L" odometer:"1800 km"', G)
    const listed = await until(async () => {
      const r = await say('/garage webhook list', G)
      return r.text.includes('paused since') ? r : undefined
    }, 'the pause')
    expect(listed.text).toContain('#1 ')
    const attempts = hits('/down').length
    await say('/fuel log car:mini volume:"30 L" odometer:"2200 km"', G)
    const channel = new Queue(localGarageQueue(G), queueOptions(workerConnection(stack.config.REDIS_URL!), stack.prefix))
    closers.push(() => channel.close())
    const notices = async () =>
      ((await channel.getJobs(['waiting', 'active', 'completed', 'delayed'])) as { data: ReplyJob }[]).filter((j) =>
        j.data.reply.title?.includes('is paused'),
      )
    const found = await until(async () => {
      const n = await notices()
      return n.length > 0 ? n : undefined
    }, 'the notice')
    expect(found).toHaveLength(1)
    expect(found[0]!.data.reply.text).toContain('/garage webhook resume id:1')
    // paused: the third fill-up was not posted
    expect(hits('/down').length).toBe(attempts)
    const resumed = await say('/garage webhook resume id:1', G)
    expect(resumed.title).toBe('Webhook #1 resumed')
    expect((await storedHooks(stack, G))[0]!.status).toBe('active')
    expect(await notices()).toHaveLength(1)
  })

  test('a driver or viewer cannot add a webhook: refused privately, nothing stored', async () => {
    const G = 'discord:880000000000000001'
    const driver: Partial<Actor> = { platform: 'discord', userId: '4242', name: 'Bob', discord: { roles: [] } }
    const refused = await say(`/garage webhook add url:${at('/fast')} events:all`, G, driver)
    expect(refused.tone).toBe('error')
    expect(refused.ephemeral).toBe(true)
    expect(refused.text).toContain('manager')
    expect(await storedHooks(stack, G)).toEqual([])
  })

  test('with WEBHOOK_ALLOW_PRIVATE off, loopback, private and http addresses are refused naming why; nothing is stored', async () => {
    const G = 'local:wh-strict'
    const cases: [string, string][] = [
      ['https://127.0.0.1:8443/in', 'loopback'],
      ['https://localhost/in', 'loopback'],
      ['https://10.1.2.3/in', 'private'],
      ['https://[fd00::1]/in', 'unique local'],
      ['https://[::ffff:192.168.1.1]/in', 'private'],
      ['http://hooks.example.com/in', 'https://'],
    ]
    for (const [url, why] of cases) {
      const r = await say(`/garage webhook add url:${url} events:all`, G, undefined, strict)
      expect([url, r.tone, r.text.includes(why)]).toEqual([url, 'error', true])
      expect(r.text).toContain('nothing was added')
    }
    const bad = await say('/garage webhook add url:https://8.8.8.8/in events:record.deleted', G, undefined, strict)
    expect(bad.text).toContain('"record.deleted" is not one of')
    expect(await storedHooks(strict, G)).toEqual([])
  })

  test('deleting the garage removes its webhooks', async () => {
    const G = 'local:wh-delete'
    await addHook(G, '/gone')
    expect(await storedHooks(stack, G)).toHaveLength(1)
    const deleted = await say('/garage delete confirm:yes', G)
    expect(deleted.tone).toBe('ok')
    expect(await storedHooks(stack, G)).toEqual([])
  })
})

describe('publishing', () => {
  test('a garage without webhooks costs one question to the items service, then nothing per command; one with them gets one fan-out job per command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wh-publish-'))
    const token = 'publish-test-token-0123456789abcdef'
    const app = createApp({ dataDir: dir, token })
    const asked: string[] = []
    const items = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (request) => {
        asked.push(new URL(request.url).pathname)
        return app.fetch(request)
      },
    })
    const config = parseConfig({
      REDIS_URL: stack.config.REDIS_URL,
      SERVICE_TOKEN: token,
      QUEUE_PREFIX: uniquePrefix('whpub'),
      ITEMS_URL: `http://127.0.0.1:${items.port}`,
      LOG_LEVEL: 'silent',
    })
    const connection = workerConnection(config.REDIS_URL!)
    const publisher = await startWebhooks({ connection, config, log: createLogger('t', 'silent'), postReply: async () => {}, process: false })
    try {
      const event = [{ type: 'record.created' as const, data: { kind: 'fillup' } }]
      for (let i = 0; i < 5; i++) expect(await publisher.publish('local:none', event, `cmd-${i}`)).toBe(false)
      expect(asked).toEqual(['/webhooks/active'])
      expect(await publisher.queue.count()).toBe(0)

      const added = await app.handle(
        new Request('http://localhost/webhooks', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'x-tenant': 'local:some', 'content-type': 'application/json' },
          body: JSON.stringify({ url: 'https://hooks.example.com/x', events: ['all'] }),
        }),
      )
      expect(added.status).toBe(201)
      noteWebhooks(config.ITEMS_URL, 'local:some', true)
      expect(await publisher.publish('local:some', event, 'cmd-a')).toBe(true)
      // the same command's events again (a rerun): still one fan-out job
      expect(await publisher.publish('local:some', event, 'cmd-a')).toBe(true)
      expect(await publisher.queue.count()).toBe(1)
      expect(asked).toEqual(['/webhooks/active'])
      const [job] = await publisher.queue.getJobs(['waiting'])
      expect(job!.data.events).toEqual([
        { id: 'evt_cmd-a_0', type: 'record.created', garage: 'local:some', at: expect.any(String), data: { kind: 'fillup' } },
      ])
    } finally {
      await publisher.close()
      connection.disconnect()
      items.stop(true)
      await app.stop?.()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('the signature is HMAC-SHA256 of "<t>.<body>" in hex, as the README shows', () => {
    const body = '{"id":"evt_1_0"}'
    expect(signature('whsec_test', 1700000000, body)).toBe(
      `t=1700000000,v1=${createHmac('sha256', 'whsec_test').update(`1700000000.${body}`).digest('hex')}`,
    )
    expect(verify('whsec_test', signature('whsec_test', Math.floor(Date.now() / 1000), body), body)).toBe(true)
    expect(verify('whsec_other', signature('whsec_test', Math.floor(Date.now() / 1000), body), body)).toBe(false)
    expect(verify('whsec_test', signature('whsec_test', Math.floor(Date.now() / 1000), body), `${body} `)).toBe(false)
  })
})
