/** A garage deleted in the issues service: every row of it (services/lib/tenant-delete.ts); the answer counts issues and comments. */
import type { Database } from 'bun:sqlite'
import type { serviceApp } from '../lib/app.ts'
import { tenantDeleteRoutes } from '../lib/tenant-delete.ts'

export const issuesTenantDeleteRoutes = (db: Database, once: ReturnType<typeof serviceApp>['once']) =>
  tenantDeleteRoutes('issues', db, once, { issues: 'issues', issue_comments: 'comments' })
