/**
 * Photo intake and lookup over images.sqlite and the files under DATA_DIR/images, no HTTP.
 * The original is stored once per sha256; each tenant's link to it is a row, so two tenants
 * with the same bytes each see only their own link. Files are written to tmp/ and renamed into
 * place only when both thumbnails exist, so a refused or failed upload leaves nothing behind.
 * The files and their folder are fsynced before the photo's row is inserted, so a row never
 * names a file a crash lost; files a crash left without a row are swept at start (`sweep`).
 * A link points at its car by `car_id` (the car's id in items, there since migration 1); `car`
 * is only the nickname it was filed under: the worker names the car as items calls it when it
 * answers, so a renamed car shows its new name without rewriting links here.
 */
import type { Database } from 'bun:sqlite'
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { megabytes, readCapped } from '../../lib/bytes.ts'
import { badRequest, checkIdempotencyKey, HttpError, notFound } from '../lib/http.ts'
import {
  type Gallery,
  type GalleryQuery,
  type LinkUpdate,
  type Photo,
  type RemoveRequest,
  type RemoveResult,
  type UploadQuery,
  UploadResult,
  COVERS_LIMIT,
  type Covers,
} from './model.ts'
import { DecoderBusy, type DecoderPool } from './pool.ts'
import { ImageRejected, sniff } from './sniff.ts'
import { THUMB_QUALITY, type ThumbSize } from './sizes.ts'

/** A stored file's name: the original `<sha>` or a thumbnail `<sha>.<size>.jpg`. */
const STORED_NAME = /^([0-9a-f]{64})(?:\.(?:256|1024)\.jpg)?$/
const SHARD = /^[0-9a-f]{2}$/

/** Flushes a file or a folder (its entries: a rename) to the disk. */
function fsyncPath(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

export class ImageStore {
  readonly tmp: string
  constructor(readonly root: string) {
    this.tmp = join(root, 'tmp')
    mkdirSync(this.tmp, { recursive: true })
  }

  /** Writes a new file and flushes it to the disk (ENOSPC when the disk is full). */
  write(path: string, bytes: Uint8Array): void {
    const fd = openSync(path, 'w')
    try {
      for (let done = 0; done < bytes.byteLength; )
        done += writeSync(fd, bytes, done, bytes.byteLength - done)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  }

  /**
   * Moves a photo's files from tmp/ into place, durably: each file is fsynced before its rename
   * and the folder after it (and the root when the folder is new), so once this returns a crash
   * can lose none of them and the photo's row may name them.
   */
  place(sha: string, tmp: { original: string; 256: string; 1024: string }): void {
    for (const f of [tmp.original, tmp[256], tmp[1024]]) fsyncPath(f)
    const dir = this.dir(sha)
    const fresh = !existsSync(dir)
    mkdirSync(dir, { recursive: true })
    if (fresh) fsyncPath(this.root)
    renameSync(tmp[256], this.thumb(sha, 256))
    renameSync(tmp[1024], this.thumb(sha, 1024))
    renameSync(tmp.original, this.original(sha))
    fsyncPath(dir)
  }

  /**
   * Deletes what a crash or a refused upload left: every file in tmp/, and each stored file
   * whose photo has no row (`known(sha)` false): renamed into place, but the process died
   * before its row was inserted. Files it does not recognise are left alone. Run at start,
   * before any upload; answers how many files of each kind it deleted.
   */
  sweep(known: (sha: string) => boolean): { temps: number; orphans: number } {
    let temps = 0
    let orphans = 0
    for (const f of readdirSync(this.tmp)) {
      rmSync(join(this.tmp, f), { force: true, recursive: true })
      temps++
    }
    for (const entry of readdirSync(this.root, { withFileTypes: true })) {
      const shard = entry.name
      if (!entry.isDirectory() || !SHARD.test(shard)) continue
      const dir = join(this.root, shard)
      let left = 0
      for (const name of readdirSync(dir)) {
        const sha = STORED_NAME.exec(name)?.[1]
        if (sha === undefined || !sha.startsWith(shard) || known(sha)) {
          left++
          continue
        }
        rmSync(join(dir, name), { force: true })
        orphans++
      }
      if (left === 0) rmdirSync(dir)
    }
    return { temps, orphans }
  }

  dir(sha: string) {
    return join(this.root, sha.slice(0, 2))
  }

  original(sha: string) {
    return join(this.dir(sha), sha)
  }

  thumb(sha: string, size: ThumbSize) {
    return join(this.dir(sha), `${sha}.${size}.jpg`)
  }

  complete(sha: string) {
    return (
      existsSync(this.original(sha)) && existsSync(this.thumb(sha, 256)) && existsSync(this.thumb(sha, 1024))
    )
  }
}

const uploadResult = TypeCompiler.Compile(UploadResult)

export type IntakeDeps = {
  db: Database
  store: ImageStore
  decoder: DecoderPool
  maxBytes: number
  maxPixels: number
  /** Bytes of originals one tenant may keep (IMAGE_QUOTA_MB). */
  quotaBytes: number
  now: () => Date
}

const MB = 1024 * 1024
const mb = (bytes: number) => Math.round(bytes / MB).toLocaleString('en-US')

/** Bytes of the originals the tenant links, each photo once; a photo two tenants keep counts for both. */
export function tenantBytes(db: Database, tenant: string): number {
  const row = db
    .query(
      'SELECT COALESCE(SUM(i.bytes), 0) AS used FROM images i WHERE i.sha256 IN (SELECT sha256 FROM photos WHERE tenant = ?)',
    )
    .get(tenant) as { used: number }
  return row.used
}

/**
 * Refuses (413 `over_quota`) a photo new to the tenant that would take its storage past the
 * quota. A photo the tenant already keeps adds nothing.
 */
export function checkQuota(deps: Pick<IntakeDeps, 'db' | 'quotaBytes'>, tenant: string, sha: string, size: number) {
  if (tenantHas(deps.db, tenant, sha)) return
  const used = tenantBytes(deps.db, tenant)
  if (used + size <= deps.quotaBytes) return
  throw new HttpError(
    413,
    'over_quota',
    `This garage's photos use ${mb(used)} MB of its ${mb(deps.quotaBytes)} MB; remove some with /photo remove`,
    'body',
  )
}

/** Reads a request body up to `max` bytes; 413 as soon as it goes over (nothing more is read). */
export async function readUpload(request: Request, max: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > max)
    throw new HttpError(
      413,
      'too_large',
      `the photo is ${megabytes(declared)}, over the limit of ${megabytes(max)}`,
      'body',
    )
  if (!request.body) throw badRequest('body', 'the request has no image bytes in its body')
  const read = await readCapped(request.body, max)
  if (read.ok) return read.bytes
  if (read.why === 'empty') throw badRequest('body', 'the file is empty')
  throw new HttpError(413, 'too_large', `the photo is over the limit of ${megabytes(max)}`, 'body')
}

function rejected(error: ImageRejected): HttpError {
  return new HttpError(error.code === 'too_large' ? 413 : 422, error.code, error.message, 'body')
}

const PHOTO = `SELECT p.id, p.sha256, i.format, i.bytes, i.width, i.height, p.car_id, p.car, p.issue, p.uploader,
  p.uploader_name, p.filename, p.created_at FROM photos p JOIN images i ON i.sha256 = p.sha256`

function photoById(db: Database, tenant: string, id: number): Photo {
  const row = db.query(`${PHOTO} WHERE p.tenant = ? AND p.id = ?`).get(tenant, id) as Photo | null
  if (!row) throw notFound(`no photo ${id} in this garage`)
  return row
}

/** Makes sure the photo's files exist (decoding it off the main thread when new); true if they already did. */
async function storeOnce(
  deps: IntakeDeps,
  tenant: string,
  bytes: Uint8Array,
  sha: string,
  format: string,
): Promise<boolean> {
  const { db, store } = deps
  const known = db.query('SELECT 1 FROM images WHERE sha256 = ?').get(sha)
  if (known && store.complete(sha)) return true
  const base = join(store.tmp, `${sha}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`)
  const tmp = { original: `${base}.orig`, 256: `${base}.256.jpg`, 1024: `${base}.1024.jpg` }
  try {
    store.write(tmp.original, bytes)
    const result = await deps.decoder.decode({
      input: tmp.original,
      out256: tmp[256],
      out1024: tmp[1024],
      maxPixels: deps.maxPixels,
      quality: THUMB_QUALITY,
    }, tenant)
    store.place(sha, tmp)
    db.query(
      'INSERT INTO images (sha256, format, bytes, width, height, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(sha, format, bytes.byteLength, result.width, result.height, deps.now().toISOString())
    return false
  } catch (error) {
    if (error instanceof ImageRejected) throw rejected(error)
    if (error instanceof DecoderBusy)
      throw new HttpError(503, 'busy', `the photo service is busy (${error.message}); retry shortly`)
    throw error
  } finally {
    for (const f of Object.values(tmp)) rmSync(f, { force: true })
  }
}

/**
 * Checks an upload and makes sure its bytes are stored (decoded in the decoder process when
 * new); the photo's sha256. Stores no link: `link` does, once per Idempotency-Key. The key is
 * checked here too, because the shared original is written before `link` runs.
 */
export async function store(
  deps: IntakeDeps,
  tenant: string,
  bytes: Uint8Array,
  query: UploadQuery,
  idempotencyKey: string | undefined,
): Promise<string> {
  if (query.car !== undefined && query.car_id === undefined)
    throw badRequest('car_id', 'car_id is required with car')
  if (query.added_at !== undefined && Number.isNaN(Date.parse(query.added_at)))
    throw badRequest('added_at', `${query.added_at} is not a time`)
  checkIdempotencyKey(idempotencyKey)
  let info: ReturnType<typeof sniff>
  try {
    info = sniff(bytes, deps.maxPixels, query.filename)
  } catch (error) {
    if (error instanceof ImageRejected) throw rejected(error)
    throw error
  }
  const sha = new Bun.CryptoHasher('sha256').update(bytes).digest('hex')
  // Before anything is written or decoded: a refused photo stores nothing.
  checkQuota(deps, tenant, sha, bytes.byteLength)
  await storeOnce(deps, tenant, bytes, sha, info.format)
  return sha
}

/**
 * Links a stored photo to the tenant (and the car or issue of the upload): a new link, the
 * tenant's unfiled link filed there, or the link it already had (`linked_before`; the route
 * answers 200 for it, 201 otherwise).
 */
export function link(deps: IntakeDeps, tenant: string, sha: string, query: UploadQuery): UploadResult {
  const { db } = deps
  // Per tenant: whether another garage holds the same bytes is not this garage's business.
  const storedBefore = tenantHas(db, tenant, sha)
  const result = (id: number, linkedBefore: boolean) => {
    const body = {
      photo: photoById(db, tenant, id),
      stored_before: storedBefore,
      linked_before: linkedBefore,
    }
    // Inside the transaction: an answer the route would refuse rolls the link back.
    if (!uploadResult.Check(body)) throw new Error(`upload answer fails its schema: ${JSON.stringify(body)}`)
    return body
  }
  const carId = query.car_id ?? null
  const issue = query.issue ?? null
  // Again inside the write: two uploads at once may both have passed the check in `store`.
  const { bytes } = db.query('SELECT bytes FROM images WHERE sha256 = ?').get(sha) as { bytes: number }
  checkQuota(deps, tenant, sha, bytes)
  const existing = db
    .query(
      'SELECT id FROM photos WHERE tenant = ? AND sha256 = ? AND IFNULL(car_id, 0) = ? AND IFNULL(issue, 0) = ?',
    )
    .get(tenant, sha, carId ?? 0, issue ?? 0) as { id: number } | null
  if (existing) return result(existing.id, true)
  const unfiled =
    carId !== null || issue !== null
      ? (db
          .query('SELECT id FROM photos WHERE tenant = ? AND sha256 = ? AND car_id IS NULL AND issue IS NULL')
          .get(tenant, sha) as { id: number } | null)
      : null
  if (unfiled) {
    db.query('UPDATE photos SET car_id = ?, car = ?, issue = ? WHERE id = ?').run(
      carId,
      query.car ?? null,
      issue,
      unfiled.id,
    )
    return result(unfiled.id, false)
  }
  const { id } = db
    .query(
      `INSERT INTO photos (tenant, sha256, car_id, car, issue, uploader, uploader_name, filename, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .get(
      tenant,
      sha,
      carId,
      query.car ?? null,
      issue,
      query.uploader,
      query.uploader_name ?? query.uploader,
      query.filename ?? null,
      query.added_at ? new Date(query.added_at).toISOString() : deps.now().toISOString(),
    ) as { id: number }
  if (query.import !== undefined)
    db.query('INSERT INTO photo_imports (tenant, import, photo_id) VALUES (?, ?, ?)').run(tenant, query.import, id)
  return result(id, false)
}

/** Files a photo link onto a car and/or issue (the "which car?" buttons of an unfiled photo). */
export function fileLink(db: Database, tenant: string, id: number, input: LinkUpdate): Photo {
  const current = photoById(db, tenant, id)
  if (input.car !== undefined && input.car_id === undefined)
    throw badRequest('car_id', 'car_id is required with car')
  if (input.car_id === undefined && input.issue === undefined)
    throw badRequest('car_id', 'give car_id or issue to file the photo')
  const carId = input.car_id ?? current.car_id
  const issue = input.issue ?? current.issue
  const clash = db
    .query(
      'SELECT id FROM photos WHERE tenant = ? AND sha256 = ? AND IFNULL(car_id, 0) = ? AND IFNULL(issue, 0) = ? AND id <> ?',
    )
    .get(tenant, current.sha256, carId ?? 0, issue ?? 0, id) as { id: number } | null
  if (clash) {
    // Already filed there by another upload: the unfiled duplicate goes away.
    db.query('DELETE FROM photos WHERE id = ? AND car_id IS NULL AND issue IS NULL').run(id)
    return photoById(db, tenant, clash.id)
  }
  db.query('UPDATE photos SET car_id = ?, car = ?, issue = ? WHERE id = ?').run(
    carId,
    input.car ?? current.car,
    issue,
    id,
  )
  return photoById(db, tenant, id)
}

export function gallery(db: Database, tenant: string, query: GalleryQuery): Gallery {
  const where = ['p.tenant = ?']
  const args: (string | number)[] = [tenant]
  if (query.car !== undefined) {
    where.push('p.car_id = ?')
    args.push(query.car)
  }
  if (query.issue !== undefined) {
    where.push('p.issue = ?')
    args.push(query.issue)
  }
  if (query.unfiled) where.push('p.car_id IS NULL AND p.issue IS NULL')
  const clause = where.join(' AND ')
  const photos = db
    .query(`${PHOTO} WHERE ${clause} ORDER BY p.created_at DESC, p.id DESC LIMIT ?`)
    .all(...args, query.limit ?? 50) as Photo[]
  const { total } = db.query(`SELECT count(*) AS total FROM photos p WHERE ${clause}`).get(...args) as {
    total: number
  }
  return { photos, total }
}

/**
 * The newest photo of each of the garage's cars (the one a gallery of the car shows first), so
 * `/car show` can ask for it alongside the car instead of after it. One index range per car.
 */
export function covers(db: Database, tenant: string): Covers {
  const rows = db
    .query(
      `${PHOTO} WHERE p.id IN (
         SELECT (SELECT q.id FROM photos q WHERE q.tenant = c.tenant AND q.car_id = c.car_id
                 ORDER BY q.created_at DESC, q.id DESC LIMIT 1)
         FROM (SELECT DISTINCT tenant, car_id FROM photos WHERE tenant = ? AND car_id IS NOT NULL) c)
       ORDER BY p.created_at DESC, p.id DESC LIMIT ?`,
    )
    .all(tenant, COVERS_LIMIT) as Photo[]
  return { covers: rows }
}

/** The tenant's own photo of that hash, or 404 exactly as for a missing one. */
export function tenantHas(db: Database, tenant: string, sha: string): boolean {
  return db.query('SELECT 1 FROM photos WHERE tenant = ? AND sha256 = ? LIMIT 1').get(tenant, sha) !== null
}

/** The tenant's newest link to a photo hash; 404 when the tenant has none (whoever else does). */
export function photoBySha(db: Database, tenant: string, sha: string): Photo {
  const row = db
    .query(`${PHOTO} WHERE p.tenant = ? AND p.sha256 = ? ORDER BY p.id DESC LIMIT 1`)
    .get(tenant, sha) as Photo | null
  if (!row) throw notFound('no such photo in this garage')
  return row
}

/** Deletes the rows of stored photos no tenant links any more; the hashes whose row went. */
export function dropUnlinked(db: Database, shas: Iterable<string>): string[] {
  const dropped: string[] = []
  for (const sha of new Set(shas)) {
    if (db.query('SELECT 1 FROM photos WHERE sha256 = ? LIMIT 1').get(sha)) continue
    db.query('DELETE FROM images WHERE sha256 = ?').run(sha)
    dropped.push(sha)
  }
  return dropped
}

/**
 * Deletes the files of each photo that has no row (any more): called after the write that
 * deleted the row committed, so a crash between the two leaves files without a row, which the
 * start sweep deletes, never a row without its files.
 */
export function deleteFilesWithoutRow(db: Database, store: ImageStore, shas: Iterable<string>): number {
  let n = 0
  for (const sha of new Set(shas)) {
    if (db.query('SELECT 1 FROM images WHERE sha256 = ?').get(sha)) continue
    for (const f of [store.original(sha), store.thumb(sha, 256), store.thumb(sha, 1024)]) rmSync(f, { force: true })
    n++
  }
  return n
}

/** How many stored photos no link would be left to once `rows` (links) are gone. */
function unlinkedAfter(db: Database, rows: Photo[]): number {
  const ids = JSON.stringify(rows.map((r) => r.id))
  const left = db.prepare(
    'SELECT 1 FROM photos WHERE sha256 = ? AND id NOT IN (SELECT value FROM json_each(?)) LIMIT 1',
  )
  let n = 0
  for (const sha of new Set(rows.map((r) => r.sha256))) if (!left.get(sha, ids)) n++
  left.finalize()
  return n
}

/**
 * Removes the tenant's links named by `req` (one of id, sha prefix, car_id with or without its
 * issues; nothing with `preview`), and the stored
 * rows of each photo no link is left to (its files: `deleteFilesWithoutRow`, after the write). 404 when nothing matches; 422 when a sha prefix
 * names two different photos of the garage.
 */
export function removeLinks(db: Database, tenant: string, req: RemoveRequest): RemoveResult {
  if (req.issues !== undefined && req.car_id === undefined)
    throw badRequest('issues', 'issues is only taken with car_id (a car removed with its issues)')
  const given = [req.id, req.sha, req.car_id].filter((v) => v !== undefined).length
  if (given !== 1) throw badRequest('id', 'give exactly one of id, sha or car_id')
  let rows: Photo[]
  if (req.id !== undefined) {
    rows = [photoById(db, tenant, req.id)]
  } else if (req.sha !== undefined) {
    rows = db
      .query(`${PHOTO} WHERE p.tenant = ? AND p.sha256 >= ? AND p.sha256 < ? ORDER BY p.id`)
      .all(tenant, req.sha, `${req.sha}g`) as Photo[]
    if (rows.length === 0) throw notFound(`no photo ${req.sha} in this garage`)
    if (new Set(rows.map((r) => r.sha256)).size > 1)
      throw badRequest('sha', `${req.sha} is the start of more than one photo of this garage; give more of it`)
  } else if (req.issues !== undefined) {
    // The car with its issues: its links filed on an issue too, and the links of its issues
    // (json_each: the numbers are one bound parameter, however many).
    rows = db
      .query(
        `${PHOTO} WHERE p.tenant = ? AND (p.car_id = ? OR p.issue IN (SELECT value FROM json_each(?))) ORDER BY p.id`,
      )
      .all(tenant, req.car_id!, JSON.stringify(req.issues)) as Photo[]
  } else {
    rows = db
      .query(`${PHOTO} WHERE p.tenant = ? AND p.car_id = ? AND p.issue IS NULL ORDER BY p.id`)
      .all(tenant, req.car_id!) as Photo[]
  }
  if (req.preview) return { removed: rows, files_removed: unlinkedAfter(db, rows) }
  const remove = db.prepare('DELETE FROM photos WHERE tenant = ? AND id = ?')
  for (const r of rows) remove.run(tenant, r.id)
  remove.finalize()
  return { removed: rows, files_removed: dropUnlinked(db, rows.map((r) => r.sha256)).length }
}

/**
 * Removes every link never filed on a car or an issue that is older than `before`, and the
 * files of photos no link is left to (also those a refused or crashed upload left without any
 * link). One synchronous pass, so it never runs between an upload's store and its link.
 */
export function expireUnfiled(db: Database, store: ImageStore, before: Date): { links: number; files: number } {
  const cutoff = before.toISOString()
  const tx = db.transaction(() => {
    const gone = db
      .query('DELETE FROM photos WHERE car_id IS NULL AND issue IS NULL AND created_at < ? RETURNING sha256')
      .all(cutoff) as { sha256: string }[]
    const unlinked = db
      .query(
        'SELECT sha256 FROM images i WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.sha256 = i.sha256)',
      )
      .all(cutoff) as { sha256: string }[]
    return { links: gone.length, dropped: dropUnlinked(db, [...gone, ...unlinked].map((r) => r.sha256)) }
  })
  const { links, dropped } = tx()
  return { links, files: deleteFilesWithoutRow(db, store, dropped) }
}
