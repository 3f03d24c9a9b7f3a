/**
 * Whether the bot is still in a garage: removed from a Discord server or uninstalled from a
 * Slack workspace, the garage is marked leaving in the items service (its data is deleted by the
 * worker's daily check once GARAGE_GRACE_DAYS passed); seen again (the bot added back, a command
 * from that garage) the mark is cleared and everything is kept. `seen` asks at most once per
 * garage every SEEN_EVERY_MS and writes only when the garage was marked. A service that cannot be
 * reached is logged, never thrown: a gateway event or a command must not fail for this.
 */
import { treaty } from '@elysiajs/eden'
import type { Logger } from '../../lib/log.ts'
import type { ItemsApp } from '../../services/items/app.ts'

const SEEN_EVERY_MS = 10 * 60_000
const MAX_KEPT = 10_000

export type GaragePresence = {
  /** The bot left the garage: mark it leaving (the first mark's date stands). */
  left: (tenant: string, reason: string) => Promise<void>
  /** The garage is there: clear its leaving mark if it has one. */
  seen: (tenant: string) => Promise<void>
}

export function garagePresence(opts: {
  itemsUrl: string
  serviceToken: string
  log: Logger
}): GaragePresence {
  const items = treaty<ItemsApp>(opts.itemsUrl)
  const headers = (tenant: string) => ({ authorization: `Bearer ${opts.serviceToken}`, 'x-tenant': tenant })
  const asked = new Map<string, number>()
  const guard = async (what: string, tenant: string, fn: () => Promise<void>) => {
    try {
      await fn()
    } catch (err) {
      opts.log.warn({ what, tenant, err: (err as Error).message }, 'garage presence not recorded')
    }
  }
  return {
    left: (tenant, reason) =>
      guard('left', tenant, async () => {
        asked.delete(tenant)
        const r = await items.tenant.leaving.put({ reason }, { headers: headers(tenant) })
        if (r.error) throw new Error(`items answered ${r.status}`)
        opts.log.info({ tenant, reason, since: r.data.since }, 'garage marked leaving')
      }),
    seen: (tenant) =>
      guard('seen', tenant, async () => {
        const last = asked.get(tenant)
        if (last !== undefined && performance.now() - last < SEEN_EVERY_MS) return
        asked.delete(tenant)
        asked.set(tenant, performance.now())
        if (asked.size > MAX_KEPT) asked.delete(asked.keys().next().value!)
        const r = await items.tenant.leaving.get({ headers: headers(tenant) })
        if (r.error) throw new Error(`items answered ${r.status}`)
        if (r.data.since === null) return
        const cleared = await items.tenant.leaving.delete(undefined, { headers: headers(tenant) })
        if (cleared.error) throw new Error(`items answered ${cleared.status}`)
        opts.log.info(
          { tenant, since: r.data.since },
          'garage is back; its leaving mark is cleared and its data kept',
        )
      }),
  }
}
