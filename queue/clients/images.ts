/**
 * The images service as job handlers call it. Gallery and filing go through its Eden treaty
 * client (see `serviceClient` in queue/handler.ts); the upload sends raw bytes
 * (application/octet-stream) with fetch.
 */
import type { Reply } from '../../lib/contracts/envelope.ts'
import {
  type CallOptions,
  callService,
  type EdenResult,
  type HandlerContext,
  ServiceUnavailable,
  serviceClient,
  StorageFull,
  UserError,
} from '../handler.ts'
import type { ImagesApp } from '../../services/images/app.ts'
import type { RemoveRequest, RemoveResult, UploadQuery, UploadResult } from '../../services/images/model.ts'

type ReplyImage = NonNullable<Reply['image']>

const imagesTreaty = serviceClient<ImagesApp>('images')

/**
 * The images service's Eden treaty client. A write may change a car's newest photo, so it
 * touches the garage's photos stamp (the covers cached below go stale in every worker).
 */
export const imagesClient = (ctx: HandlerContext, opts: CallOptions = {}) => {
  if (opts.write) ctx.stamps.touch('photos')
  return imagesTreaty(ctx, opts)
}

/** A call of the images service: data on 2xx, UserError on 4xx, ServiceUnavailable otherwise. */
export const callImages = <T>(request: Promise<EdenResult<T>>) => callService('images', request)

/** Uploads photo bytes; `key` makes a retried job store and link it once. */
export async function uploadPhoto(
  ctx: HandlerContext,
  bytes: Uint8Array,
  query: UploadQuery,
  key: string,
): Promise<UploadResult> {
  ctx.stamps.touch('photos')
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v))
  let res: Response
  try {
    res = await fetch(`${ctx.serviceUrl('images')}/images?${qs}`, {
      method: 'POST',
      headers: { ...ctx.serviceHeaders({ write: true, key }), 'content-type': 'application/octet-stream' },
      body: bytes,
    })
  } catch {
    throw new ServiceUnavailable('images')
  }
  if (res.status === 507) throw new StorageFull('images')
  if (res.status >= 500) throw new ServiceUnavailable('images')
  const body = (await res.json().catch(() => null)) as
    | UploadResult
    | { error?: { message?: string; field?: string } }
    | null
  if (res.status >= 400 || !body || !('photo' in body)) {
    const err = body && 'error' in body ? body.error : undefined
    throw new UserError(err?.message ?? `the photo service refused the photo (${res.status})`, err?.field)
  }
  return body
}

/** Garages whose covers a worker process keeps (the least recently asked go first). */
const COVERS_CACHED = 1_000
/** Each garage's covers by size, with the photos stamp they were read under. */
const coversCache = new Map<string, { stamp: string; covers: Map<number, ReplyImage> }>()

/**
 * The newest photo of each of the garage's cars as Reply images, by car id; empty when it has
 * none or the images service cannot be reached (a car is still shown without its photo). Asked
 * alongside the car, not after it, so `/car show` waits for one round trip instead of two:
 * `const [car, covers] = await Promise.all([…, carCovers(ctx)]); covers.get(car.id)`.
 *
 * Kept per garage under its photos stamp: every photo a garage gains, moves or loses goes
 * through a worker's images client, whose writes renew the stamp, so a cached answer is the
 * images service's answer until then, and `/car show` costs one Redis read instead of a call.
 */
export async function carCovers(ctx: HandlerContext, size: 256 | 1024 = 256): Promise<Map<number, ReplyImage>> {
  const key = `${size} ${ctx.envelope.tenant}`
  const stamp = await ctx.stamps.read('photos').catch(() => undefined)
  const cached = coversCache.get(key)
  if (cached && stamp !== undefined && cached.stamp === stamp) {
    coversCache.delete(key)
    coversCache.set(key, cached)
    return cached.covers
  }
  const covers = new Map<number, ReplyImage>()
  try {
    const { data, error } = await imagesTreaty(ctx).images.covers.get()
    if (error || !data) return covers
    for (const photo of data.covers) {
      if (photo.car_id === null) continue
      covers.set(photo.car_id, { sha256: photo.sha256, size, alt: photo.filename ?? `photo of ${photo.car ?? 'the car'}` })
    }
  } catch {
    // No photo then: the images service being down never stops a car being shown.
    return covers
  }
  if (stamp !== undefined) {
    coversCache.delete(key)
    coversCache.set(key, { stamp, covers })
    if (coversCache.size > COVERS_CACHED) coversCache.delete(coversCache.keys().next().value!)
  }
  return covers
}

/**
 * Removes the garage's links to photos (one by number, one photo by the start of its sha256,
 * or every photo filed on a car and no issue) and the files no garage links any more. `key`
 * makes a retried job remove once and answer the same.
 */
export function removePhotos(ctx: HandlerContext, request: RemoveRequest, key?: string): Promise<RemoveResult> {
  return callImages(imagesClient(ctx, { write: true, ...(key ? { key } : {}) }).images.remove.post(request))
}
