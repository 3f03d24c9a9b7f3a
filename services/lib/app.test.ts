import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { t } from 'elysia'
import { serviceApp, statelessServiceApp } from './app.ts'
import { IDEMPOTENCY_TABLE } from './db.ts'

const TOKEN = 'a-service-token-of-some-length'
const dir = mkdtempSync(join(tmpdir(), 'cm-service-app-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const Thing = t.Object({ id: t.Integer(), tenant: t.String(), fresh: t.Boolean() })

function probe() {
  const {
    app: base,
    db,
    once,
    finish,
  } = serviceApp('issues', { dataDir: dir, token: TOKEN }, [
    `CREATE TABLE things (id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL UNIQUE); ${IDEMPOTENCY_TABLE}`,
  ])
  let released = 0
  const app = base
    .post(
      '/things',
      ({ body, tenant, idempotencyKey, set }) =>
        once(
          { tenant, idempotencyKey, set },
          'POST /things',
          (tn) => {
            const found = db.query('SELECT id FROM things WHERE name = ?').get(body.name) as {
              id: number
            } | null
            if (found) return { id: found.id, tenant: tn, fresh: false }
            const { id } = db
              .query('INSERT INTO things (tenant, name) VALUES (?, ?) RETURNING id')
              .get(tn, body.name) as { id: number }
            return { id, tenant: tn, fresh: true }
          },
          (r) => (r.fresh ? 201 : 200),
        ),
      { body: t.Object({ name: t.String() }), response: { 200: Thing, 201: Thing } },
    )
    .get('/broken', () => ({ id: 'not a number' }) as unknown as typeof Thing.static, { response: Thing })
  return { app: finish(app, () => released++), db, released: () => released }
}

const headers = (key?: string) => ({
  authorization: `Bearer ${TOKEN}`,
  'x-tenant': 'local:a',
  'content-type': 'application/json',
  ...(key ? { 'idempotency-key': key } : {}),
})

describe('serviceApp', () => {
  const p = probe()
  const call = (path: string, init: RequestInit = {}) =>
    p.app.handle(new Request(`http://localhost${path}`, init))
  const post = (name: string, key?: string) =>
    call('/things', { method: 'POST', headers: headers(key), body: JSON.stringify({ name }) })

  test('once answers a repeated Idempotency-Key with the first answer and its status', async () => {
    const first = await post('wheel', 'k1')
    expect(first.status).toBe(201)
    const firstBody = await first.json()
    const again = await post('wheel', 'k1')
    expect(again.status).toBe(201)
    expect(await again.json()).toEqual(firstBody)
    const otherKey = await post('wheel', 'k2')
    expect(otherKey.status).toBe(200)
    expect(await otherKey.json()).toMatchObject({ fresh: false })
    expect((await post('wheel', 'k'.repeat(201))).status).toBe(400)
  })

  test('the tenant comes from X-Tenant, checked', async () => {
    const r = await call('/things', {
      method: 'POST',
      headers: { ...headers(), 'x-tenant': 'nobody' },
      body: '{"name":"x"}',
    })
    expect(r.status).toBe(400)
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('bad_tenant')
  })

  test('an answer that fails its own response schema is a 500 (the service is wrong, not the caller)', async () => {
    const r = await call('/broken', { headers: headers() })
    expect(r.status).toBe(500)
    expect(await r.json()).toEqual({ error: { code: 'internal', message: 'internal error' } })
  })

  test('the OpenAPI document lists every route with its answers and the shared error answers', async () => {
    const doc = (await (await call('/openapi/json')).json()) as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>
    }
    expect(Object.keys(doc.paths['/things']!.post!.responses!).sort()).toEqual([
      '200',
      '201',
      '400',
      '401',
      '404',
      '409',
      '422',
      '507',
    ])
  })

  test('quiet() checkpoints the database: what the writes left in the WAL is moved back', async () => {
    for (let i = 0; i < 5; i++)
      await call('/things', { method: 'POST', headers: headers(`q${i}`), body: JSON.stringify({ name: `quiet ${i}` }) })
    const before = p.db.query('PRAGMA wal_checkpoint(NOOP)').get() as { log: number; checkpointed: number }
    expect(before.log).toBeGreaterThan(before.checkpointed)
    p.app.quiet()
    const after = p.db.query('PRAGMA wal_checkpoint(NOOP)').get() as { log: number; checkpointed: number }
    expect(after.checkpointed).toBe(after.log)
  })

  test('stop() runs the release functions and closes the database', async () => {
    await p.app.stop()
    expect(p.released()).toBe(1)
    expect(() => p.db.query('SELECT 1').get()).toThrow()
  })
})

describe('statelessServiceApp', () => {
  const { app: base, finish } = statelessServiceApp('calculator', { dataDir: dir, token: TOKEN })
  const app = finish(
    base.post('/double', ({ body }) => ({ n: body.n * 2 }), {
      body: t.Object({ n: t.Number() }),
      response: t.Object({ n: t.Number() }),
    }),
  )

  test('needs no X-Tenant, and documents its own error answers', async () => {
    const r = await app.handle(
      new Request('http://localhost/double', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{"n":2}',
      }),
    )
    expect(await r.json()).toEqual({ n: 4 })
    const doc = (await (await app.handle(new Request('http://localhost/openapi/json'))).json()) as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>
    }
    expect(Object.keys(doc.paths['/double']!.post!.responses!).sort()).toEqual(['200', '400', '401', '422'])
  })
})
