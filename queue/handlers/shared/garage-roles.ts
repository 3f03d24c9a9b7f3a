/**
 * /garage roles: with no option, who is what in this garage (the defaults, the garage's mapping
 * and the asker's own role); with `role` and `level`, maps a Discord role (the guild's id is
 * @everyone) or a Slack user group to viewer, driver or manager, or forgets it (`none`). Anyone
 * may look; changing needs a manager (catalog: `{ read: 'viewer', change: 'manager' }`, checked
 * before this runs). The worker's cached mapping of this garage is dropped at once after a change.
 */

import type { PayloadOf } from '../../../catalog/command.ts'
import type garage from '../../../catalog/commands/garage.ts'
import type { Actor, Reply } from '../../../lib/contracts/envelope.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import { type HandlerContext, UserError } from '../../handler.ts'
import { forgetRoles, roleOf } from '../../roles.ts'

const DEFAULTS: Record<Actor['platform'], string> = {
  discord:
    'Members with Manage Server or Administrator are managers; everyone else is a driver, unless one of their roles is mapped below (the highest mapped role counts).',
  slack:
    'Workspace owners and admins are managers; everyone else is a driver, unless one of their user groups is mapped below (the highest mapped role counts).',
  local: 'The terminal chat’s user is a manager.',
}

/**
 * A mapped id as the platform shows it: a Discord role mention (an embed's mention never pings),
 * @everyone, or a Slack user group by its id (a Slack mention of a group would notify it).
 */
function refLabel(ref: string, ctx: HandlerContext): string {
  const { platform } = ctx.envelope.actor
  if (platform === 'discord') return ctx.envelope.tenant === `discord:${ref}` ? '@everyone' : `<@&${ref}>`
  if (platform === 'slack') return `user group ${ref}`
  return ref
}

export async function garageRoles(p: PayloadOf<typeof garage, 'roles'>, ctx: HandlerContext): Promise<Reply> {
  const { platform } = ctx.envelope.actor
  if (p.role !== undefined || p.level !== undefined) {
    if (platform === 'local')
      throw new UserError(
        'role: the terminal chat has no roles or user groups to map; its user is a manager',
        'role',
      )
    if (p.role === undefined)
      throw new UserError('role: say which role or user group, e.g. role:@Family', 'role')
    if (p.level === undefined)
      throw new UserError('level: say what it becomes: viewer, driver, manager or none', 'level')
    const level = p.level
    if (level !== 'viewer' && level !== 'driver' && level !== 'manager' && level !== 'none')
      throw new UserError(`level: "${level}" is not one of viewer, driver, manager, none`, 'level')
    const r = await callItems(
      itemsClient(ctx, { write: true }).roles.put({ ref: p.role, role: level === 'none' ? null : level }),
    )
    forgetRoles(ctx.envelope.tenant)
    return {
      tone: 'ok',
      title: 'Roles updated',
      text:
        level === 'none'
          ? `${refLabel(p.role, ctx)} is no longer mapped; its members have the default role.`
          : `Members of ${refLabel(p.role, ctx)} are now ${level}s here (unless the platform makes them managers).`,
      fields: [{ name: 'Mapped', value: mappedLines(r.roles, ctx) }],
      ephemeral: true,
    }
  }
  const [r, mine] = await Promise.all([callItems(itemsClient(ctx).roles.get()), roleOf(ctx)])
  return {
    tone: 'ok',
    title: 'Roles of this garage',
    text: `You are a ${mine} here. ${DEFAULTS[platform]}\nViewers read; drivers also log fuel, readings, services, issues, comments, photos and quotes and change their own; managers do everything.`,
    fields: [{ name: 'Mapped', value: mappedLines(r.roles, ctx) }],
    ephemeral: true,
  }
}

function mappedLines(roles: { ref: string; role: string }[], ctx: HandlerContext): string {
  if (roles.length === 0) return 'nothing mapped (the defaults apply)'
  return roles
    .map((x) => `${refLabel(x.ref, ctx)}: ${x.role}`)
    .join('\n')
    .slice(0, 1000)
}
