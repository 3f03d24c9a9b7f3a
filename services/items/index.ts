/** The items service process: loads the settings and listens on ITEMS_PORT at SERVICE_HOST. */
import { loadConfig, requireSetting } from '../../lib/config.ts'
import { createLogger } from '../../lib/log.ts'
import { createApp } from './app.ts'

const config = loadConfig()
const token = requireSetting(config, 'SERVICE_TOKEN', 'the items service refuses callers without it')
const log = createLogger('items', config.LOG_LEVEL)

const app = createApp({ dataDir: config.DATA_DIR, token, config })
app.listen({ port: config.ITEMS_PORT, hostname: config.SERVICE_HOST })
log.info({ url: `http://${config.SERVICE_HOST}:${app.server?.port}` }, 'items service listening')

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  log.info({ signal }, 'items service stopping')
  try {
    // Stops accepting requests, then closes the database (see createApp).
    await app.stop()
  } catch (error) {
    log.error({ err: error }, 'items service did not stop cleanly')
    process.exit(1)
  }
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
