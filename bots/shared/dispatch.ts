/**
 * The producer side: bots put a command envelope on the `commands` queue with jobId = the
 * envelope id, so a redelivered platform event is not run twice. Producers fail fast: when
 * Redis is unreachable `dispatch` resolves to `unavailable` within a couple of seconds and the
 * bot tells the user to retry.
 */
import { Queue } from 'bullmq'
import type IORedis from 'ioredis'
import type { Envelope } from '../../lib/contracts/envelope.ts'
import { COMMANDS_QUEUE, commandJobId, queueOptions, singleJob } from '../../lib/contracts/queues.ts'

export type DispatchResult = { ok: true } | { ok: false; reason: 'unavailable' }

const commandJobOptions = (envelopeId: string, attempts: number) => ({
  attempts,
  backoff: { type: 'exponential' as const, delay: 500 },
  // The id is remembered an hour: long enough to refuse a platform's redelivery of the same
  // event (minutes later).
  ...singleJob(commandJobId(envelopeId), 3600),
})

export class Dispatcher {
  readonly queue: Queue

  constructor(
    connection: IORedis,
    queuePrefix: string,
    private readonly attempts = 4,
    private readonly timeoutMs = 2_500,
  ) {
    this.queue = new Queue(COMMANDS_QUEUE, queueOptions(connection, queuePrefix))
    // A producer's connection errors are answered per dispatch; do not crash the process.
    this.queue.on('error', () => {})
  }

  async dispatch(envelope: Envelope): Promise<DispatchResult> {
    const add = this.queue.add(envelope.kind, envelope, commandJobOptions(envelope.id, this.attempts))
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs)
    })
    try {
      const outcome = await Promise.race([add, timeout])
      return outcome === 'timeout' ? { ok: false, reason: 'unavailable' } : { ok: true }
    } catch {
      return { ok: false, reason: 'unavailable' }
    } finally {
      clearTimeout(timer)
      add.catch(() => {})
    }
  }

  close(): Promise<void> {
    return this.queue.close()
  }
}

/** What a bot says when Redis cannot take the command. */
export const UNAVAILABLE_TEXT =
  'Car Manager cannot take commands right now (its queue is unreachable). Nothing was saved; please try again in a minute.'
