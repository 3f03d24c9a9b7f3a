/**
 * The items service's database full, end to end: `/car add` through the worker is answered once,
 * with the storage-full text, at once (no "unavailable, retrying" notice, no retry), the car is
 * not stored, and items' /ready is 503; once there is room /ready is 200 and the same command
 * adds the car.
 */
import type { Database } from 'bun:sqlite'
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { parseTyped } from '../../catalog/grammar.ts'
import { STORAGE_FULL_TEXT } from '../../queue/handler.ts'
import { type Stack, startStack } from '../stack.ts'

const TENANT = 'local:full'

const carAdd = (nickname: string) => {
  const r = parseTyped('car', 'add', { nickname })
  if (!r.ok) throw new Error(r.error)
  return { kind: r.kind, payload: r.payload }
}

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ env: { COMMAND_ATTEMPTS: '3' } })
}, 30_000)
afterAll(async () => {
  await stack?.close()
})

test('a full database: the storage-full text, final and alone; room makes the command work', async () => {
  const first = carAdd('first')
  expect((await stack.command(first.kind, first.payload, { tenant: TENANT })).tone).toBe('ok')

  // The items app's own connection (max_page_count is per connection): a page or two of room left.
  const db = (stack['apps'].get('items') as unknown as { decorator: { db: Database } }).decorator.db
  const { page_count } = db.query('PRAGMA page_count').get() as { page_count: number }
  db.exec(`PRAGMA max_page_count = ${page_count + 1}`)
  const items = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.url('items')}${path}`, { ...init, headers: stack.headers(TENANT) })
  // Fill that room the way a garage fills a disk: more cars until one is refused.
  let filled = false
  for (let i = 0; i < 500 && !filled; i++) {
    const r = await items('/cars', { method: 'POST', body: JSON.stringify({ nickname: `fill${i}` }) })
    if (r.status === 507) filled = true
    else expect(r.status).toBe(201)
  }
  expect(filled).toBe(true)
  const before = ((await (await items('/cars')).json()) as { cars: unknown[] }).cars.length

  const { kind, payload } = carAdd('corolla')
  const started = Date.now()
  const id = await stack.dispatch(kind, payload, { tenant: TENANT })
  const reply = await stack.reply(id)
  expect(reply.text).toBe(STORAGE_FULL_TEXT)
  expect(reply.tone).toBe('error')
  // No retry: the answer came without the first backoff (500 ms), and it is the only reply.
  expect(Date.now() - started).toBeLessThan(2_000)
  const all = stack.repliesTo(id)
  expect(all).toHaveLength(1)
  expect(all.some((r) => /unavailable/.test(r.reply.text))).toBe(false)

  const cars = ((await (await items('/cars')).json()) as { cars: { nickname: string }[] }).cars
  expect(cars).toHaveLength(before)
  expect(cars.map((c) => c.nickname)).not.toContain('corolla')
  const ready = await items('/ready')
  expect(ready.status).toBe(503)
  expect(((await ready.json()) as { reason: string }).reason).toContain('database or disk is full')

  db.exec('PRAGMA max_page_count = 4294967294')
  expect((await items('/ready')).status).toBe(200)
  const again = await stack.command(kind, payload, { tenant: TENANT })
  expect(again.tone).toBe('ok')
}, 30_000)
