/**
 * Idempotency keys older than a week are pruned, in batches, at start and on the hourly run;
 * newer ones are kept (the clock is injected). The table's created_at is epoch ms from that
 * clock, and is indexed for the pruning.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { t } from 'elysia'
import { silentLogger } from '../../lib/log.ts'
import { IDEMPOTENCY_KEEP_MS, PRUNE_BATCH, PRUNE_EVERY_MS, serviceApp } from './app.ts'
import { IDEMPOTENCY_TABLE } from './db.ts'

const TOKEN = 'a-service-token-of-some-length'
const dir = mkdtempSync(join(tmpdir(), 'cm-prune-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const DAY = 24 * 60 * 60 * 1000
const migrations = [`CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL); ${IDEMPOTENCY_TABLE}`]

function boot(clock: () => Date) {
  const s = serviceApp('issues', { dataDir: dir, token: TOKEN, now: clock, log: silentLogger }, migrations)
  const app = s.finish(
    s.app.post(
      '/notes',
      ({ body, tenant, idempotencyKey, set }) =>
        s.once({ tenant, idempotencyKey, set }, 'POST /notes', () => {
          s.db.query('INSERT INTO notes (text) VALUES (?)').run(body.text)
          return { ok: true }
        }),
      { body: t.Object({ text: t.String() }), response: t.Object({ ok: t.Boolean() }) },
    ),
  )
  const post = (key: string) =>
    app.handle(
      new Request('http://localhost/notes', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'x-tenant': 'local:a',
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({ text: key }),
      }),
    )
  const keys = () =>
    (s.db.query('SELECT key FROM idempotency ORDER BY key').all() as { key: string }[]).map((r) => r.key)
  return { ...s, app, post, keys }
}

test('keys older than a week go, at start (in batches) and on the next run; newer ones stay', async () => {
  expect(IDEMPOTENCY_KEEP_MS).toBe(7 * DAY)
  expect(PRUNE_EVERY_MS).toBe(60 * 60 * 1000)
  let now = new Date('2026-05-10T12:00:00Z')
  const clock = () => now

  // A first run of the service: keys written through `once` carry the injected clock's time.
  const first = boot(clock)
  expect(await first.pruning!.started).toBe(0)
  expect((await first.post('recent')).status).toBe(200)
  const stamped = first.db.query("SELECT created_at FROM idempotency WHERE key = 'recent'").get() as {
    created_at: number
  }
  expect(stamped.created_at).toBe(now.getTime())
  // Keys from before: more than two batches a week and a day old, a few six days old.
  const insert = first.db.query(
    `INSERT INTO idempotency (tenant, key, route, status, body, created_at)
     VALUES ('local:a', ?, 'POST /notes', 200, '{"ok":true}', ?)`,
  )
  const old = PRUNE_BATCH * 2 + 7
  first.db.transaction(() => {
    for (let i = 0; i < old; i++) insert.run(`old-${String(i).padStart(5, '0')}`, now.getTime() - 8 * DAY)
    for (let i = 0; i < 3; i++) insert.run(`six-days-${i}`, now.getTime() - 6 * DAY)
    insert.run('just-inside', now.getTime() - 7 * DAY + 1)
  })()
  await first.app.stop()

  // The next start prunes the old ones and keeps the rest.
  const second = boot(clock)
  expect(await second.pruning!.started).toBe(old)
  expect(second.keys()).toEqual(['just-inside', 'recent', 'six-days-0', 'six-days-1', 'six-days-2'])
  // A kept key still answers its first result.
  expect((await second.post('six-days-0')).status).toBe(200)
  expect(
    (second.db.query("SELECT count(*) AS n FROM notes WHERE text = 'six-days-0'").get() as { n: number }).n,
  ).toBe(0)

  // Two days on, the periodic run takes the keys that have passed a week.
  now = new Date(now.getTime() + 2 * DAY)
  expect(await second.pruning!.run()).toBe(4)
  expect(second.keys()).toEqual(['recent'])

  // The pruning reads created_at through its index.
  const indexes = second.db.query('PRAGMA index_list(idempotency)').all() as { name: string }[]
  expect(indexes.map((i) => i.name)).toContain('idempotency_created_at')
  const plan = second.db
    .query(
      'EXPLAIN QUERY PLAN SELECT tenant, key, route FROM idempotency WHERE created_at < ? ORDER BY created_at LIMIT ?',
    )
    .all(0, 1) as { detail: string }[]
  expect(plan.map((p) => p.detail).join(' ')).toContain('idempotency_created_at')

  // After stop() nothing more runs against the closed database.
  await second.app.stop()
  expect(await second.pruning!.run()).toBe(0)
})
