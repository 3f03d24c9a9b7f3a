/**
 * Routes of the images service: upload (bytes in the body), gallery, filing, thumbnails. Every
 * route but /health needs the service token and X-Tenant; writes replay their first answer for a
 * repeated Idempotency-Key. Decoding runs in a separate decoder process (pool.ts), so /health
 * answers while a big photo decodes.
 */
import { join } from 'node:path'
import { parseConfig } from '../../lib/config.ts'
import { type ServiceDeps, serviceApp } from '../lib/app.ts'
import { errorResponses, notFound } from '../lib/http.ts'
import { imagesExportRoutes } from './export.ts'
import { imagesImportRoutes } from './imports.ts'
import { imagesTenantDeleteRoutes } from './tenant-delete.ts'
import { migrations } from './migrations.ts'
import {
  Covers,
  Gallery,
  GalleryQuery,
  LinkParams,
  LinkUpdate,
  Photo,
  RemoveRequest,
  RemoveResult,
  ShaParams,
  Thumbnail,
  ThumbParams,
  UploadQuery,
  UploadResult,
} from './model.ts'
import { DecoderPool } from './pool.ts'
import * as images from './service.ts'

export function createApp(deps: ServiceDeps) {
  const config = deps.config ?? parseConfig({})
  const { app: base, db, now, log, once, finish } = serviceApp('images', deps, migrations)
  const store = new images.ImageStore(join(deps.dataDir, 'images'))
  const known = db.prepare('SELECT 1 FROM images WHERE sha256 = ?')
  const swept = store.sweep((sha) => known.get(sha) !== null)
  known.finalize()
  // Quiet when a clean stop left nothing: the count matters when a crash left files behind.
  log[swept.temps + swept.orphans > 0 ? 'info' : 'debug'](
    swept,
    'photo store swept: temp files and files without a row deleted',
  )
  const decoder = new DecoderPool({
    maxMemoryMb: config.IMAGE_DECODE_MAX_MB,
    timeoutMs: 60_000,
    maxWaitingPerTenant: config.IMAGE_WAITING_PER_GARAGE,
  })
  const intake: images.IntakeDeps = {
    db,
    store,
    decoder,
    maxBytes: config.IMAGE_MAX_BYTES,
    maxPixels: config.IMAGE_MAX_PIXELS,
    quotaBytes: config.IMAGE_QUOTA_MB * 1024 * 1024,
    now,
  }
  const expiry = unfiledExpiry(() => {
    const before = new Date(now().getTime() - config.IMAGE_UNFILED_DAYS * DAY_MS)
    const r = images.expireUnfiled(db, store, before)
    if (r.links + r.files > 0) log.info(r, 'unfiled photos expired: links and files deleted')
    return r
  }, log)

  const app = base
    .decorate('decoder', decoder)
    .decorate('store', store)
    .decorate('db', db)
    .decorate('expireUnfiled', expiry.run)
    .use(imagesExportRoutes({ db, store, dataDir: deps.dataDir, now }))
    .use(imagesTenantDeleteRoutes({ db, store, dataDir: deps.dataDir, once }))
    .use(imagesImportRoutes(db, store, once))
    .post(
      '/images',
      async ({ request, query, tenant, idempotencyKey, set }) => {
        const bytes = await images.readUpload(request, intake.maxBytes)
        const sha = await images.store(intake, tenant, bytes, query, idempotencyKey)
        return once(
          { tenant, idempotencyKey, set },
          'POST /images',
          (t) => images.link(intake, t, sha, query),
          (result) => (result.linked_before ? 200 : 201),
        )
      },
      {
        parse: 'none',
        query: UploadQuery,
        response: { 200: UploadResult, 201: UploadResult, ...errorResponses(413, 503) },
      },
    )
    .post(
      '/images/remove',
      ({ body, tenant, idempotencyKey, set }) => {
        // A preview writes nothing, so it is answered afresh (and never recorded under a key).
        if (body.preview) return images.removeLinks(db, tenant, body)
        const result = once({ tenant, idempotencyKey, set }, 'POST /images/remove', (t) =>
          images.removeLinks(db, t, body),
        )
        // After the write committed (and again for a replay: a no-op once the files are gone).
        images.deleteFilesWithoutRow(
          db,
          store,
          result.removed.map((p) => p.sha256),
        )
        return result
      },
      { body: RemoveRequest, response: RemoveResult },
    )
    .get('/images', ({ query, tenant }) => images.gallery(db, tenant, query), {
      query: GalleryQuery,
      response: Gallery,
    })
    .get('/images/covers', ({ tenant }) => images.covers(db, tenant), {
      response: Covers,
      detail: { summary: "The newest photo of each of the garage's cars" },
    })
    .post(
      '/images/links/:id',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /images/links/${params.id}`, (t) =>
          images.fileLink(db, t, params.id, body),
        ),
      { params: LinkParams, body: LinkUpdate, response: Photo },
    )
    .get(
      '/images/:sha256/:size',
      ({ params, tenant }) => {
        if (!images.tenantHas(db, tenant, params.sha256)) throw notFound('no such photo in this garage')
        const size = params.size === '256' ? 256 : 1024
        return new Response(Bun.file(store.thumb(params.sha256, size)), {
          headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=86400, immutable' },
        })
      },
      { params: ThumbParams, response: Thumbnail },
    )
    .get('/images/:sha256', ({ params, tenant }) => images.photoBySha(db, tenant, params.sha256), {
      params: ShaParams,
      response: Photo,
    })

  return finish(
    app,
    () => expiry.stop(),
    () => decoder.close(),
  )
}

const DAY_MS = 24 * 60 * 60 * 1000
/** How often unfiled photos are looked at after the look at start. */
const EXPIRE_EVERY_MS = 60 * 60 * 1000

/**
 * Runs the expiry of unfiled photos at start and then hourly on an unref'd timer that `stop()`
 * clears (like the idempotency pruning of services/lib/app.ts). A failed run is logged; the
 * next one retries.
 */
function unfiledExpiry(pass: () => { links: number; files: number }, log: { warn: (o: object, m: string) => void }) {
  let stopped = false
  const run = () => {
    if (stopped) return { links: 0, files: 0 }
    try {
      return pass()
    } catch (error) {
      log.warn({ err: error }, 'expiring unfiled photos failed; next run retries')
      return { links: 0, files: 0 }
    }
  }
  run()
  const timer = setInterval(run, EXPIRE_EVERY_MS)
  timer.unref()
  return {
    run,
    stop: () => {
      stopped = true
      clearInterval(timer)
    },
  }
}

export type ImagesApp = ReturnType<typeof createApp>
