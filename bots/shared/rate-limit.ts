/**
 * Per-user and per-garage rate limits, checked by `Dispatcher` before a command is queued, so a
 * flood is answered at the bot and one garage's flood never fills the shared `commands` queue
 * ahead of another garage's commands.
 *
 * Each limit is a token bucket in Redis: a hash `{ tokens, at }` refilled evenly by the time
 * elapsed (Redis's own clock, so every bot process agrees), holding at most `burst` tokens; a
 * command takes one token from its user's bucket and one from its garage's. One Lua script checks
 * both and takes from both only when both allow, in one round trip. A bucket's key expires once
 * it would be full again, so idle users cost nothing.
 *
 * Before Redis, each bot process keeps the same buckets for what it dispatched itself. Its own
 * bucket can only hold as many tokens as the shared one or more (the shared one is also spent by
 * the other processes), so a command it refuses the shared bucket would refuse too: a flood of
 * thousands of commands at once costs Redis one round trip per token there is, not one per
 * command, and the other garages' commands do not wait behind them.
 */
import { createHash } from 'node:crypto'
import type IORedis from 'ioredis'
import type { Config } from '../../lib/config.ts'

/** Commands per minute (0 = that limit is off) and the bucket size of each scope. */
export type RateLimits = {
  userPerMinute: number
  userBurst: number
  garagePerMinute: number
  garageBurst: number
}

export type RateScope = 'user' | 'garage'

/** Allowed, or refused with the scope that refused and the seconds until a command is allowed. */
export type RateVerdict = { ok: true } | { ok: false; scope: RateScope; retryAfterSeconds: number }

/** The limits a bot process runs with (RATE_* settings). */
export const rateLimits = (config: Config): RateLimits => ({
  userPerMinute: config.RATE_USER_PER_MINUTE,
  userBurst: config.RATE_USER_BURST,
  garagePerMinute: config.RATE_GARAGE_PER_MINUTE,
  garageBurst: config.RATE_GARAGE_BURST,
})

export const rateLimitsOff = (limits: RateLimits) => limits.userPerMinute === 0 && limits.garagePerMinute === 0

/**
 * KEYS[1] the user's bucket, KEYS[2] the garage's; ARGV: per bucket its refill in tokens per ms
 * (0 = off) and its size. Returns {0, 0} when allowed (a token taken from each bucket that is on),
 * or {1 (user) | 2 (garage), ms until a token is there} with nothing taken.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local take = {}
for i = 1, 2 do
  local rate = tonumber(ARGV[i * 2 - 1])
  if rate > 0 then
    local burst = tonumber(ARGV[i * 2])
    local b = redis.call('HMGET', KEYS[i], 'tokens', 'at')
    local tokens = tonumber(b[1]) or burst
    local at = tonumber(b[2]) or now
    if now > at then tokens = math.min(burst, tokens + (now - at) * rate) end
    if tokens < 1 then return {i, math.ceil((1 - tokens) / rate)} end
    take[#take + 1] = {KEYS[i], tokens - 1, rate, burst}
  end
end
for _, s in ipairs(take) do
  redis.call('HSET', s[1], 'tokens', tostring(s[2]), 'at', now)
  redis.call('PEXPIRE', s[1], math.ceil((s[4] - s[2]) / s[3]) + 1000)
end
return {0, 0}
`
const TAKE_SHA = createHash('sha1').update(TAKE).digest('hex')

/** The bucket keys of a user and a garage; the `{tenant}` hash tag keeps both in one cluster slot. */
export const rateKeys = (queuePrefix: string, tenant: string, userId: string) => [
  `${queuePrefix}:rate:{${tenant}}:user:${userId}`,
  `${queuePrefix}:rate:{${tenant}}:garage`,
]

/** A token bucket in this process: `tokens` at `at` (ms), refilled at `rate` per ms up to `burst`. */
class LocalBucket {
  private tokens: number
  private at: number

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst
    this.at = now
  }

  /** Tokens there are now (refilled), without taking one. */
  level(now: number): number {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.at) * this.rate)
      this.at = now
    }
    return this.tokens
  }

  take(): void {
    this.tokens -= 1
  }

  /** Gives back a token the shared bucket did not take (it refused, or could not be asked). */
  refund(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1)
  }

  /** Ms until a token is there. */
  wait(now: number): number {
    return Math.ceil((1 - this.level(now)) / this.rate)
  }

  full(now: number): boolean {
    return this.level(now) >= this.burst
  }
}

/** Buckets of this process by key; full ones are dropped now and then, so the map stays small. */
class LocalBuckets {
  private readonly buckets = new Map<string, LocalBucket>()
  private sweptAt = 0

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  get(key: string, now: number): LocalBucket {
    if (now - this.sweptAt > 60_000) {
      for (const [k, b] of this.buckets) if (b.full(now)) this.buckets.delete(k)
      this.sweptAt = now
    }
    let b = this.buckets.get(key)
    if (!b) {
      b = new LocalBucket(this.rate, this.burst, now)
      this.buckets.set(key, b)
    }
    return b
  }
}

export class RateLimiter {
  private readonly args: string[]
  private readonly local: { scope: RateScope; buckets: LocalBuckets }[] = []

  constructor(
    private readonly connection: IORedis,
    private readonly queuePrefix: string,
    limits: RateLimits,
    private readonly now: () => number = Date.now,
  ) {
    if (limits.userPerMinute > 0)
      this.local.push({ scope: 'user', buckets: new LocalBuckets(limits.userPerMinute / 60_000, limits.userBurst) })
    if (limits.garagePerMinute > 0)
      this.local.push({ scope: 'garage', buckets: new LocalBuckets(limits.garagePerMinute / 60_000, limits.garageBurst) })
    this.args = [
      String(limits.userPerMinute / 60_000),
      String(limits.userBurst),
      String(limits.garagePerMinute / 60_000),
      String(limits.garageBurst),
    ]
  }

  /** Takes one command from the user's and the garage's buckets, or says which refused and for how long. */
  async take(tenant: string, userId: string): Promise<RateVerdict> {
    const keys = rateKeys(this.queuePrefix, tenant, userId)
    const now = this.now()
    const mine = this.local.map(({ scope, buckets }) => ({
      scope,
      bucket: buckets.get(scope === 'user' ? keys[0]! : keys[1]!, now),
    }))
    for (const { scope, bucket } of mine) {
      if (bucket.level(now) < 1) return { ok: false, scope, retryAfterSeconds: Math.max(1, Math.ceil(bucket.wait(now) / 1000)) }
    }
    // Taken here before Redis answers, so commands arriving meanwhile see it.
    for (const { bucket } of mine) bucket.take()
    let result: unknown
    try {
      result = await this.shared(keys)
    } catch (error) {
      for (const { bucket } of mine) bucket.refund()
      throw error
    }
    const [scope, waitMs] = result as [number, number]
    if (scope === 0) return { ok: true }
    for (const { bucket } of mine) bucket.refund()
    return {
      ok: false,
      scope: scope === 1 ? 'user' : 'garage',
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    }
  }

  /** The shared buckets' script; it is sent once per Redis (again after a restart or SCRIPT FLUSH). */
  private async shared(keys: string[]): Promise<unknown> {
    try {
      return await this.connection.evalsha(TAKE_SHA, 2, ...keys, ...this.args)
    } catch (error) {
      if (!String((error as Error)?.message).includes('NOSCRIPT')) throw error
      return await this.connection.eval(TAKE, 2, ...keys, ...this.args)
    }
  }
}
