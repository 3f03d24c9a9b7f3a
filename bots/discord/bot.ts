/**
 * The Discord bot as one unit that index.ts (and the tests) start and stop: the gateway client
 * with its interaction and message listeners, the dispatcher, and the delivery worker.
 * The client runs this process's shards (shards.ts); it is ready when every one of them is.
 * Replies go out over REST (interactions' webhooks, the delivery worker), on no shard.
 */
import { Events } from 'discord.js'
import type IORedis from 'ioredis'
import type { Config } from '../../lib/config.ts'
import type { Logger } from '../../lib/log.ts'
import { producerConnection, workerConnection } from '../../lib/redis.ts'
import { Dispatcher } from '../shared/dispatch.ts'
import { commands } from '../../catalog/catalog.ts'
import type { Command } from '../../catalog/command.ts'
import { type Form, forms } from '../../catalog/forms.ts'
import { createClient, createRest } from './client.ts'
import { type Delivery, startDelivery } from './deliver.ts'
import { handleInteraction } from './interactions.ts'
import { type Lookup, serviceLookup } from './lookup.ts'
import { registerGuildPresence } from './guilds.ts'
import { garagePresence } from '../shared/garage-presence.ts'
import { handleMessage } from './photos.ts'
import { threadRefOf } from '../shared/threads.ts'
import { shardsOf } from './shards.ts'

export type DiscordBotOptions = {
  config: Config
  token: string
  log: Logger
  catalog?: readonly Command[]
  forms?: Record<string, Form>
  lookup?: Lookup
  /** Start the delivery worker too (default true). */
  delivery?: boolean
  readyTimeoutMs?: number
  /**
   * Called when, after ready, a shard of this process is closed for good (a close code discord.js
   * does not reconnect after): its servers get no answers until the process starts again.
   */
  onShardLost?: (shard: number, code: number) => void
}

export type DiscordBot = {
  client: ReturnType<typeof createClient>
  delivery?: Delivery
  close: () => Promise<void>
}

export async function startDiscordBot(options: DiscordBotOptions): Promise<DiscordBot> {
  const { config, log, token } = options
  const shards = shardsOf(config)
  if (!config.REDIS_URL) throw new Error('REDIS_URL is missing: the Discord bot dispatches through Redis')
  const producer = producerConnection(config.REDIS_URL)
  producer.on('error', (err) => log.warn({ err: err.message }, 'redis (producer) error'))
  const dispatcher = Dispatcher.fromConfig(producer, config)
  const catalog = options.catalog ?? commands
  const lookup =
    options.lookup ??
    serviceLookup({
      itemsUrl: config.ITEMS_URL,
      issuesUrl: config.ISSUES_URL,
      serviceToken: config.SERVICE_TOKEN ?? '',
      log,
    })
  const connections: IORedis[] = [producer]

  const client = createClient(config.DISCORD_API_URL, shards)
  client.on(Events.InteractionCreate, (interaction) =>
    handleInteraction(interaction, {
      dispatcher,
      catalog,
      forms: options.forms ?? forms,
      lookup,
      log,
      threadRef: (tenant, threadId) => threadRefOf(producer, config.QUEUE_PREFIX, tenant, threadId),
    }),
  )
  client.on(Events.MessageCreate, (message) =>
    handleMessage(message, { dispatcher, redis: producer, queuePrefix: config.QUEUE_PREFIX, log }),
  )
  registerGuildPresence(client, garagePresence({ itemsUrl: config.ITEMS_URL, serviceToken: config.SERVICE_TOKEN ?? '', log }))
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'))

  let delivery: Delivery | undefined
  if (options.delivery !== false) {
    const blocking = workerConnection(config.REDIS_URL)
    const redis = workerConnection(config.REDIS_URL)
    for (const c of [blocking, redis])
      c.on('error', (err) => log.warn({ err: err.message }, 'redis (delivery) error'))
    connections.push(blocking, redis)
    delivery = await startDelivery({
      config,
      rest: createRest(config.DISCORD_API_URL, token),
      redis,
      connection: blocking,
      log: log.child({ part: 'delivery' }),
    })
  }

  const close = async () => {
    await client.destroy()
    await delivery?.close()
    await dispatcher.close()
    for (const c of connections) await c.quit().catch(() => c.disconnect())
  }

  let timer: ReturnType<typeof setTimeout> | undefined
  const ready = new Promise<void>((resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error('the Discord gateway did not become ready in time')),
      options.readyTimeoutMs ?? 30_000,
    )
    // discord.js emits it once every shard of this process is ready with its guilds.
    client.once(Events.ClientReady, () => resolve())
  })
  try {
    await Promise.all([client.login(token), ready])
  } catch (error) {
    await close().catch(() => {})
    throw error
  } finally {
    clearTimeout(timer)
  }
  log.info(
    {
      user: client.user?.tag,
      guilds: client.guilds.cache.size,
      shards: [...client.ws.shards.keys()],
      shardCount: client.options.shardCount,
    },
    'discord gateway ready',
  )
  client.on(Events.ShardDisconnect, (event, shard) => {
    log.error({ code: event.code, shard }, 'gateway shard closed for good')
    options.onShardLost?.(shard, event.code)
  })

  return { client, delivery, close }
}
