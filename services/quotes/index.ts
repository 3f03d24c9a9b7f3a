/** The quotes process: listens on QUOTES_PORT. */
import { loadConfig, requireSetting } from '../../lib/config.ts'
import { createLogger } from '../../lib/log.ts'
import { createApp } from './app.ts'

const config = loadConfig()
const log = createLogger('quotes', config.LOG_LEVEL)
const token = requireSetting(
  config,
  'SERVICE_TOKEN',
  'every service demands the service token of its callers.',
)
const app = createApp({ dataDir: config.DATA_DIR, token, config }).listen({
  hostname: config.SERVICE_HOST,
  port: config.QUOTES_PORT,
})
log.info({ port: app.server?.port }, 'quotes listening')

const stop = () => {
  app.stop()
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
