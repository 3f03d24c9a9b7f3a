/**
 * Redis connections. Producers (the bots' dispatch) fail fast: no offline queue, one retry per
 * request, so a user is told to retry instead of waiting on a dead Redis. Workers wait for
 * Redis to come back (`maxRetriesPerRequest: null`), as BullMQ requires.
 */
import IORedis, { type RedisOptions } from 'ioredis'

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
