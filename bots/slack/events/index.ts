/**
 * Photos dropped in a channel the app is in: a `message` event with `files` (subtype
 * `file_share`) becomes a `photo.attach` job. The app downloads each file at once with the bot
 * token of the workspace it is in and keeps it for the worker in the images service's files; the
 * job names it by that id (`stored`), or says why it could not be downloaded (`refused`), never
 * with a token (bots/slack/files.ts). The text ("corolla", "#12") and the thread's ref (looked
 * up from Redis for `thread_ts`) tell the photo handler where it belongs. The answer goes to the
 * message's thread. The envelope id is the event id, so Slack's redelivery of an event is not
 * run twice. Which drops are taken is decided by the worker (the channel's default car is in the
 * items service's settings, which this app does not call); see queue/handlers/photo.ts.
 */
import type { App } from '@slack/bolt'
import { dispatchFailureText } from '../../shared/dispatch.ts'
import { envelope } from '../../shared/envelope.ts'
import { type SlackContext, tenantOf } from '../context.ts'

const IMAGE_NAME = /\.(jpe?g|png|gif|webp|heic|heif|bmp|tiff?)$/i

type SlackFile = {
  url_private?: string
  url_private_download?: string
  name?: string
  size?: number
  mimetype?: string
  mode?: string
}

/** Files worth a photo job: images by declared type or name (the service checks the bytes). */
export function photoFiles(files: readonly SlackFile[] | undefined) {
  return (files ?? [])
    .filter((f) => typeof f.url_private === 'string' && f.mode !== 'tombstone')
    .filter((f) => (f.mimetype ?? '').startsWith('image/') || IMAGE_NAME.test(f.name ?? ''))
    .map((f) => ({
      url: f.url_private as string,
      filename: (f.name ?? 'photo').slice(0, 255),
      size: Number.isInteger(f.size) && (f.size as number) >= 0 ? (f.size as number) : 0,
      ...(f.mimetype ? { contentType: f.mimetype } : {}),
    }))
}

export function register(app: App, ctx: SlackContext): void {
  app.event('message', async ({ event, body, client, context }) => {
    const log = ctx.log.child({ listener: 'message', team: body.team_id })
    try {
      const message = event as unknown as {
        subtype?: string
        channel: string
        channel_type?: string
        user?: string
        bot_id?: string
        text?: string
        ts: string
        thread_ts?: string
        files?: SlackFile[]
      }
      if (message.bot_id || !message.user) return
      if (message.channel_type && message.channel_type !== 'channel' && message.channel_type !== 'group')
        return
      const files = photoFiles(message.files)
      if (files.length === 0) return
      const tenant = tenantOf(body.team_id)
      if (!tenant) {
        log.warn('message from a team id that is not one; ignored')
        return
      }
      const inThread = message.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : undefined
      const threadRef = inThread ? await ctx.threadRef(tenant, inThread) : undefined
      const facts = await ctx.facts(client, body.team_id, message.user)
      const eventKey = body.event_id || `${body.team_id}-${message.channel}-${message.ts}`
      const kept = []
      for (const [index, f] of files.entries())
        kept.push({
          ...f,
          ...(await ctx.keepFile({ tenant, key: `${eventKey}-${index}`, ...f, token: context.botToken })),
        })
      const job = envelope({
        id: body.event_id || [body.team_id, message.channel, message.ts],
        kind: 'photo.attach',
        tenant,
        actor: { platform: 'slack', userId: message.user, name: '', ...(facts ? { slack: facts } : {}) },
        replyTo: {
          platform: 'slack',
          channelId: message.channel,
          threadTs: inThread ?? message.ts,
          userId: message.user,
        },
        payload: {
          files: kept,
          text: (message.text ?? '').slice(0, 4000),
          channelId: message.channel,
          ...(inThread ? { threadId: inThread } : {}),
          ...(threadRef ? { threadRef } : {}),
        },
        at: Math.round(Number(message.ts) * 1000) || ctx.now().getTime(),
      })
      const result = await ctx.dispatch(job)
      if (!result.ok) {
        log.warn({ envelopeId: job.id }, 'queue unavailable; photo not dispatched')
        await client.chat.postEphemeral({
          channel: message.channel,
          user: message.user,
          thread_ts: inThread ?? message.ts,
          text: dispatchFailureText(result),
        })
      }
    } catch (err) {
      log.error({ err }, 'photo drop failed')
    }
  })
}
