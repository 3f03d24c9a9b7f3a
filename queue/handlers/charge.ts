/** /charge log, list, edit, remove: charges of electric and plug-in hybrid cars and their consumption, each change with its Undo. */
import charge from '../../catalog/commands/charge.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type DateOrder, formatDate } from '../../lib/domain/dates.ts'
import { plural } from '../../lib/domain/text.ts'
import type { ChargeView } from '../../services/items/charging/model.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import { handlers, UserError } from '../handler.ts'
import { undoActions } from './shared/changes.ts'
import { archivedNote, fitLines, olderLine } from './shared/format.ts'
import { garageOf } from './shared/lookups.ts'
import { recordEvent } from './shared/webhook-events.ts'

const PAGE = 10

/** "#3 2026-05-01 · 42 kWh · $12.60 ($0.300/kWh) · 20–80% · home · 12,400 km · 17.5 kWh/100 km". */
export function chargeLine(c: ChargeView, dates: DateOrder): string {
  const bits = [
    formatDate(c.date, dates),
    c.energy,
    c.price ? `${c.cost} (${c.price})` : c.cost,
    c.soc,
    c.where,
    c.odometer,
    c.consumption,
  ].filter(Boolean)
  return `#${c.number} ${bits.join(' · ')}`
}

function chargeFields(c: ChargeView): NonNullable<Reply['fields']> {
  const fields: NonNullable<Reply['fields']> = [
    { name: 'Charge', value: `#${c.number}`, inline: true },
    { name: 'Energy', value: c.energy, inline: true },
  ]
  if (c.cost) fields.push({ name: 'Cost', value: c.price ? `${c.cost} (${c.price})` : c.cost, inline: true })
  if (c.soc) fields.push({ name: 'Battery', value: c.soc, inline: true })
  if (c.where) fields.push({ name: 'Where', value: c.where, inline: true })
  if (c.odometer) fields.push({ name: 'Odometer', value: c.odometer, inline: true })
  if (c.consumption) fields.push({ name: 'Consumption', value: c.consumption, inline: true })
  return fields
}

export default handlers(charge, {
  log: async (p, ctx) => {
    const c = await callItems(itemsClient(ctx, { write: true }).charges.post(p))
    recordEvent(ctx, 'created', 'charge', c)
    const { dates } = await garageOf(ctx)
    return {
      tone: 'ok',
      title: `Charge logged for ${c.car} (${formatDate(c.date, dates)})`,
      text: c.odometer
        ? 'Recorded.'
        : 'Recorded. No odometer: consumption needs one (its energy counts toward the next charge with one).',
      fields: chargeFields(c),
      ...undoActions(c.change),
    }
  },

  edit: async (p, ctx) => {
    const { number, ...changes } = p
    if (Object.keys(changes).length === 0)
      throw new UserError('Give what to change, e.g. /charge edit number:3 energy:"40 kWh"', 'number')
    const c = await callItems(itemsClient(ctx, { write: true }).charges.edit.post({ number, ...changes }))
    recordEvent(ctx, 'changed', 'charge', c)
    const { dates } = await garageOf(ctx)
    return {
      tone: 'ok',
      title: `Charge #${c.number} corrected for ${c.car} (${formatDate(c.date, dates)})`,
      text: chargeLine(c, dates),
      fields: chargeFields(c),
      ...undoActions(c.change),
    }
  },

  remove: async (p, ctx) => {
    const r = await callItems(itemsClient(ctx, { write: true }).charges.remove.post({ number: p.number }))
    const { dates } = await garageOf(ctx)
    return {
      tone: 'ok',
      title: `Charge #${r.removed.number} removed from ${r.removed.car}`,
      text: `${chargeLine(r.removed, dates)}\n${r.average ? `Average consumption now ${r.average}.` : 'No consumption can be measured without it.'}`,
      ...undoActions(r.change),
    }
  },

  list: async (p, ctx) => {
    const page = p.page ?? 1
    const [r, c] = await Promise.all([
      callItems(itemsClient(ctx).charges.get({ query: { car: p.car, limit: PAGE, page } })),
      callItems(itemsClient(ctx).cars({ car: p.car }).get()),
    ])
    const { dates } = c.presentation
    if (r.charges.length === 0)
      return {
        tone: 'ok',
        text:
          archivedNote(c, dates) +
          (r.total === 0
            ? `No charges for ${r.car} yet — log one with /charge log`
            : `${r.car} has ${plural(r.total, 'charge')}; page ${page} is past the last`),
      }
    const upTo = (page - 1) * PAGE + r.charges.length
    return {
      tone: 'ok',
      title: `${r.car}: ${plural(r.total, 'charge')}${r.total > r.charges.length ? ` (${(page - 1) * PAGE + 1}–${upTo} shown)` : ''}`,
      text:
        archivedNote(c, dates) +
        (r.average ? `Average ${r.average}\n` : '') +
        fitLines(r.charges.map((x) => chargeLine(x, dates))) +
        olderLine(r, upTo, `/charge list car:${r.car}`),
    }
  },
})
