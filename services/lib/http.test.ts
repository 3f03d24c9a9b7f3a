import { describe, expect, test } from 'bun:test'
import { Elysia, t } from 'elysia'
import { badRequest, requestScope, serviceBase, tokenMatches } from './http.ts'

const TOKEN = 'a-service-token-of-some-length'
const app = new Elysia()
  .use(serviceBase({ name: 'probe', token: TOKEN }))
  .resolve(({ request }) => requestScope(request))
  .post(
    '/things',
    ({ body }) => {
      if (body.name === 'taken') throw badRequest('name', 'name: taken already')
      return { ok: true }
    },
    { body: t.Object({ name: t.String(), n: t.Integer({ minimum: 1 }) }) },
  )

const call = (path: string, init: RequestInit = {}) =>
  app.handle(new Request(`http://localhost${path}`, init))
const auth = { authorization: `Bearer ${TOKEN}`, 'x-tenant': 'local:a', 'content-type': 'application/json' }

describe('service HTTP base', () => {
  test('/health needs no token; everything else does, before the body is even validated', async () => {
    expect((await call('/health')).status).toBe(200)
    const noToken = await call('/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"bad":1}',
    })
    expect(noToken.status).toBe(401)
    expect(await noToken.json()).toEqual({
      error: { code: 'unauthorized', message: 'missing or wrong service token' },
    })
    const wrong = await call('/things', {
      method: 'POST',
      headers: { ...auth, authorization: `Bearer ${TOKEN}x` },
      body: '{}',
    })
    expect(wrong.status).toBe(401)
    expect((await call('/ready')).status).toBe(401)
  })

  test('schema failures are 422 naming the field; malformed JSON 400; unknown routes 404; own errors keep their status', async () => {
    const bad = await call('/things', { method: 'POST', headers: auth, body: '{"name":"x","n":0}' })
    expect(bad.status).toBe(422)
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('n')
    expect((await call('/things', { method: 'POST', headers: auth, body: '{nope' })).status).toBe(400)
    expect((await call('/nothing', { headers: auth })).status).toBe(404)
    const taken = await call('/things', { method: 'POST', headers: auth, body: '{"name":"taken","n":1}' })
    expect(taken.status).toBe(422)
    expect(await taken.json()).toEqual({
      error: { code: 'invalid', message: 'name: taken already', field: 'name' },
    })
  })

  test('a value Elysia cannot describe in its schema error is still a 422, not a 500', async () => {
    const r = await call('/things', {
      method: 'POST',
      headers: auth,
      body: '{"name":[{"toString":null}],"n":1}',
    })
    expect(r.status).toBe(422)
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('invalid')
  })

  test('a missing or forged X-Tenant is refused', async () => {
    const r = await call('/things', {
      method: 'POST',
      headers: { ...auth, 'x-tenant': 'local:a b' },
      body: '{"name":"x","n":1}',
    })
    expect(r.status).toBe(400)
  })

  test('token comparison', () => {
    expect(tokenMatches(TOKEN, `Bearer ${TOKEN}`)).toBe(true)
    expect(tokenMatches(TOKEN, TOKEN)).toBe(false)
    expect(tokenMatches(TOKEN, `Bearer ${TOKEN.slice(0, -1)}`)).toBe(false)
    expect(tokenMatches(TOKEN, undefined)).toBe(false)
  })
})
