/**
 * /car drivers: a car's drivers, stored by platform user id with their name; anyone sees them,
 * adding or removing one needs a manager. A member is named by a mention (Discord `<@123>`,
 * Slack `<@U123|ann>`) or, in the terminal chat, by name. Reminders of the car mention its drivers.
 * /garage me: where the reminders of the cars one drives reach them (`dm`: also privately).
 */
import type { PayloadOf } from '../../../catalog/command.ts'
import type car from '../../../catalog/commands/car.ts'
import type garage from '../../../catalog/commands/garage.ts'
import type { Actor, Reply } from '../../../lib/contracts/envelope.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import { type HandlerContext, UserError } from '../../handler.ts'
import { discordDmChannel } from './discord-dm.ts'

export type Member = { user_id: string; name: string }

/** A member as typed in `field`: a mention on Discord or Slack, a name in the terminal chat. */
export function memberOf(text: string, actor: Actor, field: string): Member {
  const typed = text.trim()
  if (actor.platform === 'discord') {
    const id = /^<@!?([0-9]{1,25})>$/.exec(typed)?.[1]
    if (!id)
      throw new UserError(
        `${field}: mention the member (type @ and pick them), so Discord gives their id`,
        field,
      )
    return { user_id: id, name: id === actor.userId ? actor.name : `<@${id}>` }
  }
  if (actor.platform === 'slack') {
    const m = /^<@([UW][A-Z0-9]{1,30})(?:\|([^>]{1,200}))?>$/.exec(typed)
    if (!m) throw new UserError(`${field}: mention the member, e.g. @Ann, so Slack gives their id`, field)
    return { user_id: m[1]!, name: m[2] ?? (m[1] === actor.userId ? actor.name : `<@${m[1]}>`) }
  }
  // the terminal chat's user is `local-<login name>` (bots/local localUser); a member is typed by that name
  const name = typed.replace(/^@/, '').replace(/^local-/, '')
  if (!/^[A-Za-z0-9._-]{1,58}$/.test(name))
    throw new UserError(
      `${field}: "${name.slice(0, 40)}" is not a member's name (letters, digits, . _ -)`,
      field,
    )
  return { user_id: `local-${name}`, name }
}

/** A member as the garage's chat shows them: a mention on Discord and Slack (it names them there), the name in the terminal. */
export function memberLabel(tenant: string, m: Member): string {
  return tenant.startsWith('discord:') || tenant.startsWith('slack:') ? `<@${m.user_id}>` : m.name
}

export async function carDrivers(p: PayloadOf<typeof car, 'drivers'>, ctx: HandlerContext): Promise<Reply> {
  const { actor } = ctx.envelope
  if (p.add === undefined && p.remove === undefined) {
    const r = await callItems(itemsClient(ctx).drivers.get({ query: { car: p.car } }))
    return {
      tone: 'ok',
      title: `Drivers of ${r.car}`,
      text: r.drivers.length
        ? r.drivers.map((d) => `• ${memberLabel(ctx.envelope.tenant, d)} (added by ${d.added_by})`).join('\n')
        : `${r.car} has no drivers yet. A manager adds one with /car drivers ${r.car} add:@member; reminders of ${r.car} then mention them.`,
    }
  }
  const add = p.add !== undefined ? memberOf(p.add, actor, 'add') : undefined
  const remove = p.remove !== undefined ? memberOf(p.remove, actor, 'remove') : undefined
  const r = await callItems(
    itemsClient(ctx, { write: true }).drivers.post({
      car: p.car,
      ...(add ? { add } : {}),
      ...(remove ? { remove: remove.user_id } : {}),
    }),
  )
  const lines: string[] = []
  if (add) lines.push(`${memberLabel(ctx.envelope.tenant, add)} drives ${r.car}; its reminders mention them.`)
  if (remove)
    lines.push(
      !add && !r.changed
        ? `${memberLabel(ctx.envelope.tenant, remove)} was not a driver of ${r.car}; nothing changed.`
        : `${memberLabel(ctx.envelope.tenant, remove)} no longer drives ${r.car}.`,
    )
  return {
    tone: 'ok',
    title: `Drivers of ${r.car}`,
    text: lines.join('\n'),
    fields: [
      {
        name: 'Drivers',
        value: r.drivers.length
          ? r.drivers.map((d) => memberLabel(ctx.envelope.tenant, d)).join(', ')
          : 'none',
      },
    ],
  }
}

export async function garageMe(p: PayloadOf<typeof garage, 'me'>, ctx: HandlerContext): Promise<Reply> {
  const { actor, replyTo } = ctx.envelope
  if (p.reminders !== undefined && p.reminders !== 'dm' && p.reminders !== 'channel')
    throw new UserError(`reminders: "${p.reminders}" is not one of dm, channel`, 'reminders')
  // where a private copy goes: the terminal chat's session that asked, the bot's DM channel on
  // Discord, the user id itself on Slack (chat.postMessage to it is the app's DM)
  const dmTo =
    p.reminders !== 'dm'
      ? undefined
      : replyTo.platform === 'local'
        ? replyTo.session
        : actor.platform === 'discord'
          ? await discordDmChannel(ctx.config, actor.userId)
          : undefined
  const r =
    p.reminders === undefined
      ? await callItems(itemsClient(ctx).members.prefs.get({ query: { user: actor.userId } }))
      : await callItems(
          itemsClient(ctx, { write: true }).members.prefs.put({
            user: actor.userId,
            reminders: p.reminders,
            ...(dmTo ? { dm_to: dmTo } : {}),
          }),
        )
  const cars = r.cars.length
    ? `the cars you drive (${r.cars.join(', ')})`
    : 'the cars you drive (none yet: a manager adds you with /car drivers)'
  return {
    tone: 'ok',
    title: p.reminders === undefined ? 'Your settings here' : 'Saved',
    text:
      r.reminders === 'dm'
        ? `Reminders of ${cars} are posted in the reminder channel and also sent to you privately.`
        : `Reminders of ${cars} are posted in the reminder channel, mentioning you. /garage me reminders:dm also sends them to you privately.`,
    ephemeral: true,
  }
}
