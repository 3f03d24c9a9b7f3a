/**
 * The job's log lines: whatever a handler logs through ctx.log, and the orchestrator's own
 * lines about a job, carry the job id, tenant and kind (the logger is made on first use).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Type as T } from '@sinclair/typebox'
import { createLogger } from '../lib/log.ts'
import { startStack, type Stack } from '../test/stack.ts'
import { type KindHandler, ServiceUnavailable } from './handler.ts'
import { commandJobId } from '../lib/contracts/queues.ts'

const lines: Record<string, unknown>[] = []
const log = createLogger('worker', 'debug', { write: (s: string) => void lines.push(JSON.parse(s)) })

const handlers = new Map<string, KindHandler>([
  [
    'test.talk',
    {
      schema: T.Object({}),
      run: async (_p, ctx) => {
        ctx.log.info({ step: 1 }, 'first')
        ctx.log.debug({ step: 2 }, 'second')
        return { tone: 'ok', text: 'talked' }
      },
    },
  ],
  ['test.quiet', { schema: T.Object({}), run: async () => ({ tone: 'ok', text: 'quiet' }) }],
  [
    'test.down',
    {
      schema: T.Object({}),
      run: async () => {
        throw new ServiceUnavailable('quotes')
      },
    },
  ],
])

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ services: [], handlers, log })
})
afterAll(async () => {
  await stack.close()
})

const about = (id: string) => lines.filter((l) => l.jobId === commandJobId(id))

describe('job log lines', () => {
  test("a handler's lines through ctx.log carry job id, tenant and kind", async () => {
    const id = await stack.dispatch('test.talk', {}, { tenant: 'local:loud' })
    expect(await stack.reply(id)).toEqual({ tone: 'ok', text: 'talked' })
    const mine = about(id)
    expect(mine.map((l) => l.msg)).toEqual(['first', 'second'])
    for (const l of mine)
      expect(l).toMatchObject({ process: 'worker', tenant: 'local:loud', kind: 'test.talk' })
    expect(mine.map((l) => l.step)).toEqual([1, 2])
  })

  test("the orchestrator's own lines about a job carry them too", async () => {
    const unknown = await stack.dispatch('test.nothing', {}, { tenant: 'local:lost' })
    expect((await stack.reply(unknown)).tone).toBe('error')
    expect(about(unknown)).toEqual([
      expect.objectContaining({ msg: 'unknown job kind', tenant: 'local:lost', kind: 'test.nothing' }),
    ])
    const down = await stack.dispatch('test.down', {}, { tenant: 'local:down' })
    expect((await stack.reply(down, 15_000)).tone).toBe('error')
    const retries = about(down).filter((l) => l.msg === 'service unavailable; will retry')
    expect(retries.length).toBeGreaterThan(0)
    for (const l of retries)
      expect(l).toMatchObject({ tenant: 'local:down', kind: 'test.down', service: 'quotes' })
  })

  test('a job that logs nothing writes no line', async () => {
    const id = await stack.dispatch('test.quiet', {})
    expect(await stack.reply(id)).toEqual({ tone: 'ok', text: 'quiet' })
    expect(about(id)).toEqual([])
  })
})
