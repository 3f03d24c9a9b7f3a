import { expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { Reply } from '../lib/contracts/envelope.ts'
import type { HandlerContext, HandlerFamily } from '../queue/handler.ts'
import family from '../queue/handlers/garage.ts'
import { commands } from './catalog.ts'
import { helpReply, optionLine, usage } from './help.ts'

test('/garage help lists every command of the catalog, one line each', () => {
  const { ok, reply } = helpReply()
  expect(ok).toBe(true)
  expect(Value.Check(Reply, reply)).toBe(true)
  expect(reply.ephemeral).toBe(true)
  const lines = reply.text.split('\n')
  for (const c of commands) expect(lines.filter((l) => l.startsWith(`/${c.name} — `))).toHaveLength(1)
  expect(reply.text).toContain(
    '/car — Add, show, edit and remove the cars of this garage (add, list, show, edit',
  )
})

test('/garage help car shows each subcommand with its options, types, required marks and example', () => {
  const { ok, reply } = helpReply('car')
  expect(ok).toBe(true)
  expect(Value.Check(Reply, reply)).toBe(true)
  const car = commands.find((c) => c.name === 'car')!
  expect(reply.fields?.map((f) => f.name)).toEqual(car.subcommands.map((s) => usage(car, s)))
  const add = reply.fields![0]!
  expect(add.name).toStartWith('/car add <nickname> [make:…] [model:…]')
  expect(add.value).toContain('• nickname (required) — text, up to 32 characters: Short name for the car')
  expect(add.value).toContain('• year — whole number, at least 1886: Model year (up to two years ahead)')
  expect(add.value).toContain('• odometer — distance, e.g. 52,000 mi')
  expect(add.value).toContain('e.g. /car add corolla make:Toyota')
  expect(helpReply('/CAR').reply.title).toBe(reply.title)
})

test('help for an unknown command is an error that lists the commands', () => {
  const { ok, reply } = helpReply('bike')
  expect(ok).toBe(false)
  expect(reply.tone).toBe('error')
  expect(reply.text).toStartWith('command: there is no command "bike"; commands: ')
  for (const c of commands) expect(reply.text).toContain(c.name)
})

test('option lines show choices and bounds', () => {
  expect(
    optionLine({ name: 'units', type: 'string', choices: ['metric', 'imperial'], description: 'Units' }),
  ).toBe('• units — one of metric, imperial: Units')
  expect(optionLine({ name: 'n', type: 'integer', min: 0, description: 'N', required: true })).toBe(
    '• n (required) — whole number, at least 0: N',
  )
})

test('the garage.help handler answers the help reply for its payload', async () => {
  const handler = (family as HandlerFamily)['garage.help']!
  // The help needs nothing of the job: no service, no garage.
  const run = (p: object) => handler.run(p, {} as HandlerContext) as Promise<Reply>
  expect(Value.Check(handler.schema, { command: 'car' })).toBe(true)
  expect(Value.Check(handler.schema, { command: 3 })).toBe(false)
  expect(await run({})).toEqual(helpReply().reply)
  expect((await run({ command: 'bike' })).tone).toBe('error')
})
