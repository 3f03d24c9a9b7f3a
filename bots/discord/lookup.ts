/**
 * Autocomplete data from the garage's own services: car nicknames (items) and issue numbers
 * (issues), always for the tenant of the interaction (X-Tenant), with a deadline so the answer
 * makes Discord's 3 seconds. A service that is down or slow gives no suggestions, never an error.
 */
import { treaty } from '@elysiajs/eden'
import type { Logger } from '../../lib/log.ts'
import type { IssuesApp } from '../../services/issues/app.ts'
import type { ItemsApp } from '../../services/items/app.ts'

export type Choice = { name: string; value: string | number }

export type Lookup = {
  cars: (tenant: string, typed: string) => Promise<Choice[]>
  issues: (tenant: string, typed: string) => Promise<Choice[]>
}

/** Discord shows at most 25 choices, each name at most 100 characters. */
export const MAX_CHOICES = 25

export function serviceLookup(opts: {
  itemsUrl: string
  issuesUrl: string
  serviceToken: string
  log: Logger
  timeoutMs?: number
}): Lookup {
  const timeoutMs = opts.timeoutMs ?? 2_000
  const items = treaty<ItemsApp>(opts.itemsUrl)
  const issues = treaty<IssuesApp>(opts.issuesUrl)
  const headers = (tenant: string) => ({ authorization: `Bearer ${opts.serviceToken}`, 'x-tenant': tenant })
  const guard = async (what: string, fn: (signal: AbortSignal) => Promise<Choice[]>): Promise<Choice[]> => {
    try {
      return (await fn(AbortSignal.timeout(timeoutMs))).slice(0, MAX_CHOICES)
    } catch (error) {
      opts.log.warn({ what, err: (error as Error).message }, 'autocomplete lookup failed; no suggestions')
      return []
    }
  }
  return {
    cars: (tenant, typed) =>
      guard('cars', async (signal) => {
        const q = typed.trim().slice(0, 100)
        const res = await items.cars.get({
          query: q ? { q } : {},
          headers: headers(tenant),
          fetch: { signal },
        })
        if (res.error || !res.data || !('cars' in res.data)) throw new Error(`items answered ${res.status}`)
        return res.data.cars.map((c) => ({ name: c.nickname.slice(0, 100), value: c.nickname }))
      }),
    issues: (tenant, typed) =>
      guard('issues', async (signal) => {
        const q = typed.trim().slice(0, 100)
        const res = await issues.issues.get({
          query: { ...(q ? { q } : {}), limit: MAX_CHOICES },
          headers: headers(tenant),
          fetch: { signal },
        })
        if (res.error || !res.data || !('issues' in res.data))
          throw new Error(`issues answered ${res.status}`)
        return res.data.issues.map((i) => ({
          name: `#${i.number} ${i.car}: ${i.title}`.slice(0, 100),
          value: i.number,
        }))
      }),
  }
}
