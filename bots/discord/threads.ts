/**
 * Thread refs (HELPERS.md agreement): when a delivered message's Reply has `ref` (`issue:12`),
 * `HSET <QUEUE_PREFIX>:threads <tenant>|<messageId> <ref>`. A Discord thread started on a
 * message has the message's id, so a photo dropped in that thread finds its ref by the
 * thread's id.
 */
import type IORedis from 'ioredis'

export const threadsKey = (queuePrefix: string) => `${queuePrefix}:threads`
const field = (tenant: string, messageId: string) => `${tenant}|${messageId}`

export async function rememberThreadRef(
  redis: IORedis,
  queuePrefix: string,
  tenant: string,
  messageId: string,
  ref: string,
): Promise<void> {
  await redis.hset(threadsKey(queuePrefix), field(tenant, messageId), ref)
}

export async function threadRefOf(
  redis: IORedis,
  queuePrefix: string,
  tenant: string,
  threadId: string,
): Promise<string | undefined> {
  return (await redis.hget(threadsKey(queuePrefix), field(tenant, threadId))) ?? undefined
}
