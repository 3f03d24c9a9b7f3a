import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from './app.ts'

const dir = mkdtempSync(join(tmpdir(), 'cm-issues-'))
const token = 'test-service-token-0123456789abcdef'
let clock = new Date('2025-03-01T10:00:00Z')
const app = createApp({ dataDir: dir, token, now: () => clock })
afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

const A = 'local:alpha'
const B = 'local:beta'
const ann = { id: 'u1', name: 'Ann' }
const bob = { id: 'u2', name: 'Bob' }

async function call(
  method: string,
  path: string,
  opts: { tenant?: string; body?: unknown; key?: string; auth?: string } = {},
) {
  const headers: Record<string, string> = { authorization: opts.auth ?? `Bearer ${token}` }
  if (opts.tenant !== undefined) headers['x-tenant'] = opts.tenant
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (opts.key) headers['idempotency-key'] = opts.key
  const res = await app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
  )
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

const open = (tenant: string, body: Record<string, unknown>, key?: string) =>
  call('POST', '/issues', { tenant, body: { car_id: 1, car: 'corolla', actor: ann, ...body }, key })

describe('issues service', () => {
  test('numbers issues per tenant, starting at 1, and records who opened it', async () => {
    const a1 = await open(A, { title: 'Grinding when braking', severity: 'high', details: 'front left' })
    expect(a1.status).toBe(201)
    expect(a1.body).toMatchObject({
      number: 1,
      car: 'corolla',
      car_id: 1,
      status: 'open',
      severity: 'high',
      opened_by: 'Ann',
    })
    expect(a1.body.history[0]).toMatchObject({
      actor: 'Ann',
      field: 'opened',
      new: 'high: Grinding when braking',
    })
    const a2 = await open(A, { title: 'Wiper streaks', severity: 'low' })
    expect(a2.body.number).toBe(2)
    const b1 = await open(B, { title: 'Check engine light', car_id: 7, car: 'civic', severity: 'critical' })
    expect(b1.body.number).toBe(1)
  })

  test('the same Idempotency-Key creates one issue', async () => {
    const first = await open(A, { title: 'Rattle', severity: 'medium' }, 'env-1')
    const again = await open(A, { title: 'Rattle', severity: 'medium' }, 'env-1')
    expect(again.status).toBe(201)
    expect(again.body.number).toBe(first.body.number)
    const list = await call('GET', '/issues?all=yes', { tenant: A })
    expect(list.body.issues.filter((i: { title: string }) => i.title === 'Rattle')).toHaveLength(1)
  })

  test('lists open issues most severe first, with car and status filters', async () => {
    await open(A, { title: 'Dead battery', severity: 'critical', car_id: 2, car: 'civic' })
    const list = await call('GET', '/issues', { tenant: A })
    expect(list.status).toBe(200)
    expect(list.body.issues.map((i: { severity: string }) => i.severity)).toEqual([
      'critical',
      'high',
      'medium',
      'low',
    ])
    const civic = await call('GET', '/issues?car=2', { tenant: A })
    expect(civic.body.issues.map((i: { title: string }) => i.title)).toEqual(['Dead battery'])
    const lowOnly = await call('GET', '/issues?status=low', { tenant: A })
    expect(lowOnly.status).toBe(422)
    expect(lowOnly.body.error.message).toContain('status')
  })

  test('comments, status changes and close are kept in the history with who and when', async () => {
    clock = new Date('2025-03-02T08:00:00Z')
    const c = await call('POST', '/issues/1/comments', {
      tenant: A,
      body: { text: 'Pads look worn', actor: bob },
    })
    expect(c.status).toBe(200)
    expect(c.body.comments).toEqual([
      {
        number: 1,
        author: 'Bob',
        text: 'Pads look worn',
        created_at: '2025-03-02T08:00:00.000Z',
        edited_at: null,
      },
    ])
    const s = await call('POST', '/issues/1/status', {
      tenant: A,
      body: { status: 'waiting_parts', actor: ann },
    })
    expect(s.body.status).toBe('waiting_parts')
    clock = new Date('2025-03-05T08:00:00Z')
    const closed = await call('POST', '/issues/1/close', {
      tenant: A,
      body: { resolution: 'Replaced front pads', record_id: 42, actor: bob },
    })
    expect(closed.body).toMatchObject({
      status: 'resolved',
      resolution: 'Replaced front pads',
      record_id: 42,
    })
    expect(closed.body.closed_at).toBe('2025-03-05T08:00:00.000Z')
    const fields = closed.body.history.map(
      (h: { field: string; actor: string; old: string | null; new: string | null }) => [
        h.field,
        h.actor,
        h.old,
        h.new,
      ],
    )
    expect(fields).toEqual([
      ['opened', 'Ann', null, 'high: Grinding when braking'],
      ['comment', 'Bob', null, 'Pads look worn'],
      ['status', 'Ann', 'open', 'waiting_parts'],
      ['status', 'Bob', 'waiting_parts', 'resolved'],
      ['resolution', 'Bob', null, 'Replaced front pads'],
      ['record', 'Bob', null, '42'],
    ])
    const open = await call('GET', '/issues', { tenant: A })
    expect(open.body.issues.map((i: { number: number }) => i.number)).not.toContain(1)
    const all = await call('GET', '/issues?all=yes', { tenant: A })
    expect(all.body.issues.map((i: { number: number }) => i.number)).toContain(1)
  })

  test('links photos once each and quotes', async () => {
    const sha = 'a'.repeat(64)
    await call('POST', '/issues/2/photos', { tenant: A, body: { sha256: sha, actor: ann } })
    const again = await call('POST', '/issues/2/photos', { tenant: A, body: { sha256: sha, actor: ann } })
    expect(again.body.photos.map((p: { sha256: string }) => p.sha256)).toEqual([sha])
    expect(again.body.history.filter((h: { field: string }) => h.field === 'photo')).toHaveLength(1)
    const bad = await call('POST', '/issues/2/photos', { tenant: A, body: { sha256: 'nothex', actor: ann } })
    expect(bad.status).toBe(422)
    expect(bad.body.error.field).toBe('sha256')
    const q = await call('POST', '/issues/2/quotes', { tenant: A, body: { quote_id: 5, actor: ann } })
    expect(q.body.quotes).toEqual([5])
  })

  test("another tenant's number is 404 exactly like a missing one, on every route", async () => {
    // B has only #1; A has #1..#4.
    const missing = await call('GET', '/issues/99', { tenant: A })
    const foreign = await call('GET', '/issues/3', { tenant: B })
    expect(foreign.status).toBe(404)
    expect(foreign.body).toEqual({ error: { code: 'not_found', message: 'no issue #3 in this garage' } })
    expect(missing.body.error.code).toBe(foreign.body.error.code)
    for (const [path, body] of [
      ['/issues/3/comments', { text: 'x', actor: bob }],
      ['/issues/3/status', { status: 'resolved', actor: bob }],
      ['/issues/3/close', { resolution: 'x', actor: bob }],
      ['/issues/3/photos', { sha256: 'b'.repeat(64), actor: bob }],
    ] as const) {
      const r = await call('POST', path, { tenant: B, body })
      expect(r.status).toBe(404)
    }
    const aStill = await call('GET', '/issues/3', { tenant: A })
    expect(aStill.body.comments).toEqual([])
    expect(aStill.body.status).toBe('open')
    const bList = await call('GET', '/issues?all=yes', { tenant: B })
    expect(bList.body.issues.map((i: { title: string }) => i.title)).toEqual(['Check engine light'])
    const bAuto = await call('GET', '/issues?q=grinding', { tenant: B })
    expect(bAuto.body.issues).toEqual([])
  })

  test('autocomplete by number prefix or words', async () => {
    const byNumber = await call('GET', '/issues?q=%232', { tenant: A })
    expect(byNumber.body.issues.map((i: { number: number }) => i.number)).toEqual([2])
    const byWord = await call('GET', '/issues?q=BATT', { tenant: A })
    expect(byWord.body.issues.map((i: { title: string }) => i.title)).toEqual(['Dead battery'])
    const closedToo = await call('GET', '/issues?q=grind', { tenant: A })
    expect(closedToo.body.issues.map((i: { number: number }) => i.number)).toEqual([1])
  })

  test('bad input gets a 4xx naming the field and stores nothing', async () => {
    const long = await call('POST', '/issues/2/comments', {
      tenant: A,
      body: { text: 'x'.repeat(10_000), actor: ann },
    })
    expect(long.status).toBe(422)
    expect(long.body.error.field).toBe('text')
    expect(long.body.error.message).toContain('4000')
    const longTitle = await open(A, { title: 't'.repeat(201) })
    expect(longTitle.status).toBe(422)
    expect(longTitle.body.error.field).toBe('title')
    const badSeverity = await open(A, { title: 'x', severity: 'urgent' })
    expect(badSeverity.status).toBe(422)
    expect(badSeverity.body.error.field).toBe('severity')
    const badNumber = await call('GET', '/issues/abc', { tenant: A })
    expect(badNumber.status).toBe(422)
    const noTenant = await call('GET', '/issues')
    expect(noTenant.status).toBe(400)
    const noToken = await call('GET', '/issues', { tenant: A, auth: 'Bearer wrong' })
    expect(noToken.status).toBe(401)
    const notJson = await app.handle(
      new Request('http://localhost/issues', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'x-tenant': A, 'content-type': 'application/json' },
        body: '{nope',
      }),
    )
    expect(notJson.status).toBeLessThan(500)
    const two = await call('GET', '/issues/2', { tenant: A })
    expect(two.body.comments).toEqual([])
    const all = await call('GET', '/issues?all=yes', { tenant: A })
    expect(all.body.total).toBe(4)
  })

  test('numbers in the query and path must be whole: a fraction is a 422 naming the param, never a 500', async () => {
    for (const [path, field, range] of [
      ['/issues?limit=1.5', 'limit', '1 to 100'],
      ['/issues?limit=0', 'limit', '1 to 100'],
      ['/issues?limit=101', 'limit', '1 to 100'],
      ['/issues?car=1.5', 'car', '1 to'],
      ['/issues?car=1e21', 'car', '1 to'],
      ['/issues/2.5', 'number', '1 to 1000000000'],
    ] as const) {
      const r = await call('GET', path, { tenant: A })
      expect([path, r.status, r.body.error.field]).toEqual([path, 422, field])
      expect(r.body.error.message).toContain(`${field} must be a whole number from ${range}`)
    }
    const comment = await call('POST', '/issues/2.5/comments', { tenant: A, body: { text: 'x', actor: ann } })
    expect([comment.status, comment.body.error.field]).toEqual([422, 'number'])
    expect((await call('GET', '/issues/2', { tenant: A })).body.comments).toEqual([])
    const ok = await call('GET', '/issues?limit=2&all=yes', { tenant: A })
    expect([ok.status, ok.body.issues.length]).toEqual([200, 2])
  })
})

test('stop() closes the database though the app never listened, without Elysia\'s "isn\'t running"', async () => {
  const ownDir = mkdtempSync(join(tmpdir(), 'cm-issues-stop-'))
  const own = createApp({ dataDir: ownDir, token })
  const ready = () =>
    own.handle(new Request('http://localhost/ready', { headers: { authorization: `Bearer ${token}` } }))
  const logged: unknown[][] = []
  const log = console.log
  console.log = (...args: unknown[]) => void logged.push(args)
  try {
    expect((await ready()).status).toBe(200)
    await own.stop()
    expect((await ready()).status).toBe(503)
    expect(logged.filter((args) => String(args[0]).includes("isn't running"))).toEqual([])
  } finally {
    console.log = log
    rmSync(ownDir, { recursive: true, force: true })
  }
})
