import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Type as T } from '@sinclair/typebox'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import type IORedis from 'ioredis'
import { startStack, type Stack } from '../test/stack.ts'
import { handlers as bind, type KindHandler, ServiceUnavailable, UserError } from './handler.ts'
import { silentLogger } from '../lib/log.ts'
import { bullPrefix, commandJobId, COMMANDS_QUEUE, EVENTS_KEPT, KEEP_COMPLETED, queueOptions, replyJobId } from '../lib/contracts/queues.ts'
import { loadHandlers, startOrchestrator } from './orchestrator.ts'
import { workerConnection } from '../lib/redis.ts'
import { replyPoster } from './replies.ts'

let runs = 0
let flaky = 0
const handlers = new Map<string, KindHandler>([
  ['test.echo', { schema: T.Object({ text: T.String() }), run: async (p: { text: string }, ctx) => {
    runs++
    return { tone: 'ok', text: `echo ${p.text} for ${ctx.envelope.tenant}` }
  } }],
  ['test.mistake', { schema: T.Object({}), run: async () => {
    throw new UserError('year: 1700 is before the first car (1886)', 'year')
  } }],
  ['test.down', { schema: T.Object({}), run: async () => {
    throw new ServiceUnavailable('quotes')
  } }],
  ['test.flaky', { schema: T.Object({}), run: async () => {
    if (++flaky === 1) throw new ServiceUnavailable('items')
    return { tone: 'ok', text: 'worked on retry' }
  } }],
  ['test.poison', { schema: T.Object({}), run: async () => {
    throw new Error('boom')
  } }],
  ['test.headers', { schema: T.Object({}), run: async (_p, ctx) => ({
    tone: 'ok',
    text: JSON.stringify({ read: ctx.serviceHeaders(), write: ctx.serviceHeaders({ write: true }) }),
  }) }],
])

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ services: [], handlers })
})
afterAll(async () => {
  await stack.close()
})

describe('orchestrator', () => {
  test('runs the handler of the kind and puts its reply on replies.local', async () => {
    const reply = await stack.command('test.echo', { text: 'hi' }, { tenant: 'local:a' })
    expect(reply).toEqual({ tone: 'ok', text: 'echo hi for local:a' })
  })

  test('an unknown kind gets a clear error reply, not silence', async () => {
    const reply = await stack.command('test.nothing', {})
    expect(reply.tone).toBe('error')
    expect(reply.text).toContain('test.nothing')
  })

  test('a payload that does not match the kind schema is refused naming the field', async () => {
    const before = runs
    const reply = await stack.command('test.echo', { text: 42 })
    expect(reply.tone).toBe('error')
    expect(reply.text).toStartWith('text:')
    expect(runs).toBe(before)
  })

  test("a user's mistake is answered at once and not retried", async () => {
    const id = await stack.dispatch('test.mistake', {})
    const reply = await stack.reply(id)
    expect(reply).toMatchObject({ tone: 'error', text: 'year: 1700 is before the first car (1886)' })
    const job = await stack.dispatcher.queue.getJob(commandJobId(id))
    expect(job?.attemptsMade ?? 0).toBeLessThanOrEqual(1)
  })

  test('a service that stays down: a retrying notice first, then a final error after every attempt', async () => {
    const id = await stack.dispatch('test.down', {})
    const reply = await stack.reply(id, 15_000)
    expect(reply.tone).toBe('error')
    expect(reply.text).toContain('quotes service is still unavailable')
    const all = stack.repliesTo(id)
    expect(all.filter((r) => r.notice).map((r) => r.reply.text)).toEqual(['The quotes service is unavailable, retrying…'])
    expect(all.filter((r) => !r.notice)).toHaveLength(1)
  })

  test('a service back on the retry gives the result', async () => {
    const reply = await stack.command('test.flaky', {}, {}, )
    expect(reply).toEqual({ tone: 'ok', text: 'worked on retry' })
  })

  test('a poison job fails after its attempts, the user is told, and the queue keeps flowing', async () => {
    const poison = await stack.dispatch('test.poison', {})
    const after = await stack.dispatch('test.echo', { text: 'still flowing' })
    expect((await stack.reply(after)).text).toContain('still flowing')
    const reply = await stack.reply(poison, 15_000)
    expect(reply.tone).toBe('error')
    expect(reply.text).toContain(poison)
  })

  test('the same envelope dispatched twice runs once and is answered once', async () => {
    const before = runs
    const id = await stack.dispatch('test.echo', { text: 'once' })
    await stack.dispatch('test.echo', { text: 'once' }, { id })
    await stack.reply(id)
    await Bun.sleep(300)
    expect(runs - before).toBe(1)
    expect(stack.repliesTo(id)).toHaveLength(1)
  })

  test('an envelope redelivered after its finished job was dropped still runs once; its reply is not posted again', async () => {
    const before = runs
    const id = await stack.dispatch('test.echo', { text: 'late' })
    await stack.reply(id)
    // KEEP_COMPLETED newer commands push the finished job (and its reply job) out of Redis.
    const newer = await Promise.all(
      Array.from({ length: KEEP_COMPLETED + 10 }, (_, i) => stack.dispatch('test.echo', { text: `n${i}` })),
    )
    await Promise.all(newer.map((n) => stack.reply(n)))
    const connection = stack.dispatcher.queue.opts.connection as never
    const commands = new Queue(COMMANDS_QUEUE, queueOptions(connection, stack.prefix))
    try {
      expect(await commands.getJob(commandJobId(id))).toBeUndefined()
      await stack.dispatch('test.echo', { text: 'late' }, { id })
      const replies = replyPoster(connection, stack.prefix, silentLogger)
      await replies.post(stack.repliesTo(id)[0]!, replyJobId(id))
      await replies.close()
      await Bun.sleep(300)
      expect(await commands.getJob(commandJobId(id))).toBeUndefined()
      expect(runs - before).toBe(1 + newer.length)
      expect(stack.repliesTo(id)).toHaveLength(1)
    } finally {
      await commands.close()
    }
  })

  test("the queues' event streams keep EVENTS_KEPT entries, not BullMQ's 10,000", async () => {
    const redis = stack.dispatcher.queue.opts.connection as unknown as IORedis
    // The commands queue and the local reply queue(s) the answers above went to, whatever their names.
    const metas = await redis.keys(`${bullPrefix(stack.prefix)}:*:meta`)
    const queues = metas.map((key) => key.slice(bullPrefix(stack.prefix).length + 1, -':meta'.length))
    expect(queues).toContain(COMMANDS_QUEUE)
    expect(queues.some((q) => q.startsWith('replies.local'))).toBe(true)
    for (const queue of queues) {
      const max = await redis.hget(`${bullPrefix(stack.prefix)}:${queue}:meta`, 'opts.maxLenEvents')
      expect({ queue, max: Number(max) }).toEqual({ queue, max: EVENTS_KEPT })
    }
  })

  test('service calls carry the token, the tenant and, on writes, the envelope id as Idempotency-Key', async () => {
    const id = await stack.dispatch('test.headers', {}, { tenant: 'slack:T123' })
    const headers = JSON.parse((await stack.reply(id)).text)
    expect(headers.read).toEqual({ authorization: `Bearer ${stack.token}`, 'x-tenant': 'slack:T123', 'x-request-id': id })
    expect(headers.write['idempotency-key']).toBe(id)
  })

  test('a malformed envelope on the queue is dropped without crashing the worker', async () => {
    const queue = new Queue(COMMANDS_QUEUE, queueOptions(stack.dispatcher.queue.opts.connection as never, stack.prefix))
    await queue.add('x', { id: 'bad', kind: 'test.echo' }, { jobId: 'cmd-bad-envelope', attempts: 1 })
    const reply = await stack.command('test.echo', { text: 'after bad' })
    expect(reply.text).toContain('after bad')
    await queue.close()
  })
})

describe('handler discovery', () => {
  const family = (kind: string) =>
    `import { Type as T } from '@sinclair/typebox'\nexport default { '${kind}': { schema: T.Object({}), run: async () => ({ tone: 'ok', text: 'x' }) } }\n`

  test('loads every family file of a folder, skipping tests', async () => {
    const dir = mkdtempSync(join(import.meta.dir, '.tmp-handlers-'))
    try {
      writeFileSync(join(dir, 'a.ts'), family('a.one'))
      writeFileSync(join(dir, 'b.ts'), family('b.two'))
      writeFileSync(join(dir, 'b.test.ts'), 'throw new Error("tests are not handlers")')
      expect([...(await loadHandlers(dir)).keys()].sort()).toEqual(['a.one', 'b.two'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a kind claimed by two files is a load error', async () => {
    const dir = mkdtempSync(join(import.meta.dir, '.tmp-handlers-'))
    try {
      writeFileSync(join(dir, 'a.ts'), family('a.same'))
      writeFileSync(join(dir, 'b.ts'), family('a.same'))
      await expect(loadHandlers(dir)).rejects.toThrow('a.same is handled twice')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('catalog coverage', () => {
  test('every subcommand of the catalog has a handler for its kind', async () => {
    const { commands, kindOf } = await import('../catalog/catalog.ts')
    const kinds = await loadHandlers()
    const missing = commands.flatMap((c) => c.subcommands.map((s) => kindOf(c, s))).filter((k) => !kinds.has(k))
    expect(missing).toEqual([])
  })

  test('one handler file per catalog command, named after it, handling only kinds of that command', async () => {
    const { commands } = await import('../catalog/catalog.ts')
    const dir = join(import.meta.dir, 'handlers')
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => f.slice(0, -3))
    expect(files.sort()).toEqual(commands.map((c) => c.name).sort())
    for (const file of files) {
      const family = (await import(join(dir, `${file}.ts`))).default as Record<string, unknown>
      expect(Object.keys(family).filter((kind) => !kind.startsWith(`${file}.`))).toEqual([])
    }
  })

  test('binding a run to a subcommand the catalog does not have is refused at load', () => {
    const command = { name: 'toy', description: 'Toy', subcommands: [{ name: 'a', description: 'A', options: [] }] } as const
    const run = async () => ({ tone: 'ok' as const, text: 'x' })
    expect(Object.keys(bind(command, { a: run }))).toEqual(['toy.a'])
    // @ts-expect-error b is not a subcommand of toy
    expect(() => bind(command, { a: run, b: run })).toThrow('the toy catalog has no subcommand b')
  })
})

describe('a command whose job stalls out', () => {
  // Released at the end, so the stuck run finishes (and its late answer can be seen refused).
  let release: () => void = () => {}
  const stuck = new Promise<void>((resolve) => {
    release = resolve
  })
  const stalling = new Map<string, KindHandler>([
    ['test.stuck', { schema: T.Object({}), run: async () => {
      // Holds the event loop past the lock, as a worker that hangs or dies does: the lock is not
      // renewed, and the job stalls. Then it waits without ever answering until released.
      Bun.sleepSync(1_800)
      await stuck
      return { tone: 'ok', text: 'too late' }
    } }],
  ])
  let own: Stack
  let conn: IORedis
  let orchestrator: Awaited<ReturnType<typeof startOrchestrator>>
  beforeAll(async () => {
    own = await startStack({ services: [], handlers: stalling, worker: false })
    conn = workerConnection(own.config.REDIS_URL!)
    orchestrator = await startOrchestrator({
      config: own.config,
      connection: conn,
      log: silentLogger,
      handlers: stalling,
      reminders: false,
      stalls: { lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 0 },
    })
  })
  afterAll(async () => {
    release()
    await orchestrator.close()
    conn.disconnect()
    await own.close()
  })

  test('gets exactly one final answer saying it could not be finished, though its attempts are not used up', async () => {
    const id = await own.dispatch('test.stuck', {})
    const reply = await own.reply(id, 10_000)
    expect(reply.tone).toBe('error')
    expect(reply.text).toContain('could not be finished')
    expect(reply.text).toContain(id)
    const job = await own.dispatcher.queue.getJob(commandJobId(id))
    expect(await job?.getState()).toBe('failed')
    expect(job!.attemptsMade).toBeLessThan(own.config.COMMAND_ATTEMPTS)
    // The stuck run finishing late does not add a second final answer.
    release()
    await Bun.sleep(500)
    expect(own.repliesTo(id).filter((r) => !r.notice)).toHaveLength(1)
  })
})
