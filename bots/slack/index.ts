/**
 * Entry of the `slack` process (`bun bots/slack/index.ts`): the Bolt app (HTTP receiver on
 * SLACK_PORT, or Socket Mode when SLACK_APP_TOKEN is set) and the delivery worker on
 * `replies.slack`, closed gracefully on SIGINT / SIGTERM. With OAuth installs on
 * (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET), both use the workspaces kept in
 * DATA_DIR/slack.sqlite, sealed under SLACK_TOKEN_KEY (bots/slack/installations.ts).
 */
import type IORedis from 'ioredis'
import { type Config, loadConfig, requireSetting } from '../../lib/config.ts'
import { createLogger, type Logger } from '../../lib/log.ts'
import { producerConnection, workerConnection } from '../../lib/redis.ts'
import { Dispatcher } from '../shared/dispatch.ts'
import { commands } from '../../catalog/catalog.ts'
import { forms } from '../../catalog/forms.ts'
import { createSlackApp, oauthEnabled } from './app.ts'
import { type SlackContext, threadLookup, threadRemember } from './context.ts'
import { type DeliveryWorker, startDelivery } from './deliver.ts'
import { factsLookup } from './facts.ts'
import { fileKeeper } from './files.ts'
import { SqliteInstallationStore, tokenResolver } from './installations.ts'

export type RunningSlack = {
  port: number
  mode: 'http' | 'socket'
  delivery: DeliveryWorker
  close: () => Promise<void>
}

/** Starts the app and its delivery worker; `overrides` lets tests pass a port, forms or a clock. */
export async function startSlack(
  config: Config,
  log: Logger,
  overrides: {
    port?: number
    forms?: SlackContext['forms']
    now?: () => Date
    maxRetryAfterMs?: number
  } = {},
): Promise<RunningSlack> {
  const redisUrl = config.REDIS_URL
  if (!redisUrl) throw new Error('REDIS_URL is missing')
  let installations: SqliteInstallationStore | undefined
  if (oauthEnabled(config)) {
    if (!config.SLACK_TOKEN_KEY)
      throw new Error('SLACK_TOKEN_KEY is missing: OAuth installs keep their tokens encrypted')
    installations = SqliteInstallationStore.open(config.DATA_DIR, config.SLACK_TOKEN_KEY)
  }
  const producer: IORedis = producerConnection(redisUrl)
  producer.on('error', (err) => log.warn({ err: err.message }, 'redis (producer) error'))
  const consumer: IORedis = workerConnection(redisUrl)
  consumer.on('error', (err) => log.warn({ err: err.message }, 'redis (worker) error'))
  const dispatcher = Dispatcher.fromConfig(producer, config)
  const ctx: SlackContext = {
    dispatch: (envelope) => dispatcher.dispatch(envelope),
    commands,
    forms: overrides.forms ?? forms,
    threadRef: threadLookup(producer, config.QUEUE_PREFIX, log),
    rememberThread: threadRemember(producer, config.QUEUE_PREFIX),
    facts: factsLookup(log),
    keepFile: fileKeeper(config, log),
    log,
    now: overrides.now ?? (() => new Date()),
  }
  const queueReady = async () => (await producer.ping()) === 'PONG'
  const slack = createSlackApp({
    config,
    ctx,
    log,
    queueReady,
    ...(overrides.port !== undefined ? { port: overrides.port } : {}),
    ...(installations ? { installations } : {}),
  })
  let delivery: DeliveryWorker | undefined
  try {
    delivery = await startDelivery({
      config,
      connection: consumer,
      log,
      tokens: tokenResolver(installations, config.SLACK_BOT_TOKEN),
      ...(overrides.maxRetryAfterMs ? { maxRetryAfterMs: overrides.maxRetryAfterMs } : {}),
    })
    const { port } = await slack.start()
    log.info({ port, mode: slack.mode, commands: commands.map((c) => `/${c.name}`) }, 'slack app started')
    const running = delivery
    return {
      port,
      mode: slack.mode,
      delivery: running,
      close: async () => {
        await slack.stop()
        await running.close()
        await dispatcher.close()
        producer.disconnect()
        consumer.disconnect()
        installations?.close()
      },
    }
  } catch (error) {
    await delivery?.close()
    await dispatcher.close()
    producer.disconnect()
    consumer.disconnect()
    installations?.close()
    throw error
  }
}

if (import.meta.main) {
  const config = loadConfig()
  const log = createLogger('slack', config.LOG_LEVEL)
  const oauthParts = [config.SLACK_CLIENT_ID, config.SLACK_CLIENT_SECRET, config.SLACK_STATE_SECRET]
  if (oauthParts.some(Boolean)) {
    const why = 'OAuth installs need SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together'
    requireSetting(config, 'SLACK_CLIENT_ID', why)
    requireSetting(config, 'SLACK_CLIENT_SECRET', why)
    requireSetting(config, 'SLACK_STATE_SECRET', why)
    requireSetting(
      config,
      'SLACK_TOKEN_KEY',
      "OAuth installs keep the workspaces' bot tokens encrypted with it",
    )
  } else requireSetting(config, 'SLACK_BOT_TOKEN', 'the Slack app needs its bot token (xoxb-…)')
  if (!config.SLACK_APP_TOKEN)
    requireSetting(
      config,
      'SLACK_SIGNING_SECRET',
      'the HTTP receiver verifies every request with it (or set SLACK_APP_TOKEN for Socket Mode)',
    )
  requireSetting(config, 'REDIS_URL', 'commands and replies travel through the Redis queues')
  let running: RunningSlack
  try {
    running = await startSlack(config, log)
  } catch (err) {
    log.fatal({ err }, 'the Slack app could not start')
    process.exit(1)
  }
  let closing = false
  const close = async (signal: string) => {
    if (closing) return
    closing = true
    log.info({ signal }, 'closing')
    const timer = setTimeout(() => process.exit(1), 10_000)
    await running.close().catch((err) => log.error({ err }, 'close failed'))
    clearTimeout(timer)
    process.exit(0)
  }
  process.on('SIGINT', () => void close('SIGINT'))
  process.on('SIGTERM', () => void close('SIGTERM'))
}
