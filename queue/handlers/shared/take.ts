/**
 * I'll do it: the reminder button `item.take:<reminder>` (an announcement's id). The first
 * member to press it takes the reminder, and the answer says "Taken by Ann"; a press by someone
 * else answers who has it and changes nothing — no taking over: whoever took it said they would,
 * and a second press is more often a late click than a hand-over. Pressing it again yourself says
 * you have it.
 */
import { Type as T } from '@sinclair/typebox'
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import { type HandlerContext, type HandlerFamily, UserError } from '../../handler.ts'

export const TAKE_KIND = 'item.take'

const takeButton = T.Object(
  { arg: T.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
)

async function take(p: typeof takeButton.static, ctx: HandlerContext): Promise<Reply> {
  if (!/^\d{1,12}$/.test(p.arg))
    throw new UserError(`reminder: "${p.arg.slice(0, 20)}" is not a reminder`, 'reminder')
  const r = await callItems(
    itemsClient(ctx, { write: true }).reminders.take.post({ reminder: Number(p.arg) }),
  )
  const what = `${r.item} on ${r.car}`
  const { actor } = ctx.envelope
  if (r.took) return { tone: 'ok', title: `Taken by ${r.taken_by}`, text: `${r.taken_by} will do ${what}.` }
  if (r.taken_by_id === `${actor.platform}:${actor.userId}`)
    return { tone: 'ok', title: `Taken by ${r.taken_by}`, text: `You have ${what} already.`, ephemeral: true }
  return {
    tone: 'warn',
    title: `Taken by ${r.taken_by}`,
    text: `${r.taken_by} already took ${what}; nothing changed. Ask them if you want to do it instead.`,
    ephemeral: true,
  }
}

export const takeHandlers: HandlerFamily = { [TAKE_KIND]: { schema: takeButton, run: take } }
