/**
 * Which gateway shards this process runs. Discord refuses an unsharded session beyond 2,500
 * servers and sends each server's events only to shard `(guild_id >> 22) % count`; discord.js
 * runs several shards in one process (Client options `shards` + `shardCount`).
 * - No setting: the count Discord recommends (`GET /gateway/bot`), every shard here.
 * - DISCORD_SHARD_COUNT: that many shards, every one here.
 * - DISCORD_SHARD_IDS (with DISCORD_SHARD_COUNT): only those shards here, the others in other
 *   processes. The ids need a set count: processes that split the shards must agree on the
 *   total, and Discord's recommendation changes as the bot grows.
 */
import { type Config, ConfigError } from '../../lib/config.ts'

export type Shards = 'auto' | { ids: number[]; count: number }

/** The shards of DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS; throws ConfigError naming the bad setting. */
export function shardsOf(config: Pick<Config, 'DISCORD_SHARD_COUNT' | 'DISCORD_SHARD_IDS'>): Shards {
  const count = config.DISCORD_SHARD_COUNT
  const spec = config.DISCORD_SHARD_IDS
  if (spec === undefined) return count === undefined ? 'auto' : { ids: [...Array(count).keys()], count }
  if (count === undefined)
    throw new ConfigError(
      'DISCORD_SHARD_IDS is set without DISCORD_SHARD_COUNT; processes that split the shards must agree on their total, so set it too',
    )
  const ids = new Set<number>()
  for (const part of spec.split(',')) {
    const [start, end = start] = part.split('-').map(Number) as [number, number?]
    if (end < start)
      throw new ConfigError(`DISCORD_SHARD_IDS is malformed: "${spec}"; the range ${part} runs backwards`)
    if (end >= count)
      throw new ConfigError(
        `DISCORD_SHARD_IDS is malformed: "${spec}"; shard ids run from 0 to ${count - 1} (DISCORD_SHARD_COUNT=${count})`,
      )
    for (let id = start; id <= end; id++) ids.add(id)
  }
  return { ids: [...ids].sort((a, b) => a - b), count }
}
