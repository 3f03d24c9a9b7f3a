/**
 * The baseline's middle hop, run as its own process like the real worker: a BullMQ worker on
 * the same `commands` queue name (under its own prefix) that does nothing but put a reply job
 * on the reply queue the orchestrator would pick, with the orchestrator's worker and reply options.
 * `bun bench/hop-worker.ts <redis-url> <queue-prefix> <concurrency>`
 */
import { Queue, Worker } from 'bullmq'
import { workerConnection } from '../lib/redis.ts'
import type { Envelope, ReplyJob } from '../lib/contracts/envelope.ts'
import { bullPrefix, COMMANDS_QUEUE, queueOptions, replyJobId, replyQueueOf } from '../lib/contracts/queues.ts'
import { replyJobOptions } from '../queue/replies.ts'

const [url, queuePrefix, concurrency] = process.argv.slice(2)
if (!url || !queuePrefix || !concurrency) {
  console.error('usage: bun bench/hop-worker.ts <redis-url> <queue-prefix> <concurrency>')
  process.exit(2)
}
const prefix = bullPrefix(queuePrefix)
const connection = workerConnection(url)
const outs = new Map<string, Queue>()
/** The reply queue of a job, as the orchestrator's poster picks it (the bench's session's queue). */
const out = (reply: ReplyJob) => {
  const name = replyQueueOf(reply)
  let q = outs.get(name)
  if (!q) {
    q = new Queue(name, queueOptions(connection, queuePrefix))
    outs.set(name, q)
  }
  return q
}
const worker = new Worker(
  COMMANDS_QUEUE,
  async (job) => {
    const env = job.data as Envelope
    const reply: ReplyJob = {
      envelopeId: env.id,
      tenant: env.tenant,
      replyTo: env.replyTo,
      reply: { tone: 'ok', text: 'ok' },
    }
    await out(reply).add('reply', reply, replyJobOptions(replyJobId(env.id)))
  },
  {
    connection,
    prefix,
    concurrency: Number(concurrency),
    lockDuration: 15_000,
    stalledInterval: 5_000,
    maxStalledCount: 3,
  },
)
worker.on('error', (err) =>
  console.error(JSON.stringify({ level: 50, process: 'hop-worker', msg: String(err) })),
)
await worker.waitUntilReady()
console.log(JSON.stringify({ level: 30, process: 'hop-worker', msg: 'ready' }))
const stop = async () => {
  await worker.close()
  await Promise.all([...outs.values()].map((q) => q.close()))
  connection.disconnect()
  process.exit(0)
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
