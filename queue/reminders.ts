/**
 * The reminder tick. One BullMQ job scheduler on the `reminders` queue (upserted by every
 * worker process under the same id, so however many workers run there is one) ticks every
 * REMINDER_EVERY_MS. Each tick asks the items service to claim — in one SQLite transaction —
 * the items that entered a more urgent level, then posts each to its garage's reminder channel
 * with the Done / Snooze 7 days / Log service / I'll do it buttons (a renewal of a recurring
 * expense: Log payment), mentioning the car's drivers, sends a private copy to each driver who
 * chose `/garage me reminders:dm`, and acknowledges what it posted.
 *
 * Each tick also posts the garages' digests due (`/garage settings digest:`; see
 * queue/handlers/shared/digest.ts), claimed once per period the same way.
 *
 * The same queue carries a daily job (`leave-check`): the garages marked leaving (the bot was
 * removed) GARAGE_GRACE_DAYS ago or more are deleted in every service.
 *
 * Once only: the announcement state lives in SQLite (a restart forgets nothing), the reply job
 * id is derived from the announcement id (a retried or duplicated tick posts nothing twice),
 * and an announcement whose post was never acknowledged is handed out again at the next tick
 * (a worker that died mid-tick misses nothing).
 */
import { treaty } from '@elysiajs/eden'
import { Queue, Worker } from 'bullmq'
import type IORedis from 'ioredis'
import { formActionId, actionId } from '../catalog/actions.ts'
import type { Config } from '../lib/config.ts'
import type { Logger } from '../lib/log.ts'
import type { ItemsApp } from '../services/items/app.ts'
import type { Announcement } from '../services/items/reminders/model.ts'
import type { Reply, ReplyTo } from '../lib/contracts/envelope.ts'
import { bullPrefix, queueOptions, REMINDERS_QUEUE, replyJobId } from '../lib/contracts/queues.ts'
import { SERVICES } from '../lib/contracts/services.ts'
import { itemsSchedulerClient } from './clients/items.ts'
import { edenOptions } from './handler.ts'
import { deleteGarage, type GarageCalls, kindsText } from './handlers/shared/garage-leave.ts'
import { carRef } from './handlers/shared/format.ts'
import { TAKE_KIND } from './handlers/shared/take.ts'
import { digestTick } from './handlers/shared/digest.ts'
import { replyJob, replyPoster } from './replies.ts'
import type { Webhooks } from './webhooks.ts'

export const SCHEDULER_ID = 'reminder-tick'
/** The scheduler of the daily check of garages that left (on the same queue, job name `leave-check`). */
export const LEAVE_CHECK_ID = 'garage-leave-check'
const DAY_MS = 24 * 3600 * 1000

export type RemindersOptions = {
  connection: IORedis
  queuePrefix: string
  config: Config
  log: Logger
  /** The clock; each tick claims at `now()`. */
  now?: () => Date
  /** Do not process ticks here (only upsert the scheduler); tests drive `tick()` themselves. */
  process?: boolean
  /** Publishes `reminder.urgency_changed` for each announcement posted (queue/webhooks.ts). */
  webhooks?: Pick<Webhooks, 'publish'>
}

export type TickResult = { posted: number; examined: number }

/** The daily check of garages whose bot left: which were deleted (their grace period over). */
export type LeaveCheckResult = { deleted: string[] }

export type Reminders = {
  queue: Queue
  worker?: Worker
  /** One tick now (what the scheduler's job runs). */
  tick: () => Promise<TickResult>
  /** The daily check now: deletes in every service the garages that left GARAGE_GRACE_DAYS ago or more. */
  leaveCheck: () => Promise<LeaveCheckResult>
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

/**
 * "Drivers: <@1>, <@2>": the car's drivers, mentioned the way the garage's platform names a
 * member (Discord and Slack render the mention as their name); the terminal chat writes names.
 */
export function driversLine(a: Announcement): string {
  const drivers = a.drivers ?? []
  if (drivers.length === 0) return ''
  const chat = a.tenant.startsWith('discord:') || a.tenant.startsWith('slack:')
  return `\nDrivers: ${drivers.map((d) => (chat ? `<@${d.user_id}>` : d.name)).join(', ')}`
}

/** On Discord, the drivers a reminder pings (a mention in its embed notifies no one). */
const notifyOf = (a: Announcement): { notify?: string[] } => {
  const ids = (a.drivers ?? []).map((d) => d.user_id).filter((id) => /^[0-9]{1,32}$/.test(id))
  return a.tenant.startsWith('discord:') && ids.length ? { notify: ids.slice(0, 25) } : {}
}

/** The channel message of an announcement, with its buttons. */
export function reminderReply(a: Announcement): Reply {
  if (a.renewal !== null || a.item_id === null) return renewalReply(a)
  const text = `${a.due_text[0]!.toUpperCase()}${a.due_text.slice(1)}.`
  return {
    tone: TONE[a.level],
    title: `${a.item} on ${a.car} is ${a.level_label}`.slice(0, 256),
    text: `${a.notes ? `${text}\n${a.notes}` : text}${driversLine(a)}`.slice(0, 4000),
    ...notifyOf(a),
    actions: [
      { id: actionId('item.done', a.item_id), label: 'Done', style: 'primary' },
      { id: actionId('item.snooze', a.item_id), label: 'Snooze 7 days', style: 'secondary' },
      { id: formActionId('log_service', a.item_id), label: 'Log service', style: 'secondary' },
      { id: actionId(TAKE_KIND, a.id), label: "I'll do it", style: 'secondary' },
    ],
    ref: carRef(a.car),
  }
}

/** "Insurance for golf renews in 14 days", with a Log payment button whose form asks this time's amount. */
function renewalReply(a: Announcement): Reply {
  return {
    tone: TONE[a.level],
    title: `${a.item} for ${a.car} ${a.due_text}`.slice(0, 256),
    text: `${a.notes ?? ''}${driversLine(a)}`.trim().slice(0, 4000),
    ...notifyOf(a),
    actions: [{ id: formActionId('log_payment', a.renewal ?? 0), label: 'Log payment', style: 'primary' }],
    ref: carRef(a.car),
  }
}

/** `reminder.urgency_changed` of an announcement: the car, the item (or renewal), its new level and when it is due. */
function urgencyEvent(a: Announcement) {
  return {
    type: 'reminder.urgency_changed' as const,
    data: {
      car: a.car,
      item: a.item,
      ...(a.renewal !== null ? { renewal_of_expense: a.renewal } : {}),
      level: a.level,
      level_label: a.level_label,
      due_text: a.due_text,
    },
  }
}

/** The envelope id of an announcement's reply (its BullMQ job id is `replyJobId` of it). */
export const announcementEnvelopeId = (id: number) => `reminder-${id}`

/**
 * Where a driver who chose `/garage me reminders:dm` gets a private copy (`dm_to`, kept with the
 * choice): the bot's DM channel with them on Discord (opened when they chose it), Slack's
 * chat.postMessage to their user id (the app's DM with them), the terminal chat's session that
 * chose it. None on Discord when no DM channel was kept.
 */
export function privateTarget(
  tenant: string,
  driver: { user_id: string; dm_to: string },
): ReplyTo | undefined {
  if (tenant.startsWith('slack:')) return { platform: 'slack', channelId: driver.dm_to }
  if (tenant.startsWith('local:')) return { platform: 'local', session: driver.dm_to }
  if (tenant.startsWith('discord:') && driver.dm_to !== driver.user_id)
    return { platform: 'discord', channelId: driver.dm_to }
  return undefined
}

/** The calls of the daily check to one garage's services (no job: the service token and X-Tenant). */
function garageCalls(config: Config, tenant: string): GarageCalls {
  return {
    serviceUrl: (name) => String(config[SERVICES[name].url]),
    serviceHeaders: (opts) => ({
      authorization: `Bearer ${config.SERVICE_TOKEN ?? ''}`,
      'x-tenant': tenant,
      ...(opts?.write ? { 'idempotency-key': opts.key ?? `leave-${tenant}` } : {}),
    }),
  }
}

export async function startReminders(options: RemindersOptions): Promise<Reminders> {
  const { connection, config, log } = options
  const now = options.now ?? (() => new Date())
  const prefix = bullPrefix(options.queuePrefix)
  const items = itemsSchedulerClient(config)

  const queue = new Queue(REMINDERS_QUEUE, queueOptions(connection, options.queuePrefix))
  queue.on('error', (err) => log.warn({ err }, 'reminders queue error'))
  await queue.upsertJobScheduler(
    LEAVE_CHECK_ID,
    { every: DAY_MS },
    {
      name: 'leave-check',
      data: {},
      opts: { attempts: 1, removeOnComplete: { count: 10 }, removeOnFail: { count: 10 } },
    },
  )
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
        for (const d of a.drivers ?? []) {
          const to = d.dm ? privateTarget(a.tenant, d) : undefined
          if (!to) continue
          const dmId = `${id}-dm-${d.user_id}`
          await replies.post(
            replyJob(
              { id: dmId, tenant: a.tenant, replyTo: to },
              { ...job.reply, title: `${job.reply.title ?? ''} (a car you drive)` },
            ),
            replyJobId(dmId),
            {
              rememberSeconds: 7 * 24 * 3600,
            },
          )
        }
        posted.push(a.id)
        await options.webhooks
          ?.publish(a.tenant, [urgencyEvent(a)], id)
          .catch((err) => log.warn({ err: (err as Error).message, announcement: a.id }, 'could not publish the urgency event'))
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
    // The digests due now (queue/handlers/shared/digest.ts); a failure never holds up the reminders.
    await digestTick({
      config,
      log,
      now,
      target: reminderTarget,
      post: (job, jobId) => replies.post(job, jobId, { rememberSeconds: 40 * 24 * 3600 }),
    }).catch((err) => log.warn({ err: (err as Error).message }, 'digest tick failed; the next tick retries'))
    return { posted: posted.length, examined: claimed.data.examined }
  }

  const leaveCheck = async (): Promise<LeaveCheckResult> => {
    const before = new Date(now().getTime() - config.GARAGE_GRACE_DAYS * DAY_MS).toISOString()
    const listed = await items.garages.leaving.get({ query: { before } })
    if (listed.error || !listed.data || !('garages' in listed.data))
      throw new Error(`leaving garages list failed (${listed.status})`)
    const deleted: string[] = []
    for (const g of listed.data.garages) {
      try {
        // Back meanwhile (the mark cleared, or set again later): kept.
        const mark = await treaty<ItemsApp>(
          config.ITEMS_URL,
          edenOptions(garageCalls(config, g.tenant).serviceHeaders()),
        ).tenant.leaving.get()
        if (mark.error || mark.data.since !== g.since) continue
        const kinds = await deleteGarage(garageCalls(config, g.tenant), `leave-${g.since}`)
        log.info(
          { tenant: g.tenant, since: g.since, reason: g.reason, deleted: kindsText(kinds) },
          'garage deleted after its grace period',
        )
        deleted.push(g.tenant)
      } catch (err) {
        log.warn(
          { err: (err as Error).message, tenant: g.tenant },
          'could not delete a garage that left; the next check retries',
        )
      }
    }
    return { deleted }
  }

  let worker: Worker | undefined
  if (options.process !== false) {
    worker = new Worker(
      REMINDERS_QUEUE,
      async (job) => {
        const run = job.name === 'leave-check' ? leaveCheck : tick
        try {
          return await run()
        } catch (err) {
          log.warn(
            { err: (err as Error).message, job: job.name },
            'reminder tick or leave check failed; the next one retries',
          )
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
    leaveCheck,
    close: async () => {
      await worker?.close()
      await queue.close()
      await replies.close()
    },
  }
}
