/**
 * A garage deleted in every service: `/garage delete` (a manager; without confirm it previews
 * what would go) and the daily check of the garages whose bot was removed longer ago than
 * GARAGE_GRACE_DAYS (queue/reminders.ts). The order makes a retry safe, as /car remove's does:
 * API keys and calendar feeds, quotes, photos, issues, then items last, each once per Idempotency-Key; a step that already
 * ran answers its first counts again, and a garage with nothing left answers zeros.
 */
import { treaty } from '@elysiajs/eden'
import type { PayloadOf } from '../../../catalog/command.ts'
import type garage from '../../../catalog/commands/garage.ts'
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { SERVICES, type ServiceName } from '../../../lib/contracts/services.ts'
import type { ApiApp } from '../../../services/api/app.ts'
import type { ImagesApp } from '../../../services/images/app.ts'
import type { IssuesApp } from '../../../services/issues/app.ts'
import type { ItemsApp } from '../../../services/items/app.ts'
import type { TenantCounts } from '../../../services/lib/model.ts'
import type { QuotesApp } from '../../../services/quotes/app.ts'
import { callService, edenOptions, type HandlerContext, ServiceUnavailable } from '../../handler.ts'

/** How the calls reach the services: their URLs and the headers of a call (X-Tenant, token; a write's key). */
export type GarageCalls = Pick<HandlerContext, 'serviceUrl' | 'serviceHeaders'>

/**
 * The order of deletion: the API keys and calendar feeds first, so nothing outside the chat
 * reads or writes the garage while it goes; items last, so until then the garage is still there
 * to finish.
 */
const ORDER = ['api', 'quotes', 'images', 'issues', 'items'] as const satisfies readonly ServiceName[]
/** The order an answer names the kinds in: the garage's cars and records first. */
const SHOWN = ['items', 'issues', 'images', 'quotes', 'api'] as const

type TenantRoute = { get: () => Promise<TenantCounts>; delete: () => Promise<TenantCounts> }

/** A service's `/tenant` routes for the garage of `calls` (a write's key: `key`). */
function tenantRoute(calls: GarageCalls, service: (typeof ORDER)[number], key?: string): TenantRoute {
  const opts = edenOptions(calls.serviceHeaders(key ? { write: true, key } : {}))
  const url = calls.serviceUrl(service)
  switch (service) {
    case 'items': {
      const r = treaty<ItemsApp>(url, opts).tenant
      return { get: () => callService(service, r.get()), delete: () => callService(service, r.delete()) }
    }
    case 'issues': {
      const r = treaty<IssuesApp>(url, opts).tenant
      return { get: () => callService(service, r.get()), delete: () => callService(service, r.delete()) }
    }
    case 'images': {
      const r = treaty<ImagesApp>(url, opts).tenant
      return { get: () => callService(service, r.get()), delete: () => callService(service, r.delete()) }
    }
    case 'quotes': {
      const r = treaty<QuotesApp>(url, opts).tenant
      return { get: () => callService(service, r.get()), delete: () => callService(service, r.delete()) }
    }
    case 'api': {
      const r = treaty<ApiApp>(url, opts).tenant
      return { get: () => callService(service, r.get()), delete: () => callService(service, r.delete()) }
    }
  }
}

export type Kinds = TenantCounts['kinds']

/** What the garage holds in every service (nothing deleted). */
export async function garageContents(calls: GarageCalls): Promise<Kinds> {
  const all = await Promise.all(SHOWN.map((s) => tenantRoute(calls, s).get()))
  return all.flatMap((c) => c.kinds)
}

/** A deletion stopped by a service that cannot be reached: what already went (retried like any unavailable service). */
export class DeleteStopped extends ServiceUnavailable {
  constructor(
    service: ServiceName,
    readonly done: Kinds,
  ) {
    super(service)
  }
}

/**
 * Deletes the garage in every service, in ORDER, each step once for `key`. Throws DeleteStopped
 * with what already went when a service cannot be reached.
 */
export async function deleteGarage(calls: GarageCalls, key: string): Promise<Kinds> {
  const kinds = new Map<string, Kinds>()
  const shown = () => SHOWN.flatMap((s) => kinds.get(s) ?? [])
  for (const s of ORDER) {
    try {
      const r = await tenantRoute(calls, s, `${key}-${s}`).delete()
      kinds.set(s, r.kinds)
    } catch (error) {
      if (error instanceof ServiceUnavailable) throw new DeleteStopped(error.service, shown())
      throw error
    }
  }
  return shown()
}

/** "2 cars, 5 fill-ups, 1 issue" of the kinds that hold anything; "nothing" when none does. */
export function kindsText(kinds: Kinds): string {
  const some = kinds.filter((k) => k.count > 0)
  if (some.length === 0) return 'nothing'
  return some.map((k) => `${k.count} ${k.count === 1 ? singular(k.kind) : k.kind}`).join(', ')
}

const singular = (kind: string) => (kind.endsWith('ies') ? `${kind.slice(0, -3)}y` : kind.replace(/s$/, ''))

export async function garageDelete(
  p: PayloadOf<typeof garage, 'delete'>,
  ctx: HandlerContext,
): Promise<Reply> {
  if (p.confirm !== true) {
    const kinds = await garageContents(ctx)
    return {
      tone: 'warn',
      title: 'Delete this garage?',
      text: `This would delete everything of this garage in every service: ${kindsText(kinds)}. It cannot be undone (/garage export first keeps a copy). To delete it now: /garage delete confirm:yes`,
      ephemeral: true,
    }
  }
  try {
    const kinds = await deleteGarage(ctx, ctx.envelope.id)
    ctx.log.info({ kinds }, 'garage deleted by a manager')
    return {
      tone: 'ok',
      title: 'Garage deleted',
      text: `Deleted ${kindsText(kinds)}. Nothing of this garage is kept; its settings are back to the defaults.`,
    }
  } catch (error) {
    if (!(error instanceof DeleteStopped) || !ctx.finalAttempt) throw error
    const done = error.done
    return {
      tone: 'error',
      title: 'The garage is not deleted yet',
      text: `${SERVICES[error.service].label} is unavailable: ${done.some((k) => k.count > 0) ? `only ${kindsText(done)} went so far` : 'nothing was deleted yet'}. Run /garage delete confirm:yes again to finish.`,
    }
  }
}
