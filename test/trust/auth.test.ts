/**
 * The service token over every route of every service (enumerated from each app, so a route
 * added later is covered): without it, or with a wrong one, every route but GET /health and the
 * OpenAPI document answers 401 with the same JSON error, before any body or schema is looked at,
 * and stores nothing. Unknown paths answer 401 too, so a caller without the token cannot map the
 * routes.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { tokenMatches } from '../../services/lib/http.ts'
import { SERVICE_NAMES } from '../../lib/contracts/services.ts'
import { bootAll, credentials, fillPath, isOpenRoute, type Route, sample, storedSnapshot, TOKEN } from './routes.ts'

const { booted, routes, close } = await bootAll('auth')

afterAll(close)

/** Authorization headers that must all be refused (undefined: no header at all). */
const WRONG: (string | undefined)[] = [
  undefined,
  '',
  'Bearer',
  'Bearer ',
  'Bearer wrong-token',
  `Bearer ${TOKEN.slice(0, -1)}`,
  `Bearer ${TOKEN}x`,
  `Bearer ${TOKEN.toUpperCase()}`,
  `Bearer  ${TOKEN}`,
  `Basic ${TOKEN}`,
  TOKEN,
  `Bearer ${TOKEN.slice(0, 8)}`,
  `Bearer ${Buffer.from(TOKEN).toString('base64')}`,
]

function requestFor(route: Route, authorization: string | undefined, garbage: boolean): Request {
  const headers: Record<string, string> = {
    'x-tenant': 'local:auth',
    'idempotency-key': `k-${Math.random()}`,
  }
  if (authorization !== undefined) headers.authorization = authorization
  let body: RequestInit['body']
  if (route.method !== 'GET' && route.method !== 'HEAD') {
    if (garbage) {
      body = '{"not json'
      headers['content-type'] = 'application/json'
    } else if (route.body) {
      body = JSON.stringify(sample(route.body))
      headers['content-type'] = 'application/json'
    } else if (route.rawBody) body = new Uint8Array([0x89, 0x50, 0x4e, 0x47])
  }
  const query = new URLSearchParams()
  for (const q of route.query) if (q.required || !garbage) query.set(q.name, String(sample(q.schema)))
  const path = fillPath(route.path, Object.fromEntries(route.params.map((p) => [p, '1'])))
  return new Request(`http://localhost${path}${query.size ? `?${query}` : ''}`, {
    method: route.method,
    headers,
    body,
  })
}

describe('the service token on every route', () => {
  for (const name of SERVICE_NAMES) {
    test(`${name}: every route but /health and /openapi refuses a missing or wrong token with 401 and stores nothing`, async () => {
      const b = booted.get(name)!
      const guarded = routes.get(name)!.filter((r) => !isOpenRoute(r) && r.auth !== 'link')
      expect(guarded.length).toBeGreaterThan(1)
      const problems: string[] = []
      const before = storedSnapshot(b)
      for (const route of guarded) {
        // A public API route (an API key's) refuses the service token as any wrong key.
        for (const authorization of route.auth === 'key' ? [...WRONG, `Bearer ${TOKEN}`, 'Bearer cmk_wrong'] : WRONG) {
          for (const garbage of [false, true]) {
            const res = await b.app.handle(requestFor(route, authorization, garbage))
            const text = await res.text()
            if (res.status !== 401) {
              problems.push(
                `${route.method} ${route.path} with ${JSON.stringify(authorization)}: ${res.status} ${text.slice(0, 120)}`,
              )
              continue
            }
            const body = JSON.parse(text) as { error?: { code?: string; message?: string } }
            if (body.error?.code !== 'unauthorized')
              problems.push(`${route.method} ${route.path}: 401 body ${text.slice(0, 120)}`)
            if (text.includes(TOKEN)) problems.push(`${route.method} ${route.path}: the 401 echoes the token`)
          }
        }
      }
      expect(problems).toEqual([])
      expect(storedSnapshot(b)).toEqual(before)
    })

    test(`${name}: with the right token no route answers 401 (the test above can tell)`, async () => {
      const b = booted.get(name)!
      const answered: string[] = []
      for (const route of routes.get(name)!.filter((r) => !isOpenRoute(r) && r.auth !== 'link')) {
        const right = (await credentials(b.app, route, 'local:auth')).authorization
        const res = await b.app.handle(requestFor(route, right, false))
        if (res.status === 401) answered.push(`${route.method} ${route.path}`)
      }
      expect(answered).toEqual([])
    })

    test(`${name}: /health and the OpenAPI document answer without a token; unknown paths do not`, async () => {
      const b = booted.get(name)!
      const open = routes.get(name)!.filter(isOpenRoute)
      expect(open.map((r) => `${r.method} ${r.path}`)).toContain('GET /health')
      for (const route of open) {
        const res = await b.app.handle(new Request(`http://localhost${route.path}`, { method: route.method }))
        expect(res.status).toBe(200)
        expect(await res.text()).not.toContain(TOKEN)
      }
      for (const [method, path] of [
        ['GET', '/no-such-route'],
        ['POST', '/admin'],
        ['DELETE', '/health'],
        ['POST', '/health'],
        ['GET', '/health/../ready'],
        ['GET', '/ready'],
      ] as const) {
        const res = await b.app.handle(new Request(`http://localhost${path}`, { method }))
        expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 401`)
      }
    })
  }

  test('a route whose path is its secret (a calendar feed) answers a made-up one 404, and nothing of a garage', async () => {
    const links = [...routes.values()].flat().filter((r) => r.auth === 'link')
    expect(links.length).toBeGreaterThan(0)
    for (const route of links) {
      for (const value of ['cal_nosuchtoken.ics', 'x', `Bearer ${TOKEN}`, 'cal_.ics']) {
        const res = await booted
          .get(route.service)!
          .app.handle(
            new Request(`http://localhost${fillPath(route.path, Object.fromEntries(route.params.map((p) => [p, value])))}`, {
              headers: { authorization: `Bearer ${TOKEN}`, 'x-tenant': 'local:auth' },
            }),
          )
        expect(`${route.path} ${value} ${res.status}`).toBe(`${route.path} ${value} 404`)
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found')
      }
    }
  })

  test('the comparison: only the exact token, any length, compared through fixed-length digests', () => {
    expect(tokenMatches(TOKEN, `Bearer ${TOKEN}`)).toBe(true)
    for (const h of WRONG) expect(tokenMatches(TOKEN, h)).toBe(false)
    // A prefix of the token, or the token with a suffix, is not it (lengths differ, digests differ).
    for (let n = 0; n < TOKEN.length; n += 7)
      expect(tokenMatches(TOKEN, `Bearer ${TOKEN.slice(0, n)}`)).toBe(false)
    expect(tokenMatches(TOKEN, `Bearer ${TOKEN}${'\u0000'}`)).toBe(false)
  })
})
