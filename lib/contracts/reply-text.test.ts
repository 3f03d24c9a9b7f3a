import { expect, test } from 'bun:test'
import { actionId, formActionId, parseActionId } from '../../catalog/actions.ts'
import { type Form, parseFormSubmission } from '../../catalog/forms.ts'
import { renderText } from './reply-text.ts'

test('a reply renders as plain text with fields, photo and pressable actions', () => {
  const text = renderText({
    tone: 'ok',
    title: 'corolla',
    text: 'Toyota Corolla 2018',
    fields: [
      { name: 'Odometer', value: '52,000 mi' },
      { name: 'History', value: 'one\ntwo' },
    ],
    image: { sha256: 'ab'.repeat(32), size: 256 },
    actions: [
      { id: 'item.done:42', label: 'Done' },
      { id: 'form:log_service:42', label: 'Log service' },
    ],
  })
  expect(text).toBe(
    [
      'corolla',
      'Toyota Corolla 2018',
      'Odometer: 52,000 mi',
      'History: one',
      '  two',
      `[photo ${'ab'.repeat(6)}]`,
      '[Done] (item.done:42)  [Log service] (form:log_service:42)',
    ].join('\n'),
  )
})

test('tones mark warnings and errors', () => {
  expect(renderText({ tone: 'error', text: 'year: "1700" is too small' })).toBe(
    '[error] year: "1700" is too small',
  )
  expect(renderText({ tone: 'warn', title: 'Careful', text: 'x' })).toBe('[warn] Careful\nx')
})

test('action ids', () => {
  expect(parseActionId('item.done:42')).toEqual({ type: 'kind', kind: 'item.done', arg: '42' })
  expect(parseActionId('item.snooze:42:7d')).toEqual({ type: 'kind', kind: 'item.snooze', arg: '42:7d' })
  expect(parseActionId('form:log_service:42')).toEqual({ type: 'form', form: 'log_service', arg: '42' })
  expect(parseActionId('Nope:1')).toBeUndefined()
  expect(parseActionId('form:Bad Name:1')).toBeUndefined()
  expect(actionId('item.done', 42)).toBe('item.done:42')
  expect(formActionId('log_service', 42)).toBe('form:log_service:42')
})

test('a submitted form is parsed with the core value parsers', () => {
  const registry: Record<string, Form> = {
    log_service: {
      title: 'Log service',
      kind: 'service.log',
      fields: [
        { name: 'cost', label: 'Cost', type: 'money' },
        { name: 'odometer', label: 'Odometer', type: 'distance', required: true },
        { name: 'date', label: 'Date', type: 'date' },
      ],
    },
  }
  expect(
    parseFormSubmission('log_service', '42', { cost: '89.90', odometer: '53,000 mi', date: '' }, registry),
  ).toEqual({
    ok: true,
    kind: 'service.log',
    payload: {
      arg: '42',
      cost: { value: 89.9, text: '89.90' },
      // Read two ways until the worker knows the garage's number format.
      odometer: { value: 53000, unit: 'mi', text: '53,000 mi', readings: [53, 53000] },
    },
  })
  const bad = parseFormSubmission('log_service', '42', { cost: '-3', date: '2023-02-30' }, registry)
  expect(bad).toMatchObject({ ok: false, field: 'cost' })
  if (!bad.ok) {
    expect(bad.error).toContain('cost: "-3" is negative')
    expect(bad.error).toContain('odometer: required')
    expect(bad.error).toContain('date: "2023-02-30" is not a calendar date')
  }
  expect(parseFormSubmission('nope', '1', {}, registry)).toEqual({ ok: false, error: 'unknown form "nope"' })
})
