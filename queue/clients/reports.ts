/**
 * The reports service as job handlers call it, and the short-lived file a drawing is handed to
 * the delivering bot as (the images service's `/files`, the same way an export zip travels and
 * an import file waits between its preview and Import).
 * The service answers bytes (PNG, SVG, PDF), so these are plain fetches rather than Eden calls;
 * the bodies are typed from the service's own schemas.
 */
import type { ReplyFile } from '../../lib/contracts/envelope.ts'
import type { ServiceName } from '../../lib/contracts/services.ts'
import type { ChartBody, PdfDoc } from '../../services/reports/model.ts'
import { type HandlerContext, ServiceUnavailable, StorageFull, UserError } from '../handler.ts'

async function refused(service: ServiceName, res: Response, what: string): Promise<never> {
  if (res.status === 507) throw new StorageFull(service)
  if (res.status >= 400 && res.status < 500 && res.status !== 429) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null
    throw new UserError(body?.error?.message ?? `the ${service} service refused the ${what} (${res.status})`)
  }
  await res.body?.cancel()
  throw new ServiceUnavailable(service)
}

async function draw(ctx: HandlerContext, path: string, body: unknown, what: string): Promise<Uint8Array> {
  let res: Response
  try {
    res = await fetch(`${ctx.serviceUrl('reports')}${path}`, {
      method: 'POST',
      headers: { ...ctx.serviceHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    })
  } catch {
    throw new ServiceUnavailable('reports')
  }
  if (!res.ok) return refused('reports', res, what)
  return new Uint8Array(await res.arrayBuffer())
}

/** A chart as a PNG (or the SVG it is drawn from). */
export const drawChart = (ctx: HandlerContext, body: ChartBody, format: 'png' | 'svg' = 'png') =>
  draw(ctx, `/charts${format === 'svg' ? '?format=svg' : ''}`, body, 'chart')

/** A PDF of the given sections. */
export const drawPdf = (ctx: HandlerContext, doc: PdfDoc) => draw(ctx, '/pdf', doc, 'report')

/**
 * Stores bytes (or a file on disk, streamed) as this garage's short-lived file in the images
 * service (kept a day), for a Reply to carry or a later job of the same garage to read; the
 * job's Idempotency-Key (or `key`, for a second file of the same job) makes a retried job store
 * it once. A name is made safe for the service (no slashes or control characters).
 */
export async function storeFile(
  ctx: HandlerContext,
  body: Uint8Array | Blob,
  name: string,
  type: string,
  key?: string,
): Promise<ReplyFile> {
  const qs = new URLSearchParams({ name: name.replace(/[/\\\x00-\x1f]/g, '_'), type })
  let res: Response
  try {
    res = await fetch(`${ctx.serviceUrl('images')}/files?${qs}`, {
      method: 'POST',
      headers: { ...ctx.serviceHeaders({ write: true, ...(key ? { key } : {}) }), 'content-type': 'application/octet-stream' },
      body,
    })
  } catch {
    throw new ServiceUnavailable('images')
  }
  if (!res.ok) return refused('images', res, 'file')
  return (await res.json()) as ReplyFile
}
