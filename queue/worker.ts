/**
 * The worker process (`bun queue/worker.ts`): the orchestrator on the `commands` queue (with the
 * reminder tick and the webhook deliveries it starts, queue/reminders.ts and queue/webhooks.ts), the
 * backup schedule (queue/backups.ts), plus /health and /ready on WORKER_PORT. SIGINT/SIGTERM
 * let jobs in flight finish (or hand them back) before exiting.
 */
import { loadConfig, requireSetting } from '../lib/config.ts'
import { collectWhenQuiet } from '../lib/idle-gc.ts'
import { createLogger } from '../lib/log.ts'
import { workerConnection } from '../lib/redis.ts'
import { startBackups } from './backups.ts'
import { startOrchestrator } from './orchestrator.ts'

const config = loadConfig()
const log = createLogger('worker', config.LOG_LEVEL)
const redisUrl = requireSetting(config, 'REDIS_URL', 'the worker takes its jobs from Redis (e.g. redis://127.0.0.1:6379).')
requireSetting(config, 'SERVICE_TOKEN', 'the worker authenticates to the services with it (bun run demo generates one).')

const connection = workerConnection(redisUrl)
connection.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'))
const orchestrator = await startOrchestrator({ config, connection, log })
const backups = await startBackups({
  connection,
  queuePrefix: config.QUEUE_PREFIX,
  config,
  log: log.child({ part: 'backups' }),
})
// The heap a burst of jobs leaves is given back once the jobs stop (lib/idle-gc.ts).
const idle = collectWhenQuiet()
orchestrator.worker.on('active', idle.busy)
// Bull Board (and its UI) is loaded only when it is switched on: about 15 MB of a worker's memory.
const dashboard = config.DASHBOARD_PASSWORD
  ? await (await import('./dashboard.ts')).createDashboard({ config, connection })
  : undefined

const http = Bun.serve({
  hostname: config.SERVICE_HOST,
  port: config.WORKER_PORT,
  fetch(request) {
    const { pathname } = new URL(request.url)
    if (dashboard?.handles(pathname)) return dashboard.fetch(request)
    if (pathname === '/health') return Response.json({ ok: true, process: 'worker' })
    if (pathname === '/ready') {
      const ready = connection.status === 'ready' && orchestrator.worker.isRunning()
      return Response.json({ ok: ready, redis: connection.status }, { status: ready ? 200 : 503 })
    }
    return Response.json({ error: { code: 'not_found', message: 'no such route' } }, { status: 404 })
  },
})
log.info({ kinds: orchestrator.kinds.length, port: http.port, dashboard: dashboard ? '/queues' : 'off' }, 'worker ready')

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  log.info({ signal }, 'shutting down: finishing jobs in flight')
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting')
    process.exit(1)
  }, 20_000)
  idle.stop()
  await orchestrator.close()
  await backups.close()
  await dashboard?.close()
  http.stop(true)
  await connection.quit().catch(() => {})
  clearTimeout(force)
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
