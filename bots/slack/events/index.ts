/**
 * Files dropped in a channel the app is in: a `message` event with `files` (subtype
 * `file_share`). One whose message starts with the word "import" (then `/garage import`'s own
 * options: `import map:"Civic=new"`) becomes a `garage.import` job for that one file, since
 * Slack's slash commands cannot carry a file; the app keeps it as it keeps a photo (below, up to
 * the import limit), and the preview answers in the message's thread. Otherwise the message's
 * photos become a `photo.attach` job. The app downloads each file at once with the bot
 * token of the workspace it is in and keeps it for the worker in the images service's files; the
 * job names it by that id (`stored`), or says why it could not be downloaded (`refused`), never
 * with a token (bots/slack/files.ts). The text ("corolla", "#12") and the thread's ref (looked
 * up from Redis for `thread_ts`) tell the photo handler where it belongs. The answer goes to the
 * message's thread. The envelope id is the event id, so Slack's redelivery of an event is not
 * run twice. Which drops are taken is decided by the worker (the channel's default car is in the
 * items service's settings, which this app does not call); see queue/handlers/photo.ts.
 */
import type { App } from '@slack/bolt'
import type { Command } from '../../../catalog/command.ts'
import { parseCommandText } from '../../../catalog/grammar.ts'
import { IMPORT_MAX_BYTES } from '../../../lib/import/index.ts'
import { dispatchFailureText } from '../../shared/dispatch.ts'
import { envelope } from '../../shared/envelope.ts'
import { helpText } from '../commands/index.ts'
import { type SlackContext, tenantOf } from '../context.ts'

/** A message that asks for an import: the word "import" first, then /garage import's options. */
const IMPORT_WORD = /^\s*import(?:\s+([\s\S]*))?$/i

const IMAGE_NAME = /\.(jpe?g|png|gif|webp|heic|heif|bmp|tiff?)$/i

type SlackFile = {
  url_private?: string
  url_private_download?: string
  name?: string
  size?: number
  mimetype?: string
  mode?: string
}

/** The message's files as a job names them (any kind; the worker checks the bytes). */
function sharedFiles(files: readonly SlackFile[] | undefined) {
  return (files ?? [])
    .filter((f) => typeof f.url_private === 'string' && f.mode !== 'tombstone')
    .map((f) => ({
      url: f.url_private as string,
      filename: (f.name ?? 'photo').slice(0, 255),
      size: Number.isInteger(f.size) && (f.size as number) >= 0 ? (f.size as number) : 0,
      ...(f.mimetype ? { contentType: f.mimetype } : {}),
    }))
}

/** Files worth a photo job: images by declared type or name (the service checks the bytes). */
export function photoFiles(files: readonly SlackFile[] | undefined) {
  return sharedFiles(files).filter((f) => (f.contentType ?? '').startsWith('image/') || IMAGE_NAME.test(f.filename))
}

/** `/garage import`'s options from the text after "import"; the file is the message's. */
function importOptions(commands: readonly Command[], rest: string) {
  const relaxed = commands.map((c) =>
    c.name !== 'garage'
      ? c
      : {
          ...c,
          subcommands: c.subcommands.map((s) =>
            s.name === 'import' ? { ...s, options: s.options.filter((o) => o.type !== 'attachment') } : s,
          ),
        },
  )
  return parseCommandText('garage', `import ${rest}`, relaxed)
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
      const asked = IMPORT_WORD.exec(message.text ?? '')
      const files = asked ? sharedFiles(message.files) : photoFiles(message.files)
      if (files.length === 0) return
      const tenant = tenantOf(body.team_id)
      if (!tenant) {
        log.warn('message from a team id that is not one; ignored')
        return
      }
      const inThread = message.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : undefined
      const privately = (text: string) =>
        client.chat.postEphemeral({ channel: message.channel, user: message.user!, thread_ts: inThread ?? message.ts, text })
      if (asked) {
        if (files.length > 1)
          return void (await privately(
            `Drop one file per import (${files.length} came with this message); a zip may hold several CSV files.`,
          ))
        const options = importOptions(ctx.commands, asked[1] ?? '')
        if (!options.ok) return void (await privately(helpText(options.error, options.help)))
        const f = files[0]!
        const eventKey = body.event_id || `${body.team_id}-${message.channel}-${message.ts}`
        const kept = await ctx.keepFile({
          tenant,
          key: `${eventKey}-import`,
          ...f,
          token: context.botToken,
          maxBytes: IMPORT_MAX_BYTES,
        })
        const facts = await ctx.facts(client, body.team_id, message.user)
        const job = envelope({
          id: body.event_id || [body.team_id, message.channel, message.ts],
          kind: 'garage.import',
          tenant,
          actor: { platform: 'slack', userId: message.user, name: '', ...(facts ? { slack: facts } : {}) },
          replyTo: { platform: 'slack', channelId: message.channel, threadTs: inThread ?? message.ts, userId: message.user },
          payload: { ...options.payload, file: { ...f, ...kept } },
          at: Math.round(Number(message.ts) * 1000) || ctx.now().getTime(),
        })
        const result = await ctx.dispatch(job)
        if (!result.ok) {
          log.warn({ envelopeId: job.id }, 'queue unavailable; import not dispatched')
          await privately(dispatchFailureText(result))
        }
        return
      }
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
        await privately(dispatchFailureText(result))
      }
    } catch (err) {
      log.error({ err }, 'file drop failed')
    }
  })
}
