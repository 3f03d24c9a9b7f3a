/**
 * Restoring a snapshot (`bun run restore DIR`) into an empty DATA_DIR while the stack is stopped.
 * Nothing is written until the manifest reads right and every file's size and sha256 match it;
 * a DATA_DIR that holds anything is refused, naming what is there. Each restored database must
 * pass `PRAGMA integrity_check` and be at the manifest's schema version; otherwise what was
 * written is removed again, so a failed restore leaves DATA_DIR as empty as it found it.
 */
import { Database } from 'bun:sqlite'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { Value } from '@sinclair/typebox/value'
import { MANIFEST_FILE, Manifest } from './contract.ts'
import { fsyncPath, hashFile } from './files.ts'
import { BackupError } from './take.ts'

export type RestoredDatabase = {
  service: string
  file: string
  user_version: number
  tables: number
  rows: number
}

export type Restored = {
  dataDir: string
  manifest: Manifest
  databases: RestoredDatabase[]
  /** Files written (databases included) and their bytes. */
  files: number
  bytes: number
}

/** The path of a manifest entry below `dir`, or null when it would lead outside it. */
function within(dir: string, path: string): string | null {
  const full = resolve(dir, path)
  const rel = relative(dir, full)
  return rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || path.split('/').includes('..')
    ? null
    : full
}

/** Reads a snapshot's manifest and checks every file against it; the manifest, or BackupError naming each mismatch. */
export async function verifySnapshot(dir: string): Promise<Manifest> {
  const from = resolve(dir)
  const manifestPath = join(from, MANIFEST_FILE)
  if (!existsSync(manifestPath)) throw new BackupError(`${from} holds no ${MANIFEST_FILE}: not a snapshot`)
  let manifest: unknown
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  } catch {
    throw new BackupError(`${manifestPath} is not JSON`)
  }
  if (!Value.Check(Manifest, manifest)) {
    const first = [...Value.Errors(Manifest, manifest)][0]
    throw new BackupError(
      `${manifestPath} is not a Car Manager manifest (${first?.path || '/'}: ${first?.message})`,
    )
  }
  const problems: string[] = []
  const listed = new Set(manifest.files.map((f) => f.path))
  for (const db of manifest.databases)
    if (!listed.has(db.file)) problems.push(`${db.file}: a database the manifest names but does not list`)
  for (const file of manifest.files) {
    const path = within(from, file.path)
    if (!path) {
      problems.push(`${file.path}: leads outside the snapshot`)
      continue
    }
    if (!existsSync(path)) {
      problems.push(`${file.path}: missing`)
      continue
    }
    const got = await hashFile(path)
    if (got.bytes !== file.bytes)
      problems.push(`${file.path}: ${got.bytes} bytes, the manifest says ${file.bytes}`)
    else if (got.sha256 !== file.sha256)
      problems.push(`${file.path}: sha256 ${got.sha256}, the manifest says ${file.sha256}`)
  }
  if (problems.length > 0)
    throw new BackupError(
      `the snapshot does not match its manifest; nothing was restored:\n  ${problems.join('\n  ')}`,
    )
  return manifest
}

/** What a folder holds, for a refusal: its first entries by name. */
function holds(dir: string): string[] {
  if (!existsSync(dir)) return []
  if (!statSync(dir).isDirectory()) return [dir]
  return readdirSync(dir).sort()
}

/** integrity_check, schema version and row counts of a restored database (opened read-only). */
function checkDatabase(path: string, expected: Manifest['databases'][number]): RestoredDatabase {
  const db = new Database(path, { readonly: true })
  try {
    const result = (db.query('PRAGMA integrity_check').all() as { integrity_check: string }[]).map(
      (r) => r.integrity_check,
    )
    if (result.join() !== 'ok')
      throw new BackupError(`${expected.file}: integrity_check says ${result.slice(0, 5).join('; ')}`)
    const version = (db.query('PRAGMA user_version').get() as { user_version: number }).user_version
    if (version !== expected.user_version)
      throw new BackupError(
        `${expected.file}: schema version ${version}, the manifest says ${expected.user_version}`,
      )
    const tables = db
      .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as { name: string }[]
    let rows = 0
    for (const { name } of tables)
      rows += (db.query(`SELECT COUNT(*) AS n FROM "${name.replaceAll('"', '""')}"`).get() as { n: number }).n
    return {
      service: expected.service,
      file: expected.file,
      user_version: version,
      tables: tables.length,
      rows,
    }
  } finally {
    db.close()
  }
}

/** Restores the snapshot in `from` into the empty folder `dataDir`; throws BackupError (having written nothing that stays). */
export async function restoreBackup(from: string, dataDir: string): Promise<Restored> {
  const source = resolve(from)
  const dest = resolve(dataDir)
  const there = holds(dest)
  if (there.length > 0) {
    const shown = there.slice(0, 8).join(', ') + (there.length > 8 ? `, and ${there.length - 8} more` : '')
    throw new BackupError(
      `DATA_DIR ${dest} is not empty (it holds ${shown}); restore writes only into an empty folder: stop the stack and move that folder away, or set DATA_DIR to a new one`,
    )
  }
  const manifest = await verifySnapshot(source)
  mkdirSync(dest, { recursive: true })
  try {
    let bytes = 0
    for (const file of manifest.files) {
      const to = within(dest, file.path)!
      mkdirSync(dirname(to), { recursive: true })
      copyFileSync(join(source, file.path), to)
      const copied = await hashFile(to)
      if (copied.sha256 !== file.sha256)
        throw new BackupError(`${file.path}: the copy differs from the snapshot`)
      fsyncPath(to)
      bytes += copied.bytes
    }
    const databases = manifest.databases.map((d) => checkDatabase(join(dest, d.file), d))
    fsyncPath(dest)
    return { dataDir: dest, manifest, databases, files: manifest.files.length, bytes }
  } catch (error) {
    for (const entry of readdirSync(dest)) rmSync(join(dest, entry), { recursive: true, force: true })
    throw error
  }
}
