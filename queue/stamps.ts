/**
 * The garages' stamps in Redis (see `Stamps` in queue/handler.ts): one key per garage and tag
 * holding a random token. Reading a garage that has none gives it one; a job that touched a
 * tag replaces it when it ends, so every worker process sees its cache entries go stale.
 */
import type IORedis from 'ioredis'
import type { StampTag, Stamps } from './handler.ts'

/** A stamp nobody renews is dropped after a week; the next read makes a new one. */
const STAMP_TTL_S = 7 * 24 * 3600

export type JobStamps = Stamps & {
  /** New stamps for the tags this job touched. */
  renew: () => Promise<void>
}

/** The stamps of one job's garage. `prefix` is the queues' Redis prefix. */
export function jobStamps(connection: IORedis, prefix: string, tenant: string): JobStamps {
  const key = (tag: StampTag) => `${prefix}:stamps:${tag}:${tenant}`
  let touched: Set<StampTag> | undefined
  return {
    read: async (tag) => {
      const stamp = await connection.get(key(tag))
      if (stamp !== null) return stamp
      const made = crypto.randomUUID()
      // NX: two workers making the first stamp at once agree on one.
      await connection.set(key(tag), made, 'EX', STAMP_TTL_S, 'NX')
      return (await connection.get(key(tag))) ?? made
    },
    touch: (tag) => {
      ;(touched ??= new Set()).add(tag)
    },
    renew: async () => {
      if (!touched) return
      for (const tag of touched) await connection.set(key(tag), crypto.randomUUID(), 'EX', STAMP_TTL_S)
    },
  }
}
