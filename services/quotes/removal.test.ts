/** The quotes of a removed car's issues: previewed, removed once, numbers never given again. */

import { Database } from 'bun:sqlite'
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from './app.ts'
import { migrations } from './migrations.ts'
import { type CallOpts, type QuotesApp, quotesCaller } from './testing.ts'

const token = 'quotes-test-token-0123456789'
const dirs: string[] = []
const apps: { stop: () => unknown }[] = []
afterAll(async () => {
  for (const a of apps) await a.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function boot(dir = mkdtempSync(join(tmpdir(), 'cm-quotes-rm-'))) {
  dirs.push(dir)
  const app = createApp({ dataDir: dir, token, now: () => new Date('2026-11-20T15:00:00Z') })
  apps.push(app)
  return { dir, app }
}

const A = 'local:quotes-rm-a'
const B = 'local:quotes-rm-b'

const call = (app: QuotesApp, method: string, path: string, opts: CallOpts = {}) =>
  quotesCaller(app, token, A)(method, path, opts)

const add = async (app: ReturnType<typeof createApp>, issue: number, amount: number, tenant = A) =>
  (
    await call(app, 'POST', '/quotes', {
      tenant,
      body: {
        issue,
        shop: 'Joe',
        currency: 'USD',
        amount: { value: amount, text: String(amount) },
        today: '2026-11-20',
      },
    })
  ).body.quote.number as number

test("preview names the issues' quotes; removal takes them once; their numbers are not given again", async () => {
  const { app } = boot()
  const q1 = await add(app, 1, 100)
  const q2 = await add(app, 1, 120)
  const q3 = await add(app, 2, 300)
  const kept = await add(app, 3, 50)
  const otherGarage = await add(app, 1, 70, B)

  const preview = await call(app, 'POST', '/quotes/remove', { body: { issues: [1, 2], preview: true } })
  expect(preview).toEqual({ status: 200, body: { removed: [q1, q2, q3] } })
  expect((await call(app, 'GET', '/quotes?issue=1')).body.quotes).toHaveLength(2)

  const gone = await call(app, 'POST', '/quotes/remove', { body: { issues: [1, 2] }, key: 'job-quotes' })
  expect(gone.body).toEqual({ removed: [q1, q2, q3] })
  expect((await call(app, 'GET', '/quotes?issue=1')).body.quotes).toHaveLength(0)
  expect((await call(app, 'GET', '/quotes?issue=3')).body.quotes).toHaveLength(1)
  expect(
    (await call(app, 'GET', '/quotes?issue=1', { tenant: B })).body.quotes.map((q: any) => q.number),
  ).toEqual([otherGarage])
  // Replayed under its key; a new removal finds nothing left.
  expect(
    (await call(app, 'POST', '/quotes/remove', { body: { issues: [1, 2] }, key: 'job-quotes' })).body,
  ).toEqual({
    removed: [q1, q2, q3],
  })
  expect(
    (await call(app, 'POST', '/quotes/remove', { body: { issues: [1, 2] }, key: 'job-again' })).body,
  ).toEqual({
    removed: [],
  })
  // Removing the newest quotes does not hand their numbers out again.
  await call(app, 'POST', '/quotes/remove', { body: { issues: [3] }, key: 'job-3' })
  expect(await add(app, 9, 10)).toBe(kept + 1)
})

test('bad input is a 422 naming the field', async () => {
  const { app } = boot()
  for (const body of [
    {},
    { issues: [0] },
    { issues: [-1] },
    { issues: [1], preview: 'maybe' },
    { issues: 1 },
  ]) {
    const r = await call(app, 'POST', '/quotes/remove', { body })
    expect({ body, status: r.status }).toEqual({ body, status: 422 })
  }
})

test('migration 2 starts each garage’s counter at its highest number so far', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-quotes-mig-'))
  dirs.push(dir)
  // A quotes.sqlite as migration 1 left it, with quotes up to #4 in one garage.
  const db = new Database(join(dir, 'quotes.sqlite'))
  db.exec(migrations[0] as string)
  db.exec('PRAGMA user_version = 1')
  for (const n of [1, 2, 4])
    db.query(
      "INSERT INTO quotes (tenant, number, issue, shop, currency, amount_minor, created_at) VALUES (?, ?, 1, 'Joe', 'USD', 100, '2026-01-01')",
    ).run(A, n)
  db.close()
  const { app } = boot(dir)
  await call(app, 'POST', '/quotes/remove', { body: { issues: [1] }, key: 'k' })
  expect(await add(app, 2, 10)).toBe(5)
  expect(await add(app, 2, 10, B)).toBe(1)
})
