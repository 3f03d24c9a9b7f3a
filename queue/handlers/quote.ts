/**
 * /quote add, list, accept, edit, remove, estimate, jobs, tip, the Accept button
 * (`quote.accept_btn:<n>`) and the Undo button of an edit or a removal (`quote.undo_change:<change id>`).
 * The quotes service is the non-critical one: when it is down these answer that quotes are
 * unavailable (ServiceUnavailable → the orchestrator retries, then says so) while every other
 * command keeps working. Amounts use the garage currency from items GET /settings; the issue
 * is checked in the issues service (so it is always this garage's issue) before a quote is stored.
 */
import { Type as T } from '@sinclair/typebox'
import { actionId } from '../../catalog/actions.ts'
import quote from '../../catalog/commands/quote.ts'
import type { Action, Reply } from '../../lib/contracts/envelope.ts'
import { type DateOrder, formatDate } from '../../lib/domain/dates.ts'
import { formatMoney } from '../../lib/domain/money.ts'
import type { NumberFormat } from '../../lib/domain/numbers.ts'
import { formatNumber, plural } from '../../lib/domain/text.ts'
import { callIssues, issuesClient } from '../clients/issues.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import { callQuotes, quotesClientIn, undoQuoteChange } from '../clients/quotes.ts'
import { type HandlerContext, handlers, type KindHandler, UserError } from '../handler.ts'
import { issueRef } from './shared/format.ts'
import { withCarName } from './shared/car-names.ts'
import { actorOf, garageOf, issueInGarage, presentationOr } from './shared/lookups.ts'

/** How the garage writes numbers and dates (from its settings). */
type Format = { numbers: NumberFormat; dates: DateOrder }

const money = (minor: number | null, currency: string, f: Format) =>
  minor === null ? '—' : formatMoney(minor, currency, 0, f.numbers)

/** Who does it, as the quotes service keeps it: the name shown and the platform user id. */
const byOf = (ctx: HandlerContext) => ({ by: ctx.envelope.actor.name, byId: ctx.envelope.actor.userId })

type QuoteView = {
  number: number
  shop: string
  currency: string
  amountMinor: number
  partsMinor: number | null
  labourMinor: number | null
  validUntil: string | null
  expired: boolean
  status: string
  notes: string | null
  /** The service record that logged the accepted quote's work. */
  recordId?: number | null
}

/** A quote's figures, the garage's way; its status too unless `withStatus` is false (the caller shows it elsewhere). */
function quoteLine(q: QuoteView, f: Format, withStatus = true): string {
  const parts = [`total ${money(q.amountMinor, q.currency, f)}`]
  if (q.partsMinor !== null) parts.push(`parts ${money(q.partsMinor, q.currency, f)}`)
  if (q.labourMinor !== null) parts.push(`labour ${money(q.labourMinor, q.currency, f)}`)
  if (q.validUntil) {
    const until = formatDate(q.validUntil, f.dates)
    parts.push(q.expired ? `expired ${until}` : `valid until ${until}`)
  }
  if (withStatus && q.status !== 'open') parts.push(q.status)
  if (q.recordId) parts.push(`logged as service record #${q.recordId}`)
  return parts.join(' · ')
}

const acceptButton = (n: number): Action => ({
  id: actionId('quote.accept_btn', n),
  label: `Accept quote ${n}`,
  style: 'primary',
})

async function accept(ctx: HandlerContext, number: number): Promise<Reply> {
  const g = await garageOf(ctx)
  const { quote: q, rejected } = await callQuotes(
    quotesClientIn(ctx, g, { write: true })
      .quotes({ number })
      .accept.post({ ...byOf(ctx), today: g.today }),
  )
  const amount = money(q.amountMinor, q.currency, g)
  // The issue goes in progress; a retried job replays the acceptance above and lands here again.
  const moved = await callIssues(
    issuesClient(ctx, { write: true })
      .issues({ number: q.issue })
      .status.post({
        status: 'in_progress',
        note: `Quote ${q.number} from ${q.shop} accepted: ${amount}`,
        actor: actorOf(ctx),
      }),
  )
  const issue = await withCarName(ctx, moved)
  const lines = [
    `Issue #${issue.number} (${issue.title}) is now in progress.`,
    rejected.length
      ? `${rejected.length === 1 ? 'Quote' : 'Quotes'} ${rejected.join(', ')} marked rejected.`
      : '',
    `When the work is done, log it with /service log car:${issue.car} title:"${issue.title}" kind:repair issue:${issue.number} (the record takes ${amount}), then /issue close number:${issue.number} record:<record id>.`,
  ]
  return {
    tone: 'ok',
    title: `Accepted quote ${q.number} from ${q.shop}: ${amount}`,
    text: lines.filter(Boolean).join('\n'),
    ref: issueRef(issue.number),
  }
}

/** `quote.undo_change:<change id>`: undoes that edit or removal of a quote. */
export const QUOTE_UNDO_KIND = 'quote.undo_change'

const quoteUndo = (change: number): { actions: Action[] } => ({
  actions: [{ id: actionId(QUOTE_UNDO_KIND, change), label: 'Undo', style: 'secondary' }],
})

/** "amount $640.00 → $600.00", one per changed field. */
const changedLine = (fields: { name: string; before: string | null; after: string | null }[]) =>
  fields.map((f) => `${f.name} ${f.before ?? '—'} → ${f.after ?? '—'}`).join('\n')

/** The Undo button of /quote edit and /quote remove. */
const undoButtonKind: KindHandler<{ arg: string }> = {
  schema: T.Object({ arg: T.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false }),
  run: async (p, ctx) => {
    if (!/^\d{1,15}$/.test(p.arg))
      throw new UserError(`change: "${p.arg.slice(0, 20)}" is not a change number`, 'change')
    const g = await garageOf(ctx)
    const r = await undoQuoteChange(ctx, g, Number(p.arg))
    const q = r.quote
    return {
      tone: 'ok',
      title:
        r.undid === 'remove'
          ? `Undone: quote ${q.number} from ${q.shop} is back on issue #${q.issue}`
          : `Undone: quote ${q.number} from ${q.shop} reads as before`,
      text: `${quoteLine(q, g)}${q.notes ? `\n${q.notes}` : ''}${r.undid === 'edit' && r.fields.length ? `\n${changedLine(r.fields)}` : ''}`,
      ref: issueRef(q.issue),
    }
  },
}

/** The Accept button of /quote add and /quote list. */
const acceptButtonKind: KindHandler<{ arg: string }> = {
  schema: T.Object({ arg: T.String({ pattern: '^[0-9]{1,9}$' }) }),
  run: (p, ctx) => accept(ctx, Number(p.arg)),
}

export default {
  ...handlers(quote, {
    add: async (p, ctx) => {
      const g = await garageOf(ctx)
      const issue = await issueInGarage(ctx, p.issue)
      const created = await callQuotes(
        quotesClientIn(ctx, g, { write: true }).quotes.post({
          issue: p.issue,
          shop: p.shop,
          currency: g.currency,
          ...(p.amount ? { amount: p.amount } : {}),
          ...(p.parts ? { parts: p.parts } : {}),
          ...(p.labor ? { labour: p.labor } : {}),
          ...(p.valid_until ? { validUntil: p.valid_until } : {}),
          ...(p.notes ? { notes: p.notes } : {}),
          ...byOf(ctx),
          today: g.today,
        }),
      )
      const q = created.quote
      await callIssues(
        issuesClient(ctx, { write: true })
          .issues({ number: p.issue })
          .quotes.post({ quote_id: q.number, actor: actorOf(ctx) }),
      )
      const note = created.issueHasAccepted
        ? `Issue #${p.issue} already has an accepted quote (${created.issueHasAccepted}); this one is kept for comparison.`
        : `Compare with /quote list issue:${p.issue}; accept with /quote accept id:${q.number}.`
      return {
        tone: 'ok',
        title: `Quote ${q.number} from ${q.shop} for issue #${issue.number} (${issue.title})`,
        text: `${quoteLine(q, g)}${q.notes ? `\n${q.notes}` : ''}\n${note}`,
        ...(created.issueHasAccepted ? {} : { actions: [acceptButton(q.number)] }),
        ref: issueRef(issue.number),
      }
    },

    list: async (p, ctx) => {
      const g = await garageOf(ctx)
      const issue = await withCarName(ctx, await issueInGarage(ctx, p.issue))
      const c = await callQuotes(quotesClientIn(ctx, g).quotes.get({ query: { issue: p.issue, today: g.today } }))
      if (c.quotes.length === 0) {
        return {
          tone: 'ok',
          text: `No quotes for issue #${issue.number} (${issue.title}) on ${issue.car} yet — add one with /quote add issue:${issue.number} shop:… amount:…`,
        }
      }
      const cur = c.currency ?? g.currency
      // Each quote says its status once: the accepted one in its name, a rejected one in its figures.
      const shown = c.quotes.slice(0, 25)
      const fields = shown.map((q) => ({
        name: `${q.number} · ${q.shop}${q.cheapest ? ' — cheapest' : ''}${q.status === 'accepted' ? ' — accepted' : ''}`,
        value: `${quoteLine(q, g, q.status !== 'accepted')}${q.notes ? `\n${q.notes.slice(0, 200)}` : ''}`,
      }))
      const summary =
        c.quotes.length > 1 && c.spreadMinor !== null
          ? `Spread ${money(c.spreadMinor, cur, g)} between highest ${money(c.highestMinor, cur, g)} and lowest ${money(c.lowestMinor, cur, g)}${c.spreadPercent !== null ? ` (${formatNumber(c.spreadPercent, 0, 0, g.numbers)}% over the lowest)` : ''}.`
          : ''
      const status = c.accepted
        ? shown.some((q) => q.number === c.accepted)
          ? ''
          : `Quote ${c.accepted} is accepted.`
        : c.cheapest
          ? `Cheapest valid quote: ${c.cheapest}.`
          : 'Every quote has expired.'
      const open = c.accepted ? [] : c.quotes.filter((q) => q.status === 'open' && !q.expired)
      return {
        tone: 'ok',
        title: `${plural(c.quotes.length, 'quote')} for issue #${issue.number} (${issue.title}) on ${issue.car}`,
        text: [summary, status].filter(Boolean).join('\n'),
        fields,
        ...(open.length ? { actions: open.slice(0, 5).map((q) => acceptButton(q.number)) } : {}),
        ref: issueRef(issue.number),
      }
    },

    accept: (p, ctx) => accept(ctx, p.id),

    edit: async (p, ctx) => {
      const { number, labor, valid_until, ...rest } = p
      const given = {
        ...rest,
        ...(labor ? { labour: labor } : {}),
        ...(valid_until ? { validUntil: valid_until } : {}),
      }
      if (Object.keys(given).length === 0)
        throw new UserError(
          'Give what to change, e.g. /quote edit number:3 amount:600 (shop:, amount:, parts:, labor:, valid_until:, notes:)',
          'number',
        )
      const g = await garageOf(ctx)
      const r = await callQuotes(
        quotesClientIn(ctx, g, { write: true })
          .quotes({ number })
          .edit.post({ ...given, ...byOf(ctx), today: g.today }),
      )
      const q = r.quote
      return {
        tone: 'ok',
        title: `Quote ${q.number} from ${q.shop} corrected (issue #${q.issue})`,
        text: `${changedLine(r.fields)}\n${quoteLine(q, g)}`,
        ...quoteUndo(r.change),
        ref: issueRef(q.issue),
      }
    },

    remove: async (p, ctx) => {
      const g = await garageOf(ctx)
      const r = await callQuotes(
        quotesClientIn(ctx, g, { write: true })
          .quotes({ number: p.number })
          .remove.post({ ...byOf(ctx), today: g.today }),
      )
      const q = r.quote
      // The issue stops listing it; a retried job replays the removal above and lands here again.
      await callIssues(
        issuesClient(ctx, { write: true })
          .issues({ number: q.issue })
          .quotes.remove.post({ quote_id: q.number, actor: actorOf(ctx) }),
      )
      return {
        tone: 'ok',
        title: `Quote ${q.number} from ${q.shop} removed from issue #${q.issue}`,
        text: `${quoteLine(q, g)}${q.notes ? `\n${q.notes}` : ''}`,
        ...quoteUndo(r.change),
        ref: issueRef(q.issue),
      }
    },

    estimate: async (p, ctx) => {
      const g = await garageOf(ctx)
      const e = await callQuotes(
        quotesClientIn(ctx, g).estimate.post({
          currency: g.currency,
          rate: p.rate,
          ...(p.job ? { job: p.job } : {}),
          ...(p.hours !== undefined ? { hours: p.hours } : {}),
          ...(p.parts ? { parts: p.parts } : {}),
          ...(p.tax !== undefined ? { taxPercent: p.tax } : {}),
        }),
      )
      const m = (minor: number) => formatMoney(minor, e.currency, 0, g.numbers)
      const n = (value: number) => formatNumber(value, 2, 0, g.numbers)
      const fields = [
        { name: 'Labour', value: `${n(e.hours)} h × ${m(e.rateMinor)} = ${m(e.labourMinor)}`, inline: true },
        { name: 'Parts', value: m(e.partsMinor), inline: true },
        { name: `Tax ${n(e.taxPercent)}%`, value: m(e.taxMinor), inline: true },
      ]
      const jobNote = e.job
        ? `${e.job.name}: ${n(e.job.hours)} h ${e.job.overridden ? "(this garage's hours)" : '(typical book hours)'}\n`
        : ''
      return {
        tone: 'ok',
        title: `Estimate: ${m(e.totalMinor)}`,
        text: `${jobNote}Subtotal ${m(e.subtotalMinor)} + tax ${m(e.taxMinor)} = ${m(e.totalMinor)}`,
        fields,
      }
    },

    jobs: async (p, ctx) => {
      if (p.hours !== undefined && !p.job)
        throw new UserError('job: name the job to set hours for, e.g. job:"Brake pads, front" hours:2', 'job')
      if (p.job && p.hours === undefined) {
        throw new UserError(`hours: give this garage's labour hours for "${p.job}", e.g. hours:2`, 'hours')
      }
      // The hours are the quotes service's alone: the items service being down only means
      // they are written the default way.
      const g = await presentationOr(ctx)
      const n = (value: number) => formatNumber(value, 2, 0, g.numbers)
      if (p.job && p.hours !== undefined) {
        const j = await callQuotes(
          quotesClientIn(ctx, g, { write: true }).jobs.put({ job: p.job, hours: p.hours }),
        )
        return {
          tone: 'ok',
          text: `${j.name}: this garage now estimates ${n(j.hours)} h (typical ${n(j.typicalHours)} h).`,
        }
      }
      const { jobs: known } = await callQuotes(quotesClientIn(ctx, g).jobs.get())
      return {
        tone: 'ok',
        title: 'Common jobs and their labour hours',
        text: known
          .map(
            (j) =>
              `${j.name}: ${n(j.hours)} h${j.overridden ? ` (this garage; typical ${n(j.typicalHours)} h)` : ''}`,
          )
          .join('\n'),
      }
    },

    tip: async (_p, ctx) => {
      const g = await garageOf(ctx)
      const focus = await mostUrgent(ctx)
      const t = await callQuotes(
        quotesClientIn(ctx, g).tip.get({
          query: { date: g.today, ...(focus ? { focus: focus.text, topic: focus.topic } : {}) },
        }),
      )
      return {
        tone: 'ok',
        title: `Tip of the day (${formatDate(t.date, g.dates)})`,
        text: t.focus ? `${t.focus}\n\n${t.tip.text}` : t.tip.text,
      }
    },
  }),
  'quote.accept_btn': acceptButtonKind,
  [QUOTE_UNDO_KIND]: undoButtonKind,
}

/**
 * The garage's most urgent maintenance item as a sentence ("Your corolla's Oil change is due in
 * ~9 days"), or null when there is none or the reminders cannot be read (the tip still comes).
 */
async function mostUrgent(ctx: HandlerContext): Promise<{ text: string; topic: string } | null> {
  try {
    const { items } = await callItems(itemsClient(ctx).reminders.get({ query: {} }))
    const top = items[0]
    if (!top || top.level === 'not_urgent') return null
    const d = top.days_left
    const when =
      d === null
        ? top.due_text
        : d < 0
          ? `${plural(-d, 'day')} overdue`
          : d === 0
            ? 'due today'
            : `due in ${top.projected ? '~' : ''}${plural(d, 'day')}`
    return { text: `Your ${top.car}'s ${top.name.toLowerCase()} is ${when}`, topic: top.name }
  } catch (error) {
    ctx.log.debug({ err: error }, 'no reminders for the tip')
    return null
  }
}
