/**
 * Watches the real reminder scheduler (started by the orchestrator in test/stack.ts) from the
 * outside: the ticks BullMQ completed on the `reminders` queue, with what each returned. A test
 * moves the injected clock, notes the wall time, and waits for ticks that *started* after it, so
 * each of them claimed at the new clock.
 */
import { Queue } from 'bullmq'
import type IORedis from 'ioredis'
import { workerConnection } from '../../lib/redis.ts'
import { queueOptions, REMINDERS_QUEUE } from '../../lib/contracts/queues.ts'
import type { TickResult } from '../../queue/reminders.ts'

export type Tick = TickResult & { startedAt: number; finishedAt: number }

export class Ticks {
  private readonly connection: IORedis
  readonly queue: Queue

  constructor(redisUrl: string, queuePrefix: string) {
    this.connection = workerConnection(redisUrl)
    this.queue = new Queue(REMINDERS_QUEUE, queueOptions(this.connection, queuePrefix))
  }

  /** Completed ticks that started at or after `since` (wall-clock ms), oldest first. */
  async since(since: number): Promise<Tick[]> {
    const jobs = await this.queue.getJobs(['completed'], 0, 49)
    return jobs
      // the daily check of garages that left runs on the same queue (job name leave-check)
      .filter((j) => j?.name === 'tick' && j.processedOn !== undefined && j.processedOn >= since && j.finishedOn !== undefined)
      .map((j) => {
        const r = (
          typeof j.returnvalue === 'string' ? JSON.parse(j.returnvalue) : j.returnvalue
        ) as TickResult
        return { ...r, startedAt: j.processedOn!, finishedAt: j.finishedOn! }
      })
      .sort((a, b) => a.startedAt - b.startedAt)
  }

  /** Waits (bounded) for `count` ticks that started at or after `since`; a failed tick is reported. */
  async wait(count: number, since: number, timeoutMs = 5_000): Promise<Tick[]> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const ticks = await this.since(since)
      if (ticks.length >= count) return ticks
      if (Date.now() > deadline) {
        const failed = (await this.queue.getJobs(['failed'], 0, 9)).filter(
          (j) => j?.processedOn !== undefined && j.processedOn >= since,
        )
        throw new Error(
          `only ${ticks.length} of ${count} reminder ticks within ${timeoutMs} ms` +
            (failed.length ? `; failed: ${failed.map((j) => j.failedReason).join(' | ')}` : ''),
        )
      }
      await Bun.sleep(25)
    }
  }

  async close(): Promise<void> {
    await this.queue.close()
    this.connection.disconnect()
  }
}
