/**
 * The public API end to end with the real stack (items, issues, the API process, the worker):
 * keys made in chat by a manager (a driver is refused), each key role through /api/v1 (read,
 * write, refuse), 401 for a missing, wrong, revoked or service key, 422 naming the field (an
 * ambiguous "83.000" too), idempotent writes, another garage's key seeing nothing of this one,
 * the Home Assistant summary, and the calendar feed read by ical.js against /reminders list.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import ICAL from 'ical.js'
import { parseLine } from '../../catalog/grammar.ts'
import type { Actor, Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

const T = 'local:api-e2e'
const OTHER = 'local:api-other'
const clock = new Date('2026-05-10T12:00:00Z')
let stack: Stack

/** A Discord member without Manage Server: a driver by the platform's facts. */
const BOB: Partial<Actor> = { platform: 'discord', userId: '4242', name: 'Bob', discord: { roles: [] } }
const ANN: Partial<Actor> = { platform: 'local', userId: 'local-ann', name: 'Ann' }

async function say(line: string, tenant = T, actor?: Partial<Actor>): Promise<Reply> {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  return stack.command(parsed.kind, parsed.payload, { tenant, ...(actor ? { actor } : {}) })
}
async function ok(line: string, tenant = T, actor?: Partial<Actor>): Promise<Reply> {
  const r = await say(line, tenant, actor)
  if (r.tone === 'error') throw new Error(`${line}: ${r.text}`)
  return r
}

const keyOf = (r: Reply) => /Key: (cmk_[A-Za-z0-9_-]+)/.exec(r.text)?.[1]

async function api(path: string, key: string | undefined, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers }
  if (key !== undefined) headers.authorization = `Bearer ${key}`
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${stack.url('api')}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  })
  const text = await res.text()
  let body: any
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status: res.status, body, text, headers: res.headers }
}

let viewer: string
let driver: string
let manager: string
let otherKey: string

beforeAll(async () => {
  stack = await startStack({
    services: ['items', 'issues', 'api'],
    now: () => clock,
    env: { API_PUBLIC_URL: 'https://cars.example.test', REMINDER_EVERY_MS: '3600000' },
  })
  await ok('/car add golf units:imperial purchase_date:2025-01-01')
  await ok('/car odometer golf reading:"50,000 mi" date:2026-03-01')
  await ok('/car odometer golf reading:"51,000 mi" date:2026-04-01')
  await ok('/car odometer golf reading:"52,000 mi" date:2026-05-01')
  await ok('/item add car:golf name:"Oil change" distance:"5,000 mi" last_date:2026-04-01 last_odometer:"51,000 mi"')
  await ok('/item add car:golf name:Inspection months:12 last_date:2025-06-01')
  await ok('/expense log car:golf kind:insurance cost:1200 every:12m date:2025-06-15')
  await ok('/fuel log car:golf volume:"10 gal" cost:40 odometer:"52,100 mi" date:2026-05-02')
  await ok('/fuel log car:golf volume:"10 gal" cost:38.50 odometer:"52,400 mi" date:2026-05-09')
  await ok('/car add polo units:metric')
  await ok('/car odometer polo reading:"20,000 km" date:2026-05-01')
  await ok('/item add car:polo name:Tyres months:6 last_date:2026-01-01')
  await ok('/car drivers golf add:ann')
  await ok('/car add zebra', OTHER)
  viewer = keyOf(await ok('/garage apikey create name:home-assistant role:viewer'))!
  driver = keyOf(await ok('/garage apikey create name:tracker role:driver'))!
  manager = keyOf(await ok('/garage apikey create name:admin role:manager'))!
  otherKey = keyOf(await ok('/garage apikey create name:theirs role:manager', OTHER))!
}, 60_000)

afterAll(async () => {
  await stack?.close()
})

describe('keys in chat', () => {
  test('a key is answered privately, once, with the base URL; a driver cannot make one; list shows last use', async () => {
    const r = await ok('/garage apikey create name:once role:viewer')
    expect(r.ephemeral).toBe(true)
    expect(keyOf(r)).toMatch(/^cmk_[A-Za-z0-9_-]{40,}$/)
    expect(r.text).toContain('Base URL: https://cars.example.test/api/v1')
    expect(r.text).toContain('https://cars.example.test/api/v1/openapi')
    const again = await say('/garage apikey create name:once role:viewer')
    expect(again.tone).toBe('error')
    expect(again.text).toContain('once')
    expect(again.text).not.toContain('cmk_')
    const refused = await say('/garage apikey create name:bobs role:manager', T, BOB)
    expect(refused.tone).toBe('error')
    expect(refused.text).not.toContain('cmk_')
    const list = await ok('/garage apikey list')
    expect(list.ephemeral).toBe(true)
    expect(list.text).toContain('home-assistant · viewer')
    expect(list.text).toContain('tracker · driver')
    expect(list.text).not.toContain('bobs')
    expect(list.text).not.toContain(viewer)
    expect(list.text).not.toContain('theirs')
  })
})

describe('/api/v1 by key role', () => {
  test('a missing, wrong or service-token key is 401 and nothing else', async () => {
    for (const key of [undefined, '', 'cmk_wrong', `${viewer}x`, viewer.slice(0, -1), stack.token]) {
      const r = await api('/api/v1/cars', key)
      expect(r.status).toBe(401)
      expect(r.body.error.code).toBe('unauthorized')
      expect(r.text).not.toContain('golf')
    }
    // and the internal routes refuse an API key
    expect((await api('/keys', viewer, { headers: { 'x-tenant': T } })).status).toBe(401)
  })

  test('a viewer key reads the garage with the chat figures and cannot write', async () => {
    const cars = await api('/api/v1/cars', viewer)
    expect(cars.status).toBe(200)
    expect(cars.body.cars.map((c: { nickname: string }) => c.nickname).sort()).toEqual(['golf', 'polo'])
    const golf = await api('/api/v1/cars/golf', viewer)
    expect(golf.body.odometer.label).toBe('52,400 mi')
    const items = await api('/api/v1/cars/golf/items', viewer)
    const inspection = items.body.items.find((i: { name: string }) => i.name === 'Inspection')
    expect(inspection.due_date).toBe('2026-06-01')
    expect(inspection.level).toBeString()
    const fills = await api('/api/v1/cars/golf/fillups', viewer)
    expect(fills.body.fillups).toHaveLength(2)
    expect(fills.body.fillups[0].economy).toContain('mpg')
    const readings = await api('/api/v1/cars/golf/readings', viewer)
    const before = readings.body.total
    const w = await api('/api/v1/cars/golf/readings', viewer, { method: 'POST', body: { odometer: '52,500 mi' } })
    expect(w.status).toBe(403)
    expect(w.body.error.code).toBe('forbidden')
    expect((await api('/api/v1/cars/golf/readings', viewer)).body.total).toBe(before)
    for (const path of ['/api/v1/cars/golf/records', '/api/v1/cars/golf/expenses', '/api/v1/cars/golf/charges', '/api/v1/issues', '/api/v1/items'])
      expect(`${path} ${(await api(path, viewer)).status}`).toBe(`${path} 200`)
  })

  test('a driver key posts a reading (once per Idempotency-Key) and a fill-up; bad bodies are 422 naming the field', async () => {
    const before = (await api('/api/v1/cars/golf/readings', driver)).body.total
    const post = (body: unknown, key = 'r-1') =>
      api('/api/v1/cars/golf/readings', driver, { method: 'POST', body, headers: { 'idempotency-key': key } })
    const first = await post({ odometer: '52,600 mi', date: '2026-05-10' })
    expect(first.status).toBe(201)
    const again = await post({ odometer: '52,600 mi', date: '2026-05-10' })
    expect(again.status).toBe(201)
    expect((await api('/api/v1/cars/golf/readings', driver)).body.total).toBe(before + 1)
    expect((await api('/api/v1/cars/golf', driver)).body.odometer.label).toBe('52,600 mi')
    // "83.000" reads two ways in a 1,234.5 garage: refused, naming the field, nothing stored
    const ambiguous = await post({ odometer: '83.000' }, 'r-2')
    expect(ambiguous.status).toBe(422)
    expect(ambiguous.body.error.field).toBe('odometer')
    const missing = await post({ odometr: 52_700 }, 'r-3')
    expect(missing.status).toBe(422)
    expect(missing.body.error.field).toBe('odometer')
    const typo = await post({ odometer: 52_700, odometr: 52_700 }, 'r-5')
    expect(typo.status).toBe(422)
    expect(typo.body.error.field).toBe('odometr')
    const unit = await post({ odometer: '52,700 parsecs' }, 'r-4')
    expect(unit.status).toBe(422)
    expect(unit.body.error.field).toBe('odometer')
    expect((await api('/api/v1/cars/golf/readings', driver)).body.total).toBe(before + 1)
    const fill = await api('/api/v1/cars/golf/fillups', driver, {
      method: 'POST',
      body: { volume: '9.5 gal', cost: 36.1, odometer: 52_900, date: '2026-05-10' },
      headers: { 'idempotency-key': 'f-1' },
    })
    expect(`${fill.status} ${fill.text}`).toStartWith('201 ')
    expect(fill.body.volume).toBe('9.5 gal')
    expect(fill.body.economy).toContain('mpg')
    const badFill = await api('/api/v1/cars/golf/fillups', driver, { method: 'POST', body: { volume: 'lots' } })
    expect(badFill.status).toBe(422)
    expect(badFill.body.error.field).toBe('volume')
    const none = await api('/api/v1/cars/nosuch/readings', driver, { method: 'POST', body: { odometer: 10 } })
    expect(none.status).toBe(404)
    // a manager key writes too
    expect((await api('/api/v1/cars/polo/readings', manager, { method: 'POST', body: { odometer: '20 500 km' } })).status).toBe(201)
    // the garage's history names the key that wrote
    expect((await ok('/garage history car:golf')).text).toContain('API key tracker')
    const list = await ok('/garage apikey list')
    expect(list.text).toMatch(/tracker · driver · cmk_.{4}… · made by Tester · last used 2026-05-10 12:00 UTC/)
  })

  test("another garage's key sees nothing of this garage", async () => {
    expect((await api('/api/v1/cars/golf', otherKey)).status).toBe(404)
    expect((await api('/api/v1/cars/golf/items', otherKey)).text).not.toContain('Inspection')
    const cars = await api('/api/v1/cars', otherKey)
    expect(cars.body.cars.map((c: { nickname: string }) => c.nickname)).toEqual(['zebra'])
    const w = await api('/api/v1/cars/golf/readings', otherKey, { method: 'POST', body: { odometer: 99_999 } })
    expect(w.status).toBe(404)
    expect((await api('/api/v1/cars/golf', viewer)).body.odometer.label).toBe('52,900 mi')
  })

  test('a revoked key is 401 at once; the OpenAPI document lists the public routes', async () => {
    const r = await ok('/garage apikey create name:short-lived role:driver')
    const key = keyOf(r)!
    expect((await api('/api/v1/cars', key)).status).toBe(200)
    await ok('/garage apikey revoke name:short-lived')
    const after = await api('/api/v1/cars', key)
    expect(after.status).toBe(401)
    expect((await ok('/garage apikey list')).text).toContain('short-lived · driver')
    const doc = await api('/api/v1/openapi/json', undefined)
    expect(doc.status).toBe(200)
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/cars/{car}/readings')
    expect(Object.keys(doc.body.paths).some((p) => p.startsWith('/keys'))).toBe(false)
    expect((await api('/api/v1/openapi', undefined)).text).toContain('<html>')
  })
})

describe('Home Assistant', () => {
  test('the car summary with a viewer key: odometer, next due item, economy, month cost', async () => {
    // A loan payment repays the loan: the chat does not count it as a cost, and neither does this.
    await ok('/expense log car:golf kind:parking cost:6.50 date:2026-05-09')
    await ok('/expense log car:golf kind:loan cost:282.38 date:2026-05-09')
    const r = await api('/api/v1/cars/golf/summary', viewer)
    expect(r.status).toBe(200)
    const s = r.body
    expect(s.car).toBe('golf')
    expect(s.odometer).toBe(52_900)
    expect(s.odometer_unit).toBe('mi')
    expect(s.next_due.item).toBeString()
    expect(['not_urgent', 'urgent', 'very_urgent', 'past_due']).toContain(s.next_due.urgency)
    expect(s.last_economy).toContain('mpg')
    // May: 40 + 38.50 + 36.10 in fill-ups, 6.50 parking; the 282.38 loan payment is no cost
    expect(s.month_cost_minor).toBe(12_110)
    expect(s.month_cost).toBe(121.1)
    expect(s.month_cost_label).toBe('$121.10')
    const all = await api('/api/v1/summary', viewer)
    expect(all.body.month).toBe('2026-05')
    expect(all.body.cars.map((c: { car: string }) => c.car).sort()).toEqual(['golf', 'polo'])
    expect((await api('/api/v1/summary', undefined)).status).toBe(401)
  })
})

describe('calendar feed', () => {
  const feedOf = async (r: Reply) => {
    const url = /webcal:\/\/(\S+)/.exec(r.text)?.[1]
    expect(url).toStartWith('cars.example.test/api/v1/calendar/cal_')
    const path = url!.slice('cars.example.test'.length)
    return { path, res: await api(path, undefined) }
  }
  const events = (text: string) =>
    new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v))

  test('one event per due date and renewal, as /reminders list has them; revocable', async () => {
    const r = await ok('/garage calendar')
    expect(r.ephemeral).toBe(true)
    const { path, res } = await feedOf(r)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/calendar')
    expect(res.text).toContain('\r\n')
    expect(res.text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true)
    const list = events(res.text)
    const byName = Object.fromEntries(list.map((e) => [e.summary, e]))
    expect(Object.keys(byName).sort()).toEqual([
      'golf: Inspection due',
      'golf: Insurance renews',
      'golf: Oil change due (estimate)',
      'polo: Tyres due',
    ])
    expect(byName['golf: Inspection due']!.startDate.toString()).toBe('2026-06-01')
    expect(byName['golf: Inspection due']!.startDate.isDate).toBe(true)
    expect(byName['golf: Insurance renews']!.startDate.toString()).toBe('2026-06-15')
    expect(byName['polo: Tyres due']!.startDate.toString()).toBe('2026-07-01')
    expect(byName['golf: Oil change due (estimate)']!.description).toContain('estimate')
    // the same items and dates as /reminders list
    const reminders = await ok('/reminders list')
    for (const line of ['golf: Inspection', 'golf: Oil change', 'polo: Tyres', 'golf: Insurance renewal'])
      expect(reminders.text).toContain(line)
    for (const date of ['2026-06-01', '2026-07-01', '2026-06-15']) expect(reminders.text).toContain(date)
    const item = (await api('/api/v1/cars/golf/items', viewer)).body.items.find((i: { name: string }) => i.name === 'Oil change')
    expect(byName['golf: Oil change due (estimate)']!.startDate.toString()).toBe(item.projected.date)
    // UIDs are stable between fetches
    const again = events((await api(path, undefined)).text)
    expect(again.map((e) => e.uid).sort()).toEqual(list.map((e) => e.uid).sort())
    // a new record moves the estimate: computed when fetched
    await ok('/car odometer golf reading:"53,500 mi" date:2026-05-10')
    const moved = events((await api(path, undefined)).text).find((e) => e.summary.startsWith('golf: Oil change'))!
    expect(moved.startDate.toString() < byName['golf: Oil change due (estimate)']!.startDate.toString()).toBe(true)
    const revoked = await ok('/garage calendar revoke:yes')
    expect(revoked.text).toContain('revoked')
    expect((await api(path, undefined)).status).toBe(404)
  })

  test('mine:yes keeps the cars the member drives; car: one car', async () => {
    const mine = await feedOf(await ok('/garage calendar mine:yes', T, ANN))
    const names = events(mine.res.text).map((e) => e.summary)
    expect(names.length).toBeGreaterThan(0)
    expect(names.every((n) => n.startsWith('golf: '))).toBe(true)
    const polo = await feedOf(await ok('/garage calendar car:polo'))
    expect(events(polo.res.text).map((e) => e.summary)).toEqual(['polo: Tyres due'])
    // a renamed car keeps its link
    await ok('/car edit polo nickname:polo2')
    expect(events((await api(polo.path, undefined)).text).map((e) => e.summary)).toEqual(['polo2: Tyres due'])
    expect((await ok('/garage calendar car:nosuch').catch((e: Error) => e)).toString()).toContain('nosuch')
    // another garage's member gets only their own garage
    const theirs = await feedOf(await ok('/garage calendar', OTHER))
    expect(theirs.res.text).not.toContain('golf')
  })
})
