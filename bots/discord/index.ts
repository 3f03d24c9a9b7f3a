/**
 * The Discord bot process (`bun bots/discord/index.ts`, Procfile `discord`): the gateway client
 * and the delivery worker on `replies.discord`. SIGINT/SIGTERM close the gateway and let
 * deliveries in flight finish before exiting. A shard of this process closed for good (say the
 * token was reset) closes it the same way and exits 1, so its supervisor starts it again.
 */
import { loadConfig, requireSetting } from '../../lib/config.ts'
import { createLogger } from '../../lib/log.ts'
import { startDiscordBot } from './bot.ts'

const config = loadConfig()
const log = createLogger('discord', config.LOG_LEVEL)
const token = requireSetting(
  config,
  'DISCORD_TOKEN',
  'the Discord bot logs in with it (developer portal → Bot → Reset Token).',
)
requireSetting(
  config,
  'DISCORD_APP_ID',
  'the Discord bot needs its application id (developer portal → General Information).',
)
requireSetting(config, 'REDIS_URL', 'the Discord bot dispatches commands and takes replies through Redis.')
requireSetting(config, 'SERVICE_TOKEN', 'autocomplete and thumbnails call the services with it.')

let bot: Awaited<ReturnType<typeof startDiscordBot>>
let stopping = false
try {
  bot = await startDiscordBot({
    config,
    token,
    log,
    onShardLost: (shard) => void shutdown(`shard ${shard} closed for good`, 1),
  })
} catch (error) {
  log.fatal({ err: error }, 'the Discord bot could not start')
  process.exit(1)
}

async function shutdown(reason: string, code = 0) {
  if (stopping) return
  stopping = true
  log.info({ reason }, 'shutting down: closing the gateway, finishing deliveries in flight')
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting')
    process.exit(1)
  }, 20_000)
  await bot.close().catch((err) => log.error({ err }, 'error while closing'))
  clearTimeout(force)
  process.exit(code)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
