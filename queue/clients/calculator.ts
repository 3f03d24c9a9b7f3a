/**
 * Calls from job handlers to the calculator and quotes services: Eden treaty clients typed from
 * their apps, with the handler's headers, and a wrapper that turns a refused call (4xx) into a
 * UserError and an unreachable or failing service into ServiceUnavailable (retried).
 */
import { treaty } from '@elysiajs/eden'
import { callService, type HandlerContext } from '../handler.ts'
import type { ItemsApp } from '../../services/items/app.ts'
import type { CalculatorApp } from '../../services/calculator/app.ts'

export function calculatorClient(ctx: HandlerContext) {
  return treaty<CalculatorApp>(ctx.serviceUrl('calculator'), {
    headers: ctx.serviceHeaders(),
    parseDate: false,
  })
}

/**
 * The items service for reading a car's records and fill-ups. `parseDate: false` keeps dates
 * as the YYYY-MM-DD strings the types say (Eden would otherwise turn them into Date objects).
 */
export function itemsReader(ctx: HandlerContext) {
  return treaty<ItemsApp>(ctx.serviceUrl('items'), { headers: ctx.serviceHeaders(), parseDate: false })
}

export { callService }

/** Today's date (YYYY-MM-DD) in a timezone, from the handler's clock. */
export function localDay(now: Date, timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(now)
  } catch {
    return now.toISOString().slice(0, 10)
  }
}
