/**
 * Routes of the images service: upload (bytes in the body), gallery, thumbnails. Decoding runs
 * in a separate decoder process (pool.ts), so /health answers while a big photo decodes.
 */
import { join } from 'node:path'
import { type Config, parseConfig } from '../../lib/config.ts'
import { openDatabase } from '../lib/db.ts'
import { notFound, releaseOnStop, serviceBase, tenantOf } from '../lib/http.ts'
import { migrations } from './migrations.ts'
import {
  Gallery,
  GalleryQuery,
  LinkParams,
  LinkUpdate,
  Photo,
  ShaParams,
  ThumbParams,
  UploadQuery,
  UploadResult,
} from './model.ts'
import { DecoderPool } from './pool.ts'
import * as images from './service.ts'

export function createApp(deps: { dataDir: string; token: string; now?: () => Date; config?: Config }) {
  const config = deps.config ?? parseConfig({})
  const db = openDatabase(join(deps.dataDir, 'images.sqlite'), migrations)
  const store = new images.ImageStore(join(deps.dataDir, 'images'))
  const decoder = new DecoderPool({ maxMemoryMb: config.IMAGE_DECODE_MAX_MB, timeoutMs: 60_000 })
  const intake: images.IntakeDeps = {
    db,
    store,
    decoder,
    maxBytes: config.IMAGE_MAX_BYTES,
    maxPixels: config.IMAGE_MAX_PIXELS,
    now: deps.now ?? (() => new Date()),
  }
  const ready = () => {
    try {
      return db.query('SELECT 1 AS ok').get() !== null
    } catch {
      return false
    }
  }

  const app = serviceBase({ name: 'images', token: deps.token, ready })
    .decorate('decoder', decoder)
    .post(
      '/images',
      async ({ request, query, headers, set }) => {
        const tenant = tenantOf(headers)
        const bytes = await images.readCapped(request, intake.maxBytes)
        return images.upload(intake, tenant, headers['idempotency-key'], set, bytes, query)
      },
      { parse: 'none', query: UploadQuery, response: { 200: UploadResult, 201: UploadResult } },
    )
    .get('/images', ({ query, headers }) => images.gallery(db, tenantOf(headers), query), {
      query: GalleryQuery,
      response: Gallery,
    })
    .post(
      '/images/links/:id',
      ({ params, body, headers }) => images.fileLink(db, tenantOf(headers), params.id, body),
      {
        params: LinkParams,
        body: LinkUpdate,
        response: Photo,
      },
    )
    .get(
      '/images/:sha256/:size',
      ({ params, headers }) => {
        const tenant = tenantOf(headers)
        if (!images.tenantHas(db, tenant, params.sha256)) throw notFound('no such photo in this garage')
        const size = params.size === '256' ? 256 : 1024
        return new Response(Bun.file(store.thumb(params.sha256, size)), {
          headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=86400, immutable' },
        })
      },
      { params: ThumbParams },
    )
    .get(
      '/images/:sha256',
      ({ params, headers }) => images.photoBySha(db, tenantOf(headers), params.sha256),
      {
        params: ShaParams,
        response: Photo,
      },
    )

  return releaseOnStop(
    app,
    () => decoder.close(),
    () => db.close(),
  )
}

export type ImagesApp = ReturnType<typeof createApp>
