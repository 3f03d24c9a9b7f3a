/**
 * What every service shares at its HTTP edge: the bearer service token (constant-time, every
 * route but GET /health), the X-Tenant header, Idempotency-Key replay, JSON errors
 * `{ error: { code, message } }` (422 for schema failures, never 500 for a caller's mistake;
 * 507 `storage_full` for a write that found the disk full), /health and /ready, and OpenAPI at
 * /openapi.
 */
import type { Database } from 'bun:sqlite'
import { timingSafeEqual } from 'node:crypto'
import { Elysia, t } from 'elysia'
import { createLogger, type Logger } from '../../lib/log.ts'
import { TENANT_PATTERN } from '../../lib/contracts/envelope.ts'
import { InvalidValue } from '../../lib/domain/invalid.ts'
import { isStorageFull, type StorageWatch } from './storage.ts'

/**
 * A refusal at a service's edge, answered with its status as `{ error: { code, message, field? } }`.
 * Rules of the domain throw `InvalidValue` instead (a 422 naming the field); this is for what
 * only the edge knows: the tenant, the Idempotency-Key, a missing object, a conflict, a size.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    /** The record the refusal is about (e.g. the one already logged), for a caller to act on. */
    readonly ref?: number,
  ) {
    super(message)
  }
}

export const badRequest = (field: string, message: string) => new HttpError(422, 'invalid', message, field)
export const notFound = (message: string) => new HttpError(404, 'not_found', message)
export const conflict = (code: string, message: string, field?: string, ref?: number) =>
  new HttpError(409, code, message, field, ref)

/** Error body every service answers with. */
export const ErrorBody = t.Object({
  error: t.Object({
    code: t.String(),
    message: t.String(),
    field: t.Optional(t.String()),
    /** The record the refusal is about, when it names one (a 409 `already_logged`: the record made). */
    ref: t.Optional(t.Integer()),
  }),
})

/**
 * `{ [status]: ErrorBody }` for each status, for a route's `response` (OpenAPI and Eden's error
 * type). `serviceApp` documents the common ones once for all of a service's routes; a route that
 * answers more (the images upload's 413 and 503) adds its own.
 */
export function errorResponses<const S extends readonly number[]>(...statuses: S) {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as { [K in S[number]]: typeof ErrorBody }
}

/**
 * What /health and /ready answer: whether the service (and its database) answers, and which it
 * is; /ready adds why it is not ready (its storage is full).
 */
const Health = t.Object({ ok: t.Boolean(), service: t.String(), reason: t.Optional(t.String()) })

const tenantRegex = new RegExp(TENANT_PATTERN)

/**
 * A constant-time check of `Authorization: Bearer <token>`. Fixed-length sha256 digests are
 * compared, so the time tells nothing about the token; the expected digest is computed once and
 * the static hash makes no hasher object per request.
 */
export function tokenChecker(expected: string): (header: string | null | undefined) => boolean {
  const want = Bun.CryptoHasher.hash('sha256', expected) as Buffer
  const wantLength = Buffer.byteLength(expected)
  return (header) => {
    if (!header?.startsWith('Bearer ')) return false
    const given = header.slice(7)
    const got = Bun.CryptoHasher.hash('sha256', given) as Buffer
    return timingSafeEqual(got, want) && Buffer.byteLength(given) === wantLength
  }
}

export const tokenMatches = (expected: string, header: string | null | undefined) =>
  tokenChecker(expected)(header)

/**
 * Elysia's errors that are the caller's mistake, as the JSON error every route answers: a body or
 * query that fails its schema (422 naming the field), a route that does not exist (404), a body
 * that is not JSON (400). Undefined for anything else (an answer failing its own response schema
 * is the service's bug, not the caller's). The services and the public API answer them alike.
 */
export function callerMistake(
  code: unknown,
  error: unknown,
  set: { status?: number | string },
): { error: { code: string; message: string; field?: string } } | undefined {
  if (code === 'VALIDATION' && (error as { type?: string }).type !== 'response') {
    set.status = 422
    const first = (error as { all?: { path?: string; summary?: string; message?: string }[] }).all?.[0]
    const field = first?.path?.replace(/^\//, '').replace(/\//g, '.') || undefined
    const message = first ? `${field ?? 'body'}: ${first.message ?? first.summary}` : 'invalid request'
    return { error: { code: 'invalid', message, ...(field ? { field } : {}) } }
  }
  // Elysia builds a schema error's message by turning the offending value into a string; a
  // value such as {"toString": null} makes that throw, which is still the caller's bad body.
  if (error instanceof TypeError && /\bnew ValidationError\b/.test(error.stack ?? '')) {
    set.status = 422
    return { error: { code: 'invalid', message: "the request does not match the route's schema" } }
  }
  if (code === 'NOT_FOUND') {
    set.status = 404
    return { error: { code: 'not_found', message: 'no such route' } }
  }
  if (code === 'PARSE') {
    set.status = 400
    return { error: { code: 'bad_body', message: 'the request body is not valid JSON' } }
  }
  return undefined
}

export type ServiceOptions = {
  name: string
  token: string
  /** Extra readiness check (e.g. the database answers). */
  ready?: () => boolean
  /** Whether the last write found the disk full; /ready is 503 while it did. */
  storage?: StorageWatch
  /** Where unexpected errors are logged (default: a logger named after the service). */
  log?: Logger
}

/**
 * OpenAPI at /openapi/json and its Scalar page at /openapi, the way @elysiajs/openapi serves
 * them, but with the generator imported on the first request: the plugin is about 2 MB of
 * every service's memory, for documents an operator or an integrator reads now and then.
 */
function openapiDocs(title: string) {
  const docs = new Elysia({ name: 'openapi-docs' })
  const page = `<!doctype html>
<html>
  <head>
    <title>${title}</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <script id="api-reference" data-url="openapi/json"></script>
    <script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@latest/dist/browser/standalone.min.js" crossorigin></script>
  </body>
</html>`
  let cached: { routes: number; doc: object } | undefined
  return docs
    .get('/openapi', () => new Response(page, { headers: { 'content-type': 'text/html; charset=utf8' } }), {
      detail: { hide: true },
    })
    .get(
      '/openapi/json',
      async () => {
        if (cached?.routes === docs.routes.length) return cached.doc
        const { toOpenAPISchema } = await import('@elysiajs/openapi')
        const { paths, components } = toOpenAPISchema(docs, undefined, undefined, undefined, '3.1.2')
        const doc = { openapi: '3.1.2', info: { title, version: '1' }, paths, components }
        cached = { routes: docs.routes.length, doc }
        return doc
      },
      { detail: { hide: true } },
    )
}

/**
 * The base Elysia app of a service: errors, auth, tenant, health and OpenAPI.
 * Routes added after it get `tenant` (from X-Tenant, validated) and `idempotencyKey`.
 */
export function serviceBase(options: ServiceOptions) {
  const log = options.log ?? createLogger(options.name)
  const authorized = tokenChecker(options.token)
  return (
    new Elysia({ name: `service-${options.name}` })
      .use(openapiDocs(`car-manager ${options.name}`))
      .error({ HttpError })
      .onError({ as: 'global' }, ({ code, error, set, request }) => {
        if (error instanceof HttpError) {
          set.status = error.status
          return {
            error: {
              code: error.code,
              message: error.message,
              ...(error.field ? { field: error.field } : {}),
              ...(error.ref !== undefined ? { ref: error.ref } : {}),
            },
          }
        }
        if (error instanceof InvalidValue) {
          set.status = 422
          return { error: { code: 'invalid', message: error.message, field: error.field } }
        }
        // A full disk is not an outage to retry: 507, and /ready turns 503 until there is room.
        if (isStorageFull(error)) {
          const reason = `storage full: ${(error as Error).message}`
          options.storage?.failed(reason)
          log.error(
            {
              err: error,
              tenant: request.headers.get('x-tenant') ?? undefined,
              requestId: request.headers.get('x-request-id') ?? undefined,
              route: `${request.method} ${new URL(request.url).pathname}`,
            },
            'storage full; the write was not saved',
          )
          set.status = 507
          return {
            error: {
              code: 'storage_full',
              message: `the ${options.name} service's storage is full; nothing was saved`,
            },
          }
        }
        const mistake = callerMistake(code, error, set)
        if (mistake) return mistake
        // An answer that fails its route's response schema is the service's bug, not the
        // caller's: it is logged and answered 500 below.
        const badAnswer = code === 'VALIDATION' && error.type === 'response'
        if (!badAnswer && (typeof code === 'number' || (error as { status?: number }).status)) {
          const status = typeof code === 'number' ? code : ((error as { status?: number }).status ?? 500)
          if (status < 500) {
            set.status = status
            return { error: { code: 'invalid', message: String((error as Error).message ?? error) } }
          }
        }
        log.error(
          {
            // A bad answer's error carries the whole answer (tenant data): the path is enough.
            err: badAnswer
              ? new Error(`answer fails its response schema at ${error.valueError?.path || '/'}`)
              : error,
            tenant: request.headers.get('x-tenant') ?? undefined,
            requestId: request.headers.get('x-request-id') ?? undefined,
            route: `${request.method} ${new URL(request.url).pathname}`,
          },
          'unhandled error',
        )
        set.status = 500
        return { error: { code: 'internal', message: 'internal error' } }
      })
      .get('/health', () => ({ ok: true, service: options.name }), { response: Health })
      // onRequest runs before the body is parsed or validated, so an unauthenticated caller
      // learns nothing about the routes' schemas: 401 whatever it sent.
      // The token is checked first: the path is parsed only for a request without it.
      .onRequest(({ request }) => {
        if (authorized(request.headers.get('authorization'))) return
        const path = new URL(request.url).pathname
        if (
          (path === '/health' && request.method === 'GET') ||
          path === '/openapi' ||
          path.startsWith('/openapi/')
        )
          return
        return Response.json(
          { error: { code: 'unauthorized', message: 'missing or wrong service token' } },
          { status: 401 },
        )
      })
      .get(
        '/ready',
        ({ set }) => {
          if (options.ready && !options.ready()) {
            set.status = 503
            return { ok: false, service: options.name, reason: 'the database does not answer' }
          }
          const storage = options.storage?.state() ?? { ok: true }
          if (!storage.ok) {
            set.status = 503
            return { ok: false, service: options.name, reason: storage.reason }
          }
          return { ok: true, service: options.name }
        },
        { response: { 200: Health, 503: Health } },
      )
  )
}

function checkTenant(tenant: string | null | undefined): string {
  if (!tenant || !tenantRegex.test(tenant)) {
    throw new HttpError(400, 'bad_tenant', 'X-Tenant header missing or malformed')
  }
  return tenant
}

/**
 * The tenant and Idempotency-Key of a request, read from the request's own headers: a route
 * or hook that names Elysia's `headers` makes it copy every header into an object first, on
 * every request (the README's benchmark section has what that cost the car read).
 */
export const requestScope = (request: Request) => ({
  tenant: checkTenant(request.headers.get('x-tenant')),
  idempotencyKey: request.headers.get('idempotency-key') ?? undefined,
})

/** 400 unless an Idempotency-Key, when given, is 1-200 characters. */
export function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && (key.length === 0 || key.length > 200)) {
    throw new HttpError(400, 'bad_idempotency_key', 'Idempotency-Key must be 1-200 characters')
  }
}

/**
 * Runs a write once per (tenant, Idempotency-Key, route): the first result is stored in the
 * same SQLite transaction as the write, and a repeat answers it again. Errors are not stored,
 * so a refused request stores nothing. Without a key the write simply runs. `now` (epoch ms) is
 * the key's `created_at`, which the pruning of week-old keys reads.
 */
export function idempotent<R>(
  db: Database,
  tenant: string,
  key: string | undefined,
  route: string,
  set: { status?: number | string },
  write: () => { status?: number; body: R },
  now: () => number = Date.now,
): R {
  checkIdempotencyKey(key)
  return db.transaction(() => {
    if (key) {
      const prior = db
        .query('SELECT status, body FROM idempotency WHERE tenant = ? AND key = ? AND route = ?')
        .get(tenant, key, route) as { status: number; body: string } | null
      if (prior) {
        set.status = prior.status
        return JSON.parse(prior.body) as R
      }
    }
    const result = write()
    const status = result.status ?? 200
    if (key) {
      db.query(
        'INSERT INTO idempotency (tenant, key, route, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(tenant, key, route, status, JSON.stringify(result.body), now())
    }
    set.status = status
    return result.body
  })()
}

/**
 * Makes `app.stop()` release what the service holds (its database, the images decoder) whether
 * or not the app listened itself: tests and the stack serve `app.fetch` from their own Bun.serve,
 * and Elysia's own stop() then only logs "isn't running" and runs no onStop hook.
 */
export function releaseOnStop<
  A extends { server: unknown; stop: (closeActiveConnections?: boolean) => Promise<unknown> },
>(app: A, ...release: (() => void)[]): A {
  const stopServer = app.stop.bind(app)
  app.stop = async (closeActiveConnections?: boolean) => {
    if (app.server) await stopServer(closeActiveConnections)
    for (const r of release) r()
    return app
  }
  return app
}
