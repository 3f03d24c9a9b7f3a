/**
 * The items service's HTTP routes (the garage: settings, cars, odometer readings). Every route
 * but /health needs the service token; every garage route is scoped by X-Tenant; writes honour
 * Idempotency-Key. The logic lives in service.ts, the schemas in model.ts.
 */
import { join } from 'node:path'
import { Elysia } from 'elysia'
import type { Config } from '../../lib/config.ts'
import { openDatabase } from '../lib/db.ts'
import { idempotent, releaseOnStop, serviceBase, requestScope } from '../lib/http.ts'
import { maintenanceRoutes } from './maintenance.ts'
import { migrations } from './migrations.ts'
import {
  CarCreate,
  CarEdit,
  CarParams,
  CarsQuery,
  ReadingCreate,
  RemoveQuery,
  SettingsPatch,
  SettingsQuery,
} from './model.ts'
import {
  addReadingRoute,
  closeStatements,
  createCar,
  editCar,
  getSettings,
  listCars,
  removeCar,
  showCar,
  updateSettings,
} from './service.ts'

export type ItemsDeps = { dataDir: string; token: string; now?: () => Date; config?: Config }

export function createApp(deps: ItemsDeps) {
  const db = openDatabase(join(deps.dataDir, 'items.sqlite'), migrations)
  const now = deps.now ?? (() => new Date())
  const ready = () => {
    try {
      return db.query('SELECT 1 AS ok').get() !== null
    } catch {
      return false
    }
  }

  // normalize: false makes unknown body fields a 422 instead of silently dropping them (a typo
  // such as "odometr" must not be ignored); the outermost instance's config decides this.
  const app = new Elysia({ name: 'items', normalize: false })
    .use(serviceBase({ name: 'items', token: deps.token, ready }))
    .decorate('db', db)
    .use(maintenanceRoutes({ db, now }))
    .resolve(({ request }) => requestScope(request))
    .get('/settings', ({ tenant, query }) => getSettings(db, tenant, query.channel), {
      query: SettingsQuery,
      detail: {
        summary:
          "The garage settings (defaults until its first write); ?channel= adds that channel's photo car",
      },
    })
    .patch(
      '/settings',
      ({ tenant, idempotencyKey, body, set }) =>
        idempotent(db, tenant, idempotencyKey, 'PATCH /settings', set, () => ({
          body: updateSettings(db, tenant, body, now()),
        })),
      { body: SettingsPatch, detail: { summary: 'Change the garage settings' } },
    )
    .get('/cars', ({ tenant, query }) => ({ cars: listCars(db, tenant, query.q) }), {
      query: CarsQuery,
      detail: {
        summary: "The garage's cars with their current odometer; ?q= filters by nickname prefix (at most 25)",
      },
    })
    .post(
      '/cars',
      ({ tenant, idempotencyKey, body, set }) =>
        idempotent(db, tenant, idempotencyKey, 'POST /cars', set, () => ({
          status: 201,
          body: createCar(db, tenant, body, now()),
        })),
      { body: CarCreate, detail: { summary: 'Add a car' } },
    )
    .get('/cars/:car', ({ tenant, params }) => showCar(db, tenant, params.car), {
      params: CarParams,
      detail: { summary: 'A car by nickname (case-insensitive) or id, with its latest readings' },
    })
    .patch(
      '/cars/:car',
      ({ tenant, idempotencyKey, params, body, set }) =>
        idempotent(db, tenant, idempotencyKey, 'PATCH /cars/:car', set, () => ({
          body: editCar(db, tenant, params.car, body, now()),
        })),
      {
        params: CarParams,
        body: CarEdit,
        detail: { summary: 'Change a car; a lower odometer needs confirm (a correction)' },
      },
    )
    .post(
      '/cars/:car/readings',
      ({ tenant, idempotencyKey, params, body, set }) =>
        idempotent(db, tenant, idempotencyKey, 'POST /cars/:car/readings', set, () => ({
          status: 201,
          body: addReadingRoute(db, tenant, params.car, body, now()),
        })),
      { params: CarParams, body: ReadingCreate, detail: { summary: 'Record an odometer reading' } },
    )
    .delete(
      '/cars/:car',
      ({ tenant, idempotencyKey, params, query, set }) =>
        idempotent(db, tenant, idempotencyKey, 'DELETE /cars/:car', set, () => ({
          body: removeCar(db, tenant, params.car, query.confirm === 'yes' || query.confirm === 'true', now()),
        })),
      {
        params: CarParams,
        query: RemoveQuery,
        detail: { summary: 'Remove a car and everything recorded for it (?confirm=yes)' },
      },
    )

  return releaseOnStop(
    app,
    () => closeStatements(db),
    () => db.close(),
  )
}

export type ItemsApp = ReturnType<typeof createApp>
