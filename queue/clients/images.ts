/**
 * The images service as job handlers call it. Gallery and filing go through its Eden treaty
 * client (see `serviceClient` in queue/handler.ts); the upload sends raw bytes
 * (application/octet-stream) with fetch.
 */
import type { Reply } from '../../lib/contracts/envelope.ts'
import {
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

export const imagesClient = serviceClient<ImagesApp>('images')

/** A call of the images service: data on 2xx, UserError on 4xx, ServiceUnavailable otherwise. */
export const callImages = <T>(request: Promise<EdenResult<T>>) => callService('images', request)

/** Uploads photo bytes; `key` makes a retried job store and link it once. */
export async function uploadPhoto(
  ctx: HandlerContext,
  bytes: Uint8Array,
  query: UploadQuery,
  key: string,
): Promise<UploadResult> {
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

/**
 * The newest photo of each of the garage's cars as Reply images, by car id; empty when it has
 * none or the images service cannot be reached (a car is still shown without its photo). Asked
 * alongside the car, not after it, so `/car show` waits for one round trip instead of two:
 * `const [car, covers] = await Promise.all([…, carCovers(ctx)]); covers.get(car.id)`.
 */
export async function carCovers(ctx: HandlerContext, size: 256 | 1024 = 256): Promise<Map<number, ReplyImage>> {
  const covers = new Map<number, ReplyImage>()
  try {
    const { data } = await imagesClient(ctx).images.covers.get()
    for (const photo of data && 'covers' in data ? data.covers : []) {
      if (photo.car_id === null) continue
      covers.set(photo.car_id, { sha256: photo.sha256, size, alt: photo.filename ?? `photo of ${photo.car ?? 'the car'}` })
    }
  } catch {
    // No photo then: the images service being down never stops a car being shown.
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
