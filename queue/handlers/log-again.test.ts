/**
 * A reminder's Log service form pressed twice: the refusal carries a Log another button that
 * logs the same service once more on purpose, and only once however often it is pressed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseFormSubmission } from '../../catalog/forms.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'

let stack: Stack
const clock = new Date('2026-06-01T17:00:00Z')
const GARAGE = 'local:log-again'

beforeAll(async () => {
  stack = await startStack({ services: ['items'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

const say = (line: string, tenant = GARAGE): Promise<Reply> => stack.say(line, tenant)
const press = (id: string, tenant = GARAGE) => stack.press(id, tenant)

describe('Log another', () => {
  test('the already-logged answer has a Log another button that logs it once more, once', async () => {
    await say('/garage settings units:imperial currency:USD timezone:UTC')
    await say('/car add golf odometer:"20,000 mi"')
    await say('/item add golf "Oil change" months:6 distance:"5,000 mi"')
    const res = await fetch(`${stack.url('items')}/items?car=golf`, { headers: stack.headers(GARAGE) })
    const item = ((await res.json()) as { items: { id: number }[] }).items[0]!
    const submit = (values: Record<string, unknown>) => {
      const form = parseFormSubmission('log_service', String(item.id), values)
      if (!form.ok) throw new Error(form.error)
      return stack.command(form.kind, form.payload, { tenant: GARAGE })
    }
    const first = await submit({ cost: '189.50', odometer: '20,100 mi' })
    expect(first.tone).toBe('ok')
    const second = await submit({ cost: '189.50', odometer: '20,100 mi' })
    expect(second.tone).toBe('error')
    const id = Number(/service record #(\d+)/.exec(second.text)![1])
    expect(second.text).toContain(`Oil change on golf was already logged as service record #${id}`)
    const button = second.actions?.find((a) => a.label === 'Log another')
    expect(button?.id).toBe(`service.log_again:${item.id}.${id}`)
    expect((await say('/service list car:golf')).title).toBe('1 service record')

    const again = await press(button!.id)
    expect(again.tone).toBe('ok')
    expect(again.title).toBe('Logged Oil change on golf again')
    expect(again.text).toContain('at 20,100 mi for $189.50')
    expect(again.actions?.[0]?.label).toBe('Undo')
    const list = await say('/service list car:golf')
    expect(list.title).toBe('2 service records')
    // the car's readings are not doubled: the odometer was the first record's
    expect((await say('/car readings golf')).title).toBe('golf: 2 odometer readings')

    // pressed again (another press, another envelope): nothing new
    const twice = await press(button!.id)
    expect(twice.tone).toBe('ok')
    expect(twice.text).toContain('was already logged again as service record #')
    expect((await say('/service list car:golf')).title).toBe('2 service records')
    // a button of another garage, or made up, logs nothing
    expect((await press(button!.id, 'local:log-again-other')).tone).toBe('error')
    expect((await press(`service.log_again:${item.id}.99999`)).tone).toBe('error')
    expect((await press('service.log_again:nonsense')).text).toContain('arg:')
    expect((await say('/service list car:golf')).title).toBe('2 service records')
  })
})
