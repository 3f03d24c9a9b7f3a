/**
 * The Bull Board queue dashboard, mounted at `/queues` on the worker's HTTP port.
 *
 * - Off unless DASHBOARD_PASSWORD is set; then every `/queues` request needs HTTP basic auth
 *   as user `admin` with that password (compared in constant time), otherwise 401.
 * - Shows the `commands`, `replies.discord`, `replies.slack` and `reminders` queues under
 *   QUEUE_PREFIX (a terminal chat's replies go to a queue of its own session, which comes and
 *   goes with the chat, so it is not listed).
 * - Job data is shown with capabilities blanked (a Discord interaction token or a Slack
 *   response_url lets anyone answer in the user's name), and completed commands cannot be
 *   retried from the page: running a finished command again is never what an operator means.
 */
import { timingSafeEqual } from 'node:crypto'
import { createBullBoard } from '@bull-board/api'
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter'
import { ElysiaAdapter } from '@bull-board/elysia'
import { Queue } from 'bullmq'
import { Elysia } from 'elysia'
import type IORedis from 'ioredis'
import type { Config } from '../lib/config.ts'
import type { Platform } from '../lib/contracts/envelope.ts'
import { COMMANDS_QUEUE, queueOptions, REMINDERS_QUEUE, repliesQueue } from '../lib/contracts/queues.ts'

export const DASHBOARD_PATH = '/queues'
export const DASHBOARD_USER = 'admin'

const PLATFORMS: Platform[] = ['discord', 'slack']

/** Queue names the dashboard shows. */
export const dashboardQueues = (): string[] => [
  COMMANDS_QUEUE,
  ...PLATFORMS.map(repliesQueue),
  REMINDERS_QUEUE,
]

export type Dashboard = {
  /** True when the request is for the dashboard (the caller then answers with `fetch`). */
  handles: (pathname: string) => boolean
  fetch: (request: Request) => Promise<Response>
  close: () => Promise<void>
}

const SECRET_KEYS = new Set(['token', 'responseUrl', 'authorization'])

/** A copy of job data with every capability-bearing field replaced. */
export function redactJobData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactJobData)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? '[redacted]' : redactJobData(v)]),
    )
  }
  return value
}

const digest = (s: string) => new Bun.CryptoHasher('sha256').update(s).digest()

/** Checks an `Authorization: Basic …` header against admin:<password> in constant time. */
export function basicAuthMatches(password: string, header: string | null): boolean {
  if (!header?.startsWith('Basic ')) return false
  let decoded: string
  try {
    decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  } catch {
    return false
  }
  const expected = `${DASHBOARD_USER}:${password}`
  return timingSafeEqual(digest(decoded), digest(expected)) && decoded.length === expected.length
}

/**
 * Builds the dashboard on the worker's Redis connection, or returns undefined when
 * DASHBOARD_PASSWORD is unset (the dashboard is then off and `/queues` is a plain 404).
 */
export async function createDashboard(options: {
  config: Config
  connection: IORedis
}): Promise<Dashboard | undefined> {
  const password = options.config.DASHBOARD_PASSWORD
  if (!password) return undefined
  const queues = dashboardQueues().map((name) => {
    const queue = new Queue(name, queueOptions(options.connection, options.config.QUEUE_PREFIX))
    queue.on('error', () => {})
    return queue
  })
  // BaseAdapter reads allowCompletedRetries; BullMQAdapter's declared options omit it.
  const adapterOptions = { allowRetries: true, allowCompletedRetries: false }
  const adapters = queues.map((queue) => {
    const adapter = new BullMQAdapter(queue, adapterOptions)
    adapter.setFormatter('data', redactJobData)
    return adapter
  })
  const server = new ElysiaAdapter(DASHBOARD_PATH)
  createBullBoard({
    queues: adapters,
    serverAdapter: server,
    options: { uiConfig: { boardTitle: 'Car Manager' } },
  })
  const app = new Elysia().use(await server.registerPlugin())

  const unauthorized = () =>
    Response.json(
      {
        error: {
          code: 'unauthorized',
          message: 'the queue dashboard needs the admin password (DASHBOARD_PASSWORD)',
        },
      },
      { status: 401, headers: { 'www-authenticate': 'Basic realm="Car Manager queues", charset="UTF-8"' } },
    )

  return {
    handles: (pathname) => pathname === DASHBOARD_PATH || pathname.startsWith(`${DASHBOARD_PATH}/`),
    fetch: async (request) => {
      if (!basicAuthMatches(password, request.headers.get('authorization'))) return unauthorized()
      return app.handle(request)
    },
    close: async () => {
      await Promise.all(queues.map((q) => q.close()))
    },
  }
}
