/**
 * Property-based bad input over every route of every service that exists (routes read from each
 * app's OpenAPI document and `app.routes`, so a route added later is fuzzed without editing this
 * file): arbitrary and near-valid path params, query strings, JSON and raw bodies and headers
 * never get a 5xx, a refusal is a JSON error, and a refused request stores nothing (row counts
 * of every SQLite table and the files on disk are unchanged).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { SERVICE_NAMES } from '../../lib/contracts/services.ts'
import { makePng } from '../fixtures/images.ts'
import {
  arbitraryFor,
  asQueryValue,
  type Booted,
  bootAll,
  credentials,
  fillPath,
  NASTY_STRINGS,
  type Route,
  storedSnapshot,
  sample,
  TOKEN,
  validFor,
  wild,
} from './routes.ts'
import { callVia, type Holdings, seedTenant } from './seed.ts'

const TENANT = 'local:fuzz'
/** Runs per route; the whole file stays within a few seconds. */
const RUNS = Number(process.env.TRUST_FUZZ_RUNS ?? 40)

// Booted at load time so each route becomes its own test (a route added later is a new test).
const { booted, routes, close } = await bootAll('fuzz')
let held: Holdings
/** A small real photo (other bytes than the seeded one). */
let photo: Uint8Array

beforeAll(async () => {
  photo = await makePng(20, 20)
  // A garage with data, so fuzzed requests that name it reach the services' own logic.
  held = await seedTenant(callVia(new Map([...booted].map(([n, b]) => [n, b.app]))), TENANT, {
    nickname: 'corolla',
    marker: 'FUZZ',
    issueCount: 2,
    photoSize: 24,
  })
}, 30_000)

afterAll(close)

/** Malformed escapes and separators sent as they are in a path segment. */
const RAW_SEGMENTS = ['%', '%zz', '%E0%A4%A', '%ff', '..', '%2e%2e', '.', '%00', '%2F', 'a;b', '\\']

type Fuzzed = {
  params: Record<string, string>
  /** A malformed segment sent as it is in place of the first path param. */
  rawParam: string | null
  query: [string, string][]
  body:
    | { kind: 'none' }
    | { kind: 'bytes'; bytes: Uint8Array; type?: string }
    | { kind: 'text'; text: string; type?: string }
  tenant: string | undefined
  idempotencyKey: string | undefined
}

const headerSafe = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim())

function requestArbitrary(route: Route, known: string[]): fc.Arbitrary<Fuzzed> {
  const param = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.integer({ min: -10, max: 100_000 }).map(String) },
  )
  const params = fc.record(Object.fromEntries(route.params.map((p) => [p, param]))) as fc.Arbitrary<
    Record<string, string>
  >
  const declared = route.query.map((q) =>
    fc.option(
      fc
        .oneof(validFor(q.schema, known), arbitraryFor(q.schema, known))
        .map((v) => [q.name, asQueryValue(v)] as [string, string]),
      { freq: q.required ? 8 : 3 },
    ),
  )
  const query = fc
    .tuple(
      fc.tuple(...declared),
      fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 20 })), {
        maxLength: 2,
      }),
    )
    .map(([d, extra]) => [...(d.filter(Boolean) as [string, string][]), ...extra])
  const jsonType = fc.constantFrom('application/json', 'application/json; charset=utf-8')
  const otherType = fc.constantFrom(
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    'image/png',
  )
  const bodies: fc.Arbitrary<Fuzzed['body']>[] = [fc.constant({ kind: 'none' as const })]
  if (route.body) {
    bodies.push(
      fc.tuple(validFor(route.body, known), jsonType).map(([v, type]) => ({
        kind: 'text' as const,
        text: JSON.stringify(v) ?? 'null',
        type,
      })),
      fc.tuple(validFor(route.body, known), jsonType).map(([v, type]) => ({
        kind: 'text' as const,
        text: JSON.stringify(v) ?? 'null',
        type,
      })),
      fc.tuple(arbitraryFor(route.body, known), jsonType).map(([v, type]) => ({
        kind: 'text' as const,
        text: JSON.stringify(v) ?? 'null',
        type,
      })),
      fc
        .tuple(wild, jsonType)
        .map(([v, type]) => ({ kind: 'text' as const, text: JSON.stringify(v) ?? 'null', type })),
      fc
        .tuple(fc.string({ unit: 'binary', maxLength: 60 }), fc.oneof(jsonType, otherType))
        .map(([text, type]) => ({
          kind: 'text' as const,
          text,
          type,
        })),
    )
  }
  if (route.rawBody || !route.body) {
    const magic = fc.constantFrom(
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      [0xff, 0xd8, 0xff],
      [...Buffer.from('GIF89a')],
      [...Buffer.from('RIFF\0\0\0\0WEBP')],
      [],
    )
    bodies.push(
      fc.tuple(magic, fc.uint8Array({ maxLength: 600 }), fc.option(otherType)).map(([head, tail, type]) => ({
        kind: 'bytes' as const,
        bytes: Uint8Array.from([...head, ...tail]),
        ...(type ? { type } : {}),
      })),
      // A real photo, whole, cut short or with bytes changed: the decoder has to cope.
      fc
        .tuple(
          fc.nat({ max: photo.length }),
          fc.array(fc.tuple(fc.nat({ max: photo.length - 1 }), fc.integer({ min: 0, max: 255 })), {
            maxLength: 6,
          }),
          fc.constantFrom('whole', 'cut', 'flipped'),
        )
        .map(([cut, flips, how]) => {
          const bytes = how === 'cut' ? photo.slice(0, cut) : photo.slice()
          if (how === 'flipped') for (const [at, v] of flips) bytes[Math.max(at, 16)] = v
          return { kind: 'bytes' as const, bytes }
        }),
    )
  }
  return fc.record({
    params,
    rawParam:
      route.params.length > 0 ? fc.option(fc.constantFrom(...RAW_SEGMENTS), { freq: 4 }) : fc.constant(null),
    query,
    body: fc.oneof(...bodies),
    tenant: fc.oneof(
      { weight: 8, arbitrary: fc.constant(TENANT) },
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: headerSafe },
    ),
    idempotencyKey: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: headerSafe },
      { weight: 1, arbitrary: fc.constant('k'.repeat(300)) },
    ),
  })
}

/** `auth`: the route's credentials for the fuzzed garage (the service token, or its API key). */
function build(route: Route, f: Fuzzed, auth: Record<string, string>): { request: Request; describe: string } {
  const raw = f.rawParam
  const path =
    raw === null
      ? fillPath(route.path, f.params)
      : route.path.replace(/:([A-Za-z0-9_]+)/g, (_, n: string) =>
          n === route.params[0] ? raw : encodeURIComponent(f.params[n]!.toWellFormed()),
        )
  const qs = new URLSearchParams(
    f.query.map(([k, v]): [string, string] => [k.toWellFormed(), v.toWellFormed()]),
  ).toString()
  const url = `http://localhost${path}${qs ? `?${qs}` : ''}`
  const headers: Record<string, string> =
    route.auth === 'service' ? { authorization: `Bearer ${TOKEN}` } : { ...auth }
  if (f.tenant !== undefined) headers['x-tenant'] = f.tenant
  if (f.idempotencyKey !== undefined) headers['idempotency-key'] = f.idempotencyKey
  let body: RequestInit['body'] | undefined
  const canHaveBody = route.method !== 'GET' && route.method !== 'HEAD'
  if (canHaveBody && f.body.kind === 'text') {
    body = f.body.text
    if (f.body.type) headers['content-type'] = f.body.type
  } else if (canHaveBody && f.body.kind === 'bytes') {
    body = f.body.bytes
    if (f.body.type) headers['content-type'] = f.body.type
  }
  const shown =
    f.body.kind === 'text'
      ? f.body.text.slice(0, 300)
      : f.body.kind === 'bytes'
        ? `<${f.body.bytes.length} bytes>`
        : ''
  return {
    request: new Request(url, { method: route.method, headers, body }),
    describe: `${route.method} ${url} headers=${JSON.stringify(headers)} body=${shown}`,
  }
}

describe('every route of every service takes bad input without a 5xx and stores nothing', () => {
  test('the seeded garage exists, so fuzzing reaches real data', () => {
    expect(held.problems).toEqual([])
    expect(SERVICE_NAMES.length).toBeGreaterThan(0)
  })

  const known = () => [
    held.car?.nickname ?? 'corolla',
    String(held.car?.id ?? 1),
    ...held.issues.map(String),
    ...held.issues.map((n) => `#${n}`),
    ...(held.photo ? [held.photo.sha256, String(held.photo.linkId)] : []),
    '256',
    '1024',
  ]

  /** What a route answers, and whether a refusal left anything behind. */
  const probe = async (
    b: Booted,
    method: string,
    url: string,
    body?: RequestInit['body'],
    type?: string,
    route?: Route,
  ) => {
    const headers: Record<string, string> = route
      ? await credentials(b.app, route, TENANT)
      : { authorization: `Bearer ${TOKEN}`, 'x-tenant': TENANT }
    const before = storedSnapshot(b)
    if (type) headers['content-type'] = type
    const res = await b.app.handle(new Request(`http://localhost${url}`, { method, headers, body }))
    const text = await res.text()
    const after = storedSnapshot(b)
    return {
      status: res.status,
      text,
      storedOnRefusal: res.status >= 400 && JSON.stringify(after) !== JSON.stringify(before),
    }
  }

  const isNumeric = (schema: { anyOf?: { format?: string }[]; type?: string }) =>
    schema?.type === 'integer' ||
    schema?.type === 'number' ||
    !!schema?.anyOf?.some((x) => x.format === 'numeric' || x.format === 'integer')

  // Found by the properties below; kept as plain cases over every route so they stay checked
  // every run: a fractional, huge or negative number where the schema only says "numeric".
  for (const name of SERVICE_NAMES) {
    test(`${name}: fractional and extreme numbers in numeric query params`, async () => {
      const b = booted.get(name)!
      const problems: string[] = []
      for (const route of routes.get(name)!) {
        const numeric = route.query.filter((q) => isNumeric(q.schema))
        if (numeric.length === 0) continue
        for (const q of numeric) {
          for (const value of ['1.5', '0.0001', '1e21', '99999999999999999999', '-1', '2147483648.5']) {
            const params = new URLSearchParams()
            for (const other of route.query)
              if (other.required) params.set(other.name, String(sample(other.schema)))
            params.set(q.name, value)
            const path = fillPath(route.path, Object.fromEntries(route.params.map((p) => [p, known()[1]!])))
            const body = route.rawBody ? photo : route.body ? JSON.stringify(sample(route.body)) : undefined
            const r = await probe(
              b,
              route.method,
              `${path}?${params}`,
              body,
              route.body ? 'application/json' : undefined,
              route,
            )
            if (r.status >= 500 || r.storedOnRefusal)
              problems.push(
                `${route.method} ${path}?${params} → ${r.status}${r.storedOnRefusal ? ' and stored a row' : ''} ${r.text.slice(0, 160)}`,
              )
          }
        }
      }
      expect(problems).toEqual([])
    })
  }

  for (const name of SERVICE_NAMES) {
    const list = routes.get(name)!.filter((r) => !r.path.startsWith('/openapi'))
    test(`${name}: routes found (${list.length})`, () => {
      expect(list.some((r) => r.path === '/health')).toBe(true)
      expect(list.length).toBeGreaterThan(2)
    })
    for (const route of list) {
      test(`${name}: ${route.method} ${route.path}`, async () => {
        const b = booted.get(name)!
        const auth = await credentials(b.app, route, TENANT)
        await fc.assert(
          fc.asyncProperty(requestArbitrary(route, known()), async (f) => {
            const { request, describe } = build(route, f, auth)
            const before = storedSnapshot(b)
            const res = await b.app.handle(request)
            const text = await res.text()
            if (res.status >= 500) throw new Error(`${res.status} for ${describe}\n→ ${text.slice(0, 500)}`)
            const after = storedSnapshot(b)
            if (res.status >= 400) {
              let error: { code?: unknown; message?: unknown } | undefined
              try {
                error = (JSON.parse(text) as { error?: typeof error }).error
              } catch {}
              if (typeof error?.code !== 'string' || typeof error?.message !== 'string')
                throw new Error(
                  `${res.status} without a JSON error body for ${describe}\n→ ${text.slice(0, 300)}`,
                )
              if (JSON.stringify(after) !== JSON.stringify(before))
                throw new Error(
                  `refused (${res.status}) but stored: ${JSON.stringify(before)} → ${JSON.stringify(after)} for ${describe}\n→ ${text.slice(0, 300)}`,
                )
            } else if (route.method === 'GET' && JSON.stringify(after) !== JSON.stringify(before)) {
              throw new Error(
                `a read stored something: ${JSON.stringify(before)} → ${JSON.stringify(after)} for ${describe}`,
              )
            }
          }),
          { numRuns: RUNS, endOnFailure: true },
        )
        // The service still answers after all of it.
        expect((await b.app.handle(new Request('http://localhost/health'))).status).toBe(200)
      }, 30_000)
    }
  }
})
