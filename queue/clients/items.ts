/**
 * The items service as the worker calls it: the job handlers' client and call (see
 * `serviceClient` and `callService` in queue/handler.ts), and the reminder scheduler's client of
 * the system routes, which runs outside any job.
 */
import { treaty } from '@elysiajs/eden'
import type { Config } from '../../lib/config.ts'
import { callService, type CallOptions, type EdenResult, edenOptions, type HandlerContext } from '../handler.ts'
import type { ItemsApp } from '../../services/items/app.ts'

/**
 * The items client of a job: the job's headers, and X-Actor (`<platform>:<user id> <name,
 * URI-encoded>`) from the envelope, so the garage's history says who made each change.
 */
export const itemsClient = (ctx: HandlerContext, opts: CallOptions = {}) =>
  treaty<ItemsApp>(
    ctx.serviceUrl('items'),
    edenOptions({ ...ctx.serviceHeaders(opts), 'x-actor': actorHeader(ctx.envelope.actor) }),
  )

export const actorHeader = (a: HandlerContext['envelope']['actor']) =>
  `${a.platform}:${a.userId} ${encodeURIComponent(a.name)}`

/** The items service for the reminder scheduler: system routes (claim, ack), no tenant, no job. */
export function itemsSchedulerClient(config: Config) {
  return treaty<ItemsApp>(
    config.ITEMS_URL,
    edenOptions({ authorization: `Bearer ${config.SERVICE_TOKEN ?? ''}` }),
  )
}

/** The items service for one garage outside any job (webhook fan-out and delivery): the service token and X-Tenant. */
export function itemsGarageClient(config: Config, tenant: string) {
  return treaty<ItemsApp>(
    config.ITEMS_URL,
    edenOptions({ authorization: `Bearer ${config.SERVICE_TOKEN ?? ''}`, 'x-tenant': tenant }),
  )
}

/**
 * An items call: data on 2xx, UserError on 4xx, ServiceUnavailable when it cannot be reached or
 * fails. (The app's global error handler widens every route's inferred body with the `{ error }`
 * shape; on 2xx it is never that, so it is left out of the type.)
 */
export const callItems = <T>(request: Promise<EdenResult<T>>) => callService('items', request)
