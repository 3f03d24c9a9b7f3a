/**
 * One way to build a service. `serviceApp` opens the service's own SQLite file with its
 * migrations, and returns the Elysia app every service starts from: the service token, errors
 * as `{ error: { code, message, field? } }` (their responses documented once for every route),
 * `/health`, `/ready` (the database answers), OpenAPI, and on every route after it the
 * request's `tenant` (X-Tenant, checked) and `idempotencyKey`. `once` runs a write at most once
 * per (tenant, Idempotency-Key, route). `finish(app, ...release)` makes `app.stop()` close the
 * database and whatever else the service holds.
 */
import type { Database } from 'bun:sqlite'
import { join } from 'node:path'
import type { Config } from '../../lib/config.ts'
import type { ServiceName } from '../../lib/contracts/services.ts'
import { type Migration, openDatabase } from './db.ts'
import { errorResponses, idempotent, releaseOnStop, requestScope, serviceBase } from './http.ts'

/** What `createApp` of every service takes; `now` is the injected clock. */
export type ServiceDeps = { dataDir: string; token: string; now?: () => Date; config?: Config }

/** What a route handler hands to `once`: the scope resolved for it and Elysia's `set`. */
export type WriteScope = {
  tenant: string
  idempotencyKey: string | undefined
  set: { status?: number | string }
}

/**
 * The errors any route of a service with tenant data may answer: 400 (X-Tenant,
 * Idempotency-Key or a body that is not JSON), 401 (service token), 404, 409 and 422. The guard
 * holds schemas only, so it adds no work to a request.
 */
const TENANT_ROUTE_ERRORS = errorResponses(400, 401, 404, 409, 422)
/** The errors a stateless route may answer: a body that is not JSON, the token, a refused value. */
const STATELESS_ROUTE_ERRORS = errorResponses(400, 401, 422)

function answers(db: Database): () => boolean {
  return () => {
    try {
      return db.query('SELECT 1 AS ok').get() !== null
    } catch {
      return false
    }
  }
}

type Stoppable = Parameters<typeof releaseOnStop>[0]

/** The base of a service with a database: the app, the database, the clock, `once` and `finish`. */
export function serviceApp(name: ServiceName, deps: ServiceDeps, migrations: readonly Migration[]) {
  const db = openDatabase(join(deps.dataDir, `${name}.sqlite`), migrations)
  const now = deps.now ?? (() => new Date())
  const app = serviceBase({ name, token: deps.token, ready: answers(db) })
    .guard({ response: TENANT_ROUTE_ERRORS })
    .resolve(({ request }) => requestScope(request))
  /**
   * Runs `write(tenant)` once for this request's Idempotency-Key and `route` (the route's
   * pattern, or its path for a route whose parameters make a different write), answering the
   * first result, with its status, again to a repeat. `status` is the answer's status, or how
   * to tell it from the result (an upload is 201 when it linked a photo, 200 when it was there).
   */
  const once = <R>(
    scope: WriteScope,
    route: string,
    write: (tenant: string) => R,
    status: number | ((result: R) => number) = 200,
  ): R =>
    idempotent(db, scope.tenant, scope.idempotencyKey, route, scope.set, () => {
      const body = write(scope.tenant)
      return { status: typeof status === 'number' ? status : status(body), body }
    })
  /** Makes the app's stop() run `release` (statements, pools), then close the database. */
  const finish = <A extends Stoppable>(built: A, ...release: (() => void)[]) =>
    releaseOnStop(built, ...release, () => db.close())
  return { app, db, now, once, finish }
}

/** The base of a service without storage or tenant data (the calculator): the same edge, no database. */
export function statelessServiceApp(name: ServiceName, deps: ServiceDeps) {
  const app = serviceBase({ name, token: deps.token }).guard({ response: STATELESS_ROUTE_ERRORS })
  const finish = <A extends Stoppable>(built: A, ...release: (() => void)[]) =>
    releaseOnStop(built, ...release)
  return { app, now: deps.now ?? (() => new Date()), finish }
}
