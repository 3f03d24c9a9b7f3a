/**
 * /item add, list, edit, remove, and the reminder buttons: `item.done:<id>` (a record at the
 * current odometer and today; the item moves on), `item.snooze:<id>` (hidden 7 days), and the
 * `log_service` form's submit `item.log` (cost, odometer, date for that item). Service refusals
 * carry the service's message, which names the field. /item preset, preset_save and
 * preset_remove: sets of items (services/items/presets); `item.starter:<car id>` is /car add's
 * Add starter items button (the starter set of the car's fuel type; pressed again, nothing is doubled).
 */
import { Type as T } from '@sinclair/typebox'
import { Values } from '../../catalog/command.ts'
import item from '../../catalog/commands/item.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import type { ItemView } from '../../services/items/maintenance/model.ts'
import type { PresetApplied, PresetItem, PresetView } from '../../services/items/presets/model.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type DateOrder, formatDate } from '../../lib/domain/dates.ts'
import { plural } from '../../lib/domain/text.ts'
import { type HandlerContext, type HandlerFamily, handlers, UserError } from '../handler.ts'
import { fitLines, itemLine, LEVEL_TAG } from './shared/format.ts'
import { alreadyLoggedReply } from './shared/log-again.ts'
import { takeHandlers } from './shared/take.ts'
import { garageOf } from './shared/lookups.ts'
import { recordEvent } from './shared/webhook-events.ts'

export function every(i: ItemView): string {
  const parts = [i.months ? plural(i.months, 'month') : null, i.distance].filter(Boolean)
  return `${parts.join(' or ')}${parts.length > 1 ? ', whichever comes first' : ''}${i.fixed ? ' (fixed schedule)' : ''}`
}

/** An item's fields: items' labels (in the garage's number format) and its last date in the garage's order. */
function itemFields(i: ItemView, dates: DateOrder): NonNullable<Reply['fields']> {
  const fields: NonNullable<Reply['fields']> = [
    { name: 'Every', value: every(i), inline: true },
    { name: 'Last done', value: [formatDate(i.last_date, dates), i.last_odometer].filter(Boolean).join(' at '), inline: true },
    { name: 'Urgency', value: LEVEL_TAG[i.level], inline: true },
  ]
  if (i.urgent || i.very_urgent) {
    fields.push({
      name: 'Thresholds',
      value: `urgent ${i.urgent ?? 'garage default'}; very urgent ${i.very_urgent ?? 'garage default'}`,
    })
  }
  if (i.notes) fields.push({ name: 'Notes', value: i.notes.slice(0, 1024) })
  return fields
}

/** "Oil and filter (12 months or 15,000 km)" */
const presetItemText = (i: PresetItem) =>
  `${i.name} (${[i.months ? plural(i.months, 'month') : null, i.distance_text].filter(Boolean).join(' or ')})`

/** "petrol (built-in): Oil and filter (12 months or 15,000 km), …" */
const presetLine = (p: PresetView) =>
  `${p.name}${p.builtin ? ' (built-in)' : ''}: ${p.items.map(presetItemText).join(', ')}`

/** What applying a set did: the items added with their schedules, and those the car already had. */
function appliedReply(r: PresetApplied): Reply {
  if (r.added.length === 0) {
    return { tone: 'ok', text: `The ${r.preset} set is already added to ${r.car}: it has every item of it.` }
  }
  const lines = r.added.map((i) => `• ${i.name}: every ${every(i)}`)
  const skipped = r.skipped.length > 0 ? `Skipped (${r.car} already has them): ${r.skipped.join(', ')}` : ''
  return {
    tone: 'ok',
    title: `Added ${plural(r.added.length, 'item')} of the ${r.preset} set to ${r.car}`,
    text: fitLines(skipped ? [...lines, skipped] : lines),
  }
}

const itemId = (arg: string): number => {
  if (!/^\d{1,15}$/.test(arg)) throw new UserError(`arg: "${arg.slice(0, 20)}" is not an item id`, 'arg')
  return Number(arg)
}

/** The item a button or form names (`arg`), for a write. */
const itemOf = (ctx: HandlerContext, arg: string) =>
  itemsClient(ctx, { write: true }).items({ id: itemId(arg) })

const buttonSchema = T.Object(
  { arg: T.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
)
const logSchema = T.Object(
  {
    arg: T.String({ minLength: 1, maxLength: 40 }),
    cost: T.Optional(Values.money),
    odometer: T.Optional(Values.distance),
    date: T.Optional(Values.date),
  },
  { additionalProperties: false },
)

export default {
  ...takeHandlers,
  ...handlers(item, {
    add: async (p, ctx) => {
      const i = await callItems(itemsClient(ctx, { write: true }).items.post(p))
      const { dates } = await garageOf(ctx)
      return { tone: 'ok', title: `Added ${i.name} to ${i.car}`, text: i.due_text, fields: itemFields(i, dates) }
    },

    list: async (p, ctx) => {
      const { items } = await callItems(itemsClient(ctx).items.get({ query: p.car ? { car: p.car } : {} }))
      if (items.length === 0) {
        return {
          tone: 'ok',
          text: `No maintenance items${p.car ? ` for ${p.car}` : ''} yet — add one with /item add`,
        }
      }
      const title = p.car ? `${items[0]!.car}: ${plural(items.length, 'item')}` : `${items.length} items`
      const { dates } = await garageOf(ctx)
      return { tone: 'ok', title, text: fitLines(items.map((i) => itemLine(i, dates, !p.car))) }
    },

    edit: async (p, ctx) => {
      const { car, item: name, ...changes } = p
      if (Object.keys(changes).length === 0) {
        throw new UserError(
          'Nothing to change: give at least one of name, months, distance, last_date, last_odometer, fixed, notes, urgent, very_urgent',
        )
      }
      const i = await callItems(
        itemsClient(ctx, { write: true }).items.patch({ car, item: name, ...changes }),
      )
      const { dates } = await garageOf(ctx)
      return {
        tone: 'ok',
        title: `Updated ${i.name} on ${i.car}`,
        text: `${i.due_text}\nChanged: ${Object.keys(changes).join(', ')}`,
        fields: itemFields(i, dates),
      }
    },

    remove: async (p, ctx) => {
      const r = await callItems(
        itemsClient(ctx, { write: true }).items.remove.post({ car: p.car, item: p.item }),
      )
      return {
        tone: 'ok',
        title: `Removed ${r.removed.name}`,
        text: `${r.removed.name} is no longer tracked on ${r.removed.car}.`,
      }
    },

    preset: async (p, ctx) => {
      if (p.name === undefined) {
        const { presets } = await callItems(
          itemsClient(ctx).presets.get({ query: p.car ? { car: p.car } : {} }),
        )
        return {
          tone: 'ok',
          title: 'Sets of maintenance items',
          text: fitLines([
            ...presets.map(presetLine),
            `Give a car one with /item preset car:<car> name:<set>; save a car's items as a set with /item preset_save`,
          ]),
        }
      }
      if (p.car === undefined) throw new UserError('car: give the car to add the set to', 'car')
      return appliedReply(
        await callItems(itemsClient(ctx, { write: true }).presets.apply.post({ car: p.car, name: p.name })),
      )
    },

    preset_save: async (p, ctx) => {
      const r = await callItems(itemsClient(ctx, { write: true }).presets.post(p))
      return {
        tone: 'ok',
        title: `${r.replaced ? 'Replaced' : 'Saved'} the set ${r.preset.name} (${plural(r.preset.items.length, 'item')})`,
        text: `${fitLines(r.preset.items.map((i) => `• ${presetItemText(i)}`))}\nGive a car these with /item preset car:<car> name:${r.preset.name}`,
      }
    },

    preset_remove: async (p, ctx) => {
      const r = await callItems(itemsClient(ctx, { write: true }).presets.remove.post(p))
      return {
        tone: 'ok',
        title: `Removed the set ${r.removed.name}`,
        text: 'Items already given to cars stay.',
      }
    },
  }),

  'item.starter': {
    schema: buttonSchema,
    run: async (p: typeof buttonSchema.static, ctx) => {
      const car = String(itemId(p.arg))
      return appliedReply(await callItems(itemsClient(ctx, { write: true }).presets.apply.post({ car })))
    },
  },

  'item.done': {
    schema: buttonSchema,
    run: async (p: typeof buttonSchema.static, ctx) => {
      const r = await callItems(itemOf(ctx, p.arg).done.post({}))
      const who = ctx.envelope.actor.name || 'Someone'
      if (r.already) {
        return {
          tone: 'ok',
          text: `${r.item.name} on ${r.item.car} was already marked done today. Next: ${r.item.due_text}.`,
        }
      }
      const at = r.record.odometer ? ` at ${r.record.odometer}` : ''
      const { dates } = await garageOf(ctx)
      return {
        tone: 'ok',
        title: `${r.item.name} on ${r.item.car}: done`,
        text: `${who} marked it done on ${formatDate(r.record.date, dates)}${at}. Next ${r.item.due_text}.`,
      }
    },
  },

  'item.snooze': {
    schema: buttonSchema,
    run: async (p: typeof buttonSchema.static, ctx) => {
      const r = await callItems(itemOf(ctx, p.arg).snooze.post({ days: 7 }))
      const { dates } = await garageOf(ctx)
      return {
        tone: 'ok',
        text: `${r.item.name} on ${r.item.car} is snoozed until ${formatDate(r.until, dates)}; it will be reminded again then if still due.`,
      }
    },
  },

  'item.log': {
    schema: logSchema,
    run: async (p: typeof logSchema.static, ctx) => {
      const { arg, ...body } = p
      let r
      try {
        r = await callItems(itemOf(ctx, arg).log.post(body))
      } catch (error) {
        // pressed twice: the answer names the record it already made, with a Log another button
        const already = alreadyLoggedReply(error, itemId(arg))
        if (already) return already
        throw error
      }
      recordEvent(ctx, 'created', 'service', r.record)
      const details = [
        r.record.odometer ? `at ${r.record.odometer}` : null,
        r.record.cost ? `for ${r.record.cost}` : null,
      ]
        .filter(Boolean)
        .join(' ')
      const { dates } = await garageOf(ctx)
      return {
        tone: 'ok',
        title: `Logged ${r.item.name} on ${r.item.car}`,
        text: `Done on ${formatDate(r.record.date, dates)}${details ? ` ${details}` : ''}. Next ${r.item.due_text}.`,
      }
    },
  },
} satisfies HandlerFamily
