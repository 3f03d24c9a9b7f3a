/**
 * /service log and /service list: service, repair and upgrade records. A record naming items
 * marks them done (their next due is computed by the items service). A record logged for an
 * issue (`issue:12`) takes the issue's accepted quote amount when no cost is typed and is linked
 * to that quote; the quotes service is optional here (down: the record is logged without it).
 */
import service from '../../catalog/commands/service.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import type { RecordView } from '../../services/items/records/model.ts'
import { type AcceptedQuote, checkAcceptedQuote, linkAcceptedQuote } from '../clients/quotes.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type DateOrder, formatDate } from '../../lib/domain/dates.ts'
import { plural } from '../../lib/domain/text.ts'
import { Type as T } from '@sinclair/typebox'
import { type HandlerContext, type HandlerFamily, handlers, UserError } from '../handler.ts'
import { LOG_AGAIN_KIND, parseLogAgainArg } from './shared/log-again.ts'
import { undoActions } from './shared/changes.ts'
import { archivedNote, fitLines, olderLine, issueRef } from './shared/format.ts'
import { linesWithAuthors } from './shared/authors.ts'
import { garageOf, issueInGarage, resolveCar } from './shared/lookups.ts'
import { recordEvent } from './shared/webhook-events.ts'

/** A record's odometer as shown: one not typed on it is the car's estimated for its date (≈). */
export const recordOdometer = (r: RecordView): string | null =>
  r.odometer ? `${r.odometer_typed ? '' : '≈'}${r.odometer}` : null

/** "#12 2026-05-01 · Oil change · 48,000 mi · $89.90 (Oil change)": items' labels, the date in the garage's order. */
export function recordLine(r: RecordView, dates: DateOrder, withCar = false): string {
  const bits = [
    formatDate(r.date, dates),
    withCar ? r.car : null,
    r.title,
    r.kind === 'service' ? null : r.kind,
    recordOdometer(r),
    r.cost,
  ].filter(Boolean)
  const items = r.items.length ? ` (${r.items.map((i) => i.name).join(', ')})` : ''
  // The record number is what /issue close record:<n> takes.
  return `#${r.id} ${bits.join(' · ')}${items}`
}

/**
 * The issue a record is logged for: it must be this garage's (another garage's number is not
 * found, exactly like a missing one) and be about the record's car.
 */
async function issueForRecord(ctx: HandlerContext, number: number, car: string) {
  const issue = await issueInGarage(ctx, number)
  const c = await resolveCar(ctx, car)
  if (c.id !== issue.car_id)
    throw new UserError(
      `issue: #${number} (${issue.title}) is about ${issue.car}, not ${c.nickname}`,
      'issue',
    )
  return issue
}

/** What the reply says about the issue and its accepted quote once the record is stored. */
async function issueLines(
  ctx: HandlerContext,
  number: number,
  typedCost: boolean,
  checked: { quote: AcceptedQuote | null; checked: boolean },
  r: RecordView,
): Promise<string[]> {
  const q = checked.quote
  const close = `Close it with /issue close number:${number} resolution:"…" record:${r.id}.`
  if (!checked.checked)
    return [
      `For issue #${number}: the quotes service could not be checked, so no accepted quote was ${typedCost ? 'linked' : 'used; no cost recorded'}.`,
      `${close} (that ${typedCost ? 'links the quote' : 'carries the accepted amount and links the quote'})`,
    ]
  if (!q) return [`For issue #${number} (it has no accepted quote).`, close]
  const from = `accepted quote from ${q.shop}: ${q.cost.text}`
  if (q.recordId !== null && q.recordId !== r.id)
    return [
      `For issue #${number}: its ${from} is already linked to service record #${q.recordId}, so it was not used again.`,
      close,
    ]
  const linked = q.recordId === r.id || (await linkAcceptedQuote(ctx, number, r.id))
  const used = typedCost ? `cost ${r.cost} as typed (the ${from})` : from
  return [
    `For issue #${number}, ${used}.`,
    linked
      ? `Quote ${q.number} is linked to this record.`
      : `Quote ${q.number} could not be linked now; /issue close with record:${r.id} links it.`,
    close,
  ]
}

const family = handlers(service, {
  log: async (p, ctx) => {
    const { issue: issueNumber, ...body } = p
    const kindOf = body.kind as 'service' | 'repair' | 'upgrade' | undefined
    const issue = issueNumber === undefined ? null : await issueForRecord(ctx, issueNumber, body.car)
    const quote = issue ? await checkAcceptedQuote(ctx, issue.number) : null
    // A typed cost wins; an accepted quote already linked to another record is not counted twice.
    const carried =
      body.cost === undefined && quote?.quote && quote.quote.recordId === null ? quote.quote.cost : undefined
    const r = await callItems(
      itemsClient(ctx, { write: true }).records.post({
        ...body,
        kind: kindOf,
        ...(carried ? { cost: carried } : {}),
      }),
    )
    recordEvent(ctx, 'created', 'service', r)
    const fields: NonNullable<Reply['fields']> = [{ name: 'Record', value: `#${r.id}`, inline: true }]
    if (r.odometer) fields.push({ name: 'Odometer', value: recordOdometer(r)!, inline: true })
    if (r.cost) fields.push({ name: 'Cost', value: r.cost, inline: true })
    if (r.kind !== 'service') fields.push({ name: 'Kind', value: r.kind, inline: true })
    for (const i of r.items.slice(0, 20)) fields.push({ name: `${i.name}: next`, value: i.due_text })
    const lines = r.items.length ? [`Done: ${r.items.map((i) => i.name).join(', ')}`] : []
    if (issue && quote)
      lines.push(...(await issueLines(ctx, issue.number, body.cost !== undefined, quote, r)))
    const { dates } = await garageOf(ctx)
    return {
      tone: 'ok',
      title: `Logged ${r.title} on ${r.car} (${formatDate(r.date, dates)})${issue ? ` for issue #${issue.number}` : ''}`,
      text: lines.length ? lines.join('\n') : 'Recorded.',
      fields,
      ...(issue ? { ref: issueRef(issue.number) } : {}),
      ...undoActions(r.change),
    }
  },

  edit: async (p, ctx) => {
    const { number, ...changes } = p
    if (Object.keys(changes).length === 0)
      throw new UserError('Give what to change, e.g. /service edit number:12 cost:94.90', 'number')
    const kind = changes.kind as 'service' | 'repair' | 'upgrade' | undefined
    const r = await callItems(
      itemsClient(ctx, { write: true }).records({ id: number }).patch({ ...changes, kind }),
    )
    recordEvent(ctx, 'changed', 'service', r)
    const fields: NonNullable<Reply['fields']> = []
    for (const i of r.items.slice(0, 20)) fields.push({ name: `${i.name}: next`, value: i.due_text })
    const { dates } = await garageOf(ctx)
    return {
      tone: 'ok',
      title: `Service record #${r.id} corrected`,
      text: recordLine(r, dates, true),
      ...(fields.length ? { fields } : {}),
      ...undoActions(r.change),
    }
  },

  remove: async (p, ctx) => {
    const r = await callItems(itemsClient(ctx, { write: true }).records({ id: p.number }).delete())
    const { dates } = await garageOf(ctx)
    const lines = [recordLine(r, dates, true)]
    for (const i of r.items) lines.push(`${i.name} is back to its due point before it: ${i.due_text}`)
    return { tone: 'ok', title: `Service record #${r.id} removed`, text: lines.join('\n'), ...undoActions(r.change) }
  },

  list: async (p, ctx) => {
    const limit = p.limit ?? 10
    const page = p.page ?? 1
    const query = { ...(p.car ? { car: p.car } : {}), limit, page }
    const [r, c] = await Promise.all([
      callItems(itemsClient(ctx).records.get({ query })),
      p.car ? callItems(itemsClient(ctx).cars({ car: p.car }).get()) : null,
    ])
    // the car comes with its garage's date order; without one, the garage is asked
    const dates = c ? c.presentation.dates : (await garageOf(ctx)).dates
    const note = c ? archivedNote(c, dates) : ''
    if (r.records.length === 0)
      return {
        tone: 'ok',
        text:
          note +
          (r.total === 0
            ? `No service records${p.car ? ` for ${p.car}` : ''} yet — log one with /service log`
            : `${plural(r.total, 'service record')}; page ${page} is past the last`),
      }
    const upTo = (page - 1) * limit + r.records.length
    const command = `/service list${p.car ? ` car:${p.car}` : ''}${p.limit ? ` limit:${limit}` : ''}`
    return {
      tone: 'ok',
      title: `${plural(r.total, 'service record')}${r.total > r.records.length ? ` (${(page - 1) * limit + 1}–${upTo} shown)` : ''}`,
      text: note + fitLines(linesWithAuthors(r.records, ctx.envelope.actor, (rec) => recordLine(rec, dates, !p.car))) + olderLine(r, upTo, command),
    }
  },
})

const logAgainButton = T.Object({ arg: T.String({ minLength: 1, maxLength: 40 }) }, { additionalProperties: false })

export default {
  ...family,
  /** Log another: the reminder's service logged once more on purpose (shared/log-again.ts). */
  [LOG_AGAIN_KIND]: {
    schema: logAgainButton,
    run: async (p: typeof logAgainButton.static, ctx: HandlerContext): Promise<Reply> => {
      const { item, record } = parseLogAgainArg(p.arg)
      const r = await callItems(
        itemsClient(ctx, { write: true }).items({ id: item })['log-again'].post({ record }),
      )
      if (r.already)
        return {
          tone: 'ok',
          text: `${r.item.name} on ${r.item.car} was already logged again as service record #${r.record.id}; nothing new was logged. Next ${r.item.due_text}.`,
        }
      const details = [r.record.odometer ? `at ${r.record.odometer}` : null, r.record.cost ? `for ${r.record.cost}` : null]
        .filter(Boolean)
        .join(' ')
      const { dates } = await garageOf(ctx)
      return {
        tone: 'ok',
        title: `Logged ${r.item.name} on ${r.item.car} again`,
        text: `Service record #${r.record.id}, done on ${formatDate(r.record.date, dates)}${details ? ` ${details}` : ''} (the same as #${record}). Next ${r.item.due_text}.`,
        fields: [{ name: 'Record', value: `#${r.record.id}`, inline: true }],
        ...undoActions(r.record.change),
      }
    },
  },
} satisfies HandlerFamily
