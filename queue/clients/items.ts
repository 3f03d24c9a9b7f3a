/**
 * The items service as the worker calls it: the job handlers' client and call (see
 * `serviceClient` and `callService` in queue/handler.ts), and the reminder scheduler's client of
 * the system routes, which runs outside any job.
 */
import { treaty } from '@elysiajs/eden'
import type { Config } from '../../lib/config.ts'
import { callService, type EdenResult, edenOptions, serviceClient } from '../handler.ts'
import type { ItemsApp } from '../../services/items/app.ts'

export const itemsClient = serviceClient<ItemsApp>('items')

/** The items service for the reminder scheduler: system routes (claim, ack), no tenant, no job. */
export function itemsSchedulerClient(config: Config) {
  return treaty<ItemsApp>(
    config.ITEMS_URL,
    edenOptions({ authorization: `Bearer ${config.SERVICE_TOKEN ?? ''}` }),
  )
}

/**
 * An items call: data on 2xx, UserError on 4xx, ServiceUnavailable when it cannot be reached or
 * fails. (The app's global error handler widens every route's inferred body with the `{ error }`
 * shape; on 2xx it is never that, so it is left out of the type.)
 */
export const callItems = <T>(request: Promise<EdenResult<T>>) => callService('items', request)
