import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import { parseConfig } from '../lib/config.ts'
import { testRedisUrl } from '../test/env.ts'
import { uniquePrefix } from '../test/redis.ts'
import { workerConnection } from '../lib/redis.ts'
import {
  basicAuthMatches,
  createDashboard,
  type Dashboard,
  dashboardQueues,
  redactJobData,
} from './dashboard.ts'
import { commandJobId, COMMANDS_QUEUE, queueOptions } from '../lib/contracts/queues.ts'

const PASSWORD = 'correct-horse-battery'
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

describe('basic auth check', () => {
  test('accepts only admin with the password', () => {
    expect(basicAuthMatches(PASSWORD, basic('admin', PASSWORD))).toBe(true)
    expect(basicAuthMatches(PASSWORD, basic('admin', `${PASSWORD}x`))).toBe(false)
    expect(basicAuthMatches(PASSWORD, basic('root', PASSWORD))).toBe(false)
    expect(basicAuthMatches(PASSWORD, null)).toBe(false)
    expect(basicAuthMatches(PASSWORD, `Bearer ${PASSWORD}`)).toBe(false)
    expect(basicAuthMatches(PASSWORD, 'Basic !!!not-base64')).toBe(false)
  })
})

test('job data is shown without interaction tokens or response URLs', () => {
  const data = {
    id: 'e1',
    replyTo: {
      platform: 'discord',
      channelId: '1',
      interaction: { applicationId: '2', token: 'SECRET', createdAt: 1 },
    },
    payload: { car: 'corolla' },
  }
  const shown = JSON.stringify(redactJobData(data))
  expect(shown).not.toContain('SECRET')
  expect(shown).toContain('corolla')
  expect(
    JSON.stringify(redactJobData({ replyTo: { responseUrl: 'https://hooks.example/xyz' } })),
  ).not.toContain('hooks')
})

describe('dashboard in process', () => {
  const prefix = uniquePrefix('dash')
  const connection = workerConnection(testRedisUrl())
  let dashboard: Dashboard
  let server: ReturnType<typeof Bun.serve>
  let queue: Queue

  beforeAll(async () => {
    const config = parseConfig({
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      DASHBOARD_PASSWORD: PASSWORD,
    })
    dashboard = (await createDashboard({ config, connection }))!
    server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (request) => {
        const { pathname } = new URL(request.url)
        return dashboard.handles(pathname) ? dashboard.fetch(request) : new Response('other', { status: 404 })
      },
    })
    queue = new Queue(COMMANDS_QUEUE, queueOptions(connection, prefix))
    await queue.add(
      'car.show',
      {
        id: 'env1',
        kind: 'car.show',
        replyTo: {
          platform: 'discord',
          channelId: '1',
          interaction: { applicationId: '2', token: 'INTERACTION-TOKEN', createdAt: 1 },
        },
        payload: { car: 'corolla' },
      },
      { jobId: commandJobId('env1') },
    )
  })

  afterAll(async () => {
    server?.stop(true)
    await queue?.close()
    await dashboard?.close()
    connection.disconnect()
  })

  const get = (path: string, auth?: string) =>
    fetch(`http://127.0.0.1:${server.port}${path}`, { headers: auth ? { authorization: auth } : {} })

  test('refuses a missing or wrong password with 401 and a basic-auth challenge', async () => {
    for (const auth of [undefined, basic('admin', 'wrong-password'), basic('root', PASSWORD)]) {
      for (const path of ['/queues', '/queues/api/queues']) {
        const res = await get(path, auth)
        expect(res.status).toBe(401)
        expect(res.headers.get('www-authenticate')).toStartWith('Basic ')
        expect(await res.text()).not.toContain('commands')
      }
    }
  })

  test('serves the page and lists every queue with the right password', async () => {
    const page = await get('/queues', basic('admin', PASSWORD))
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    const html = await page.text()
    expect(html).toContain('<base href="/queues/"')
    // The page's scripts are served too (same auth), so the UI actually loads.
    const script = html.match(/src="(static\/js\/main[^"]+)"/)?.[1]
    expect(script).toBeDefined()
    const js = await get(`/queues/${script}`, basic('admin', PASSWORD))
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toContain('javascript')

    const api = await get(
      '/queues/api/queues?activeQueue=commands&status=waiting&page=1',
      basic('admin', PASSWORD),
    )
    expect(api.status).toBe(200)
    const body = (await api.json()) as {
      queues: { name: string; counts: Record<string, number>; jobs: { data: unknown }[] }[]
    }
    expect(body.queues.map((q) => q.name).sort()).toEqual(dashboardQueues().sort())
    expect(dashboardQueues()).toEqual([
      'commands',
      'replies.discord',
      'replies.slack',
      'reminders',
    ])
    const commands = body.queues.find((q) => q.name === 'commands')!
    expect(commands.counts.waiting).toBe(1)
    expect((commands as unknown as { allowCompletedRetries: boolean }).allowCompletedRetries).toBe(false)
    expect(JSON.stringify(commands.jobs)).toContain('corolla')
    expect(JSON.stringify(commands.jobs)).not.toContain('INTERACTION-TOKEN')
  })

  test('is off when DASHBOARD_PASSWORD is unset', async () => {
    const config = parseConfig({ REDIS_URL: testRedisUrl(), QUEUE_PREFIX: prefix })
    expect(await createDashboard({ config, connection })).toBeUndefined()
  })
})

describe('dashboard in the worker process', () => {
  test('queue/worker.ts mounts it at /queues behind the password, beside /health and /ready', async () => {
    const prefix = uniquePrefix('dashw')
    const proc = Bun.spawn(['bun', join(import.meta.dir, 'worker.ts')], {
      env: {
        PATH: process.env.PATH ?? '',
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: prefix,
        SERVICE_TOKEN: 'dashboard-test-token-0123456789',
        WORKER_PORT: '0',
        DASHBOARD_PASSWORD: PASSWORD,
        LOG_LEVEL: 'info',
      },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    try {
      // The worker logs its port in the JSON "worker ready" line.
      const reader = proc.stdout.getReader()
      let text = ''
      let port: number | undefined
      const deadline = Date.now() + 15_000
      while (port === undefined && Date.now() < deadline) {
        const chunk = await Promise.race([
          reader.read(),
          Bun.sleep(deadline - Date.now()).then(() => undefined),
        ])
        if (!chunk || chunk.done) break
        text += new TextDecoder().decode(chunk.value)
        for (const line of text.split('\n')) {
          if (!line.startsWith('{')) continue
          const entry = JSON.parse(line) as {
            msg?: string
            port?: number
            process?: string
            dashboard?: string
          }
          if (entry.msg === 'worker ready') {
            expect(entry.process).toBe('worker')
            expect(entry.dashboard).toBe('/queues')
            port = entry.port
          }
        }
      }
      reader.releaseLock()
      if (port === undefined)
        throw new Error(`worker did not get ready: ${text} ${await new Response(proc.stderr).text()}`)
      const base = `http://127.0.0.1:${port}`
      expect((await fetch(`${base}/health`)).status).toBe(200)
      expect((await fetch(`${base}/ready`)).status).toBe(200)
      expect((await fetch(`${base}/queues`)).status).toBe(401)
      expect(
        (await fetch(`${base}/queues`, { headers: { authorization: basic('admin', 'nope-nope') } })).status,
      ).toBe(401)
      const ok = await fetch(`${base}/queues/api/queues`, {
        headers: { authorization: basic('admin', PASSWORD) },
      })
      expect(ok.status).toBe(200)
      const names = ((await ok.json()) as { queues: { name: string }[] }).queues.map((q) => q.name)
      expect(names).toContain('commands')
      expect(names).toContain('replies.discord')
      expect(names).toContain('reminders')
    } finally {
      proc.kill('SIGTERM')
      const exited = await Promise.race([proc.exited, Bun.sleep(10_000).then(() => 'timeout' as const)])
      if (exited === 'timeout') proc.kill('SIGKILL')
    }
    expect(await proc.exited).toBe(0)
  }, 30_000)
})
