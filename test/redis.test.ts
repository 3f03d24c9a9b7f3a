import { expect, test } from 'bun:test'
import IORedis from 'ioredis'
import { testRedisUrl } from './env.ts'

test('the preload started a private redis-server, not the machine one on 6379', async () => {
  const url = testRedisUrl()
  expect(url).not.toContain(':6379')
  const redis = new IORedis(url)
  expect(await redis.ping()).toBe('PONG')
  const info = await redis.config('GET', 'maxmemory-policy')
  expect(info).toEqual(['maxmemory-policy', 'noeviction'])
  redis.disconnect()
})
