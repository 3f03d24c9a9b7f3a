/** The issues service process: loads the settings and listens on ISSUES_PORT at SERVICE_HOST. */
import { loadConfig, requireSetting } from '../../lib/config.ts'
import { createLogger } from '../../lib/log.ts'
import { createApp } from './app.ts'

const config = loadConfig()
const log = createLogger('issues', config.LOG_LEVEL)
const token = requireSetting(config, 'SERVICE_TOKEN', 'the issues service refuses every caller without it')
const app = createApp({ dataDir: config.DATA_DIR, token, config })
const server = Bun.serve({
  hostname: config.SERVICE_HOST,
  port: config.ISSUES_PORT,
  fetch: (request) => app.fetch(request),
})
log.info({ port: server.port, host: config.SERVICE_HOST }, 'issues service listening')

const stop = async () => {
  log.info('stopping')
  server.stop()
  await app.stop()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
