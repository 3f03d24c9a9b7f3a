/**
 * One way to build a service. `serviceApp` opens the service's own SQLite file with its
 * migrations, and returns the Elysia app every service starts from: the service token, errors
 * as `{ error: { code, message, field? } }` (their responses documented once for every route),
 * `/health`, `/ready` (the database answers and the last write did not find the disk full),
 * `POST /backup` (services/lib/backup.ts), OpenAPI, and on every route after it the request's
 * `tenant` (X-Tenant, checked) and `idempotencyKey`. `once` runs a write at most once per
 * (tenant, Idempotency-Key, route); keys older than a week are pruned at start and hourly.
 * `finish(app, ...release)` makes `app.stop()` close the database and whatever else the service
 * holds.
 */
import type { Database } from 'bun:sqlite'
import { join } from 'node:path'
import type { Config } from '../../lib/config.ts'
import type { ServiceName } from '../../lib/contracts/services.ts'
import { createLogger, type Logger } from '../../lib/log.ts'
import { backupRoutes } from './backup.ts'
import { checkpoint, IDEMPOTENCY_CREATED_INDEX, type Migration, openDatabase, pruneIdempotency } from './db.ts'
import { errorResponses, idempotent, releaseOnStop, requestScope, serviceBase } from './http.ts'
import { databaseHasRoom, diskHasRoom, StorageWatch } from './storage.ts'

/**
 * What `createApp` of every service takes; `now` is the injected clock, `log` where the service
 * logs (default: a logger named after it).
 */
export type ServiceDeps = {
  dataDir: string
  token: string
  now?: () => Date
  config?: Config
  log?: Logger
}

/** How long an Idempotency-Key answers its first result again; older keys are pruned. */
export const IDEMPOTENCY_KEEP_MS = 7 * 24 * 60 * 60 * 1000
/** How often the keys are pruned after the pruning at start. */
export const PRUNE_EVERY_MS = 60 * 60 * 1000
/** Keys deleted per transaction: a request waits for one such batch at most. */
export const PRUNE_BATCH = 500

/** What a route handler hands to `once`: the scope resolved for it and Elysia's `set`. */
export type WriteScope = {
  tenant: string
  idempotencyKey: string | undefined
  set: { status?: number | string }
}

/**
 * The errors any route of a service with tenant data may answer: 400 (X-Tenant,
 * Idempotency-Key or a body that is not JSON), 401 (service token), 404, 409, 422 and 507 (the
 * disk is full). The guard
 * holds schemas only, so it adds no work to a request.
 */
const TENANT_ROUTE_ERRORS = errorResponses(400, 401, 404, 409, 422, 507)
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

/**
 * Prunes idempotency keys older than `IDEMPOTENCY_KEEP_MS` in batches of `PRUNE_BATCH`, letting
 * requests in between batches: once at start (`started`), then every `PRUNE_EVERY_MS` on an
 * unref'd timer that `stop()` clears. `run()` prunes now; each run answers how many it deleted.
 */
function idempotencyPruner(db: Database, now: () => Date, log: Logger) {
  let stopped = false
  let running: Promise<number> | undefined
  const pass = async () => {
    const before = now().getTime() - IDEMPOTENCY_KEEP_MS
    let total = 0
    while (!stopped) {
      const deleted = pruneIdempotency(db, before, PRUNE_BATCH)
      total += deleted
      if (deleted < PRUNE_BATCH) break
      await new Promise((resolve) => setImmediate(resolve))
    }
    if (total > 0) log.info({ deleted: total }, 'old idempotency keys pruned')
    return total
  }
  const run = (): Promise<number> => {
    running ??= pass()
      .catch((error) => {
        if (!stopped) log.warn({ err: error }, 'pruning idempotency keys failed; next run retries')
        return 0
      })
      .finally(() => {
        running = undefined
      })
    return running
  }
  const started = run()
  const timer = setInterval(() => void run(), PRUNE_EVERY_MS)
  timer.unref()
  const stop = () => {
    stopped = true
    clearInterval(timer)
  }
  return { started, run, stop }
}

/** The base of a service with a database: the app, the database, the clock, `once` and `finish`. */
export function serviceApp(name: ServiceName, deps: ServiceDeps, migrations: readonly Migration[]) {
  const db = openDatabase(join(deps.dataDir, `${name}.sqlite`), migrations)
  const now = deps.now ?? (() => new Date())
  const log = deps.log ?? createLogger(name, deps.config?.LOG_LEVEL)
  const storage = new StorageWatch(() => diskHasRoom(deps.dataDir) && databaseHasRoom(db))
  const hasIdempotency = db
    .query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'idempotency'")
    .get()
  if (hasIdempotency) db.exec(IDEMPOTENCY_CREATED_INDEX)
  const pruning = hasIdempotency ? idempotencyPruner(db, now, log) : undefined
  const app = serviceBase({ name, token: deps.token, ready: answers(db), storage, log })
    .use(backupRoutes({ name, dataDir: deps.dataDir, db, log }))
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
  ): R => {
    let wrote = false
    const answer = idempotent(
      db,
      scope.tenant,
      scope.idempotencyKey,
      route,
      scope.set,
      () => {
        const body = write(scope.tenant)
        wrote = true
        return { status: typeof status === 'number' ? status : status(body), body }
      },
      () => now().getTime(),
    )
    // A write that committed shows the disk has room again (a replayed answer wrote nothing).
    if (wrote) storage.wrote()
    return answer
  }
  /**
   * Makes the app's stop() run `release` (statements, pools), then close the database, and its
   * quiet() checkpoint the database (runService calls it when the requests stop).
   */
  const finish = <A extends Stoppable>(built: A, ...release: (() => void)[]) =>
    Object.assign(
      releaseOnStop(
        built,
        ...release,
        () => pruning?.stop(),
        () => db.close(),
      ),
      { quiet: () => void checkpoint(db) },
    )
  return { app, db, now, log, storage, pruning, once, finish }
}

/** The base of a service without storage or tenant data (the calculator): the same edge, no database. */
export function statelessServiceApp(name: ServiceName, deps: ServiceDeps) {
  const app = serviceBase({ name, token: deps.token })
    .use(backupRoutes({ name, dataDir: deps.dataDir }))
    .guard({ response: STATELESS_ROUTE_ERRORS })
  const finish = <A extends Stoppable>(built: A, ...release: (() => void)[]) =>
    releaseOnStop(built, ...release)
  return { app, now: deps.now ?? (() => new Date()), finish }
}
