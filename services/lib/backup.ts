/**
 * `POST /backup`, which every service mounts (services/lib/app.ts): the service writes its own
 * part of a snapshot into a folder below DATA_DIR/backups, so no process ever opens another's
 * database. A service with a database writes `<service>.sqlite` with `VACUUM INTO` (a consistent
 * copy taken while requests go on); a service that keeps files in `DATA_DIR/<service>/` (the
 * photo store) hard-links them into `<service>/` (a copy when the snapshot is on another disk;
 * its `tmp/` left out). Behind the service token like every route; no tenant: it spans every
 * garage. One backup at a time per service (409 `backup_running`); a path outside the backup
 * root, also through a symbolic link, is refused (403 `outside_backup_root`).
 */
import type { Database } from 'bun:sqlite'
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { link, readdir } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { Elysia } from 'elysia'
import { BackupAnswer, BackupRequest, backupRoot } from '../../lib/backup/contract.ts'
import { fsyncPath } from '../../lib/backup/files.ts'
import type { Logger } from '../../lib/log.ts'
import { vacuumIntoOffThread } from './backup-vacuum.ts'
import { errorResponses, HttpError } from './http.ts'

export type BackupDeps = {
  name: string
  dataDir: string
  /** The service's database; none for a stateless service (it answers that it wrote nothing). */
  db?: Database
  log?: Logger
}

const outside = () =>
  new HttpError(403, 'outside_backup_root', 'a backup is written only below DATA_DIR/backups', 'to')

const inside = (root: string, path: string) => {
  const rel = relative(root, path)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

/**
 * The snapshot folder `to` names (relative to the backup root, or absolute), checked to be
 * inside the root: by its path, and by the real path of its nearest existing folder, so a
 * symbolic link inside the root cannot lead out. `create` makes the root first (a stateless
 * service checks the path only).
 */
export function backupTarget(dataDir: string, to: string, create = true): string {
  if (to.includes('\0')) throw new HttpError(422, 'invalid', 'to: a path cannot hold a NUL character', 'to')
  const root = backupRoot(dataDir)
  const target = resolve(root, to)
  if (!inside(root, target)) throw outside()
  if (!create) return target
  mkdirSync(root, { recursive: true })
  const realRoot = realpathSync(root)
  let probe = target
  while (!existsSync(probe)) probe = dirname(probe)
  const real = realpathSync(probe)
  if (real !== realRoot && !inside(realRoot, real)) throw outside()
  return target
}

/** A refusal for what the file system said about the target (too long, not a folder). */
function targetError(error: unknown): HttpError | undefined {
  const code = (error as { code?: string }).code
  if (code === 'ENAMETOOLONG') return new HttpError(422, 'invalid', 'to: the path is too long', 'to')
  if (code === 'ENOTDIR' || code === 'EEXIST')
    return new HttpError(409, 'exists', 'to: a file is in the way of the snapshot folder', 'to')
  return undefined
}

/** Hard-links `from` as `to`, or copies it when they are on different disks (or links are refused). */
function linkOrCopySync(from: string, to: string): void {
  try {
    linkSync(from, to)
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error
    copyFileSync(from, to)
  }
}

/** The store's files as paths relative to it, shard folders one level deep, `tmp/` left out. */
function storeFilesSync(store: string): string[] {
  if (!existsSync(store)) return []
  const out: string[] = []
  for (const entry of readdirSync(store, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const rel = relative(store, join(entry.parentPath, entry.name))
    if (rel.split(sep)[0] === 'tmp') continue
    out.push(rel)
  }
  return out
}

async function storeFiles(store: string): Promise<string[]> {
  if (!existsSync(store)) return []
  const entries = await readdir(store, { withFileTypes: true, recursive: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(store, join(e.parentPath, e.name)))
    .filter((rel) => rel.split(sep)[0] !== 'tmp')
}

/**
 * Writes the service's part of a snapshot into `target`. A service without a file store copies
 * its database with `VACUUM INTO` on a thread of its own (backup-vacuum.ts), answering requests
 * meanwhile. With a store, its files are linked first without holding the event loop; then, in
 * one synchronous stretch (no request runs in between), the database is copied with `VACUUM
 * INTO` and the files that appeared meanwhile are linked. A photo's files are placed before its row is written and deleted after its row is, so
 * every row of the copy has its files in the snapshot (a file removed after being linked stays
 * in the snapshot, and the images service sweeps it at start after a restore).
 */
async function snapshot(deps: BackupDeps, target: string): Promise<Omit<BackupAnswer, 'ms'>> {
  const { name, db } = deps
  const database = db ? `${name}.sqlite` : null
  const store = join(resolve(deps.dataDir), name)
  const storeCopy = join(target, name)
  try {
    mkdirSync(target, { recursive: true })
  } catch (error) {
    throw targetError(error) ?? error
  }
  if ((database && existsSync(join(target, database))) || existsSync(storeCopy))
    throw new HttpError(409, 'exists', `to: the folder already holds a backup of ${name}`, 'to')
  const linked = new Set<string>()
  try {
    for (const rel of await storeFiles(store)) {
      mkdirSync(dirname(join(storeCopy, rel)), { recursive: true })
      try {
        await link(join(store, rel), join(storeCopy, rel))
      } catch (error) {
        const code = (error as { code?: string }).code
        if (code === 'ENOENT') continue // removed since it was listed: its row went first
        linkOrCopySync(join(store, rel), join(storeCopy, rel))
      }
      linked.add(rel)
    }
    let userVersion: number | null = null
    if (db && database) {
      if (linked.size === 0 && !existsSync(store) && db.filename !== ':memory:') {
        // No files to keep in step with the rows: the copy is made on a thread of its own, and
        // requests go on meanwhile (a large database takes a while to copy).
        userVersion = await vacuumIntoOffThread(db.filename, join(target, database))
      } else {
        db.run('VACUUM INTO ?', [join(target, database)])
        userVersion = (db.query('PRAGMA user_version').get() as { user_version: number }).user_version
        // VACUUM INTO does not sync what it wrote; the snapshot must survive a crash once answered.
        fsyncPath(join(target, database))
      }
    }
    for (const rel of storeFilesSync(store)) {
      if (linked.has(rel)) continue
      mkdirSync(dirname(join(storeCopy, rel)), { recursive: true })
      linkOrCopySync(join(store, rel), join(storeCopy, rel))
      linked.add(rel)
    }
    fsyncPath(target)
    return { service: name, database, user_version: userVersion, files: linked.size }
  } catch (error) {
    if (database) rmSync(join(target, database), { force: true })
    rmSync(storeCopy, { recursive: true, force: true })
    throw error
  }
}

/** The `POST /backup` route of a service. */
export function backupRoutes(deps: BackupDeps) {
  let running = false
  return new Elysia({ name: `backup-${deps.name}` }).post(
    '/backup',
    async ({ body }) => {
      const started = performance.now()
      if (running)
        throw new HttpError(409, 'backup_running', `a backup of ${deps.name} is already being written`)
      running = true
      try {
        // A service without a database or a store writes nothing, so it only checks the path.
        const stateless = !deps.db && !existsSync(join(resolve(deps.dataDir), deps.name))
        const target = backupTarget(deps.dataDir, body.to, !stateless)
        const answer = stateless
          ? { service: deps.name, database: null, user_version: null, files: 0 }
          : await snapshot(deps, target)
        const ms = Math.round(performance.now() - started)
        deps.log?.info({ to: target, ...answer, ms }, 'backup written')
        return { ...answer, ms }
      } finally {
        running = false
      }
    },
    {
      body: BackupRequest,
      response: { 200: BackupAnswer, ...errorResponses(401, 403, 409, 422, 507) },
      detail: {
        summary: "Write this service's part of a snapshot below DATA_DIR/backups (system; `bun run backup`)",
      },
    },
  )
}
