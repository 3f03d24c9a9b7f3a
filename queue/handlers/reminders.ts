/** /reminders list: every maintenance item of the garage (or one car), most urgent first. */
import { type PayloadOf, payloadSchema, type Subcommand } from '../../catalog/command.ts'
import reminders from '../../catalog/commands/reminders.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import type { HandlerFamily, KindHandler } from '../handler.ts'
import { fitLines, itemLine } from './item.ts'

const list = reminders.subcommands.find((s) => s.name === 'list') as Subcommand

const family: HandlerFamily = {
  'reminders.list': {
    schema: payloadSchema(list),
    run: async (p: PayloadOf<typeof reminders, 'list'>, ctx) => {
      const { items } = await callItems(
        itemsClient(ctx).reminders.get({ query: p.car ? { car: p.car } : {} }),
      )
      if (items.length === 0) {
        return {
          tone: 'ok',
          text: `Nothing to remind${p.car ? ` for ${p.car}` : ''}: no maintenance items yet — add one with /item add`,
        }
      }
      const pressing = items.filter((i) => i.level !== 'not_urgent').length
      const title = pressing
        ? `${pressing} of ${items.length} item${items.length === 1 ? '' : 's'} need attention`
        : `All ${items.length} item${items.length === 1 ? '' : 's'} are fine for now`
      return { tone: pressing ? 'warn' : 'ok', title, text: fitLines(items.map((i) => itemLine(i, !p.car))) }
    },
  } satisfies KindHandler<PayloadOf<typeof reminders, 'list'>>,
}

export default family
