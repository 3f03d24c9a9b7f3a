/**
 * Taking a snapshot of a running Car Manager (`bun run backup`, and the worker's schedule in
 * queue/backups.ts). Each service writes its own part through its `POST /backup` into a
 * `.partial-…` folder below DATA_DIR/backups; then every file is hashed into `manifest.json`
 * (written last) and the folder is renamed to its place, so a folder with a manifest is always
 * a whole snapshot. Nothing here opens a service's database; the Slack bot's installation store,
 * which no service keeps, is copied here (copySlackStore).
 */
import { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import type { Config } from '../config.ts'
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../contracts/services.ts'
import {
  BackupAnswer,
  backupRoot,
  MANIFEST_FILE,
  type Manifest,
  SCHEDULED_PREFIX,
  SLACK_STORE,
  snapshotName,
} from './contract.ts'
import { fsyncPath, hashFile, listFiles } from './files.ts'

/** A backup that could not be taken or restored; its message says why, for the operator. */
export class BackupError extends Error {}

export type TakeOptions = {
  dataDir: string
  token: string
  /** Base URL of every service (each one is asked, a stateless one answers it wrote nothing). */
  urls: Record<ServiceName, string>
  /** The snapshot's folder (new or empty); default DATA_DIR/backups/<prefix><time>. */
  to?: string
  /** Prefix of the default folder's name (the schedule's `auto-`). */
  prefix?: string
  now?: () => Date
  /** How long one service may take to write its part. */
  timeoutMs?: number
}

export type Taken = { dir: string; manifest: Manifest; services: BackupAnswer[] }

/** The service token: SERVICE_TOKEN, or the one `bun run demo` generated into DATA_DIR/service-token. */
export function serviceToken(config: Pick<Config, 'SERVICE_TOKEN' | 'DATA_DIR'>): string {
  if (config.SERVICE_TOKEN) return config.SERVICE_TOKEN
  const file = join(resolve(config.DATA_DIR), 'service-token')
  const token = existsSync(file) ? readFileSync(file, 'utf8').trim() : ''
  if (token.length < 16)
    throw new BackupError(
      `SERVICE_TOKEN is not set and ${file} holds none; set SERVICE_TOKEN to the services' token`,
    )
  return token
}

/** Every service's URL from the settings. */
export const serviceUrls = (config: Config) =>
  Object.fromEntries(SERVICE_NAMES.map((n) => [n, String(config[SERVICES[n].url])])) as Record<
    ServiceName,
    string
  >

async function askService(name: ServiceName, url: string, token: string, to: string, timeoutMs: number) {
  let res: Response
  try {
    res = await fetch(`${url.replace(/\/$/, '')}/backup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to }),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    throw new BackupError(
      `${name}: not reachable at ${url} (${(error as Error).message}); is the stack running?`,
    )
  }
  const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null
  if (!res.ok)
    throw new BackupError(`${name}: answered ${res.status}: ${body?.error?.message ?? 'no message'}`)
  if (!Value.Check(BackupAnswer, body))
    throw new BackupError(`${name}: answered something that is not a backup answer`)
  return body
}

/**
 * The Slack bot's installation store, copied consistently while the bot may be writing it
 * (`VACUUM INTO`, SQLite's online copy: one read transaction, so a token rotation lands wholly
 * in the copy or not at all); its schema version, or null when DATA_DIR has no store.
 */
export function copySlackStore(dataDir: string, staging: string): number | null {
  const from = join(resolve(dataDir), SLACK_STORE.file)
  if (!existsSync(from)) return null
  const db = new Database(from, { readwrite: true, create: false })
  try {
    db.exec('PRAGMA busy_timeout = 5000')
    db.query('VACUUM INTO ?').run(join(staging, SLACK_STORE.file))
    return (db.query('PRAGMA user_version').get() as { user_version: number }).user_version
  } finally {
    db.close()
  }
}

/** Moves the finished folder to `dest` (a rename, or a copy to another disk). */
function place(staging: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true })
  if (existsSync(dest)) rmdirSync(dest)
  try {
    renameSync(staging, dest)
  } catch (error) {
    if ((error as { code?: string }).code !== 'EXDEV') throw error
    cpSync(staging, dest, { recursive: true })
    rmSync(staging, { recursive: true, force: true })
  }
  fsyncPath(dirname(dest))
}

/** Takes a snapshot of every service while the stack runs; throws BackupError and leaves nothing on failure. */
export async function takeBackup(options: TakeOptions): Promise<Taken> {
  const root = backupRoot(options.dataDir)
  const at = (options.now ?? (() => new Date()))()
  const name = snapshotName(at, options.prefix)
  const dest = options.to ? resolve(options.to) : join(root, name)
  if (existsSync(dest) && (!statSync(dest).isDirectory() || readdirSync(dest).length > 0))
    throw new BackupError(`${dest} is not an empty folder; name a new one`)
  mkdirSync(root, { recursive: true })
  const staging = join(root, `.partial-${name}-${randomBytes(4).toString('hex')}`)
  mkdirSync(staging)
  try {
    const asked = await Promise.allSettled(
      SERVICE_NAMES.map((n) =>
        askService(n, options.urls[n], options.token, relative(root, staging), options.timeoutMs ?? 600_000),
      ),
    )
    const failed = asked.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []))
    if (failed.length > 0) throw new BackupError(failed.join('\n'))
    const services = asked.map((r) => (r as PromiseFulfilledResult<BackupAnswer>).value)
    const databases: Manifest['databases'] = []
    for (const s of services) {
      if (s.database === null || s.user_version === null) continue
      if (!existsSync(join(staging, s.database)))
        throw new BackupError(
          `${s.service}: wrote its part below its own DATA_DIR, not ${options.dataDir}; run the backup with the services' DATA_DIR`,
        )
      databases.push({ service: s.service, file: s.database, user_version: s.user_version })
    }
    const slack = copySlackStore(options.dataDir, staging)
    if (slack !== null) {
      fsyncPath(join(staging, SLACK_STORE.file))
      databases.push({ ...SLACK_STORE, user_version: slack })
    }
    const files: Manifest['files'] = []
    for (const path of listFiles(staging)) files.push({ path, ...(await hashFile(join(staging, path))) })
    const manifest: Manifest = {
      format: 'car-manager-backup',
      version: 1,
      created_at: at.toISOString(),
      databases,
      files,
    }
    writeFileSync(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`)
    fsyncPath(join(staging, MANIFEST_FILE))
    fsyncPath(staging)
    place(staging, dest)
    return { dir: dest, manifest, services }
  } catch (error) {
    rmSync(staging, { recursive: true, force: true })
    throw error
  }
}

/** A `.partial-…` folder this old was left by a backup that died; the schedule removes it. */
const PARTIAL_STALE_MS = 24 * 60 * 60 * 1000

/**
 * Removes the scheduled snapshots (`auto-…` with a manifest) below the backup root but the
 * newest `keep`, and partial folders a dead backup left a day ago or more; the names removed.
 * Snapshots taken by hand (`bun run backup`) are never removed here.
 */
export function pruneScheduled(dataDir: string, keep: number, now = new Date()): string[] {
  const root = backupRoot(dataDir)
  if (!existsSync(root)) return []
  const entries = readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory())
  const scheduled = entries
    .filter((e) => e.name.startsWith(SCHEDULED_PREFIX) && existsSync(join(root, e.name, MANIFEST_FILE)))
    .map((e) => e.name)
    .sort()
    .reverse()
  const stale = entries
    .filter((e) => e.name.startsWith('.partial-'))
    .filter((e) => now.getTime() - statSync(join(root, e.name)).mtimeMs >= PARTIAL_STALE_MS)
    .map((e) => e.name)
  const removed = [...scheduled.slice(keep), ...stale]
  for (const name of removed) rmSync(join(root, name), { recursive: true, force: true })
  return removed
}
