/** /reminders list: every maintenance item and expense renewal of the garage (or one car), most urgent first. */
import reminders from '../../catalog/commands/reminders.ts'
import { plural } from '../../lib/domain/text.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import { handlers } from '../handler.ts'
import { fitLines, itemLine, LEVEL_TAG } from './shared/format.ts'
import { garageOf } from './shared/lookups.ts'

const URGENCY = ['past_due', 'very_urgent', 'urgent', 'not_urgent']

export default handlers(reminders, {
  list: async (p, ctx) => {
    const query = p.car ? { car: p.car } : {}
    const [{ items }, { renewals }] = await Promise.all([
      callItems(itemsClient(ctx).reminders.get({ query })),
      callItems(itemsClient(ctx).renewals.get({ query })),
    ])
    if (items.length + renewals.length === 0) {
      return {
        tone: 'ok',
        text: `Nothing to remind${p.car ? ` for ${p.car}` : ''}: no maintenance items yet — add one with /item add`,
      }
    }
    const all = items.length + renewals.length
    const pressing = [...items, ...renewals].filter((i) => i.level !== 'not_urgent').length
    const title = pressing
      ? `${pressing} of ${plural(all, 'item')} need attention`
      : `All ${plural(all, 'item')} are fine for now`
    const { dates } = await garageOf(ctx)
    // both lists come most urgent first; merged by level, items before renewals within one
    const lines = [
      ...items.map((i) => ({ level: i.level, line: itemLine(i, dates, !p.car) })),
      ...renewals.map((r) => ({
        level: r.level,
        line: `${p.car ? '' : `${r.car}: `}${r.name} renewal — ${LEVEL_TAG[r.level]} — ${r.due_text}`,
      })),
    ].sort((a, b) => URGENCY.indexOf(a.level) - URGENCY.indexOf(b.level))
    return { tone: pressing ? 'warn' : 'ok', title, text: fitLines(lines.map((l) => l.line)) }
  },
})
