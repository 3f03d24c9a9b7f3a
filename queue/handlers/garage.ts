/**
 * /garage settings: shows the garage's settings when no option is given, else changes them.
 * `photo_channel_car` applies to the channel the command was typed in (the reply target's
 * channel); "none" forgets that channel's car. `reminder_channel:off` (or none) stops reminder posts.
 * /garage help: the help text generated from the command catalog, answered privately; an
 * unknown command is the user's mistake, and the answer lists the commands there are.
 * /garage history and /garage undo: the changes of records, issues and quotes together
 * (shared/garage-changes.ts).
 */
import { Type as T } from '@sinclair/typebox'
import garage from '../../catalog/commands/garage.ts'
import { helpReply } from '../../catalog/help.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import type { SettingsPatch, SettingsView } from '../../services/items/settings/model.ts'
import type { Reply, ReplyTo } from '../../lib/contracts/envelope.ts'
import { DATE_ORDERS, isDateOrder } from '../../lib/domain/dates.ts'
import { isNumberFormat, NUMBER_FORMATS } from '../../lib/domain/numbers.ts'
import { type HandlerContext, type HandlerFamily, handlers, UserError } from '../handler.ts'
import { UNDO_KIND } from './shared/changes.ts'
import { garageHistory, garageUndo, parseChangeRef, shownOf, undoItems } from './shared/garage-changes.ts'
import { garageRoles } from './shared/garage-roles.ts'
import { garageMe } from './shared/drivers.ts'
import { garageDelete } from './shared/garage-leave.ts'
import { garageImport, importActions } from './shared/import.ts'
import { garageExport } from './shared/export.ts'
import { garageChart } from './shared/charts.ts'
import { garageReport } from './shared/reports.ts'
import { garageWebhook } from './shared/webhooks.ts'
import { garageApikey } from './shared/apikey.ts'
import { garageCalendar } from './shared/calendar.ts'

function channelOf(replyTo: ReplyTo): string | undefined {
  return replyTo.platform === 'local' ? undefined : replyTo.channelId
}

const UNITS = { metric: 'metric (km, L)', imperial: 'imperial (mi, gal)' } as const

export function settingsReply(s: SettingsView, channel: string | undefined, title: string): Reply {
  const hour = `${String(s.reminder_hour).padStart(2, '0')}:00`
  const fields: NonNullable<Reply['fields']> = [
    { name: 'Units', value: UNITS[s.units], inline: true },
    { name: 'Numbers', value: s.numbers, inline: true },
    { name: 'Dates', value: s.dates, inline: true },
    { name: 'Currency', value: s.currency, inline: true },
    { name: 'Timezone', value: s.timezone, inline: true },
    {
      name: 'Reminders',
      value: s.reminder_channel
        ? `in <#${s.reminder_channel}> after ${hour}`
        : `not posted (set reminder_channel); after ${hour}`,
    },
    {
      name: 'Digest',
      value:
        s.digest === 'off'
          ? 'off (digest:weekly or digest:monthly posts one in the reminder channel)'
          : `${s.digest}, in the reminder channel after ${hour}${s.reminder_channel ? '' : ' (set reminder_channel)'}`,
    },
    { name: 'Urgent', value: s.urgent.text, inline: true },
    { name: 'Very urgent', value: s.very_urgent.text, inline: true },
  ]
  if (channel !== undefined) {
    fields.push({
      name: 'Photos in this channel',
      value: s.photo_channel_car ? `go to ${s.photo_channel_car.nickname}` : 'no default car',
    })
  }
  return {
    tone: 'ok',
    title,
    text: s.stored
      ? 'Settings of this garage.'
      : 'This garage uses the defaults; change any with /garage settings.',
    fields,
    ephemeral: true,
  }
}

const undoButton = T.Object(
  { arg: T.Optional(T.String({ maxLength: 40 })) },
  { additionalProperties: false },
)

const PAGE = 10

const family = handlers(garage, {
  me: garageMe,
  delete: garageDelete,
  roles: garageRoles,
  webhook: garageWebhook,
  settings: async (p, ctx) => {
    const channel = channelOf(ctx.envelope.replyTo)
    const { photo_channel_car, ...rest } = p
    const changed = Object.keys(p)
    if (changed.length === 0) {
      const s = await callItems(
        itemsClient(ctx).settings.get({ query: channel === undefined ? {} : { channel } }),
      )
      return settingsReply(s, channel, 'Garage settings')
    }
    const { units, numbers, dates, reminder_channel, digest, ...others } = rest
    if (digest !== undefined && digest !== 'weekly' && digest !== 'monthly' && digest !== 'off') {
      throw new UserError(`digest: "${digest}" is not one of weekly, monthly, off`, 'digest')
    }
    if (units !== undefined && units !== 'metric' && units !== 'imperial') {
      throw new UserError(`units: "${units}" is not one of metric, imperial`, 'units')
    }
    if (numbers !== undefined && !isNumberFormat(numbers)) {
      throw new UserError(`numbers: "${numbers}" is not one of ${NUMBER_FORMATS.join(', ')}`, 'numbers')
    }
    if (dates !== undefined && !isDateOrder(dates)) {
      throw new UserError(`dates: "${dates}" is not one of ${DATE_ORDERS.join(', ')}`, 'dates')
    }
    const patch: SettingsPatch = {
      ...others,
      // "off" (or "none") stops reminder posts; a channel is never named that by the platforms.
      ...(reminder_channel !== undefined
        ? { reminder_channel: /^(off|none)$/i.test(reminder_channel) ? null : reminder_channel }
        : {}),
      ...(units !== undefined ? { units } : {}),
      ...(numbers !== undefined ? { numbers } : {}),
      ...(dates !== undefined ? { dates } : {}),
      ...(digest !== undefined ? { digest } : {}),
    }
    if (photo_channel_car !== undefined) {
      if (channel === undefined) {
        throw new UserError(
          'photo_channel_car: set it from the Discord or Slack channel whose photos belong to the car',
          'photo_channel_car',
        )
      }
      patch.photo_channel_car = {
        channel,
        car: photo_channel_car.trim().toLowerCase() === 'none' ? null : photo_channel_car,
      }
    }
    const s = await callItems(itemsClient(ctx, { write: true }).settings.patch(patch))
    return settingsReply(s, channel, `Updated ${changed.join(', ')}`)
  },

  help: async (p) => helpReply(p.command).reply,

  undo: async (p, ctx) => garageUndo(ctx, p.change),

  history: async (p, ctx) => garageHistory(ctx, p, PAGE),

  import: garageImport,

  export: garageExport,

  /** The cars side by side in a chart (queue/handlers/shared/charts.ts). */
  chart: garageChart,

  /** A year's costs per car and kind as a PDF (queue/handlers/shared/reports.ts). */
  report: garageReport,

  apikey: garageApikey,

  calendar: garageCalendar,
})

export default {
  ...family,
  ...importActions,
  /** The Undo button of a change's reply: `garage.undo_change:<change id>`; without an id, the presser's last change. */
  [UNDO_KIND]: {
    schema: undoButton,
    run: async (p: typeof undoButton.static, ctx: HandlerContext) => {
      if (p.arg === undefined || p.arg === '') return undoItems(ctx, await shownOf(ctx), undefined)
      const ref = parseChangeRef(p.arg)
      return ref.service === 'items' ? undoItems(ctx, await shownOf(ctx), ref.id) : garageUndo(ctx, p.arg)
    },
  },
} satisfies HandlerFamily
