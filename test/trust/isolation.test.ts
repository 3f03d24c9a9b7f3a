/**
 * Tenant isolation at the services, over every route of every service that exists (routes read
 * from each app): two garages A and B hold cars, items, records, issues, quotes and photos; every
 * reference B can put in a path, query or body (by id, number, nickname, autocomplete prefix or
 * photo hash) is tried with A's value and with a value naming nothing. B's answer for A's object
 * must be the same as for a missing one (status and body, with the reference itself blanked) and
 * carry none of A's data; afterwards A's data reads exactly as before.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { SERVICE_NAMES, type ServiceName } from '../../lib/contracts/services.ts'
import { makePng } from '../fixtures/images.ts'
import {
  missingOf,
  NON_REF_PARAMS,
  normalize,
  ownOf,
  type RefKind,
  refKind,
  substitute,
  valuesOf,
} from './refs.ts'
import { bootAll, credentials, fillPath, isOpenRoute, type JsonSchema, type Route, sample } from './routes.ts'
import { callVia, type Holdings, seedTenant } from './seed.ts'

const A = 'local:garage-a'
const B = 'local:garage-b'

const { booted, routes, close } = await bootAll('iso', (r) => !r.path.startsWith('/openapi'))
let a: Holdings
let b: Holdings
/** Routes that answer without X-Tenant: system routes for the worker, not tenant data. */
const systemRoutes: string[] = []

async function send(
  service: ServiceName,
  method: string,
  url: string,
  tenant: string | undefined,
  body?: unknown,
  auth: Route['auth'] = 'service',
) {
  // The service token and X-Tenant, or on a public API route the garage's own API key.
  const headers: Record<string, string> = await credentials(booted.get(service)!.app, { auth }, tenant)
  let payload: RequestInit['body']
  if (body instanceof Uint8Array) payload = body
  else if (body !== undefined) {
    payload = JSON.stringify(body)
    headers['content-type'] = 'application/json'
  }
  const res = await booted
    .get(service)!
    .app.handle(new Request(`http://localhost${url}`, { method, headers, body: payload }))
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' }
}

/** A reference slot of a route: where B can name an object. */
type Slot = { where: 'path' | 'query' | 'body'; name: string; kind: RefKind }

function slotsOf(route: Route): { slots: Slot[]; unknownParams: string[] } {
  const slots: Slot[] = []
  const unknownParams: string[] = []
  for (const p of route.params) {
    const kind = refKind(route.service, p, route)
    if (kind) slots.push({ where: 'path', name: p, kind })
    else if (!(`${route.service}:${p}` in NON_REF_PARAMS)) unknownParams.push(p)
  }
  for (const q of route.query) {
    const kind = refKind(route.service, q.name, route)
    if (kind) slots.push({ where: 'query', name: q.name, kind })
  }
  for (const name of Object.keys((route.body as JsonSchema)?.properties ?? {})) {
    const kind = refKind(route.service, name, route)
    if (kind) slots.push({ where: 'body', name, kind })
  }
  return { slots, unknownParams }
}

/** B's request on a route with `slot` set to `value` and every other reference set to B's own. */
function requestOf(
  route: Route,
  slots: Slot[],
  slot: Slot | undefined,
  value: string | undefined,
  holder: Holdings,
) {
  const fill = (s: Slot) => (s === slot ? value : ownOf(s.kind, holder))
  const params: Record<string, string> = {}
  for (const p of route.params) {
    const s = slots.find((x) => x.where === 'path' && x.name === p)
    params[p] = s ? (fill(s) ?? missingOf(s.kind)) : (NON_REF_PARAMS[`${route.service}:${p}`] ?? '1')
  }
  const query = new URLSearchParams()
  for (const q of route.query) {
    const s = slots.find((x) => x.where === 'query' && x.name === q.name)
    if (s && (s === slot || q.required)) query.set(q.name, fill(s) ?? missingOf(s.kind))
    else if (!s && q.required) query.set(q.name, String(sample(q.schema)))
  }
  let body: unknown
  if (route.rawBody) body = holder.photo?.bytes
  else if (route.body) {
    const overrides: Record<string, unknown> = {}
    for (const s of slots.filter((x) => x.where === 'body')) {
      const v = fill(s)
      if (v === undefined || (s !== slot && !(route.body.required ?? []).includes(s.name))) continue
      const schema = route.body.properties[s.name]
      const numeric = schema?.type === 'integer' || schema?.type === 'number'
      overrides[s.name] = numeric ? Number(v) : v
    }
    body = sample(route.body, overrides)
    // An object reference (e.g. `item` given as an id) keeps the shape the schema wants.
    for (const [k, v] of Object.entries(overrides)) (body as Record<string, unknown>)[k] = v
  }
  if (route.rawBody) {
    query.set('uploader', 'u2')
    for (const s of slots.filter((x) => x.where === 'query' && x !== slot)) query.delete(s.name)
    if (slot?.where === 'query') query.set(slot.name, value!)
  }
  const path = fillPath(route.path, params)
  return { url: `${path}${query.size ? `?${query}` : ''}`, body }
}

/** Every answer B got, to check for A's data at the end. */
const seenByB: string[] = []

/** A's view of its own data: every read route with each of A's references. */
async function viewOfA(): Promise<string[]> {
  const out: string[] = []
  for (const [service, list] of routes) {
    for (const route of list.filter((r) => r.method === 'GET')) {
      const { slots } = slotsOf(route)
      const variants = slots.length
        ? slots.flatMap((s) => valuesOf(s.kind, a).map((v) => [s, v] as const))
        : [[undefined, undefined] as const]
      for (const [slot, value] of variants) {
        const r = requestOf(route, slots, slot, value, a)
        const res = await send(service, 'GET', r.url, A, undefined, route.auth)
        // A's API key is used by these reads themselves: when it was last used is not A's data changing.
        const text = res.text.replace(/"last_used_at":("[^"]*"|null)/g, '"last_used_at":"…"')
        out.push(`${route.path} ${r.url} ${res.status} ${res.type.includes('json') ? text : text.length}`)
      }
    }
  }
  return out
}

let before: string[]

beforeAll(async () => {
  const call = callVia(new Map([...booted].map(([n, x]) => [n, x.app])))
  // A holds more issues and quotes than B, so A's numbers are numbers B does not have.
  a = await seedTenant(call, A, { nickname: 'zebra', marker: 'AQZX', issueCount: 3, photoSize: 30 })
  b = await seedTenant(call, B, { nickname: 'bcar', marker: 'BQZX', issueCount: 1, photoSize: 31 })
  for (const [service, list] of routes) {
    for (const route of list.filter((r) => r.path !== '/health')) {
      const { slots } = slotsOf(route)
      // B's own valid request without X-Tenant: a tenant route refuses it (400) before doing anything.
      const r = requestOf(route, slots, undefined, undefined, b)
      const res = await send(service, route.method, r.url, undefined, r.body, route.auth)
      // A public API route without a key is 401 (its garage is the key's); a feed's garage is its link's.
      if (isOpenRoute(route)) continue
      if (route.auth === 'key' ? res.status !== 401 : route.auth === 'service' && (res.status !== 400 || !res.text.includes('tenant')))
        systemRoutes.push(`${service} ${route.method} ${route.path}`)
    }
  }
  // Each garage's API key, made before A's view is taken (a key is a row of the API process).
  for (const tenant of [A, B]) await credentials(booted.get('api')!.app, { auth: 'key' }, tenant)
  before = await viewOfA()
}, 60_000)

afterAll(close)

describe('tenant isolation at every service route', () => {
  test('both garages hold data in every service', () => {
    expect(a.problems).toEqual([])
    expect(b.problems).toEqual([])
    expect(a.car && b.car && a.itemId && a.recordId).toBeTruthy()
    expect(a.issues.length).toBe(3)
    expect(a.quotes.length).toBe(3)
    expect(a.photo).toBeDefined()
  })

  test('every path param is a known kind of reference (add new ones to test/trust/refs.ts)', () => {
    const unknown = [...routes.values()]
      .flat()
      .flatMap((r) => slotsOf(r).unknownParams.map((p) => `${r.service} ${r.method} ${r.path} :${p}`))
    expect(unknown).toEqual([])
  })

  test('routes answering without X-Tenant: stateless services, /ready and the worker’s reminder and digest routes and its daily list of leaving garages only', () => {
    // Anything else answering without a garage would act on every garage's data.
    const stateful = (r: string) => existsSync(booted.get(r.split(' ')[0] as ServiceName)!.dbPath)
    expect(
      systemRoutes.filter((r) => stateful(r) && !/ POST \/(reminders|digests)\/(claim|ack)$| GET \/garages\/leaving$| POST \/backup$| GET \/ready$/.test(r)),
    ).toEqual([])
  })

  // A service with no reference anywhere (the calculator) has nothing of A to name.
  for (const name of SERVICE_NAMES.filter((n) => routes.get(n)!.some((r) => slotsOf(r).slots.length > 0))) {
    test(`${name}: B's answer for A's object equals its answer for a missing one, on every route and reference`, async () => {
      const problems: string[] = []
      let compared = 0
      // Reads first, then changes to existing objects, creations last: B's accepted writes
      // (in its own garage) change what B itself reads and which numbers B's objects have.
      const order = (r: Route) => (r.method === 'GET' ? 0 : r.params.length > 0 ? 1 : 2)
      const ordered = [...routes.get(name)!].sort((x, y) => order(x) - order(y))
      for (const route of ordered) {
        if (systemRoutes.includes(`${name} ${route.method} ${route.path}`)) continue
        const { slots } = slotsOf(route)
        for (const slot of slots) {
          const missing = missingOf(slot.kind)
          for (const value of valuesOf(slot.kind, a)) {
            const withA = requestOf(route, slots, slot, value, b)
            const withMissing = requestOf(route, slots, slot, missing, b)
            const ra = await send(name, route.method, withA.url, B, withA.body, route.auth)
            const rm = await send(name, route.method, withMissing.url, B, withMissing.body, route.auth)
            seenByB.push(normalize(ra.text, value))
            compared++
            const label = `${route.method} ${withA.url} (${slot.where} ${slot.name} = A's ${slot.kind} ${JSON.stringify(value)})`
            if (ra.status !== rm.status) {
              problems.push(
                `${label}: ${ra.status} ${ra.text.slice(0, 160)} but for a missing one ${rm.status} ${rm.text.slice(0, 160)}`,
              )
              continue
            }
            const write = route.method !== 'GET'
            if (ra.status < 300 && write) continue // both accepted: B wrote in its own garage; A is checked below
            // The missing object's answer with A's value put where the missing value was.
            const expected = substitute(rm.text, missing, value)
            if (ra.text.toLowerCase() !== expected.toLowerCase())
              problems.push(
                `${label}: answer differs from a missing one:\n  A's:     ${ra.text.slice(0, 300)}\n  missing: ${expected.slice(0, 300)}`,
              )
          }
        }
      }
      expect(problems).toEqual([])
      expect(compared).toBeGreaterThan(0)
    })
  }

  test('autocomplete (GET /cars?q=) never offers A’s cars to B', async () => {
    if (!a.car) return
    for (const q of [
      '',
      a.car.nickname.slice(0, 1),
      a.car.nickname.slice(0, 2).toUpperCase(),
      a.car.nickname,
    ]) {
      const res = await send('items', 'GET', `/cars?q=${encodeURIComponent(q)}`, B)
      expect(res.status).toBe(200)
      const cars = (JSON.parse(res.text) as { cars: { nickname: string }[] }).cars.map((c) => c.nickname)
      expect(cars).not.toContain(a.car.nickname)
      seenByB.push(res.text)
    }
  })

  test('a photo B uploads with the bytes of A’s photo: B learns nothing about A having it', async () => {
    if (!a.photo) return
    const fresh = await makePng(29, 29)
    const up = async (bytes: Uint8Array) => {
      const res = await send('images', 'POST', '/images?uploader=u2', B, bytes)
      seenByB.push(res.text)
      return { status: res.status, body: JSON.parse(res.text) as Record<string, unknown> }
    }
    const same = await up(a.photo.bytes)
    const other = await up(fresh)
    expect(same.status).toBe(other.status)
    // Content-addressed storage may share the bytes, but the answer must not tell B they were known.
    expect({ stored_before: same.body.stored_before, linked_before: same.body.linked_before }).toEqual({
      stored_before: other.body.stored_before,
      linked_before: other.body.linked_before,
    })
    // Reading by hash: B now has its own link to those bytes and sees only its own photo record.
    const mine = await send('images', 'GET', `/images/${a.photo.sha256}`, B)
    expect(mine.text).not.toContain('AQZX')
  })

  test('nothing B received carries A’s data', () => {
    expect(seenByB.length).toBeGreaterThan(0)
    const leaks = seenByB.filter((t) => a.markers.some((m) => t.includes(m)))
    expect(leaks.map((t) => t.slice(0, 300))).toEqual([])
  })

  test('after all of B’s requests, A’s data reads exactly as before', async () => {
    const after = await viewOfA()
    const changed = after.filter((line, i) => line !== before[i])
    expect(changed.map((l) => l.slice(0, 300))).toEqual([])
    expect(after.length).toBe(before.length)
  })
})
