/**
 * /garage webhook add|list|remove|resume|log (managers; the catalog's role, checked before this
 * runs). `add` checks the address (https, public: shared/webhook-address.ts) before anything is
 * stored and answers privately, once, with the signing secret. After an add, a removal or a
 * resume this worker knows at once whether the garage has active webhooks (queue/webhooks.ts).
 */
import type { PayloadOf } from '../../../catalog/command.ts'
import type garage from '../../../catalog/commands/garage.ts'
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { WEBHOOK_EVENTS, type WebhookEventType } from '../../../lib/contracts/queues.ts'
import type { WebhookView } from '../../../services/items/webhooks/model.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import { type HandlerContext, UserError } from '../../handler.ts'
import { noteWebhooks } from '../../webhooks.ts'
import { checkWebhookAddress } from './webhook-address.ts'

type Payload = PayloadOf<typeof garage, 'webhook'>

const EVENTS_TEXT = `${WEBHOOK_EVENTS.join(', ')} or all`

/** `events:` as typed: a comma (or space) list of event types, or `all`. */
export function parseEvents(text: string | undefined): (WebhookEventType | 'all')[] {
  if (text === undefined || text.trim() === '')
    throw new UserError(`events: give the events to send, e.g. events:record.created,issue.opened (${EVENTS_TEXT})`, 'events')
  const names = [...new Set(text.split(/[\s,]+/).filter(Boolean).map((n) => n.toLowerCase()))]
  const unknown = names.filter((n) => n !== 'all' && !(WEBHOOK_EVENTS as readonly string[]).includes(n))
  if (unknown.length) throw new UserError(`events: ${unknown.map((n) => `"${n.slice(0, 40)}"`).join(', ')} is not one of ${EVENTS_TEXT}`, 'events')
  return names.includes('all') ? ['all'] : (names as WebhookEventType[])
}

const channelOf = (ctx: HandlerContext) => {
  const r = ctx.envelope.replyTo
  return r.platform === 'local' ? ctx.envelope.tenant.slice('local:'.length) || undefined : r.channelId
}

const line = (w: WebhookView) => {
  const state =
    w.status === 'paused'
      ? `paused since ${w.paused_at?.slice(0, 10)}`
      : w.failures > 0
        ? `failing since ${w.failing_since?.slice(0, 16).replace('T', ' ')} UTC (${w.failures} attempts)`
        : 'active'
  return `#${w.number} ${w.url} · ${w.events.join(', ')} · ${state}`
}

const needId = (p: Payload, action: string) => {
  if (p.id === undefined) throw new UserError(`id: give the webhook's number, e.g. /garage webhook ${action} id:1 (see /garage webhook list)`, 'id')
  return p.id
}

export async function garageWebhook(p: Payload, ctx: HandlerContext): Promise<Reply> {
  const itemsUrl = ctx.serviceUrl('items')
  switch (p.action) {
    case 'add': {
      if (p.url === undefined || p.url.trim() === '')
        throw new UserError('url: give the https address to post to, e.g. url:https://example.com/hook', 'url')
      const events = parseEvents(p.events)
      const checked = await checkWebhookAddress(p.url, ctx.config.WEBHOOK_ALLOW_PRIVATE)
      if (!checked.ok) throw new UserError(`url: ${checked.error}; nothing was added`, 'url')
      const channel = channelOf(ctx)
      const added = await callItems(
        itemsClient(ctx, { write: true }).webhooks.post({ url: checked.url.href, events, ...(channel ? { channel } : {}) }),
      )
      noteWebhooks(itemsUrl, ctx.envelope.tenant, true)
      return {
        tone: 'ok',
        title: `Webhook #${added.webhook.number} added`,
        text:
          `Posts ${added.webhook.events.join(', ')} to ${added.webhook.url}.\n` +
          `Signing secret (shown this once; keep it in the receiver): ${added.secret}\n` +
          'Each POST carries X-CarManager-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with this secret>. See the README, Webhooks.',
        ephemeral: true,
      }
    }
    case 'list': {
      const { webhooks } = await callItems(itemsClient(ctx).webhooks.get())
      noteWebhooks(itemsUrl, ctx.envelope.tenant, webhooks.some((w) => w.status === 'active'))
      if (webhooks.length === 0)
        return { tone: 'ok', text: 'No webhooks yet — add one with /garage webhook add url:https://… events:all', ephemeral: true }
      return { tone: 'ok', title: `${webhooks.length} webhook${webhooks.length === 1 ? '' : 's'}`, text: webhooks.map(line).join('\n'), ephemeral: true }
    }
    case 'remove':
    case 'resume': {
      const number = needId(p, p.action)
      const client = itemsClient(ctx, { write: true }).webhooks
      const w = await callItems(p.action === 'remove' ? client.remove.post({ number }) : client.resume.post({ number }))
      const { webhooks } = await callItems(itemsClient(ctx).webhooks.active.get())
      noteWebhooks(itemsUrl, ctx.envelope.tenant, webhooks.length > 0)
      return {
        tone: 'ok',
        title: p.action === 'remove' ? `Webhook #${w.number} removed` : `Webhook #${w.number} resumed`,
        text: p.action === 'remove' ? `Nothing more goes to ${w.url}.` : `Events from now on go to ${w.url} again.`,
        ephemeral: true,
      }
    }
    case 'log': {
      const { deliveries } = await callItems(
        itemsClient(ctx).webhooks.log.get({ query: { ...(p.id !== undefined ? { number: p.id } : {}), limit: 20 } }),
      )
      if (deliveries.length === 0)
        return { tone: 'ok', text: `No deliveries${p.id !== undefined ? ` to webhook #${p.id}` : ''} yet.`, ephemeral: true }
      return {
        tone: 'ok',
        title: `Last ${deliveries.length} deliver${deliveries.length === 1 ? 'y' : 'ies'}${p.id !== undefined ? ` of webhook #${p.id}` : ''}, newest first`,
        text: deliveries
          .map(
            (d) =>
              `${d.at.slice(0, 19).replace('T', ' ')} #${d.webhook} ${d.event_type} ${d.event_id} attempt ${d.attempt}: ` +
              (d.ok ? `delivered (HTTP ${d.http_status})` : `failed (${d.error ?? `HTTP ${d.http_status}`})`),
          )
          .join('\n'),
        ephemeral: true,
      }
    }
    default:
      throw new UserError(`action: "${String(p.action).slice(0, 20)}" is not one of add, list, remove, resume, log`, 'action')
  }
}
