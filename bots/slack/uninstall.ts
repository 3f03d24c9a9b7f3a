/**
 * The app uninstalled from a workspace (`app_uninstalled`, or `tokens_revoked` with bot tokens)
 * marks its garage leaving; any request from that workspace afterwards (a command, a button: the
 * app is back) clears the mark (bots/shared/garage-presence.ts). The middleware never waits for
 * the items service: the 3 seconds of an acknowledgement come first. With OAuth installs, the
 * same two events also delete the workspace's installation (`forget`): its token is dead.
 */
import type { App } from '@slack/bolt'
import type { GaragePresence } from '../shared/garage-presence.ts'
import { tenantOf } from './context.ts'

type Body = {
  team_id?: unknown
  event?: { type?: string; tokens?: { bot?: unknown[] } }
  team?: { id?: unknown }
}

export function registerUninstall(
  app: App,
  presence: GaragePresence,
  forget?: (teamId: string) => Promise<void>,
): void {
  app.use(async ({ body, next }) => {
    const b = body as Body
    const tenant = tenantOf(b.team_id ?? b.team?.id)
    const leaving = b.event?.type === 'app_uninstalled' || b.event?.type === 'tokens_revoked'
    if (tenant && !leaving) void presence.seen(tenant)
    await next()
  })
  app.event('app_uninstalled', async ({ body }) => {
    const tenant = tenantOf(body.team_id)
    if (tenant)
      await Promise.all([
        presence.left(tenant, 'uninstalled from the Slack workspace'),
        forget?.(body.team_id),
      ])
  })
  app.event('tokens_revoked', async ({ body, event }) => {
    const tenant = tenantOf(body.team_id)
    if (tenant && (event.tokens.bot?.length ?? 0) > 0)
      await Promise.all([presence.left(tenant, 'its Slack bot token was revoked'), forget?.(body.team_id)])
  })
}
