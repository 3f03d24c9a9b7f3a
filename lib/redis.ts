/**
 * Redis connections. Producers (the bots' dispatch) fail fast: no offline queue, one retry per
 * request, so a user is told to retry instead of waiting on a dead Redis. Workers wait for
 * Redis to come back (`maxRetriesPerRequest: null`), as BullMQ requires.
 */
import diagnostics from 'node:diagnostics_channel'
import IORedis, { type RedisOptions } from 'ioredis'

/**
 * ioredis 6 traces every command through a diagnostics_channel TracingChannel unless the channel
 * says it has no subscribers. Bun's TracingChannel has no `hasSubscribers` (Node's has), so
 * ioredis took it as subscribed and built a sanitised copy of every command's arguments and a
 * wrapping promise for nobody: about an eighth of the worker's CPU under load. Node's meaning
 * is given here: subscribed when any of its five channels is.
 */
export function giveTracingChannelsHasSubscribers(): void {
  const proto = Object.getPrototypeOf(diagnostics.tracingChannel('car-manager:probe')) as object
  if ('hasSubscribers' in proto) return
  Object.defineProperty(proto, 'hasSubscribers', {
    configurable: true,
    get(this: Record<'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error', { hasSubscribers: boolean }>) {
      return (
        this.start.hasSubscribers ||
        this.end.hasSubscribers ||
        this.asyncStart.hasSubscribers ||
        this.asyncEnd.hasSubscribers ||
        this.error.hasSubscribers
      )
    },
  })
}
giveTracingChannelsHasSubscribers()

const base = (): RedisOptions => ({
  connectTimeout: 2_000,
  retryStrategy: (times) => Math.min(times * 200, 2_000),
})

export function producerConnection(url: string): IORedis {
  return new IORedis(url, { ...base(), enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
}

export function workerConnection(url: string): IORedis {
  return new IORedis(url, { ...base(), maxRetriesPerRequest: null, enableReadyCheck: true })
}
