/**
 * /car add, list, show, edit, odometer, remove: calls the items service and answers a
 * platform-neutral Reply. (car.photos and car.stats belong to other families.) Service
 * refusals (4xx) become UserErrors carrying the service's message, which names the field.
 */
import { type PayloadOf, payloadSchema, type Subcommand } from '../../catalog/command.ts'
import car from '../../catalog/commands/car.ts'
import { newestCarPhoto } from '../clients/images.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import { recordedFor } from '../../lib/domain/car.ts'
import type { CarView, ReadingView } from '../../services/items/model.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type HandlerFamily, type KindHandler, UserError } from '../handler.ts'

type Sub = (typeof car)['subcommands'][number]['name']

function sub(name: Sub): Subcommand {
  const found = car.subcommands.find((s) => s.name === name)
  if (!found) throw new Error(`car catalog has no subcommand ${name}`)
  return found
}

/** "2018 Toyota Corolla · 52,000 mi · AB-123" */
export function describeCar(c: CarView): string {
  const name = [c.year, c.make, c.model].filter((p) => p !== null && p !== '').join(' ')
  const parts = [name, c.odometer?.label ?? 'no odometer yet', c.plate].filter((p): p is string => Boolean(p))
  return parts.join(' · ')
}

function detailFields(c: CarView): NonNullable<Reply['fields']> {
  const fields: NonNullable<Reply['fields']> = []
  if (c.odometer)
    fields.push({ name: 'Odometer', value: `${c.odometer.label} (${c.odometer.read_on})`, inline: true })
  if (c.plate) fields.push({ name: 'Plate', value: c.plate, inline: true })
  if (c.vin) fields.push({ name: 'VIN', value: c.vin, inline: true })
  if (c.purchase_date || c.purchase_price) {
    const value = [c.purchase_date, c.purchase_price?.label].filter(Boolean).join(' for ')
    fields.push({ name: 'Purchased', value, inline: true })
  }
  return fields
}

function readingLine(r: ReadingView): string {
  return `${r.read_on}  ${r.label}${r.source === 'reading' ? '' : ` (${r.source})`}`
}

const ref = (c: CarView) => `car:${c.nickname}`

function kind<S extends Sub>(
  name: S,
  run: (payload: PayloadOf<typeof car, S>, ctx: Parameters<KindHandler['run']>[1]) => Promise<Reply>,
): KindHandler<PayloadOf<typeof car, S>> {
  return { schema: payloadSchema(sub(name)), run }
}

const family: HandlerFamily = {
  'car.add': kind('add', async (p, ctx) => {
    const c = await callItems(itemsClient(ctx, { write: true }).cars.post(p))
    return {
      tone: 'ok',
      title: `Added ${c.nickname}`,
      text: describeCar(c),
      fields: detailFields(c).filter((f) => f.name !== 'Odometer' && f.name !== 'Plate'),
      ref: ref(c),
    }
  }),

  'car.list': kind('list', async (_p, ctx) => {
    const { cars } = await callItems(itemsClient(ctx).cars.get())
    if (cars.length === 0) return { tone: 'ok', text: 'No cars yet — add one with /car add' }
    // A Reply's text holds at most 4000 characters; a big fleet is cut with a count of the rest.
    const lines: string[] = []
    let length = 0
    for (const [i, c] of cars.entries()) {
      const line = `${c.nickname} — ${describeCar(c)}`
      if (length + line.length + 1 > 3900) {
        lines.push(`… and ${cars.length - i} more (/car show <nickname> for one)`)
        break
      }
      lines.push(line)
      length += line.length + 1
    }
    return { tone: 'ok', title: `${cars.length} car${cars.length === 1 ? '' : 's'}`, text: lines.join('\n') }
  }),

  'car.show': kind('show', async (p, ctx) => {
    const c = await callItems(itemsClient(ctx).cars({ car: p.car }).get())
    const fields = detailFields(c)
    if (c.readings.length > 0) {
      const more =
        c.reading_count > c.readings.length ? `\n… ${c.reading_count - c.readings.length} older` : ''
      fields.push({ name: 'Odometer readings', value: c.readings.map(readingLine).join('\n') + more })
    }
    // The newest photo is a nicety: newestCarPhoto never throws, so a photo service that is
    // down still leaves /car show working.
    const image = await newestCarPhoto(ctx, c.id)
    return {
      tone: 'ok',
      title: c.nickname,
      text: describeCar(c),
      fields,
      ref: ref(c),
      ...(image ? { image } : {}),
    }
  }),

  'car.edit': kind('edit', async (p, ctx) => {
    const { car: target, ...changes } = p
    const changed = Object.keys(changes).filter((k) => k !== 'confirm')
    if (changed.length === 0) {
      throw new UserError(
        'Nothing to change: give at least one of nickname, make, model, year, odometer, plate, vin, purchase_date, purchase_price',
      )
    }
    const c = await callItems(itemsClient(ctx, { write: true }).cars({ car: target }).patch(changes))
    const lines = [describeCar(c), `Changed: ${changed.join(', ')}`]
    if (c.removed > 0)
      lines.push(
        `Corrected: removed ${c.removed} reading${c.removed === 1 ? '' : 's'} above the new odometer`,
      )
    return {
      tone: 'ok',
      title: `Updated ${c.nickname}`,
      text: lines.join('\n'),
      fields: detailFields(c),
      ref: ref(c),
    }
  }),

  'car.odometer': kind('odometer', async (p, ctx) => {
    const { car: target, ...body } = p
    const r = await callItems(itemsClient(ctx, { write: true }).cars({ car: target }).readings.post(body))
    const lines = [`Recorded ${r.reading.label} on ${r.reading.read_on}.`]
    if (r.removed > 0) {
      lines.push(`Corrected: removed ${r.removed} reading${r.removed === 1 ? '' : 's'} that contradicted it.`)
    } else if (r.previous && r.car.odometer) {
      const delta = Math.round((r.car.odometer.value - r.previous.value) * 10) / 10
      const since = r.previous.read_on === r.reading.read_on ? 'the last reading' : r.previous.read_on
      if (delta > 0) lines.push(`+${delta.toLocaleString('en-US')} ${r.car.odometer_unit} since ${since}.`)
    }
    return {
      tone: 'ok',
      title: `${r.car.nickname}: ${r.car.odometer?.label ?? r.reading.label}`,
      text: lines.join(' '),
      ref: ref(r.car),
    }
  }),

  'car.remove': kind('remove', async (p, ctx) => {
    const query = p.confirm === true ? { confirm: 'yes' } : {}
    const r = await callItems(
      itemsClient(ctx, { write: true }).cars({ car: p.car }).delete(undefined, { query }),
    )
    return {
      tone: 'ok',
      title: `Removed ${r.removed.nickname}`,
      text: `${r.removed.nickname} is gone with its ${recordedFor(r)}. Its issues and photos are kept (see /issue list).`,
    }
  }),
}

export default family
