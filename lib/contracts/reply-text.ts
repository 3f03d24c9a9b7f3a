/**
 * A Reply as plain text for the terminal: the title, the text, fields as `name: value` lines,
 * a photo as `[photo <sha prefix>]` and buttons as `[Done] (item.done:42)`, so a terminal user
 * can see them and press one with `!press item.done:42`.
 */
import type { Reply } from './envelope.ts'

const TONE_MARK: Record<Reply['tone'], string> = { ok: '', warn: '[warn] ', error: '[error] ' }

export function renderText(reply: Reply): string {
  const lines: string[] = []
  const mark = TONE_MARK[reply.tone] ?? ''
  if (reply.title) lines.push(`${mark}${reply.title}`)
  if (reply.text) {
    const [first = '', ...rest] = reply.text.split('\n')
    lines.push(reply.title ? first : `${mark}${first}`, ...rest)
  } else if (!reply.title && mark) lines.push(mark.trim())
  for (const field of reply.fields ?? []) {
    const [first = '', ...rest] = field.value.split('\n')
    lines.push(`${field.name}: ${first}`, ...rest.map((l) => `  ${l}`))
  }
  if (reply.image)
    lines.push(`[photo ${reply.image.sha256.slice(0, 12)}]${reply.image.alt ? ` ${reply.image.alt}` : ''}`)
  if (reply.actions && reply.actions.length > 0)
    lines.push(reply.actions.map((a) => `[${a.label}] (${a.id})`).join('  '))
  return lines.join('\n')
}
