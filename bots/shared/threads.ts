/**
 * Thread refs in Redis (the key and field format are lib/contracts/queues.ts `threadsKey` and
 * `threadField`): a delivery remembers what the message it posted is about, and a bot looks it
 * up when a photo is dropped in that message's thread.
 */
import type IORedis from 'ioredis'
import { threadField, threadsKey } from '../../lib/contracts/queues.ts'

export async function rememberThreadRef(
  redis: IORedis,
  queuePrefix: string,
  tenant: string,
  messageId: string,
  ref: string,
): Promise<void> {
  await redis.hset(threadsKey(queuePrefix), threadField(tenant, messageId), ref)
}

export async function threadRefOf(
  redis: IORedis,
  queuePrefix: string,
  tenant: string,
  messageId: string,
): Promise<string | undefined> {
  return (await redis.hget(threadsKey(queuePrefix), threadField(tenant, messageId))) ?? undefined
}
