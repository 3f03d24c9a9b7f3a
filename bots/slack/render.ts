/**
 * A platform-neutral Reply as Slack Block Kit: a header (title), a section with the text and
 * the fields, the photo as an image block (a file the delivery uploaded), a context line by
 * tone, and the buttons as an actions block whose `action_id` is the Reply action id. Slack's
 * limits are applied here (header 150 characters, section text 3000, ten fields per section,
 * button text 75), so a long Reply is clipped rather than refused as `invalid_blocks`.
 */
import type { Reply } from '../../lib/contracts/envelope.ts'
import { clip } from '../../lib/domain/text.ts'

export type Block = Record<string, unknown>

const TONE_LINE: Record<Reply['tone'], string> = { ok: '✅ Done', warn: '⚠️ Heads-up', error: '❌ Not done' }

const escapePart = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * Slack's mrkdwn needs &, < and > escaped; everything else is shown as typed. A channel mention
 * `<#C123>` (the Reply contract's platform-neutral form, which Discord shares) stays a link.
 */
export const escapeMrkdwn = (s: string) =>
  s
    .split(/(<#[A-Z0-9]{2,30}>)/)
    .map((part, i) => (i % 2 === 1 ? part : escapePart(part)))
    .join('')

/** A file the delivery uploaded for the Reply's image. */
export type UploadedImage = { fileId: string }

/** Notification / fallback text: the title and text, unformatted. */
export function fallbackText(reply: Reply): string {
  const head = reply.title ? `${reply.title}: ` : ''
  return clip(`${head}${reply.text}`, 3000) || TONE_LINE[reply.tone]
}

export function renderBlocks(reply: Reply, image?: UploadedImage): Block[] {
  const blocks: Block[] = []
  if (reply.title)
    blocks.push({ type: 'header', text: { type: 'plain_text', text: clip(reply.title, 150), emoji: true } })
  const fields = (reply.fields ?? []).map((f) => ({
    type: 'mrkdwn',
    text: clip(`*${escapeMrkdwn(f.name)}*\n${escapeMrkdwn(f.value)}`, 2000),
  }))
  const text =
    reply.text.trim() === '' ? undefined : { type: 'mrkdwn', text: clip(escapeMrkdwn(reply.text), 3000) }
  // A section holds at most ten fields; the rest go in further sections.
  for (let i = 0; i === 0 || i < fields.length; i += 10) {
    const chunk = fields.slice(i, i + 10)
    const section: Block = { type: 'section' }
    if (i === 0 && text) section.text = text
    if (chunk.length > 0) section.fields = chunk
    if (section.text || section.fields) blocks.push(section)
  }
  if (reply.image && image) {
    blocks.push({
      type: 'image',
      slack_file: { id: image.fileId },
      alt_text: clip(reply.image.alt ?? reply.title ?? 'photo', 2000),
    })
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: TONE_LINE[reply.tone] }] })
  if (reply.actions && reply.actions.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: 'actions',
      elements: reply.actions.map((a) => ({
        type: 'button',
        action_id: a.id,
        text: { type: 'plain_text', text: clip(a.label, 75), emoji: true },
        value: a.id,
        ...(a.style === 'primary' || a.style === 'danger' ? { style: a.style } : {}),
      })),
    })
  }
  return blocks
}

/** The body posted to a response_url. */
export function responseBody(reply: Reply, image?: UploadedImage) {
  return {
    response_type: reply.ephemeral ? ('ephemeral' as const) : ('in_channel' as const),
    replace_original: false,
    text: fallbackText(reply),
    blocks: renderBlocks(reply, image),
  }
}
