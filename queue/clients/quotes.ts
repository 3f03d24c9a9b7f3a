/**
 * The quotes service as job handlers call it (see `serviceClient` and `callService` in
 * queue/handler.ts), and what the service and issue handlers need to carry an accepted quote
 * into the service record of the work: `acceptedQuoteFor` / `checkAcceptedQuote` (the amount to
 * put on the record) and `linkAcceptedQuote` (remember which record logged it). Both treat the
 * quotes service as optional: when it is down they answer null instead of failing the record.
 */
import { treaty } from '@elysiajs/eden'
import {
  type CallOptions,
  callService,
  type EdenResult,
  edenOptions,
  type HandlerContext,
  serviceClient,
  UserError,
} from '../handler.ts'
import type { DateOrder } from '../../lib/domain/dates.ts'
import { formatMoney, fromMinor } from '../../lib/domain/money.ts'
import { DEFAULT_NUMBER_FORMAT, type NumberFormat } from '../../lib/domain/numbers.ts'
import type { QuotesApp } from '../../services/quotes/app.ts'
import { callIssues, issuesClient } from './issues.ts'

export const quotesClient = serviceClient<QuotesApp>('quotes')

/** A call of the quotes service: data on 2xx, UserError on 4xx, ServiceUnavailable otherwise. */
export const callQuotes = <T>(request: Promise<EdenResult<T>>) => callService('quotes', request)

export type AcceptedQuote = {
  number: number
  shop: string
  amountMinor: number
  currency: string
  /** The amount as a money value for a record body ({ value, text }), e.g. { value: 640, text: '$640.00' }. */
  cost: { value: number; text: string }
  recordId: number | null
}

/** The accepted quote of an issue, or null when it has none or the quotes service is unavailable. */
export async function acceptedQuoteFor(
  ctx: HandlerContext,
  issue: number,
  numbers: NumberFormat = DEFAULT_NUMBER_FORMAT,
): Promise<AcceptedQuote | null> {
  return (await checkAcceptedQuote(ctx, issue, numbers)).quote
}

/**
 * Like `acceptedQuoteFor`, and says whether the quotes service answered: `checked: false` when
 * it could not be reached (so a reply can say the quote was not checked rather than "none").
 */
export async function checkAcceptedQuote(
  ctx: HandlerContext,
  issue: number,
  numbers: NumberFormat = DEFAULT_NUMBER_FORMAT,
): Promise<{ quote: AcceptedQuote | null; checked: boolean }> {
  try {
    const q = await callQuotes(quotesClient(ctx).issues({ issue }).accepted.get())
    const value = fromMinor(q.amountMinor, q.currency)
    return {
      checked: true,
      quote: {
        number: q.number,
        shop: q.shop,
        amountMinor: q.amountMinor,
        currency: q.currency,
        cost: { value, text: formatMoney(q.amountMinor, q.currency, 0, numbers) },
        recordId: q.recordId,
      },
    }
  } catch (error) {
    ctx.log.debug({ err: error, issue }, 'no accepted quote available')
    return { quote: null, checked: error instanceof UserError }
  }
}

/** Remembers that `recordId` logged the work of the issue's accepted quote; false when there is none or quotes is down. */
export async function linkAcceptedQuote(
  ctx: HandlerContext,
  issue: number,
  recordId: number,
): Promise<boolean> {
  try {
    await callQuotes(quotesClient(ctx, { write: true }).issues({ issue }).accepted.record.post({ recordId }))
    return true
  } catch (error) {
    ctx.log.debug({ err: error, issue, recordId }, 'accepted quote not linked')
    return false
  }
}

/**
 * The quotes client whose answers write numbers and dates the garage's way: the service makes
 * texts (a change's fields, a refusal's figures) and only items keeps the settings, so the worker
 * sends them (X-Numbers, X-Dates).
 */
export const quotesClientIn = (
  ctx: HandlerContext,
  format: { numbers: NumberFormat; dates: DateOrder },
  opts: CallOptions = {},
) =>
  treaty<QuotesApp>(
    ctx.serviceUrl('quotes'),
    edenOptions({ ...ctx.serviceHeaders(opts), 'x-numbers': format.numbers, 'x-dates': format.dates }),
  )

/**
 * Undoes quote change #Q`change` (an edit or a removal; a quote's Undo button names the same
 * change) and, when a removed quote is back, lists it on its issue again (a retried job replays
 * the undo itself from its Idempotency-Key, so the link is made once).
 */
export async function undoQuoteChange(
  ctx: HandlerContext,
  shown: { numbers: NumberFormat; dates: DateOrder; today?: string },
  change: number,
) {
  const { name, userId } = ctx.envelope.actor
  const r = await callQuotes(
    quotesClientIn(ctx, shown, { write: true })
      .changes({ change })
      .undo.post({ by: name, byId: userId, ...(shown.today ? { today: shown.today } : {}) }),
  )
  if (r.undid === 'remove')
    await callIssues(
      issuesClient(ctx, { write: true })
        .issues({ number: r.quote.issue })
        .quotes.post({ quote_id: r.quote.number, actor: { id: userId, name: name || userId } }),
    )
  return r
}
