/**
 * The quotes (and issues) services as job handlers call them. Besides the typed clients this
 * exports what the maintenance and issues handlers need to carry an accepted quote into the
 * service record of the work: `acceptedQuoteFor` (the amount to put on the record) and
 * `linkAcceptedQuote` (remember which record logged it). Both treat the quotes service as
 * optional: when it is down they answer null instead of failing the record. Clients keep
 * dates as strings (`parseDate: false`), as the response types say.
 */
import { treaty } from '@elysiajs/eden'
import { callService, type HandlerContext, UserError } from '../handler.ts'
import { formatMoney, minorDigits } from '../../lib/domain/money.ts'
import type { IssuesApp } from '../../services/issues/app.ts'
import type { QuotesApp } from '../../services/quotes/app.ts'

export function quotesClient(ctx: HandlerContext, opts: { write?: boolean } = {}) {
  return treaty<QuotesApp>(ctx.serviceUrl('quotes'), {
    headers: ctx.serviceHeaders({ write: opts.write ?? false }),
    parseDate: false,
  })
}

export function issuesClient(ctx: HandlerContext, opts: { write?: boolean } = {}) {
  return treaty<IssuesApp>(ctx.serviceUrl('issues'), {
    headers: ctx.serviceHeaders({ write: opts.write ?? false }),
    parseDate: false,
  })
}

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
export async function acceptedQuoteFor(ctx: HandlerContext, issue: number): Promise<AcceptedQuote | null> {
  return (await checkAcceptedQuote(ctx, issue)).quote
}

/**
 * Like `acceptedQuoteFor`, and says whether the quotes service answered: `checked: false` when
 * it could not be reached (so a reply can say the quote was not checked rather than "none").
 */
export async function checkAcceptedQuote(
  ctx: HandlerContext,
  issue: number,
): Promise<{ quote: AcceptedQuote | null; checked: boolean }> {
  try {
    const q = await callService('quotes', quotesClient(ctx).issues({ issue }).accepted.get())
    const value = q.amountMinor / 10 ** minorDigits(q.currency)
    return {
      checked: true,
      quote: {
        number: q.number,
        shop: q.shop,
        amountMinor: q.amountMinor,
        currency: q.currency,
        cost: { value, text: formatMoney(q.amountMinor, q.currency) },
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
    await callService(
      'quotes',
      quotesClient(ctx, { write: true }).issues({ issue }).accepted.record.post({ recordId }),
    )
    return true
  } catch (error) {
    ctx.log.debug({ err: error, issue, recordId }, 'accepted quote not linked')
    return false
  }
}
