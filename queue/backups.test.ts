/**
 * The backup schedule: the services on their ports (test/stack.ts), the scheduler on the test
 * Redis, the clock injected. A scheduled snapshot lands in DATA_DIR/backups/auto-<time>, and
 * only the newest BACKUP_KEEP of them stay; snapshots taken by hand are left alone.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readdirSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import type IORedis from 'ioredis'
import { backupRoot, snapshotName } from '../lib/backup/contract.ts'
import { serviceUrls, takeBackup } from '../lib/backup/take.ts'
import { type Config, parseConfig } from '../lib/config.ts'
import { silentLogger } from '../lib/log.ts'
import { workerConnection } from '../lib/redis.ts'
import { testRedisUrl } from '../test/env.ts'
import { type Stack, startStack } from '../test/stack.ts'
import { BACKUP_SCHEDULER_ID, type Backups, startBackups } from './backups.ts'

let stack: Stack
let connection: IORedis
let clock = new Date('2026-06-01T00:00:00Z')
const now = () => clock
const started: Backups[] = []

beforeAll(async () => {
  stack = await startStack({
    worker: false,
    collect: false,
    env: { BACKUP_EVERY_HOURS: '6', BACKUP_KEEP: '2' },
  })
  connection = workerConnection(testRedisUrl())
  const car = await fetch(`${stack.url('items')}/cars`, {
    method: 'POST',
    headers: stack.headers('local:sched'),
    body: JSON.stringify({ nickname: 'golf' }),
  })
  expect(car.status).toBe(201)
}, 30_000)

afterEach(async () => {
  for (const b of started.splice(0)) await b.close()
})

afterAll(async () => {
  connection?.disconnect()
  await stack?.close()
})

async function backups(config: Config = stack.config, process = false): Promise<Backups> {
  const b = await startBackups({
    connection,
    queuePrefix: stack.prefix,
    config,
    log: silentLogger,
    now,
    process,
  })
  started.push(b)
  return b
}

const listed = () => readdirSync(backupRoot(stack.dataDir)).sort()

describe('scheduled backups', () => {
  test('each run takes a snapshot into backups/auto-<time> and keeps only the newest BACKUP_KEEP', async () => {
    const b = await backups()
    const scheduler = await b.queue.getJobScheduler(BACKUP_SCHEDULER_ID)
    expect(scheduler?.every).toBe(6 * 60 * 60 * 1000)
    // One taken by hand, a partial folder a dead backup left two days ago, and one being written.
    const manual = await takeBackup({
      dataDir: stack.dataDir,
      token: stack.token,
      urls: serviceUrls(stack.config),
      now,
    })
    const root = backupRoot(stack.dataDir)
    mkdirSync(join(root, '.partial-dead'))
    const old = new Date(clock.getTime() - 2 * 24 * 3600 * 1000)
    utimesSync(join(root, '.partial-dead'), old, old)
    mkdirSync(join(root, '.partial-writing'))

    const names: string[] = []
    for (let i = 0; i < 4; i++) {
      clock = new Date(clock.getTime() + 6 * 3600 * 1000)
      const r = await b.run!()
      names.push(snapshotName(clock, 'auto-'))
      expect(r.dir).toBe(join(root, names.at(-1)!))
      expect(existsSync(join(r.dir, 'manifest.json'))).toBe(true)
      expect(listed().filter((n) => n.startsWith('auto-'))).toEqual(names.slice(-2))
    }
    expect(listed()).toEqual(['.partial-writing', ...names.slice(-2), manual.dir.split('/').at(-1)!].sort())
    // A second run at the same instant (a job brought forward beside the scheduler's) is the same snapshot.
    expect((await b.run!()).dir).toBe(join(root, names.at(-1)!))
    expect(listed()).toEqual(['.partial-writing', ...names.slice(-2), manual.dir.split('/').at(-1)!].sort())
  }, 30_000)

  test("the worker runs the scheduler's job", async () => {
    clock = new Date(clock.getTime() + 6 * 3600 * 1000)
    const b = await backups(stack.config, true)
    // The scheduler's own job, brought forward: a job added beside it would take its snapshot
    // at the same (fixed) time and be refused as a second backup into the same folder.
    const deadline = Date.now() + 15_000
    let states: string[] = []
    while (Date.now() < deadline) {
      const jobs = (await b.queue.getJobs(['delayed', 'waiting', 'active', 'completed', 'failed'])).filter(
        (j) => j.repeatJobKey === BACKUP_SCHEDULER_ID,
      )
      for (const j of jobs) if (await j.isDelayed()) await j.promote()
      states = await Promise.all(jobs.map((j) => j.getState()))
      if (states.includes('completed') || states.includes('failed')) break
      await Bun.sleep(50)
    }
    expect(states).toContain('completed')
    expect(states).not.toContain('failed')
    expect(listed()).toContain(snapshotName(clock, 'auto-'))
  }, 20_000)

  test('BACKUP_EVERY_HOURS=0 removes the scheduler', async () => {
    const on = await backups()
    expect(await on.queue.getJobScheduler(BACKUP_SCHEDULER_ID)).toBeDefined()
    const off = await backups(parseConfig({ ...envOf(stack.config), BACKUP_EVERY_HOURS: '0' }))
    expect(off.run).toBeUndefined()
    expect(await off.queue.getJobScheduler(BACKUP_SCHEDULER_ID)).toBeUndefined()
  })
})

const envOf = (config: Config) =>
  Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v === undefined ? undefined : String(v)]))
