/**
 * /garage apikey: create a key (answered privately, once: the key and the API's base URL; only
 * its digest is kept), list the keys with their last use, revoke one. Managers only (the catalog
 * says so). Keys belong to the garage of the command, never to a garage named in text.
 */
import type { PayloadOf } from '../../../catalog/command.ts'
import type garage from '../../../catalog/commands/garage.ts'
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { apiClient, callApi } from '../../clients/api.ts'
import { type HandlerContext, UserError } from '../../handler.ts'

const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never')

export async function garageApikey(p: PayloadOf<typeof garage, 'apikey'>, ctx: HandlerContext): Promise<Reply> {
  const action = p.action ?? (p.name !== undefined || p.role !== undefined ? 'create' : 'list')
  const base = `${ctx.config.API_PUBLIC_URL.replace(/\/$/, '')}/api/v1`
  if (action === 'list') {
    const { keys } = await callApi(apiClient(ctx).keys.get())
    if (keys.length === 0)
      return { tone: 'ok', title: 'API keys', text: 'No API keys yet. Create one with /garage apikey create name:… role:viewer', ephemeral: true }
    return {
      tone: 'ok',
      title: 'API keys',
      text: keys
        .map(
          (k) =>
            `${k.name} · ${k.role} · ${k.prefix}… · made by ${k.created_by} · last used ${when(k.last_used_at)}${k.revoked_at ? ` · revoked ${when(k.revoked_at)}` : ''}`,
        )
        .join('\n'),
      ephemeral: true,
    }
  }
  if (p.name === undefined || p.name.trim() === '') throw new UserError(`name: give the key's name, e.g. /garage apikey ${action} name:home-assistant`, 'name')
  if (action === 'revoke') {
    const { revoked } = await callApi(apiClient(ctx, { write: true }).keys.revoke.post({ name: p.name }))
    return { tone: 'ok', title: `API key ${revoked.name} revoked`, text: 'Requests with it are refused from now on.', ephemeral: true }
  }
  const role = p.role ?? 'viewer'
  if (role !== 'viewer' && role !== 'driver' && role !== 'manager') throw new UserError(`role: "${role}" is not one of viewer, driver, manager`, 'role')
  const made = await callApi(
    apiClient(ctx, { write: true }).keys.post({ name: p.name, role, created_by: ctx.envelope.actor.name }),
  )
  return {
    tone: 'ok',
    title: `API key ${made.view.name} (${made.view.role})`,
    text: [
      `Key: ${made.key}`,
      'It is shown only this once: copy it now. Revoke it with /garage apikey revoke name:' + made.view.name,
      `Base URL: ${base}`,
      `Try: curl -H "Authorization: Bearer <key>" ${base}/cars`,
      `Documentation: ${base}/openapi`,
    ].join('\n'),
    ephemeral: true,
  }
}
