/** /reminders list: every maintenance item of the garage (or one car), most urgent first. */
import reminders from '../../catalog/commands/reminders.ts'
import { plural } from '../../lib/domain/text.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import { handlers } from '../handler.ts'
import { fitLines, itemLine } from './shared/format.ts'

export default handlers(reminders, {
  list: async (p, ctx) => {
    const { items } = await callItems(itemsClient(ctx).reminders.get({ query: p.car ? { car: p.car } : {} }))
    if (items.length === 0) {
      return {
        tone: 'ok',
        text: `Nothing to remind${p.car ? ` for ${p.car}` : ''}: no maintenance items yet — add one with /item add`,
      }
    }
    const pressing = items.filter((i) => i.level !== 'not_urgent').length
    const title = pressing
      ? `${pressing} of ${plural(items.length, 'item')} need attention`
      : `All ${plural(items.length, 'item')} are fine for now`
    return { tone: pressing ? 'warn' : 'ok', title, text: fitLines(items.map((i) => itemLine(i, !p.car))) }
  },
})
