/**
 * bun test preload: one private redis-server for the whole run, on a free loopback port.
 * Tests read its URL from `testRedisUrl()` and use a unique QUEUE_PREFIX each.
 */
import { afterAll } from 'bun:test'
import { startRedis } from './redis.ts'

const redis = await startRedis()
process.env.TEST_REDIS_URL = redis.url
process.on('exit', () => redis.kill())
afterAll(() => redis.kill())
