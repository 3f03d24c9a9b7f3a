/**
 * One way to build a service. `serviceApp` opens the service's own SQLite file (when it has
 * one) with its migrations, and returns the Elysia app every service starts from: the service
 * token, errors as `{ error: { code, message, field? } }`, `/health`, `/ready` (the database
 * answers), OpenAPI, and on every route after it the request's `tenant` (X-Tenant, checked) and
 * `idempotencyKey`. `once` runs a write at most once per (tenant, Idempotency-Key, route).
 * `app.stop()` closes the database and whatever else the service hands to `release`.
 */
import type { Database } from 'bun:sqlite'
import { join } from 'node:path'
import type { Config } from '../../lib/config.ts'
import type { ServiceName } from '../../lib/contracts/services.ts'
import { type Migration, openDatabase } from './db.ts'
import { idempotent, releaseOnStop, requestScope, serviceBase } from './http.ts'

/** What `createApp` of every service takes; `now` is the injected clock. */
export type ServiceDeps = { dataDir: string; token: string; now?: () => Date; config?: Config }

/** What a route handler hands to `once`: the scope resolved for it and Elysia's `set`. */
export type WriteScope = {
  tenant: string
  idempotencyKey: string | undefined
  set: { status?: number | string }
}

function answers(db: Database): () => boolean {
  return () => {
    try {
      return db.query('SELECT 1 AS ok').get() !== null
    } catch {
      return false
    }
  }
}

/** The base of a service with a database: the app, the database, the clock and `once`. */
export function serviceApp(name: ServiceName, deps: ServiceDeps, migrations: readonly Migration[]) {
  const db = openDatabase(join(deps.dataDir, `${name}.sqlite`), migrations)
  const now = deps.now ?? (() => new Date())
  const app = serviceBase({ name, token: deps.token, ready: answers(db) }).resolve(({ request }) =>
    requestScope(request),
  )
  /**
   * Runs `write(tenant)` once for this request's Idempotency-Key and `route` (the route's
   * pattern, or its path for a route whose parameters make a different write), answering the
   * first result again to a repeat.
   */
  const once = <R>(scope: WriteScope, route: string, write: (tenant: string) => R, status = 200): R =>
    idempotent(db, scope.tenant, scope.idempotencyKey, route, scope.set, () => ({
      status,
      body: write(scope.tenant),
    }))
  /** Makes the app's stop() close the database after `release` (statements, pools). */
  const finish = <A extends Parameters<typeof releaseOnStop>[0]>(built: A, ...release: (() => void)[]) =>
    releaseOnStop(built, ...release, () => db.close())
  return { app, db, now, once, finish }
}

/** The base of a service without storage or tenant data (the calculator): the same edge, no database. */
export function statelessServiceApp(name: ServiceName, deps: ServiceDeps) {
  const app = serviceBase({ name, token: deps.token })
  const finish = <A extends Parameters<typeof releaseOnStop>[0]>(built: A, ...release: (() => void)[]) =>
    releaseOnStop(built, ...release)
  return { app, now: deps.now ?? (() => new Date()), finish }
}
