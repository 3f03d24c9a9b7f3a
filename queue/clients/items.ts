/**
 * The items service as job handlers call it: an Eden treaty client typed from the app, with the
 * service token, X-Tenant and (on writes) Idempotency-Key from the handler context, and a call
 * wrapper that turns a 4xx into a UserError and an unreachable service into ServiceUnavailable.
 */
import { treaty } from '@elysiajs/eden'
import { callService, type EdenResult, type HandlerContext, plainJson } from '../handler.ts'
import type { ItemsApp } from '../../services/items/app.ts'

export function itemsClient(ctx: HandlerContext, opts: { write?: boolean } = {}) {
  // parseDate: false — Eden would otherwise turn every date-like string ("2026-05-10") into a
  // Date object behind the types' back; plainJson parses 2xx bodies without Eden's reviver.
  return treaty<ItemsApp>(ctx.serviceUrl('items'), {
    headers: ctx.serviceHeaders({ write: opts.write ?? false }),
    parseDate: false,
    onResponse: plainJson,
  })
}

/**
 * An items call: data on 2xx, UserError on 4xx, ServiceUnavailable when it cannot be reached or
 * fails. (The app's global error handler widens every route's inferred body with the `{ error }`
 * shape; on 2xx it is never that, so it is left out of the type.)
 */
export const callItems = <T>(request: Promise<EdenResult<T>>) => callService('items', request)
