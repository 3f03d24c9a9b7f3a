/**
 * Faults, with real processes: the worker killed with SIGKILL mid-run, Redis stopped and
 * restarted (AOF on), SIGTERM to busy processes. Every accepted command must end in exactly
 * one reply, and the items service must hold no duplicate rows.
 */
import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'bullmq'
import type IORedis from 'ioredis'
import { producerConnection, workerConnection } from '../lib/redis.ts'
import { Dispatcher } from '../bots/shared/dispatch.ts'
import { localEnvelope } from '../bots/shared/envelope.ts'
import type { ReplyJob } from '../lib/contracts/envelope.ts'
import { SERVICES } from '../lib/contracts/services.ts'
import { faultStackEnv, type Proc, startProcess, waitHealthy } from './procs.ts'
import { startRedis, type TestRedis, uniquePrefix } from './redis.ts'
import { localReplies } from './replies.ts'

const TOKEN = 'fault-test-service-token-0123456789'
const TENANT = 'local:faults'

let redis: TestRedis
let dataDir: string
let env: Record<string, string>
let items: Proc
let worker: Proc
let producer: IORedis
let dispatcher: Dispatcher
let collectorConn: IORedis
let collector: Worker
const replies = new Map<string, ReplyJob[]>()

async function startWorker() {
  worker = startProcess('worker', 'queue/worker.ts', env)
  await waitHealthy(worker, `http://127.0.0.1:${env.WORKER_PORT}/health`)
}

async function startItems() {
  items = startProcess('items', SERVICES.items.entry, env)
  await waitHealthy(items, `${env.ITEMS_URL}/health`)
}

let seq = 0
async function send(kind: string, payload: unknown): Promise<{ id: string; accepted: boolean }> {
  const id = `f${Date.now().toString(36)}-${++seq}`
  const user = { id: 'u1', name: 'Fault tester' }
  const job = localEnvelope({ id, kind, tenant: TENANT, user, session: 'faults', payload })
  const result = await dispatcher.dispatch(job)
  return { id, accepted: result.ok }
}

const finals = (id: string) => (replies.get(id) ?? []).filter((r) => !r.notice)

async function waitAllAnswered(ids: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (ids.some((id) => finals(id).length === 0)) {
    if (Date.now() > deadline) {
      const missing = ids.filter((id) => finals(id).length === 0)
      throw new Error(`${missing.length} of ${ids.length} commands unanswered after ${timeoutMs} ms; worker output:\n${worker.output().slice(-3000)}`)
    }
    await Bun.sleep(100)
  }
}

async function carsInService(): Promise<{ nickname: string }[]> {
  const r = await fetch(`${env.ITEMS_URL}/cars`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-tenant': TENANT } })
  return ((await r.json()) as { cars: { nickname: string }[] }).cars
}

beforeAll(async () => {
  redis = await startRedis({ aof: true })
  dataDir = mkdtempSync(join(tmpdir(), 'cm-faults-'))
  env = await faultStackEnv({ redisUrl: redis.url, dataDir, token: TOKEN, prefix: uniquePrefix('faults') })
  await startItems()
  await startWorker()
  producer = producerConnection(redis.url)
  producer.on('error', () => {})
  dispatcher = new Dispatcher(producer, env.QUEUE_PREFIX!, 6, 1_500)
  collectorConn = workerConnection(redis.url)
  collectorConn.on('error', () => {})
  collector = localReplies(
    collectorConn,
    env.QUEUE_PREFIX!,
    (data) => replies.set(data.envelopeId, [...(replies.get(data.envelopeId) ?? []), data]),
    // The collector stands in for a bot's delivery worker: a reply job it held when Redis died
    // comes back once its lock expires; a short lock keeps this test's wait bounded.
    { concurrency: 32, lockDuration: 2_000, stalledInterval: 700 },
  )
  await collector.waitUntilReady()
}, 60_000)

afterAll(async () => {
  await collector?.close().catch(() => {})
  await dispatcher?.close().catch(() => {})
  producer?.disconnect()
  collectorConn?.disconnect()
  worker?.kill('SIGKILL')
  items?.kill('SIGKILL')
  await Promise.all([worker?.exited, items?.exited])
  redis?.kill()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('faults', () => {
  test('kill -9 of the worker three times during 300 commands: each answered exactly once, no duplicate rows', async () => {
    const ids: string[] = []
    for (let i = 0; i < 300; i++) {
      const { id, accepted } = await send('car.add', { nickname: `k${i}` })
      expect(accepted).toBe(true)
      ids.push(id)
      if (i % 100 === 50) {
        worker.kill('SIGKILL')
        await worker.exited
        await startWorker()
      }
      if (i % 10 === 0) await Bun.sleep(5)
    }
    await waitAllAnswered(ids, 60_000)
    await Bun.sleep(500)
    for (const id of ids) {
      expect(finals(id)).toHaveLength(1)
      // A rerun after the crash replays the first answer (Idempotency-Key), it does not say "already exists".
      expect(finals(id)[0]!.reply.tone).toBe('ok')
    }
    const cars = await carsInService()
    const nicknames = cars.map((c) => c.nickname).filter((n) => n.startsWith('k'))
    expect(nicknames).toHaveLength(300)
    expect(new Set(nicknames).size).toBe(300)
  }, 90_000)

  test('Redis stopped briefly and for longer than the drain delay: producers say retry, nothing accepted is lost', async () => {
    const accepted: string[] = []
    for (let i = 0; i < 30; i++) {
      const r = await send('car.add', { nickname: `r${i}` })
      if (r.accepted) accepted.push(r.id)
    }
    await redis.stop()
    // While Redis is down a producer answers quickly that the command was not taken.
    const started = Date.now()
    const refused = await send('car.add', { nickname: 'while-down' })
    expect(refused.accepted).toBe(false)
    expect(Date.now() - started).toBeLessThan(5_000)
    await Bun.sleep(1_000)
    await redis.restart()
    // Second outage, longer than BullMQ's drain delay (5 s).
    await Bun.sleep(500)
    for (let i = 30; i < 40; i++) {
      const r = await send('car.add', { nickname: `r${i}` })
      if (r.accepted) accepted.push(r.id)
    }
    await redis.stop()
    await Bun.sleep(6_500)
    await redis.restart()
    let after = { id: '', accepted: false }
    for (let tries = 0; tries < 50 && !after.accepted; tries++) {
      after = await send('car.add', { nickname: 'after-restart' })
      if (!after.accepted) await Bun.sleep(200)
    }
    expect(after.accepted).toBe(true)
    accepted.push(after.id)
    await waitAllAnswered(accepted, 45_000)
    for (const id of accepted) expect(finals(id)).toHaveLength(1)
    const nicknames = new Set((await carsInService()).map((c) => c.nickname))
    expect(nicknames.has('while-down')).toBe(false)
    expect(nicknames.has('after-restart')).toBe(true)
  }, 90_000)

  test('SIGTERM to the busy worker and items service: both exit cleanly, SQLite passes integrity_check, nothing lost', async () => {
    const ids: string[] = []
    for (let i = 0; i < 80; i++) ids.push((await send('car.add', { nickname: `s${i}` })).id)
    worker.kill('SIGTERM')
    expect(await worker.exited).toBe(0)
    items.kill('SIGTERM')
    expect(await items.exited).toBe(0)
    const db = new Database(join(dataDir, 'items.sqlite'), { readonly: true })
    expect(db.query('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' })
    db.close()
    await startItems()
    await startWorker()
    await waitAllAnswered(ids, 45_000)
    for (const id of ids) expect(finals(id)).toHaveLength(1)
    const s = (await carsInService()).filter((c) => c.nickname.startsWith('s'))
    expect(s).toHaveLength(80)
  }, 90_000)
})
