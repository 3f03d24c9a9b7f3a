/**
 * The reminder tick. One BullMQ job scheduler on the `reminders` queue (upserted by every
 * worker process under the same id, so however many workers run there is one) ticks every
 * REMINDER_EVERY_MS. Each tick asks the items service to claim — in one SQLite transaction —
 * the items that entered a more urgent level, then posts each to its garage's reminder channel
 * with the Done / Snooze 7 days / Log service buttons (a renewal of a recurring expense: Log
 * payment), and acknowledges what it posted.
 *
 * Once only: the announcement state lives in SQLite (a restart forgets nothing), the reply job
 * id is derived from the announcement id (a retried or duplicated tick posts nothing twice),
 * and an announcement whose post was never acknowledged is handed out again at the next tick
 * (a worker that died mid-tick misses nothing).
 */
import { Queue, Worker } from 'bullmq'
import type IORedis from 'ioredis'
import { formActionId, actionId } from '../catalog/actions.ts'
import type { Config } from '../lib/config.ts'
import type { Logger } from '../lib/log.ts'
import type { Announcement } from '../services/items/reminders/model.ts'
import type { Reply, ReplyTo } from '../lib/contracts/envelope.ts'
import { bullPrefix, queueOptions, REMINDERS_QUEUE, replyJobId } from '../lib/contracts/queues.ts'
import { itemsSchedulerClient } from './clients/items.ts'
import { carRef } from './handlers/shared/format.ts'
import { replyJob, replyPoster } from './replies.ts'

export const SCHEDULER_ID = 'reminder-tick'

export type RemindersOptions = {
  connection: IORedis
  queuePrefix: string
  config: Config
  log: Logger
  /** The clock; each tick claims at `now()`. */
  now?: () => Date
  /** Do not process ticks here (only upsert the scheduler); tests drive `tick()` themselves. */
  process?: boolean
}

export type TickResult = { posted: number; examined: number }

export type Reminders = {
  queue: Queue
  worker?: Worker
  /** One tick now (what the scheduler's job runs). */
  tick: () => Promise<TickResult>
  close: () => Promise<void>
}

/** Where a garage's reminder channel is, by its tenant's platform. */
export function reminderTarget(tenant: string, channel: string): ReplyTo {
  if (tenant.startsWith('discord:')) return { platform: 'discord', channelId: channel }
  if (tenant.startsWith('slack:')) return { platform: 'slack', channelId: channel }
  return { platform: 'local', session: channel, channel: true }
}

const TONE: Record<Announcement['level'], Reply['tone']> = {
  past_due: 'error',
  very_urgent: 'warn',
  urgent: 'warn',
  not_urgent: 'ok',
}

/** The channel message of an announcement, with its buttons. */
export function reminderReply(a: Announcement): Reply {
  if (a.renewal !== null || a.item_id === null) return renewalReply(a)
  const text = `${a.due_text[0]!.toUpperCase()}${a.due_text.slice(1)}.`
  return {
    tone: TONE[a.level],
    title: `${a.item} on ${a.car} is ${a.level_label}`.slice(0, 256),
    text: a.notes ? `${text}\n${a.notes}`.slice(0, 4000) : text,
    actions: [
      { id: actionId('item.done', a.item_id), label: 'Done', style: 'primary' },
      { id: actionId('item.snooze', a.item_id), label: 'Snooze 7 days', style: 'secondary' },
      { id: formActionId('log_service', a.item_id), label: 'Log service', style: 'secondary' },
    ],
    ref: carRef(a.car),
  }
}

/** "Insurance for golf renews in 14 days", with a Log payment button whose form asks this time's amount. */
function renewalReply(a: Announcement): Reply {
  return {
    tone: TONE[a.level],
    title: `${a.item} for ${a.car} ${a.due_text}`.slice(0, 256),
    text: (a.notes ?? '').slice(0, 4000),
    actions: [{ id: formActionId('log_payment', a.renewal ?? 0), label: 'Log payment', style: 'primary' }],
    ref: carRef(a.car),
  }
}

/** The envelope id of an announcement's reply (its BullMQ job id is `replyJobId` of it). */
export const announcementEnvelopeId = (id: number) => `reminder-${id}`

export async function startReminders(options: RemindersOptions): Promise<Reminders> {
  const { connection, config, log } = options
  const now = options.now ?? (() => new Date())
  const prefix = bullPrefix(options.queuePrefix)
  const items = itemsSchedulerClient(config)

  const queue = new Queue(REMINDERS_QUEUE, queueOptions(connection, options.queuePrefix))
  queue.on('error', (err) => log.warn({ err }, 'reminders queue error'))
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: config.REMINDER_EVERY_MS },
    {
      name: 'tick',
      data: {},
      opts: { attempts: 1, removeOnComplete: { count: 50 }, removeOnFail: { count: 50 } },
    },
  )

  const replies = replyPoster(connection, options.queuePrefix, log)

  const tick = async (): Promise<TickResult> => {
    const claimed = await items.reminders.claim.post({ at: now().toISOString() })
    if (claimed.error || !claimed.data || !('announcements' in claimed.data)) {
      // The items service is down or refused: nothing was claimed; the next tick tries again.
      throw new Error(`reminder claim failed (${claimed.status})`)
    }
    const posted: number[] = []
    for (const a of claimed.data.announcements) {
      const id = announcementEnvelopeId(a.id)
      const job = replyJob(
        { id, tenant: a.tenant, replyTo: reminderTarget(a.tenant, a.channel) },
        reminderReply(a),
      )
      try {
        // Remembered a week: an announcement handed out again (its ack was lost) finds its post done.
        await replies.post(job, replyJobId(id), { rememberSeconds: 7 * 24 * 3600 })
        posted.push(a.id)
      } catch (err) {
        log.warn({ err, announcement: a.id }, 'could not post a reminder; it is handed out again next tick')
      }
    }
    if (posted.length) {
      const acked = await items.reminders.ack.post({ ids: posted })
      if (acked.error)
        log.warn({ status: acked.status }, 'reminder ack failed; the reply job ids keep the posts single')
    }
    if (posted.length)
      log.info({ posted: posted.length, examined: claimed.data.examined }, 'reminders posted')
    return { posted: posted.length, examined: claimed.data.examined }
  }

  let worker: Worker | undefined
  if (options.process !== false) {
    worker = new Worker(
      REMINDERS_QUEUE,
      async () => {
        try {
          return await tick()
        } catch (err) {
          log.warn({ err: (err as Error).message }, 'reminder tick failed; the next tick retries')
          throw err
        }
      },
      { connection, prefix, concurrency: 1 },
    )
    worker.on('error', (err) => log.error({ err }, 'reminders worker error'))
    await worker.waitUntilReady()
  }

  return {
    queue,
    ...(worker ? { worker } : {}),
    tick,
    close: async () => {
      await worker?.close()
      await queue.close()
      await replies.close()
    },
  }
}
