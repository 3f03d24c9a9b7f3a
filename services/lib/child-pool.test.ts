/**
 * What the decoder's and the renderer's tests do not reach through their wrappers: recycling,
 * the idle stop, close(), a child that stops by itself, the busy scopes and the child's env.
 * The fairness rotation is tested through the decoder (services/images/limits.test.ts).
 */
import { afterAll, afterEach, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChildPool, ChildPoolBusy, ChildPoolClosed, type ChildPoolOptions } from './child-pool.ts'

type Job = { id: number; ms?: number; peak?: number; exit?: number }
type Result = { id: number; ok: true; peakRssMb: number; env: string[] }

const dir = mkdtempSync(join(tmpdir(), 'cm-child-pool-'))
const script = join(dir, 'child.ts')
// A stand-in child: answers after `ms`, reporting `peak` as its peak and the names in its env.
writeFileSync(
  script,
  `process.on('message', (job) => {
  if (job.exit !== undefined) process.exit(job.exit)
  setTimeout(() => process.send({ id: job.id, ok: true, peakRssMb: job.peak ?? 1, env: Object.keys(process.env) }), job.ms ?? 0)
})
process.on('disconnect', () => process.exit(0))
process.send({ ready: true })
`,
)

const pools: ChildPool<Job, Result, 'stopped'>[] = []
afterEach(() => {
  for (const p of pools.splice(0)) p.close()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const pool = (o: Partial<ChildPoolOptions<'stopped'>> = {}) => {
  const p = new ChildPool<Job, Result, 'stopped'>({
    script,
    maxMemoryMb: 2048,
    timeoutMs: 10_000,
    idleMs: 10_000,
    maxWaiting: 8,
    failures: {
      timeout: 'too slow',
      tooMuchMemory: 'too big',
      stoppedCode: 'stopped',
      stopped: (how) => how,
    },
    ...o,
  })
  pools.push(p)
  return p
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
/** Waits for a killed process to be reaped (a zombie still answers kill 0). */
const gone = async (pid: number) => {
  const deadline = Date.now() + 3_000
  while (alive(pid) && Date.now() < deadline) await Bun.sleep(20)
  expect(alive(pid)).toBe(false)
}

test('a job past recycleAboveMb gets the process replaced; one under it keeps the process', async () => {
  const p = pool({ recycleAboveMb: 100 })
  await p.run({ peak: 50 })
  const first = p.pid
  expect(first).toBeNumber()
  expect(p.lastPeakMb).toBeGreaterThanOrEqual(50)
  await p.run({ peak: 500 })
  expect(p.lastPeakMb).toBe(500)
  expect(p.pid).toBeUndefined()
  await p.run({})
  expect(p.pid).toBeNumber()
  expect(p.pid).not.toBe(first)
})

test('the process stops after idleMs without work, and starts again for the next job', async () => {
  const p = pool({ idleMs: 50 })
  await p.run({})
  const pid = p.pid!
  await Bun.sleep(100)
  expect(p.pid).toBeUndefined()
  await gone(pid)
  expect((await p.run({})).ok).toBe(true)
})

test('a child that stops by itself fails its job with how it stopped; the next job gets a fresh one', async () => {
  const p = pool()
  expect(await p.run({ exit: 3 })).toEqual({ id: 1, ok: false, code: 'stopped', message: 'exit 3' })
  expect(await p.run({})).toMatchObject({ id: 2, ok: true })
})

test('too many waiting: the tenant share first, then all tenants', async () => {
  const p = pool({ maxWaiting: 2, maxWaitingPerTenant: 1 })
  const running = p.run({ ms: 200 }, 'A')
  const waiting = [p.run({}, 'A'), p.run({}, 'B')]
  const own = await p.run({}, 'A').catch((e) => e)
  expect(own).toBeInstanceOf(ChildPoolBusy)
  expect(own).toMatchObject({ scope: 'tenant', waiting: 1 })
  const all = await p.run({}, 'C').catch((e) => e)
  expect(all).toMatchObject({ scope: 'all', waiting: 2 })
  expect(p.waitingFor()).toBe(2)
  await Promise.all([running, ...waiting])
})

test('close() rejects the running and the waiting jobs, and any later one, and ends the process', async () => {
  const p = pool()
  const running = p.run({ ms: 5_000 }).catch((e) => e)
  const waiting = p.run({}).catch((e) => e)
  while (!p.pid) await Bun.sleep(5)
  const pid = p.pid
  p.close()
  expect(await running).toBeInstanceOf(ChildPoolClosed)
  expect(await waiting).toBeInstanceOf(ChildPoolClosed)
  expect(await p.run({}).catch((e) => e)).toBeInstanceOf(ChildPoolClosed)
  await gone(pid)
})

test('the child sees PATH and HOME, none of the settings of the service', async () => {
  process.env.CHILD_POOL_TEST_SECRET = 'x'
  try {
    const result = await pool().run({})
    const env = 'env' in result ? result.env : []
    expect(env).toContain('PATH')
    expect(env).toContain('HOME')
    expect(env).not.toContain('CHILD_POOL_TEST_SECRET')
  } finally {
    delete process.env.CHILD_POOL_TEST_SECRET
  }
})
