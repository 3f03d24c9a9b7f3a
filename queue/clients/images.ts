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
 * The newest photo of a car as a Reply image, or undefined when it has none (or the images
 * service cannot be reached: a car is still shown without its photo). For `/car show`:
 * `const image = await newestCarPhoto(ctx, car.id); return { ..., ...(image ? { image } : {}) }`.
 */
export async function newestCarPhoto(
  ctx: HandlerContext,
  carId: number,
  size: 256 | 1024 = 256,
): Promise<ReplyImage | undefined> {
  try {
    const { data } = await imagesClient(ctx).images.get({ query: { car: carId, limit: 1 } })
    const newest = data && 'photos' in data ? data.photos[0] : undefined
    return newest
      ? { sha256: newest.sha256, size, alt: newest.filename ?? `photo of ${newest.car ?? 'the car'}` }
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Removes the garage's links to photos (one by number, one photo by the start of its sha256,
 * or every photo filed on a car and no issue) and the files no garage links any more. `key`
 * makes a retried job remove once and answer the same.
 */
export function removePhotos(ctx: HandlerContext, request: RemoveRequest, key?: string): Promise<RemoveResult> {
  return callImages(imagesClient(ctx, { write: true, ...(key ? { key } : {}) }).images.remove.post(request))
}
