import { describe, expect, test } from 'bun:test'
import { ButtonStyle } from 'discord.js'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { actionRows, renderReply, TONE_COLOUR } from './render.ts'

describe('a Reply as a Discord message', () => {
  test('the members a message is for are pinged in its content, and no one else', () => {
    const plain = renderReply({ tone: 'ok', text: 'hi <@99> @everyone' })
    expect([plain.content, plain.allowed_mentions]).toEqual(['', { parse: [] }])
    const meant = renderReply({ tone: 'warn', text: 'Drivers: <@1>, <@2>', notify: ['1', '2'] })
    expect(meant.content).toBe('<@1> <@2>')
    expect(meant.allowed_mentions).toEqual({ parse: [], users: ['1', '2'] })
  })

  test('an embed with title, text, fields and the colour of its tone', () => {
    const reply: Reply = {
      tone: 'warn',
      title: 'Oil change due',
      text: 'corolla: in 9 days',
      fields: [
        { name: 'Due', value: '2026-06-01', inline: true },
        { name: 'Notes', value: '' },
      ],
    }
    const body = renderReply(reply)
    expect(body.content).toBe('')
    expect(body.embeds).toEqual([
      {
        color: TONE_COLOUR.warn,
        title: 'Oil change due',
        description: 'corolla: in 9 days',
        fields: [
          { name: 'Due', value: '2026-06-01', inline: true },
          // Discord refuses empty field values.
          { name: 'Notes', value: '—' },
        ],
      },
    ])
    expect(body.allowed_mentions).toEqual({ parse: [] })
    expect(new Set(Object.values(TONE_COLOUR)).size).toBe(3)
    expect(renderReply({ tone: 'error', text: 'x' }).embeds[0]!.color).toBe(TONE_COLOUR.error)
  })

  test('buttons in rows of at most five, custom_id = action id, styles mapped', () => {
    const actions = Array.from({ length: 7 }, (_, i) => ({ id: `item.done:${i}`, label: `Done ${i}` }))
    const rows = actionRows([
      ...actions.slice(0, 6),
      { id: 'item.snooze:1', label: 'Snooze', style: 'danger' as const },
    ])
    expect(rows.map((r) => r.components.length)).toEqual([5, 2])
    expect(rows[0]!.components[0]).toEqual({
      type: 2,
      custom_id: 'item.done:0',
      label: 'Done 0',
      style: ButtonStyle.Secondary,
    })
    expect(rows[1]!.components[1]!.style).toBe(ButtonStyle.Danger)
    expect(renderReply({ tone: 'ok', text: 'x' }).components).toEqual([])
  })

  test('the photo is an uploaded attachment: thumbnail for 256, large image for 1024, nothing without the bytes', () => {
    const image = { sha256: 'c'.repeat(64), size: 256 as const, alt: 'corolla' }
    const small = renderReply({ tone: 'ok', text: 'x', image }, true)
    expect(small.embeds[0]!.thumbnail).toEqual({ url: 'attachment://photo.jpg' })
    expect(small.attachments).toEqual([{ id: 0, filename: 'photo.jpg', description: 'corolla' }])
    const large = renderReply({ tone: 'ok', text: 'x', image: { ...image, size: 1024 } }, true)
    expect(large.embeds[0]!.image).toEqual({ url: 'attachment://photo.jpg' })
    const without = renderReply({ tone: 'ok', text: 'x', image }, false)
    expect(without.embeds[0]!.thumbnail).toBeUndefined()
    // An edit with an empty list removes a previous photo.
    expect(without.attachments).toEqual([])
  })
})
