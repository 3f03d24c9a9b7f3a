/** A garage deleted in the quotes service: every row of it (services/lib/tenant-delete.ts); the answer counts quotes. */
import type { Database } from 'bun:sqlite'
import type { serviceApp } from '../lib/app.ts'
import { tenantDeleteRoutes } from '../lib/tenant-delete.ts'

export const quotesTenantDeleteRoutes = (db: Database, once: ReturnType<typeof serviceApp>['once']) =>
  tenantDeleteRoutes('quotes', db, once, { quotes: 'quotes' })
