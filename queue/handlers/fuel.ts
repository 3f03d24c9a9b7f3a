/** /fuel log and /fuel list: fill-ups and their economy (partial and missed fill-ups kept out of it). */
import fuel from '../../catalog/commands/fuel.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import type { FillupView } from '../../services/items/fuel/model.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type DateOrder, formatDate } from '../../lib/domain/dates.ts'
import { plural } from '../../lib/domain/text.ts'
import { handlers, UserError } from '../handler.ts'
import { undoActions } from './shared/changes.ts'
import { archivedNote, fitLines, olderLine } from './shared/format.ts'
import { linesWithAuthors } from './shared/authors.ts'
import { garageOf } from './shared/lookups.ts'
import { recordEvent } from './shared/webhook-events.ts'

/** "#3 2026-05-01 · 40 L petrol 95 · €60.00 (€1.500/L) · at Shell · 20,500 km · 8.0 L/100km": items' labels, the date in the garage's order. */
export function fillupLine(f: FillupView, dates: DateOrder): string {
  const flags = [
    f.full ? null : 'partial',
    // A full one without its odometer has no economy of its own; its fuel is in the next segment.
    f.full && !f.odometer && !f.missed && f.tank !== null ? 'no odometer (its fuel counts toward the next full fill-up with one)' : null,
    f.missed ? 'after a missed fill-up' : null,
  ].filter(Boolean)
  const bits = [
    formatDate(f.date, dates),
    f.fuel ? `${f.volume} ${f.fuel}` : f.volume,
    f.price ? `${f.cost} (${f.price})` : f.cost,
    f.station ? `at ${f.station}` : null,
    f.odometer,
    f.economy,
    flags.length ? flags.join(', ') : null,
  ].filter(Boolean)
  return `#${f.number} ${bits.join(' · ')}`
}

/** The fields of a fill-up's reply. */
function fillupFields(f: FillupView): NonNullable<Reply['fields']> {
  const fields: NonNullable<Reply['fields']> = [
    { name: 'Fill-up', value: `#${f.number}`, inline: true },
    { name: 'Volume', value: f.volume, inline: true },
  ]
  if (f.fuel) fields.push({ name: 'Fuel', value: f.fuel, inline: true })
  if (f.cost) fields.push({ name: 'Cost', value: f.price ? `${f.cost} (${f.price})` : f.cost, inline: true })
  if (f.station) fields.push({ name: 'Station', value: f.station, inline: true })
  if (f.odometer) fields.push({ name: 'Odometer', value: f.odometer, inline: true })
  if (f.economy) fields.push({ name: 'Economy', value: f.economy, inline: true })
  return fields
}

export default handlers(fuel, {
  log: async (p, ctx) => {
    const f = await callItems(itemsClient(ctx, { write: true }).fillups.post(p))
    recordEvent(ctx, 'created', 'fillup', f)
    const { dates } = await garageOf(ctx)
    const notes: string[] = []
    if (f.tank === null) notes.push(`${f.fuel} is not fuel: counted in costs, not in the economy.`)
    else {
      if (!f.full) notes.push('Partial fill-up: counted into the next full one.')
      if (f.missed) notes.push('After a missed fill-up: this stretch is left out of the economy.')
      if (!f.odometer) notes.push('No odometer: economy needs one.')
    }
    return {
      tone: 'ok',
      title: `Fill-up logged for ${f.car} (${formatDate(f.date, dates)})`,
      text: notes.join(' ') || 'Recorded.',
      fields: fillupFields(f),
      ...undoActions(f.change),
    }
  },

  edit: async (p, ctx) => {
    const { number, ...changes } = p
    if (Object.keys(changes).length === 0)
      throw new UserError('Give what to change, e.g. /fuel edit number:3 volume:"11.4 gal"', 'number')
    const f = await callItems(itemsClient(ctx, { write: true }).fillups.edit.post({ number, ...changes }))
    recordEvent(ctx, 'changed', 'fillup', f)
    const { dates } = await garageOf(ctx)
    return {
      tone: 'ok',
      title: `Fill-up #${f.number} corrected for ${f.car} (${formatDate(f.date, dates)})`,
      text: fillupLine(f, dates),
      fields: fillupFields(f),
      ...undoActions(f.change),
    }
  },

  remove: async (p, ctx) => {
    const r = await callItems(itemsClient(ctx, { write: true }).fillups.remove.post({ number: p.number }))
    const f = r.removed
    const { dates } = await garageOf(ctx)
    const avg = r.average ? `Average economy now ${r.average}.` : 'No economy can be measured without it.'
    return {
      tone: 'ok',
      title: `Fill-up #${f.number} removed from ${f.car}`,
      text: `${fillupLine(f, dates)}\n${f.odometer ? 'Its odometer reading went with it. ' : ''}${avg}`,
      ...undoActions(r.change),
    }
  },

  list: async (p, ctx) => {
    const limit = p.limit ?? 10
    const page = p.page ?? 1
    const [r, c] = await Promise.all([
      callItems(itemsClient(ctx).fillups.get({ query: { car: p.car, limit, page } })),
      callItems(itemsClient(ctx).cars({ car: p.car }).get()),
    ])
    const { dates } = c.presentation
    if (r.fillups.length === 0)
      return {
        tone: 'ok',
        text:
          archivedNote(c, dates) +
          (r.total === 0 ? `No fill-ups for ${r.car} yet — log one with /fuel log` : `${r.car} has ${plural(r.total, 'fill-up')}; page ${page} is past the last`),
      }
    const avg = r.average ? `Average ${r.average}\n` : ''
    const upTo = (page - 1) * limit + r.fillups.length
    return {
      tone: 'ok',
      title: `${r.car}: ${plural(r.total, 'fill-up')}${r.total > r.fillups.length ? ` (${(page - 1) * limit + 1}–${upTo} shown)` : ''}`,
      text: archivedNote(c, dates) + avg + fitLines(linesWithAuthors(r.fillups, ctx.envelope.actor, (f) => fillupLine(f, dates))) + olderLine(r, upTo, `/fuel list car:${r.car}${p.limit ? ` limit:${limit}` : ''}`),
    }
  },
})
