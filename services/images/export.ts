/**
 * What the images service gives to /garage export (services/lib/export.ts): the garage's photo
 * links with what is known of each file (format, bytes, size), and `GET /export/photos/:sha256`,
 * a photo's original for an export that takes photos. The short-lived files a reply carries
 * (files.ts, where the export zip is kept) are mounted with them.
 */
import type { Database } from 'bun:sqlite'
import { join } from 'node:path'
import { Elysia } from 'elysia'
import { type ExportKind, exportRoutes } from '../lib/export.ts'
import { notFound, requestScope } from '../lib/http.ts'
import { fileRoutes } from './files.ts'
import { ShaParams } from './model.ts'
import { type ImageStore, tenantHas } from './service.ts'

const PHOTOS = `SELECT p.*, i.format, i.bytes, i.width, i.height FROM photos p JOIN images i ON i.sha256 = p.sha256
  WHERE p.tenant = $tenant AND p.id > $after`

export const IMAGES_EXPORT: Record<string, ExportKind> = {
  photos: {
    sql: `${PHOTOS} ORDER BY p.id LIMIT $limit`,
    byCar: `${PHOTOS} AND p.car_id = $car ORDER BY p.id LIMIT $limit`,
    key: 'id',
  },
}

export const imagesExportRoutes = (deps: { db: Database; store: ImageStore; dataDir: string; now: () => Date }) =>
  new Elysia({ name: 'images-export' })
    .use(exportRoutes(deps.db, IMAGES_EXPORT))
    .use(fileRoutes({ db: deps.db, dir: join(deps.dataDir, 'files'), now: deps.now }))
    .get(
      '/export/photos/:sha256',
      ({ request, params }) => {
        if (!tenantHas(deps.db, requestScope(request).tenant, params.sha256))
          throw notFound('no such photo in this garage')
        return new Response(Bun.file(deps.store.original(params.sha256)))
      },
      { params: ShaParams, detail: { summary: "A photo's original, for an export that takes photos" } },
    )
