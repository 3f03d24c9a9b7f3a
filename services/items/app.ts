/**
 * The items service (the garage): settings, cars, odometer readings, maintenance items,
 * service records, fuel fill-ups, expenses and reminders, one folder each with its routes (`app.ts`),
 * logic (`service.ts`) and schemas (`model.ts`). Every route but /health needs the service
 * token; every garage route is scoped by X-Tenant; writes honour Idempotency-Key.
 */
import { Elysia } from 'elysia'
import { type ServiceDeps, serviceApp } from '../lib/app.ts'
import { carRoutes } from './cars/app.ts'
import { changeRoutes } from './changes/app.ts'
import { chargingRoutes } from './charging/app.ts'
import { expenseRoutes } from './expenses/app.ts'
import { itemsExportRoutes } from './export.ts'
import { fuelRoutes } from './fuel/app.ts'
import { importRoutes } from './imports/app.ts'
import { maintenanceRoutes } from './maintenance/app.ts'
import { migrations } from './migrations.ts'
import { presetRoutes } from './presets/app.ts'
import { readingRoutes } from './readings/app.ts'
import { recordRoutes } from './records/app.ts'
import { reminderClaimRoutes, reminderRoutes } from './reminders/app.ts'
import { roleRoutes } from './roles/app.ts'
import { settingsRoutes } from './settings/app.ts'
import { closeStatements } from './shared/statements.ts'
import { driverRoutes } from './drivers/app.ts'
import { leavingListRoutes, tenantDeleteRoutes } from './tenant-delete.ts'
import { webhookRoutes } from './webhooks/app.ts'

export function createApp(deps: ServiceDeps) {
  const { app: base, db, now, once, finish } = serviceApp('items', deps, migrations)
  const feature = { db, now, once }
  const garage = base
    .use(settingsRoutes(feature))
    .use(carRoutes(feature))
    .use(readingRoutes(feature))
    .use(maintenanceRoutes(feature))
    .use(presetRoutes(feature))
    .use(recordRoutes(feature))
    .use(fuelRoutes(feature))
    .use(chargingRoutes(feature))
    .use(expenseRoutes(feature))
    .use(reminderRoutes(feature))
    .use(changeRoutes(feature))
    .use(roleRoutes(feature))
    .use(importRoutes(feature))
    .use(driverRoutes(feature))
    .use(webhookRoutes(feature))
    .use(tenantDeleteRoutes(feature))
    .use(itemsExportRoutes(db))
  // normalize: false makes unknown body fields a 422 instead of silently dropping them (a typo
  // such as "odometr" must not be ignored); the outermost instance's config decides this. The
  // reminder tick's routes come after the garage's, outside the base's tenant scope.
  const app = new Elysia({ name: 'items', normalize: false })
    .decorate('db', db)
    .use(garage)
    .use(reminderClaimRoutes(feature))
    .use(leavingListRoutes(feature))
  return finish(app, () => closeStatements(db))
}

export type ItemsApp = ReturnType<typeof createApp>
