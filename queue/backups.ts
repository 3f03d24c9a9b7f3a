/**
 * Scheduled backups. With BACKUP_EVERY_HOURS set, one BullMQ job scheduler on the `backups`
 * queue (upserted by every worker process under the same id, so however many workers run there
 * is one) takes a snapshot every so many hours, as `bun run backup` does (lib/backup/take.ts, on
 * an idle thread of its own: lib/backup/take-idle.ts),
 * into DATA_DIR/backups/auto-<time>, then removes the scheduled snapshots beyond the newest
 * BACKUP_KEEP. With BACKUP_EVERY_HOURS=0 the scheduler is removed, so switching it off stops it.
 */
import { Queue, Worker } from 'bullmq'
import type IORedis from 'ioredis'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { backupRoot, SCHEDULED_PREFIX, snapshotName } from '../lib/backup/contract.ts'
import { pruneScheduled, serviceToken, serviceUrls } from '../lib/backup/take.ts'
import { takeBackupIdle } from '../lib/backup/take-idle.ts'
import type { Config } from '../lib/config.ts'
import { bullPrefix, queueOptions } from '../lib/contracts/queues.ts'
import type { Logger } from '../lib/log.ts'

export const BACKUPS_QUEUE = 'backups'
export const BACKUP_SCHEDULER_ID = 'backup'
const HOUR_MS = 60 * 60 * 1000

export type BackupsOptions = {
  connection: IORedis
  queuePrefix: string
  config: Config
  log: Logger
  now?: () => Date
  /** Do not process the scheduler's jobs here (only upsert it); tests call `run()` themselves. */
  process?: boolean
}

export type BackupRun = { dir: string; files: number; removed: string[] }

export type Backups = {
  queue: Queue
  worker?: Worker
  /** One scheduled backup now (what the scheduler's job runs); undefined when backups are off. */
  run?: () => Promise<BackupRun>
  close: () => Promise<void>
}

export async function startBackups(options: BackupsOptions): Promise<Backups> {
  const { connection, config, log } = options
  const now = options.now ?? (() => new Date())
  const queue = new Queue(BACKUPS_QUEUE, queueOptions(connection, options.queuePrefix))
  queue.on('error', (err) => log.warn({ err }, 'backups queue error'))
  let worker: Worker | undefined
  const close = async () => {
    await worker?.close()
    await queue.close()
  }
  if (config.BACKUP_EVERY_HOURS === 0) {
    await queue.removeJobScheduler(BACKUP_SCHEDULER_ID)
    return { queue, close }
  }
  await queue.upsertJobScheduler(
    BACKUP_SCHEDULER_ID,
    { every: config.BACKUP_EVERY_HOURS * HOUR_MS },
    {
      name: 'backup',
      data: {},
      opts: { attempts: 1, removeOnComplete: { count: 20 }, removeOnFail: { count: 20 } },
    },
  )

  const run = async (): Promise<BackupRun> => {
    // Two runs in the same millisecond (the scheduler's job and one brought forward, or a
    // redelivered job) take one snapshot: a complete one of that name is this run's.
    const dir = join(backupRoot(config.DATA_DIR), snapshotName(now(), SCHEDULED_PREFIX))
    if (existsSync(join(dir, 'manifest.json'))) {
      const files = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: unknown[] }).files.length
      return { dir, files, removed: [] }
    }
    // on a thread of its own at idle priority: this process runs the garages' jobs
    const taken = await takeBackupIdle({
      dataDir: config.DATA_DIR,
      token: serviceToken(config),
      urls: serviceUrls(config),
      prefix: SCHEDULED_PREFIX,
      now,
    })
    const removed = pruneScheduled(config.DATA_DIR, config.BACKUP_KEEP, now())
    log.info({ dir: taken.dir, files: taken.manifest.files.length, removed }, 'scheduled backup taken')
    return { dir: taken.dir, files: taken.manifest.files.length, removed }
  }

  if (options.process !== false) {
    worker = new Worker(
      BACKUPS_QUEUE,
      async () => {
        try {
          return await run()
        } catch (err) {
          log.error({ err: (err as Error).message }, 'scheduled backup failed; the next one tries again')
          throw err
        }
      },
      { connection, prefix: bullPrefix(options.queuePrefix), concurrency: 1 },
    )
    worker.on('error', (err) => log.error({ err }, 'backups worker error'))
    await worker.waitUntilReady()
  }
  return { queue, ...(worker ? { worker } : {}), run, close }
}
