/**
 * /garage calendar: a private webcal link of the garage's due dates and renewals (computed when
 * the calendar app fetches it, so it follows new records). A new link replaces the member's
 * previous one; `revoke:yes` stops it. `mine:yes` keeps the cars the member drives.
 */
import type { PayloadOf } from '../../../catalog/command.ts'
import type garage from '../../../catalog/commands/garage.ts'
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { apiClient, callApi } from '../../clients/api.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import type { HandlerContext } from '../../handler.ts'

export async function garageCalendar(p: PayloadOf<typeof garage, 'calendar'>, ctx: HandlerContext): Promise<Reply> {
  const user_id = ctx.envelope.actor.userId
  if (p.revoke) {
    const { revoked } = await callApi(apiClient(ctx, { write: true }).calendars.revoke.post({ user_id }))
    return {
      tone: 'ok',
      title: 'Calendar link',
      text: revoked ? 'Your calendar link is revoked: calendar apps get nothing from it any more.' : 'You have no calendar link to revoke.',
      ephemeral: true,
    }
  }
  // The car must be this garage's (an unknown one is refused as everywhere); the feed keeps its
  // id, so renaming the car keeps the link working.
  const car = p.car === undefined ? undefined : await callItems(itemsClient(ctx).cars({ car: p.car }).get())
  const made = await callApi(
    apiClient(ctx, { write: true }).calendars.post({
      user_id,
      ...(car !== undefined ? { car: String(car.id) } : {}),
      ...(p.mine ? { mine: true } : {}),
    }),
  )
  const url = new URL(ctx.config.API_PUBLIC_URL)
  const path = `${url.pathname.replace(/\/$/, '')}/api/v1/calendar/${made.token}.ics`
  const scope = [car ? `car ${car.nickname}` : 'every car', made.mine ? 'that you drive' : ''].filter(Boolean).join(' ')
  return {
    tone: 'ok',
    title: 'Your calendar link',
    text: [
      `webcal://${url.host}${path}`,
      `Subscribe to it in your calendar app (or use ${url.protocol}//${url.host}${path}). It shows the due dates of ${scope}, and renewals; distance items' dates are estimates.`,
      `Keep it private: anyone with it sees these dates.${made.replaced ? ' Your previous link stopped working.' : ''} /garage calendar revoke:yes stops it.`,
    ].join('\n'),
    ephemeral: true,
  }
}
