/**
 * A garage deleted in the images service: its photo links and short-lived files (rows and
 * bytes), and each stored photo no other garage links to (its row, then its files once the
 * deletion committed, as /images/remove does). `GET /tenant` previews the counts.
 */
import type { Database } from 'bun:sqlite'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import type { serviceApp } from '../lib/app.ts'
import { requestScope } from '../lib/http.ts'
import { TenantCounts } from '../lib/model.ts'
import { tenantDelete } from '../lib/tenant-delete.ts'
import { deleteFilesWithoutRow, type ImageStore } from './service.ts'

const LABELS = { photos: 'photos', files: 'files' } as const

type Deps = {
  db: Database
  store: ImageStore
  dataDir: string
  once: ReturnType<typeof serviceApp>['once']
}

export const imagesTenantDeleteRoutes = ({ db, store, dataDir, once }: Deps) =>
  new Elysia({ name: 'images-tenant-delete' })
    .get(
      '/tenant',
      ({ request }) => tenantDelete(db, requestScope(request).tenant, LABELS, { preview: true }),
      {
        response: TenantCounts,
        detail: { summary: 'What deleting the garage would delete, by kind' },
      },
    )
    .delete(
      '/tenant',
      ({ request, set }) => {
        const { tenant, idempotencyKey } = requestScope(request)
        const shas = (
          db.query('SELECT DISTINCT sha256 FROM photos WHERE tenant = ?').all(tenant) as { sha256: string }[]
        ).map((r) => r.sha256)
        const files = db.query('SELECT id FROM files WHERE tenant = ?').all(tenant) as { id: string }[]
        const unlinked = db.prepare(
          'DELETE FROM images WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM photos WHERE sha256 = ?)',
        )
        const result = once({ tenant, idempotencyKey, set }, 'DELETE /tenant', (t) =>
          tenantDelete(db, t, LABELS, {
            after: () => {
              for (const sha of shas) unlinked.run(sha, sha)
            },
          }),
        )
        unlinked.finalize()
        // After the deletion committed (a crash in between leaves files the start sweep deletes).
        deleteFilesWithoutRow(db, store, shas)
        for (const { id } of files) rmSync(join(dataDir, 'files', id), { force: true })
        return result
      },
      {
        response: TenantCounts,
        detail: { summary: 'Delete the garage: its photo links, files and the photos only it had' },
      },
    )
