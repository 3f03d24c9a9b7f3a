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

export class RateLimiter {
  private readonly args: string[]

  constructor(
    private readonly connection: IORedis,
    private readonly queuePrefix: string,
    limits: RateLimits,
  ) {
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
    let result: unknown
    try {
      result = await this.connection.evalsha(TAKE_SHA, 2, ...keys, ...this.args)
    } catch (error) {
      // The script is sent once per Redis (again after a restart or SCRIPT FLUSH).
      if (!String((error as Error)?.message).includes('NOSCRIPT')) throw error
      result = await this.connection.eval(TAKE, 2, ...keys, ...this.args)
    }
    const [scope, waitMs] = result as [number, number]
    if (scope === 0) return { ok: true }
    return {
      ok: false,
      scope: scope === 1 ? 'user' : 'garage',
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    }
  }
}
