/**
 * What the trust tests know about the services (the one list in lib/contracts/services.ts)
 * without being told: which routes each app declares (its OpenAPI document, united with
 * Elysia's `app.routes`), the JSON schema of each route's path params, query and body, a
 * minimal valid value and a fast-check arbitrary for a schema, and a snapshot of what a
 * service has stored (its SQLite tables' row counts and its files on disk).
 */
import { Database } from 'bun:sqlite'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { type Config, parseConfig } from '../../lib/config.ts'
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../../lib/contracts/services.ts'

export const ROOT = join(import.meta.dir, '..', '..')

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema as found in the OpenAPI document
export type JsonSchema = any

export type App = {
  handle: (request: Request) => Promise<Response>
  fetch: (request: Request) => Response | Promise<Response>
  routes: { method: string; path: string }[]
  stop?: (close?: boolean) => unknown
  decorator?: Record<string, unknown>
}

export type Booted = { name: ServiceName; app: App; dataDir: string; dbPath: string }

/** How a service that calls others (the API process) reaches them: the booted apps, in-process. */
export type Peers = Record<string, (request: Request) => Promise<Response> | Response>

/** Creates a service's app on its own data folder, as the stack does. */
export function bootService(
  name: ServiceName,
  dataDir: string,
  config: Config = parseConfig({}),
  peers?: Peers,
): Booted {
  // By its path in the one list of services, so a sixth service is tested without an edit here.
  const mod = require(join(ROOT, SERVICES[name].app)) as {
    createApp: (deps: { dataDir: string; token: string; config?: Config; peers?: Peers }) => App
  }
  const app = mod.createApp({ dataDir, token: TOKEN, config, ...(peers ? { peers } : {}) })
  return { name, app, dataDir, dbPath: join(dataDir, `${name}.sqlite`) }
}

/** Stops an app that never listened: its stop() (database) and any decorated pool or database. */
export async function closeService(b: Booted): Promise<void> {
  const log = console.log
  console.log = () => {} // Elysia says "isn't running" for an app served through app.handle
  try {
    await b.app.stop?.()
  } catch {}
  console.log = log
  for (const value of Object.values(b.app.decorator ?? {})) {
    const close = (value as { close?: () => unknown } | null)?.close
    if (typeof close === 'function') {
      try {
        close.call(value)
      } catch {}
    }
  }
}

export const TOKEN = 'trust-test-service-token-8f3a1c9e27b44d05'

/** Every service's app booted below one temporary folder, with its routes. */
export type Fleet = {
  booted: Map<ServiceName, Booted>
  routes: Map<ServiceName, Route[]>
  /** Stops every app and removes the folder. */
  close: () => Promise<void>
}

/**
 * Boots every service on its own data folder below a temporary folder named after `tag`, and reads
 * its routes (those `keep` accepts). Test files call it at load time, so each route can become a
 * test of its own.
 */
export async function bootAll(tag: string, keep: (r: Route) => boolean = () => true): Promise<Fleet> {
  const root = mkdtempSync(join(tmpdir(), `cm-trust-${tag}-`))
  const booted = new Map<ServiceName, Booted>()
  const routes = new Map<ServiceName, Route[]>()
  // Every app booted so far, for a service that calls others (the API process calls items and issues).
  const peers: Peers = new Proxy({} as Peers, {
    get: (_, service: string) => (request: Request) => booted.get(service as ServiceName)!.app.handle(request),
  })
  for (const name of SERVICE_NAMES) {
    // The API process's rate limit has its own test (services/api); fuzzing sends far more than a tracker.
    const config = name === 'api' ? parseConfig({ API_RATE_PER_MINUTE: '1000000', API_RATE_BURST: '1000000' }) : undefined
    const b = bootService(name, join(root, name), config, peers)
    booted.set(name, b)
    routes.set(name, (await routesOf(name, b.app)).filter(keep))
  }
  return {
    booted,
    routes,
    close: async () => {
      for (const b of booted.values()) await closeService(b)
      rmSync(root, { recursive: true, force: true })
    },
  }
}

export type Param = { name: string; required: boolean; schema: JsonSchema }

export type Route = {
  service: ServiceName
  method: string
  /** Elysia form: `/cars/:car`. */
  path: string
  params: string[]
  query: Param[]
  /** JSON body schema, when the route takes one. */
  body?: JsonSchema
  /** A write route that reads its body itself (bytes), e.g. an upload. */
  rawBody: boolean
  /**
   * What the route takes instead of the service token: an API key (`key`, the public `/api/v1`,
   * whose garage is the key's), or nothing but a secret in its path (`link`, a calendar feed).
   */
  auth: 'service' | 'key' | 'link'
}

/** The public API's routes (the API process), and of them those whose path is their secret. */
export const PUBLIC_API = '/api/v1/'
const authOf = (path: string): Route['auth'] =>
  !path.startsWith(PUBLIC_API) ? 'service' : path.startsWith(`${PUBLIC_API}calendar/`) ? 'link' : 'key'

/** Routes reachable without the service token, by contract. */
export const isOpenRoute = (r: { method: string; path: string }) =>
  (r.method === 'GET' && r.path === '/health') ||
  r.path === '/openapi' ||
  r.path.startsWith('/openapi/') ||
  r.path === `${PUBLIC_API}openapi` ||
  r.path.startsWith(`${PUBLIC_API}openapi/`)

/** The API keys made so far, per app (each fleet boots its own) and garage. */
const keys = new WeakMap<App, Map<string, string>>()

/**
 * The headers that let a request through a route for `tenant`: the service token and X-Tenant,
 * or for a public API route a manager key of that garage (made once through the API process's
 * own internal route); a `link` route needs none.
 */
export async function credentials(
  app: App,
  route: { auth: Route['auth'] },
  tenant: string | undefined,
): Promise<Record<string, string>> {
  if (route.auth === 'link') return {}
  if (route.auth === 'service')
    return { authorization: `Bearer ${TOKEN}`, ...(tenant !== undefined ? { 'x-tenant': tenant } : {}) }
  if (tenant === undefined) return {}
  const made = keys.get(app) ?? new Map<string, string>()
  keys.set(app, made)
  let key = made.get(tenant)
  if (!key) {
    const res = await app.handle(
      new Request('http://localhost/keys', {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'x-tenant': tenant, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `trust-${Math.random().toString(36).slice(2, 8)}`, role: 'manager', created_by: 'trust' }),
      }),
    )
    if (res.status !== 201) throw new Error(`POST /keys for ${tenant}: ${res.status} ${await res.text()}`)
    key = ((await res.json()) as { key: string }).key
    made.set(tenant, key)
  }
  return { authorization: `Bearer ${key}` }
}

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Every route of an app: its OpenAPI document's operations plus any route only `app.routes` knows. */
export async function routesOf(name: ServiceName, app: App): Promise<Route[]> {
  const res = await app.handle(new Request('http://localhost/openapi/json'))
  if (res.status !== 200) throw new Error(`${name}: GET /openapi/json answered ${res.status}`)
  const doc = (await res.json()) as { paths?: Record<string, Record<string, JsonSchema>> }
  // A service with a public API documents it on its own (the API process: /api/v1/openapi/json).
  const pub = await app.handle(new Request(`http://localhost${PUBLIC_API}openapi/json`))
  const publicPaths =
    pub.status === 200 ? ((await pub.json()) as { paths?: Record<string, Record<string, JsonSchema>> }).paths : undefined
  const routes = new Map<string, Route>()
  for (const [openPath, ops] of [...Object.entries(doc.paths ?? {}), ...Object.entries(publicPaths ?? {})]) {
    const path = openPath.replace(/\{([^}]+)\}/g, ':$1')
    for (const [method, op] of Object.entries(ops)) {
      const m = method.toUpperCase()
      const parameters = (op.parameters ?? []) as {
        name: string
        in: string
        required?: boolean
        schema: JsonSchema
      }[]
      const body = op.requestBody?.content?.['application/json']?.schema
      routes.set(`${m} ${path}`, {
        service: name,
        method: m,
        path,
        params: paramNames(path),
        query: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, required: !!p.required, schema: p.schema })),
        body,
        rawBody: !body && WRITE.has(m) && m !== 'DELETE',
        auth: authOf(path),
      })
    }
  }
  for (const r of app.routes) {
    const m = r.method.toUpperCase()
    if (m === 'HEAD' || m === 'OPTIONS' || m === 'ALL') continue
    const key = `${m} ${r.path}`
    if (!routes.has(key))
      routes.set(key, {
        service: name,
        method: m,
        path: r.path,
        params: paramNames(r.path),
        query: [],
        rawBody: WRITE.has(m) && m !== 'DELETE',
        auth: authOf(r.path),
      })
  }
  return [...routes.values()]
}

const paramNames = (path: string) => [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!)

/** Fills `:name` segments; values are URL-encoded unless `raw` (to send malformed escapes). */
export function fillPath(path: string, values: Record<string, string>, raw = false): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, n: string) => {
    const v = values[n] ?? ''
    return raw ? v : encodeURIComponent(v.toWellFormed())
  })
}

/** Row counts of every table in a service's SQLite file, plus the files it keeps on disk. */
export function storedSnapshot(b: Booted): Record<string, number> {
  const out: Record<string, number> = {}
  if (existsSync(b.dbPath)) {
    const db = new Database(b.dbPath)
    try {
      const tables = db
        .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as {
        name: string
      }[]
      for (const { name } of tables) {
        out[name] = (db.query(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n
      }
    } finally {
      db.close()
    }
  }
  out['files on disk'] = countFiles(b.dataDir, b.dbPath)
  return out
}

function countFiles(dir: string, dbPath: string): number {
  let n = 0
  if (!existsSync(dir)) return 0
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry)
    if (p.startsWith(dbPath)) continue
    if (statSync(p).isDirectory()) n += countFiles(p, dbPath)
    else n++
  }
  return n
}

const typeOf = (s: JsonSchema): string | undefined => (Array.isArray(s?.type) ? s.type[0] : s?.type)

const DATE_PATTERN = /\\d\{4\}-\\d\{2\}-\\d\{2\}/

/** A small valid value for a schema (required object fields only), for requests meant to pass validation. */
export function sample(s: JsonSchema, overrides: Record<string, unknown> = {}): unknown {
  if (!s) return 'x'
  if (s.const !== undefined) return s.const
  if (s.enum) return s.enum[0]
  if (s.anyOf) {
    const typed = s.anyOf.find((x: JsonSchema) => typeOf(x) !== 'string' || !x.format) ?? s.anyOf[0]
    return sample(typed, overrides)
  }
  switch (typeOf(s)) {
    case 'string': {
      if (s.format === 'numeric' || s.format === 'integer') return String(Math.max(1, s.minimum ?? 1))
      if (typeof s.pattern === 'string') {
        if (s.pattern.includes('[0-9a-f]{64}')) return 'a'.repeat(64)
        if (DATE_PATTERN.test(s.pattern) || s.pattern.includes('\\d{4}-')) return '2025-03-01'
        if (s.pattern.includes('[A-Z]{3}')) return 'USD'
        if (s.pattern.includes('[0-9]')) return '1'
      }
      if (/date/i.test(s.description ?? '')) return '2025-03-01'
      return 'x'.repeat(Math.max(1, s.minLength ?? 1))
    }
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? 1, s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1)
    case 'boolean':
      return false
    case 'null':
      return null
    case 'array':
      return s.minItems ? Array.from({ length: s.minItems }, () => sample(s.items)) : []
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const key of s.required ?? [])
        out[key] = key in overrides ? overrides[key] : sample(s.properties?.[key])
      for (const [key, value] of Object.entries(overrides)) if (s.properties?.[key]) out[key] = value
      return out
    }
    default:
      return 'x'
  }
}

/** Strings that have broken parsers and queries elsewhere. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  "' OR 1=1 --",
  '"; DROP TABLE cars; --',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\ud800',
  '🚗💥',
  'a'.repeat(5000),
  '2025-02-30',
  '9999-99-99',
  '#1',
  '00000000000000000001',
  '1.5',
  '+1',
  'Infinity',
]

const NASTY_NUMBERS = [
  0,
  -0,
  -1,
  0.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 31,
  2 ** 63,
]

/** Arbitrary JSON-ish garbage. */
export const wild: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...NASTY_STRINGS),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.constantFrom(...NASTY_NUMBERS),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 2 }),
)

/**
 * Values near a schema: mostly of the right type (with edge values and known identifiers
 * mixed in, so requests reach the service's own logic), sometimes anything at all.
 */
export function arbitraryFor(s: JsonSchema, known: string[] = [], depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 5) return wild
  if (s.anyOf) return fc.oneof(...s.anyOf.map((x: JsonSchema) => arbitraryFor(x, known, depth + 1)), wild)
  if (s.enum)
    return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...s.enum) }, { weight: 1, arbitrary: wild })
  if (s.const !== undefined)
    return fc.oneof({ weight: 4, arbitrary: fc.constant(s.const) }, { weight: 1, arbitrary: wild })
  const right: fc.Arbitrary<unknown> = (() => {
    switch (typeOf(s)) {
      case 'string':
        return fc.oneof(
          fc.string({ maxLength: Math.min(s.maxLength ?? 30, 60) }),
          fc.string({ unit: 'binary', maxLength: 30 }),
          fc.constantFrom(...NASTY_STRINGS, ...(known.length ? known : ['x'])),
          fc.constant(sample(s) as string),
          fc.integer({ min: -5, max: 50 }).map(String),
        )
      case 'integer':
        return fc.oneof(
          fc.integer({ min: -3, max: 60 }),
          fc.integer(),
          fc.constantFrom(...NASTY_NUMBERS),
          fc.constant(sample(s)),
        )
      case 'number':
        return fc.oneof(
          fc.double({ noNaN: true }),
          fc.integer({ min: -3, max: 100_000 }),
          fc.constantFrom(...NASTY_NUMBERS),
        )
      case 'boolean':
        return fc.boolean()
      case 'array':
        return fc.array(arbitraryFor(s.items, known, depth + 1), { maxLength: 4 })
      case 'object': {
        const props = (s.properties ?? {}) as Record<string, JsonSchema>
        const keys = Object.keys(props)
        if (keys.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), wild, { maxKeys: 3 })
        const record = fc.record(
          Object.fromEntries(keys.map((k) => [k, arbitraryFor(props[k], known, depth + 1)])),
          { requiredKeys: [] },
        )
        // Usually with the required fields, so the rest of the body gets looked at.
        const required = (s.required ?? []) as string[]
        return fc.oneof(
          { weight: 3, arbitrary: record.map((r) => ({ ...(sample(s) as object), ...r })) },
          { weight: 1, arbitrary: record },
          {
            weight: 1,
            arbitrary: fc
              .tuple(record, fc.string({ minLength: 1, maxLength: 8 }), wild)
              .map(([r, k, v]) => ({ ...r, [required.includes(k) ? `${k}_` : k]: v })),
          },
        )
      }
      default:
        return wild
    }
  })()
  return fc.oneof({ weight: 5, arbitrary: right }, { weight: 1, arbitrary: wild })
}

const PATTERNS: [RegExp, fc.Arbitrary<string>][] = [
  [/\[0-9a-f\]\{64\}/, fc.stringMatching(/^[0-9a-f]{64}$/)],
  [
    /\\d\{4\}-/,
    fc.oneof(
      fc
        .date({ min: new Date('1880-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      fc.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    ),
  ],
  [
    /\[A-Z\]\{3\}/,
    fc.oneof(fc.constantFrom('USD', 'EUR', 'GBP', 'JPY', 'XXX', 'ZZZ'), fc.stringMatching(/^[A-Z]{3}$/)),
  ],
]

/**
 * Values that pass a schema's own checks (types, bounds, lengths, enums, known patterns) but
 * are otherwise extreme, so the service's logic rather than its validator has to cope.
 */
export function validFor(s: JsonSchema, known: string[] = [], depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 5) return fc.constant(sample(s))
  if (s.const !== undefined) return fc.constant(s.const)
  if (s.enum) {
    const values = fc.constantFrom(...s.enum)
    return Array.isArray(s.type) && s.type.includes('null') ? fc.oneof(values, fc.constant(null)) : values
  }
  if (s.anyOf) return fc.oneof(...s.anyOf.map((x: JsonSchema) => validFor(x, known, depth + 1)))
  switch (typeOf(s)) {
    case 'string': {
      if (s.format === 'numeric' || s.format === 'integer')
        return fc
          .integer({ min: Math.max(s.minimum ?? 0, -1e6), max: Math.min(s.maximum ?? 1e9, 1e9) })
          .map(String)
      if (typeof s.pattern === 'string') {
        const known = PATTERNS.find(([re]) => re.test(s.pattern))
        return known ? known[1] : fc.constant(sample(s) as string)
      }
      const min = s.minLength ?? 0
      const max = Math.min(s.maxLength ?? 60, 60)
      const fits = (x: string) => x.length >= min && x.length <= (s.maxLength ?? Infinity)
      return fc.oneof(
        fc.string({ minLength: min, maxLength: Math.max(min, max) }),
        fc.string({ unit: 'binary', minLength: min, maxLength: Math.max(min, max) }),
        fc.constantFrom(...[...known, ...NASTY_STRINGS, 'x'.repeat(Math.max(1, min))].filter(fits)),
      )
    }
    case 'integer': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1e9)
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1e12)
      return fc.oneof(
        fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }),
        fc.constantFrom(...[min, max, 0, 1, 2, 3].filter((n) => n >= min && n <= max)),
      )
    }
    case 'number': {
      const min = s.minimum ?? s.exclusiveMinimum ?? -1e12
      const max = s.maximum ?? s.exclusiveMaximum ?? 1e12
      return fc.oneof(
        fc
          .double({ min, max, noNaN: true, noDefaultInfinity: true })
          .filter(
            (n) =>
              (s.exclusiveMinimum === undefined || n > s.exclusiveMinimum) &&
              (s.exclusiveMaximum === undefined || n < s.exclusiveMaximum),
          ),
        fc.constantFrom(
          ...[min, max, 0, 0.001, 1, 99999.99].filter(
            (n) => n >= min && n <= max && n !== s.exclusiveMinimum && n !== s.exclusiveMaximum,
          ),
        ),
      )
    }
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array':
      return fc.array(validFor(s.items, known, depth + 1), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 4, 4),
      })
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, JsonSchema>
      const keys = Object.keys(props)
      if (keys.length === 0) return fc.constant({})
      return fc.record(Object.fromEntries(keys.map((k) => [k, validFor(props[k], known, depth + 1)])), {
        requiredKeys: (s.required ?? []).filter((k: string) => k in props),
      })
    }
    default:
      return fc.constant(sample(s))
  }
}

/** A query-string value for a schema (what a client would put after `name=`). */
export const asQueryValue = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))
