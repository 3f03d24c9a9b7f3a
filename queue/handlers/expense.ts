/**
 * /expense log, list, edit, remove: what a car costs besides fuel and service, numbered per
 * garage (#N), each change with its Undo button. The `log_payment` form of a renewal's reminder
 * submits `expense.pay` (this time's amount for the renewal that follows expense #arg), once
 * per renewal: pressed again, the items service refuses naming the payment already logged.
 */
import { Type as T } from '@sinclair/typebox'
import { Values } from '../../catalog/command.ts'
import expense from '../../catalog/commands/expense.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type DateOrder, formatDate } from '../../lib/domain/dates.ts'
import { plural } from '../../lib/domain/text.ts'
import type { ExpenseView } from '../../services/items/expenses/model.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import { type HandlerContext, type HandlerFamily, handlers, UserError } from '../handler.ts'
import { undoActions } from './shared/changes.ts'
import { archivedNote, fitLines, olderLine } from './shared/format.ts'
import { linesWithAuthors } from './shared/authors.ts'
import { garageOf } from './shared/lookups.ts'
import { recordEvent } from './shared/webhook-events.ts'

const PAGE = 10

/** "#3 2025-06-15 · golf · insurance · $1,200.00 · every 12m, renews 2026-06-15 (ACME)". */
export function expenseLine(e: ExpenseView, dates: DateOrder, withCar = false): string {
  const every = e.every ? `every ${e.every}${e.renews_on ? `, renews ${formatDate(e.renews_on, dates)}` : ''}` : null
  const bits = [formatDate(e.date, dates), withCar ? e.car : null, e.kind, e.cost, e.odometer, every].filter(Boolean)
  return `#${e.number} ${bits.join(' · ')}${e.notes ? ` (${e.notes.slice(0, 80)})` : ''}`
}

function expenseFields(e: ExpenseView, dates: DateOrder): NonNullable<Reply['fields']> {
  const fields: NonNullable<Reply['fields']> = [
    { name: 'Expense', value: `#${e.number}`, inline: true },
    { name: 'Cost', value: e.cost, inline: true },
  ]
  if (e.odometer) fields.push({ name: 'Odometer', value: e.odometer, inline: true })
  if (e.every) fields.push({ name: 'Every', value: e.every, inline: true })
  if (e.renews_on) fields.push({ name: 'Renews', value: formatDate(e.renews_on, dates), inline: true })
  return fields
}

type Kind = ExpenseView['kind']

const payForm = T.Object(
  {
    arg: T.String({ minLength: 1, maxLength: 40 }),
    cost: Values.money,
    date: T.Optional(Values.date),
    notes: T.Optional(T.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
)

export default {
  ...handlers(expense, {
    log: async (p, ctx) => {
      const e = await callItems(itemsClient(ctx, { write: true }).expenses.post({ ...p, kind: p.kind as Kind }))
      recordEvent(ctx, 'created', 'expense', e)
      const { dates } = await garageOf(ctx)
      return {
        tone: 'ok',
        title: `Logged ${e.kind} for ${e.car}: ${e.cost} (${formatDate(e.date, dates)})`,
        text: e.renews_on
          ? `It renews every ${e.every}: next due ${formatDate(e.renews_on, dates)}, reminded before then.`
          : 'Recorded.',
        fields: expenseFields(e, dates),
        ...undoActions(e.change),
      }
    },

    list: async (p, ctx) => {
      const page = p.page ?? 1
      const query = { ...(p.car ? { car: p.car } : {}), ...(p.kind ? { kind: p.kind } : {}), limit: PAGE, page }
      const [r, c] = await Promise.all([
        callItems(itemsClient(ctx).expenses.get({ query })),
        p.car ? callItems(itemsClient(ctx).cars({ car: p.car }).get()) : null,
      ])
      // the car comes with its garage's date order; without one, the garage is asked
      const dates = c ? c.presentation.dates : (await garageOf(ctx)).dates
      const note = c ? archivedNote(c, dates) : ''
      const what = `${p.kind ? `${p.kind} ` : ''}expense`
      if (r.expenses.length === 0)
        return {
          tone: 'ok',
          text:
            note +
            (r.total === 0
              ? `No ${what}s${p.car ? ` for ${p.car}` : ''} yet — log one with /expense log`
              : `${plural(r.total, what)}; page ${page} is past the last`),
        }
      const upTo = (page - 1) * PAGE + r.expenses.length
      const command = `/expense list${p.car ? ` car:${p.car}` : ''}${p.kind ? ` kind:${p.kind}` : ''}`
      return {
        tone: 'ok',
        title: `${p.car ? `${r.expenses[0]!.car}: ` : ''}${plural(r.total, what)}${r.total > r.expenses.length ? ` (${(page - 1) * PAGE + 1}–${upTo} shown)` : ''}`,
        text: note + fitLines(linesWithAuthors(r.expenses, ctx.envelope.actor, (e) => expenseLine(e, dates, !p.car))) + olderLine(r, upTo, command),
      }
    },

    edit: async (p, ctx) => {
      const { number, ...changes } = p
      if (Object.keys(changes).length === 0)
        throw new UserError('Give what to change, e.g. /expense edit number:3 cost:1250', 'number')
      const kind = changes.kind as Kind | undefined
      const e = await callItems(itemsClient(ctx, { write: true }).expenses.edit.post({ number, ...changes, kind }))
      recordEvent(ctx, 'changed', 'expense', e)
      return {
        tone: 'ok',
        title: `Expense #${e.number} corrected`,
        text: expenseLine(e, (await garageOf(ctx)).dates, true),
        ...undoActions(e.change),
      }
    },

    remove: async (p, ctx) => {
      const e = await callItems(itemsClient(ctx, { write: true }).expenses.remove.post({ number: p.number }))
      return {
        tone: 'ok',
        title: `Expense #${e.number} removed`,
        text: `${expenseLine(e, (await garageOf(ctx)).dates, true)}${e.every ? `\nIts ${e.kind} renewal on ${e.car} goes back to the payment before it, if any.` : ''}`,
        ...undoActions(e.change),
      }
    },
  }),

  /** The Log payment form of a renewal's reminder: this time's amount for the renewal after expense #arg. */
  'expense.pay': {
    schema: payForm,
    run: async (p: typeof payForm.static, ctx: HandlerContext): Promise<Reply> => {
      if (!/^\d{1,12}$/.test(p.arg)) throw new UserError(`arg: "${p.arg.slice(0, 20)}" is not an expense number`, 'arg')
      const { arg, ...payment } = p
      const e = await callItems(itemsClient(ctx, { write: true }).expenses.pay.post({ number: Number(arg), ...payment }))
      recordEvent(ctx, 'created', 'expense', e)
      const { dates } = await garageOf(ctx)
      return {
        tone: 'ok',
        title: `Logged ${e.kind} for ${e.car}: ${e.cost} (${formatDate(e.date, dates)})`,
        text: `The payment after #${arg}. ${e.renews_on ? `Next renewal ${formatDate(e.renews_on, dates)}.` : ''}`.trim(),
        fields: expenseFields(e, dates),
        ...undoActions(e.change),
      }
    },
  },
} satisfies HandlerFamily
