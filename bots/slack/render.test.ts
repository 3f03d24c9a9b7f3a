import { describe, expect, test } from 'bun:test'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { escapeMrkdwn, fallbackText, renderBlocks, responseBody } from './render.ts'

const types = (blocks: Record<string, unknown>[]) => blocks.map((b) => b.type)

describe('Reply as Block Kit', () => {
  test('header, section with text and fields, context by tone, buttons with their action ids and styles', () => {
    const reply: Reply = {
      tone: 'warn',
      title: 'Oil change on corolla',
      text: 'Due in ~9 days or at 57,000 mi',
      fields: [
        { name: 'Every', value: '6 months or 5,000 mi', inline: true },
        { name: 'Last done', value: '2025-11-01 at 52,000 mi' },
      ],
      actions: [
        { id: 'item.done:42', label: 'Done', style: 'primary' },
        { id: 'item.snooze:42', label: 'Snooze 7 days', style: 'secondary' },
        { id: 'form:log_service:42', label: 'Log service' },
        { id: 'car.remove:7', label: 'Remove', style: 'danger' },
      ],
    }
    const blocks = renderBlocks(reply)
    expect(types(blocks)).toEqual(['header', 'section', 'context', 'actions'])
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Oil change on corolla', emoji: true },
    })
    expect(blocks[1]).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Due in ~9 days or at 57,000 mi' },
      fields: [
        { type: 'mrkdwn', text: '*Every*\n6 months or 5,000 mi' },
        { type: 'mrkdwn', text: '*Last done*\n2025-11-01 at 52,000 mi' },
      ],
    })
    expect(blocks[2]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '⚠️ Heads-up' }] })
    const buttons = (blocks[3] as { elements: Record<string, unknown>[] }).elements
    expect(buttons.map((b) => b.action_id)).toEqual([
      'item.done:42',
      'item.snooze:42',
      'form:log_service:42',
      'car.remove:7',
    ])
    expect(buttons.map((b) => b.style)).toEqual(['primary', undefined, undefined, 'danger'])
    expect(buttons[1]).not.toHaveProperty('style')
  })

  test('each tone has its own context line', () => {
    const line = (tone: Reply['tone']) => {
      const ctx = renderBlocks({ tone, text: 'x' }).find((b) => b.type === 'context') as {
        elements: { text: string }[]
      }
      return ctx.elements[0]!.text
    }
    expect(line('ok')).toBe('✅ Done')
    expect(line('warn')).toBe('⚠️ Heads-up')
    expect(line('error')).toBe('❌ Not done')
  })

  test("more than ten fields go in further sections; Slack's length limits are kept", () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ name: `F${i}`, value: 'v'.repeat(1024) }))
    const blocks = renderBlocks({ tone: 'ok', title: 'T'.repeat(256), text: 'x'.repeat(4000), fields })
    const sections = blocks.filter((b) => b.type === 'section') as {
      text?: { text: string }
      fields: unknown[]
    }[]
    expect(sections.map((s) => s.fields.length)).toEqual([10, 10, 3])
    expect(sections[0]!.text!.text.length).toBe(3000)
    expect(sections[1]!.text).toBeUndefined()
    expect((blocks[0] as { text: { text: string } }).text.text.length).toBe(150)
  })

  test('text is escaped for mrkdwn and shown as typed otherwise', () => {
    expect(escapeMrkdwn('<@U123> & <!channel> 52,000 mi')).toBe(
      '&lt;@U123&gt; &amp; &lt;!channel&gt; 52,000 mi',
    )
    const blocks = renderBlocks({ tone: 'error', text: 'no car "<x>"; cars: corolla & civic' })
    expect((blocks[0] as { text: { text: string } }).text.text).toBe(
      'no car "&lt;x&gt;"; cars: corolla &amp; civic',
    )
  })

  test('an image block shows the uploaded file by id, only when the Reply has an image', () => {
    const reply: Reply = {
      tone: 'ok',
      text: 'Filed on corolla',
      image: { sha256: 'a'.repeat(64), size: 256, alt: 'corolla, front' },
    }
    expect(types(renderBlocks(reply))).toEqual(['section', 'context'])
    const blocks = renderBlocks(reply, { fileId: 'F0001' })
    expect(blocks[1]).toEqual({ type: 'image', slack_file: { id: 'F0001' }, alt_text: 'corolla, front' })
  })

  test('response_url bodies are in channel unless the Reply is private', () => {
    expect(responseBody({ tone: 'ok', text: 'hi' }).response_type).toBe('in_channel')
    expect(responseBody({ tone: 'ok', text: 'hi', ephemeral: true }).response_type).toBe('ephemeral')
    expect(fallbackText({ tone: 'ok', title: 'Added corolla', text: '2018 Toyota Corolla' })).toBe(
      'Added corolla: 2018 Toyota Corolla',
    )
  })
})

describe('mrkdwn escaping', () => {
  test('escapes user text but keeps a channel mention a link', () => {
    expect(escapeMrkdwn('reminders in <#C0REMINDERS> after 09:00 & <b>not bold</b>')).toBe(
      'reminders in <#C0REMINDERS> after 09:00 &amp; &lt;b&gt;not bold&lt;/b&gt;',
    )
    expect(escapeMrkdwn('<!channel> <@U123> <#c-lower>')).toBe('&lt;!channel&gt; &lt;@U123&gt; &lt;#c-lower&gt;')
  })
})
