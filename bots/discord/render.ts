/**
 * A platform-neutral Reply as a Discord message body: one embed (title, text, fields, colour by
 * tone, the photo as an uploaded attachment) and its actions as buttons, at most five per row.
 * Pure: the delivery worker sends what this returns.
 */
import { ButtonStyle, ComponentType } from 'discord.js'
import type { Action, Reply, Tone } from '../../lib/contracts/envelope.ts'

export const TONE_COLOUR: Record<Tone, number> = {
  ok: 0x2e9e5b,
  warn: 0xf0a30a,
  error: 0xd83c3e,
}

/** Name of the uploaded photo, referenced from the embed as `attachment://photo.jpg`. */
export const PHOTO_NAME = 'photo.jpg'

const STYLE: Record<NonNullable<Action['style']>, ButtonStyle> = {
  primary: ButtonStyle.Primary,
  secondary: ButtonStyle.Secondary,
  danger: ButtonStyle.Danger,
}

export type MessageBody = {
  content: string
  embeds: Record<string, unknown>[]
  components: { type: ComponentType.ActionRow; components: Record<string, unknown>[] }[]
  /** Attachments to keep or upload; an empty list removes the previous ones on an edit. */
  attachments: { id: number; filename: string; description?: string }[]
  allowed_mentions: { parse: never[]; users?: string[] }
  flags?: number
}

/** Buttons in rows of at most five (Discord's limit); custom_id is the action id. */
export function actionRows(actions: readonly Action[] = []): MessageBody['components'] {
  const rows: MessageBody['components'] = []
  for (let i = 0; i < actions.length; i += 5) {
    rows.push({
      type: ComponentType.ActionRow,
      components: actions.slice(i, i + 5).map((a) => ({
        type: ComponentType.Button,
        custom_id: a.id,
        label: a.label,
        style: STYLE[a.style ?? 'secondary'],
      })),
    })
  }
  return rows
}

/**
 * The message body of a Reply. `withPhoto` says whether the photo bytes will be uploaded
 * alongside (as `photo.jpg`); without them the embed carries no image.
 */
export function renderReply(reply: Reply, withPhoto = false): MessageBody {
  const embed: Record<string, unknown> = { color: TONE_COLOUR[reply.tone] }
  if (reply.title) embed.title = reply.title
  if (reply.text) embed.description = reply.text
  if (reply.fields?.length)
    embed.fields = reply.fields.map((f) => ({
      // Discord refuses empty field names and values.
      name: f.name || '\u200b',
      value: f.value || '—',
      ...(f.inline ? { inline: true } : {}),
    }))
  const attachments: MessageBody['attachments'] = []
  if (withPhoto && reply.image) {
    const ref = { url: `attachment://${PHOTO_NAME}` }
    if (reply.image.size === 1024) embed.image = ref
    else embed.thumbnail = ref
    attachments.push({
      id: 0,
      filename: PHOTO_NAME,
      ...(reply.image.alt ? { description: reply.image.alt.slice(0, 1024) } : {}),
    })
  }
  // Mentions in an embed notify no one: the members a message is for are pinged in its content,
  // and only they (no @everyone or role pings whatever the text holds).
  const notify = reply.notify ?? []
  return {
    content: notify.map((id) => `<@${id}>`).join(' '),
    embeds: [embed],
    components: actionRows(reply.actions),
    attachments,
    allowed_mentions: notify.length ? { parse: [], users: notify } : { parse: [] },
  }
}
