/**
 * /service log and /service list: service, repair and upgrade records. A record naming items
 * marks them done (their next due is computed by the items service).
 */
import { type PayloadOf, payloadSchema, type Subcommand } from '../../bots/core/command.ts'
import service from '../../bots/core/commands/service.ts'
import { callItems, itemsClient } from '../../services/items/client.ts'
import type { RecordView } from '../../services/items/maintenance-service.ts'
import type { Reply } from '../envelope.ts'
import type { HandlerContext, HandlerFamily, KindHandler } from '../handler.ts'
import { fitLines } from './item.ts'

type Sub = (typeof service)['subcommands'][number]['name']

function kind<S extends Sub>(
  name: S,
  run: (payload: PayloadOf<typeof service, S>, ctx: HandlerContext) => Promise<Reply>,
): KindHandler<PayloadOf<typeof service, S>> {
  const found = service.subcommands.find((s) => s.name === name) as Subcommand
  return { schema: payloadSchema(found), run }
}

export function recordLine(r: RecordView, withCar = false): string {
  const bits = [
    r.date,
    withCar ? r.car : null,
    r.title,
    r.kind === 'service' ? null : r.kind,
    r.odometer,
    r.cost,
  ].filter(Boolean)
  const items = r.items.length ? ` (${r.items.map((i) => i.name).join(', ')})` : ''
  return `${bits.join(' · ')}${items}`
}

const family: HandlerFamily = {
  'service.log': kind('log', async (p, ctx) => {
    const kindOf = p.kind as 'service' | 'repair' | 'upgrade' | undefined
    const r = await callItems(itemsClient(ctx, { write: true }).records.post({ ...p, kind: kindOf }))
    const fields: NonNullable<Reply['fields']> = []
    if (r.odometer) fields.push({ name: 'Odometer', value: r.odometer, inline: true })
    if (r.cost) fields.push({ name: 'Cost', value: r.cost, inline: true })
    if (r.kind !== 'service') fields.push({ name: 'Kind', value: r.kind, inline: true })
    for (const i of r.items.slice(0, 20)) fields.push({ name: `${i.name}: next`, value: i.due_text })
    return {
      tone: 'ok',
      title: `Logged ${r.title} on ${r.car} (${r.date})`,
      text: r.items.length ? `Done: ${r.items.map((i) => i.name).join(', ')}` : 'Recorded.',
      fields,
    }
  }),

  'service.list': kind('list', async (p, ctx) => {
    const query = { ...(p.car ? { car: p.car } : {}), ...(p.limit ? { limit: p.limit } : {}) }
    const { records } = await callItems(itemsClient(ctx).records.get({ query }))
    if (records.length === 0)
      return {
        tone: 'ok',
        text: `No service records${p.car ? ` for ${p.car}` : ''} yet — log one with /service log`,
      }
    return {
      tone: 'ok',
      title: `${records.length} recent record${records.length === 1 ? '' : 's'}`,
      text: fitLines(records.map((r) => recordLine(r, !p.car))),
    }
  }),
}

export default family
