/**
 * The producer side: bots put a command envelope on the `commands` queue with jobId = the
 * envelope id, so a redelivered platform event is not run twice. Producers fail fast: when
 * Redis is unreachable `dispatch` resolves to `unavailable` within a couple of seconds and the
 * bot tells the user to retry. With rate limits (bots/shared/rate-limit.ts) a command over its
 * user's or garage's limit resolves to `limited` with the wait, and is not queued.
 */
import { Queue } from 'bullmq'
import type IORedis from 'ioredis'
import type { Config } from '../../lib/config.ts'
import type { Envelope } from '../../lib/contracts/envelope.ts'
import { COMMANDS_QUEUE, commandJobId, queueOptions, singleJob } from '../../lib/contracts/queues.ts'
import { RateLimiter, type RateLimits, rateLimits, rateLimitsOff, type RateScope } from './rate-limit.ts'

export type DispatchResult =
  | { ok: true }
  | { ok: false; reason: 'unavailable' }
  | { ok: false; reason: 'limited'; scope: RateScope; retryAfterSeconds: number }

const commandJobOptions = (envelopeId: string, attempts: number) => ({
  attempts,
  backoff: { type: 'exponential' as const, delay: 500 },
  // The id is remembered an hour: long enough to refuse a platform's redelivery of the same
  // event (minutes later).
  ...singleJob(commandJobId(envelopeId), 3600),
})

export class Dispatcher {
  readonly queue: Queue
  private readonly limiter?: RateLimiter

  /** `limits`: per-user and per-garage rate limits; none (tests, the bench) means no check. */
  constructor(
    connection: IORedis,
    queuePrefix: string,
    private readonly attempts = 4,
    private readonly timeoutMs = 2_500,
    limits?: RateLimits,
  ) {
    this.queue = new Queue(COMMANDS_QUEUE, queueOptions(connection, queuePrefix))
    // A producer's connection errors are answered per dispatch; do not crash the process.
    this.queue.on('error', () => {})
    if (limits && !rateLimitsOff(limits)) this.limiter = new RateLimiter(connection, queuePrefix, limits)
  }

  /** A bot's dispatcher: its queue prefix, attempts and rate limits from the settings. */
  static fromConfig(connection: IORedis, config: Config): Dispatcher {
    return new Dispatcher(connection, config.QUEUE_PREFIX, config.COMMAND_ATTEMPTS, 2_500, rateLimits(config))
  }

  async dispatch(envelope: Envelope): Promise<DispatchResult> {
    const add = this.checkAndAdd(envelope)
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs)
    })
    try {
      const outcome = await Promise.race([add, timeout])
      return outcome === 'timeout' ? { ok: false, reason: 'unavailable' } : outcome
    } catch {
      return { ok: false, reason: 'unavailable' }
    } finally {
      clearTimeout(timer)
      add.catch(() => {})
    }
  }

  /** The rate check (one round trip, only when limits are on), then the job. */
  private async checkAndAdd(envelope: Envelope): Promise<DispatchResult> {
    if (this.limiter) {
      // Like queue.add, wait for the connection first (it has no offline queue); the dispatch's
      // time limit covers a Redis that never comes.
      await this.queue.waitUntilReady()
      const verdict = await this.limiter.take(envelope.tenant, envelope.actor.userId)
      if (!verdict.ok) return { ok: false, reason: 'limited', scope: verdict.scope, retryAfterSeconds: verdict.retryAfterSeconds }
    }
    await this.queue.add(envelope.kind, envelope, commandJobOptions(envelope.id, this.attempts))
    return { ok: true }
  }

  close(): Promise<void> {
    return this.queue.close()
  }
}

/** What a bot says when Redis cannot take the command. */
export const UNAVAILABLE_TEXT =
  'Car Manager cannot take commands right now (its queue is unreachable). Nothing was saved; please try again in a minute.'

/** What a bot says (privately) when a command was not dispatched: Redis unreachable, or over a rate limit. */
export function dispatchFailureText(result: Exclude<DispatchResult, { ok: true }>): string {
  if (result.reason === 'unavailable') return UNAVAILABLE_TEXT
  const wait = `${result.retryAfterSeconds} s`
  return result.scope === 'user'
    ? `Slow down: you can send another command in ${wait}. This one was not run.`
    : `This garage is sending too many commands right now; you can send another in ${wait}. This one was not run.`
}
