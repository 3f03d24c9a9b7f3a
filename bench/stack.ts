/**
 * The stack the bench measures: every service and the worker, each its own process started
 * from its entry file, on the bench's Redis, with SQLite on disk in the work folder. A process
 * that does not come up is a failed `operations` row, not the end of the run.
 */
import { join } from 'node:path'
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../lib/contracts/services.ts'
import { freePort } from '../test/redis.ts'
import { type Child, type Row, say, startChild, waitForOk } from './lib.ts'

const ROOT = join(import.meta.dir, '..')
export const TOKEN = 'bench-service-token-0123456789abcdef'

export type HttpProcess = { name: string; url: string; child: Child }

export type BenchStack = {
  /** The settings the stack's processes run with (the bench's own helper processes too). */
  env: Record<string, string>
  /** The HTTP processes that came up: the services, then the worker. */
  http: HttpProcess[]
  /** The services that came up. */
  up: ServiceName[]
  worker?: Child
  /** Why the worker did not come up. */
  workerProblem?: string
  /** The queue prefix of the stack's queues. */
  prefix: string
}

/** The first lines of an error, on one line. */
const gist = (error: unknown, lines: number) =>
  String((error as Error).message)
    .split('\n')
    .slice(0, lines)
    .join(' ')
    .slice(0, 300)

/**
 * Starts the stack. Every process started is pushed to `children` (so the caller stops them
 * whatever happens); one that does not come up is stopped again and reported in `rows`.
 */
export async function startBenchStack(o: {
  redisUrl: string
  dataDir: string
  workDir: string
  concurrency: number
  children: Child[]
  rows: Row[]
}): Promise<BenchStack> {
  const { children, rows } = o
  const ports = new Map<ServiceName, number>()
  for (const s of SERVICE_NAMES) ports.set(s, await freePort())
  const workerPort = await freePort()
  const prefix = `bench${Date.now().toString(36)}`
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    REDIS_URL: o.redisUrl,
    DATA_DIR: o.dataDir,
    SERVICE_TOKEN: TOKEN,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'info',
    WORKER_PORT: String(workerPort),
    WORKER_CONCURRENCY: String(o.concurrency),
    SERVICE_HOST: '127.0.0.1',
  }
  for (const [s, port] of ports) {
    env[SERVICES[s].port] = String(port)
    env[SERVICES[s].url] = `http://127.0.0.1:${port}`
  }
  const http: HttpProcess[] = []
  for (const s of SERVICE_NAMES) {
    const child = startChild(s, ['bun', join(ROOT, SERVICES[s].entry)], env, join(o.workDir, `${s}.log`))
    children.push(child)
    http.push({ name: s, url: `http://127.0.0.1:${ports.get(s)}`, child })
  }
  const failed: string[] = []
  for (const h of [...http]) {
    try {
      await waitForOk(`${h.url}/health`, h.child)
    } catch (error) {
      const why = gist(error, 4)
      say(`${h.name} did not start: ${why}`)
      rows.push({
        section: 'operations',
        name: `${h.name} starts`,
        value: null,
        unit: '',
        met: false,
        note: why,
      })
      failed.push(h.name)
      http.splice(http.indexOf(h), 1)
      children.splice(children.indexOf(h.child), 1)
      await h.child.stop()
    }
  }
  const up = SERVICE_NAMES.filter((s) => !failed.includes(s))
  let worker: Child | undefined
  let workerProblem: string | undefined
  try {
    worker = startChild(
      'worker',
      ['bun', join(ROOT, 'queue', 'worker.ts')],
      env,
      join(o.workDir, 'worker.log'),
    )
    children.push(worker)
    await waitForOk(`http://127.0.0.1:${workerPort}/ready`, worker)
    http.push({ name: 'worker', url: `http://127.0.0.1:${workerPort}`, child: worker })
  } catch (error) {
    workerProblem = gist(error, 6)
    say(`the worker did not start: ${workerProblem}`)
    rows.push({
      section: 'operations',
      name: 'worker starts',
      value: null,
      unit: '',
      met: false,
      note: workerProblem,
    })
    if (worker) {
      children.splice(children.indexOf(worker), 1)
      await worker.stop()
    }
    worker = undefined
  }
  say(`stack up: ${[...up, ...(worker ? ['worker'] : [])].join(', ')}`)
  return { env, http, up, worker, workerProblem, prefix }
}
