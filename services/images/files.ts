/**
 * Short-lived files of a garage (an export zip, later a report) that a Reply carries by
 * reference (`Reply.file`) and each bot fetches to deliver. `POST /files?name=&type=` takes the
 * raw bytes as a stream, writes them to `DATA_DIR/files/<id>` without holding them in memory, and
 * answers `{ id, name, type, bytes }`; `GET /files/:id` answers the bytes to the same tenant
 * only. A file lives `FILE_KEEP_MS` (a day: every delivery retry is long over by then) and is
 * swept at start and on every upload; it counts against no photo quota.
 *
 * The id is derived from the tenant and the Idempotency-Key when one is given, so a retried job
 * stores its file once under the same id (the second upload replaces the first's bytes).
 */
import type { Database } from 'bun:sqlite'
import { createHash, randomUUID } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { Elysia, t } from 'elysia'
import { megabytes } from '../../lib/bytes.ts'
import { badRequest, errorResponses, HttpError, notFound, requestScope } from '../lib/http.ts'

/** How long a stored file is kept. */
export const FILE_KEEP_MS = 24 * 60 * 60 * 1000
/** The largest file taken (an export of a big garage with its photos). */
export const FILE_MAX_BYTES = 1024 * 1024 * 1024

export const StoredFile = t.Object({
  id: t.String({ pattern: '^[0-9a-f]{32}$' }),
  name: t.String({ minLength: 1, maxLength: 200 }),
  type: t.String({ minLength: 1, maxLength: 100 }),
  bytes: t.Integer({ minimum: 0 }),
})
export type StoredFile = typeof StoredFile.static

const FileQuery = t.Object({
  name: t.String({ minLength: 1, maxLength: 200, pattern: '^[^/\\\\\\x00-\\x1f]+$' }),
  type: t.Optional(t.String({ minLength: 1, maxLength: 100, pattern: '^[a-z]+/[a-z0-9.+-]+$' })),
})

export type FileDeps = { db: Database; dir: string; now: () => Date }

/** Deletes the files older than FILE_KEEP_MS (rows and bytes); answers how many. */
export function sweepFiles({ db, dir, now }: FileDeps): number {
  const before = now().getTime() - FILE_KEEP_MS
  const old = db.query('SELECT id FROM files WHERE created_at < ?').all(before) as { id: string }[]
  for (const { id } of old) {
    rmSync(join(dir, id), { force: true })
    db.query('DELETE FROM files WHERE id = ?').run(id)
  }
  return old.length
}

/** Writes a request body to `path` chunk by chunk; at most `max` bytes (413 past it). */
async function writeBody(body: ReadableStream<Uint8Array>, path: string, max: number): Promise<number> {
  const fd = openSync(path, 'w')
  let total = 0
  try {
    for await (const chunk of body) {
      total += chunk.byteLength
      if (total > max)
        throw new HttpError(413, 'too_large', `the file is over the limit of ${megabytes(max)}`, 'body')
      for (let done = 0; done < chunk.byteLength; )
        done += writeSync(fd, chunk, done, chunk.byteLength - done)
    }
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  return total
}

export function fileRoutes(deps: FileDeps) {
  const { db, dir } = deps
  mkdirSync(dir, { recursive: true })
  sweepFiles(deps)
  return new Elysia({ name: 'files' })
    .post(
      '/files',
      async ({ request, query }) => {
        const { tenant, idempotencyKey } = requestScope(request)
        if (!request.body) throw badRequest('body', 'the request has no bytes in its body')
        sweepFiles(deps)
        const id = idempotencyKey
          ? createHash('sha256').update(`${tenant}\n${idempotencyKey}`).digest('hex').slice(0, 32)
          : randomUUID().replaceAll('-', '')
        const tmp = join(dir, `${id}.${randomUUID()}.tmp`)
        let bytes: number
        try {
          bytes = await writeBody(request.body, tmp, FILE_MAX_BYTES)
          renameSync(tmp, join(dir, id))
        } finally {
          if (existsSync(tmp)) rmSync(tmp, { force: true })
        }
        const file = { id, name: query.name, type: query.type ?? 'application/octet-stream', bytes }
        db.query(
          `INSERT INTO files (id, tenant, name, type, bytes, created_at) VALUES ($id, $tenant, $name, $type, $bytes, $at)
           ON CONFLICT (id) DO UPDATE SET name = $name, type = $type, bytes = $bytes, created_at = $at`,
        ).run({ $id: id, $tenant: tenant, $name: file.name, $type: file.type, $bytes: bytes, $at: deps.now().getTime() })
        return file
      },
      {
        parse: 'none',
        query: FileQuery,
        response: { 200: StoredFile, ...errorResponses(413) },
        detail: { summary: 'Store a short-lived file of the garage (kept a day), streamed from the body' },
      },
    )
    .get(
      '/files/:id',
      ({ request, params }) => {
        const { tenant } = requestScope(request)
        const row = db
          .query('SELECT name, type, bytes, created_at FROM files WHERE id = ? AND tenant = ?')
          .get(params.id, tenant) as { name: string; type: string; bytes: number; created_at: number } | null
        if (!row || row.created_at < deps.now().getTime() - FILE_KEEP_MS) throw notFound('no such file in this garage')
        return new Response(Bun.file(join(dir, params.id)), {
          headers: {
            'content-type': row.type,
            'content-length': String(row.bytes),
            'content-disposition': `attachment; filename="${encodeURIComponent(row.name)}"`,
          },
        })
      },
      {
        params: t.Object({ id: t.String({ pattern: '^[0-9a-f]{32}$' }) }),
        detail: { summary: "A stored file's bytes (this garage's only)" },
      },
    )
}
