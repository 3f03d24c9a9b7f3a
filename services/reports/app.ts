/**
 * Routes of the reports service: drawing only. The worker sends a chart's series or a report's
 * sections with every figure already computed (lib/domain and the calculator, as the text
 * answers compute them), so no tenant data is kept or read here: no database, no X-Tenant.
 * `POST /charts` answers a PNG (about 1200 × 600; `?format=svg` answers the SVG it was drawn
 * from), `POST /pdf` a PDF. Drawing runs in the renderer process under a time and memory limit
 * (pool.ts); a drawing past them is answered 422 (too big) or 503 (busy, try again).
 */
import { parseConfig } from '../../lib/config.ts'
import { type ServiceDeps, statelessServiceApp } from '../lib/app.ts'
import { errorResponses, HttpError } from '../lib/http.ts'
import { ChartBody, ChartFormat, PdfDoc } from './model.ts'
import { RenderFailed, RendererPool } from './pool.ts'

function refusal(error: unknown): never {
  if (error instanceof RenderFailed) {
    if (error.code === 'busy') throw new HttpError(503, 'busy', `the renderer is busy: ${error.message}`)
    throw new HttpError(422, error.code, `the drawing could not be made: ${error.message}`)
  }
  throw error
}

export function createApp(deps: ServiceDeps & { renderer?: RendererPool }) {
  const config = deps.config ?? parseConfig({})
  const { app: base, finish } = statelessServiceApp('reports', deps)
  const renderer =
    deps.renderer ??
    new RendererPool({ maxMemoryMb: config.REPORT_RENDER_MAX_MB, timeoutMs: config.REPORT_RENDER_TIMEOUT_MS })

  const app = base
    .post(
      '/charts',
      async ({ body, query }) => {
        const format = query.format ?? 'png'
        const bytes = await renderer.render({ kind: 'chart', body, format }).catch(refusal)
        return new Response(bytes, { headers: { 'content-type': format === 'svg' ? 'image/svg+xml' : 'image/png' } })
      },
      {
        body: ChartBody,
        query: ChartFormat,
        response: errorResponses(503),
        detail: { summary: 'Draw a chart of the given series: a PNG (or its SVG with ?format=svg)' },
      },
    )
    .post(
      '/pdf',
      async ({ body }) => {
        const bytes = await renderer.render({ kind: 'pdf', doc: body }).catch(refusal)
        return new Response(bytes, { headers: { 'content-type': 'application/pdf' } })
      },
      {
        body: PdfDoc,
        response: errorResponses(503),
        detail: { summary: 'Make a PDF of the given sections (DejaVu Sans embedded, pages numbered)' },
      },
    )

  return finish(app, () => renderer.close())
}

export type ReportsApp = ReturnType<typeof createApp>
