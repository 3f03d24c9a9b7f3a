/**
 * The whole of a service's `index.ts`: load the settings, build the app, listen on its port at
 * SERVICE_HOST, and on SIGTERM/SIGINT stop taking requests and close what the app holds
 * (its database; for images, the decoder process) before exiting 0.
 */
import { type Config, loadConfig, requireSetting } from '../../lib/config.ts'
import { collectWhenQuiet } from '../../lib/idle-gc.ts'
import { createLogger } from '../../lib/log.ts'
import { SERVICES, type ServiceName } from '../../lib/contracts/services.ts'

type ServiceApp = {
  fetch: (request: Request) => Response | Promise<Response>
  stop: () => unknown
  /** What to do once the requests stop for a moment (a service with a database checkpoints it). */
  quiet?: () => void
}

export function runService(
  name: ServiceName,
  createApp: (deps: { dataDir: string; token: string; config: Config }) => ServiceApp,
): void {
  const config = loadConfig()
  const log = createLogger(name, config.LOG_LEVEL)
  const token = requireSetting(config, 'SERVICE_TOKEN', `the ${name} service refuses every caller without it`)
  const app = createApp({ dataDir: config.DATA_DIR, token, config })
  // Once a burst of requests stops: the database is checkpointed, and the heap the burst left is
  // given back (lib/idle-gc.ts).
  const idle = collectWhenQuiet(500, () => {
    app.quiet?.()
    Bun.gc(true)
  })
  const server = Bun.serve({
    hostname: config.SERVICE_HOST,
    port: Number(config[SERVICES[name].port]),
    fetch: (request) => {
      idle.busy()
      return app.fetch(request)
    },
  })
  log.info({ url: `http://${config.SERVICE_HOST}:${server.port}` }, `${name} service listening`)

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, `${name} service stopping`)
    try {
      idle.stop()
      await server.stop()
      await app.stop()
    } catch (error) {
      log.error({ err: error }, `${name} service did not stop cleanly`)
      process.exit(1)
    }
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}
