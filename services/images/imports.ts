/**
 * The photos of a Car Manager export brought into a garage by /garage import, after the items and
 * issues services stored the import's cars and issues (import #N in the items service). The worker
 * uploads each photo through `POST /images` with `import=N` and `added_at`, so it is checked,
 * decoded and linked like a dropped photo, keeps the time it was added in the exporting garage,
 * and is remembered under the import; a photo the garage has already on the same car or issue is
 * not linked twice. `POST /imports/check` answers how many of a preview's photos are new;
 * `POST /imports/undo` removes the links import #N added, and the stored photos no link is left to
 * (the photos of an issue that stays, because it changed since, stay with it).
 */
import type { Database } from 'bun:sqlite'
import { Elysia, t } from 'elysia'
import type { serviceApp } from '../lib/app.ts'
import { requestScope } from '../lib/http.ts'
import { Sha256 } from '../lib/schemas.ts'
import { deleteFilesWithoutRow, dropUnlinked, type ImageStore } from './service.ts'

const strict = { additionalProperties: false } as const

export const PhotosImportCheck = t.Object(
  {
    photos: t.Array(
      t.Object(
        {
          sha256: Sha256,
          car_id: t.Nullable(t.Integer({ minimum: 1 })),
          issue: t.Nullable(t.Integer({ minimum: 1 })),
        },
        strict,
      ),
      { maxItems: 100_000 },
    ),
  },
  strict,
)
export type PhotosImportCheck = typeof PhotosImportCheck.static

export const PhotosImportChecked = t.Object({ new: t.Integer(), known: t.Integer() })

/** `keep_issues`: issues the import added that stay (changed since, so the issues service kept them), with their photos. */
export const PhotosImportRef = t.Object(
  {
    import: t.Integer({ minimum: 1 }),
    keep_issues: t.Optional(t.Array(t.Integer({ minimum: 1 }), { maxItems: 10_000 })),
  },
  strict,
)
export const PhotosUndone = t.Object({ removed: t.Integer() })

/** How many of the photos the garage has already on the same car and issue; writes nothing. */
export function checkPhotos(db: Database, tenant: string, body: PhotosImportCheck) {
  const linked = db.prepare(
    'SELECT 1 FROM photos WHERE tenant = ? AND sha256 = ? AND IFNULL(car_id, 0) = ? AND IFNULL(issue, 0) = ?',
  )
  let known = 0
  for (const p of body.photos) if (linked.get(tenant, p.sha256, p.car_id ?? 0, p.issue ?? 0)) known++
  linked.finalize()
  return { new: body.photos.length - known, known }
}

/** The links import #N added, but for those on an issue that stays. */
const ADDED = `SELECT photo_id FROM photo_imports m JOIN photos p ON p.id = m.photo_id
  WHERE m.tenant = ?1 AND m.import = ?2 AND (p.issue IS NULL OR p.issue NOT IN (SELECT value FROM json_each(?3)))`

/**
 * Removes the links import #N added (but for the photos of issues that stay) and the stored
 * photos no link is left to; their files go after the write (the route).
 */
export function undoPhotos(db: Database, tenant: string, ref: number, keep: number[] = []): { removed: number } {
  return db.transaction(() => {
    const gone = db
      .query(`DELETE FROM photos WHERE tenant = ?1 AND id IN (${ADDED}) RETURNING sha256`)
      .all(tenant, ref, JSON.stringify(keep)) as { sha256: string }[]
    // the links that stay are the kept issues' own now, no longer the import's
    db.query('DELETE FROM photo_imports WHERE tenant = ? AND import = ?').run(tenant, ref)
    dropUnlinked(db, gone.map((g) => g.sha256))
    return { removed: gone.length }
  })()
}

/** `POST /imports/check` and `POST /imports/undo`, each once per Idempotency-Key. */
export const imagesImportRoutes = (db: Database, store: ImageStore, once: ReturnType<typeof serviceApp>['once']) =>
  new Elysia({ name: 'images-imports' })
    .post('/imports/check', ({ request, body }) => checkPhotos(db, requestScope(request).tenant, body), {
      body: PhotosImportCheck,
      response: PhotosImportChecked,
      detail: { summary: "How many of an export's photos the garage has already; writes nothing" },
    })
    .post(
      '/imports/undo',
      ({ request, body, set }) => {
        const scope = requestScope(request)
        const shas = (
          db
            .query(
              'SELECT p.sha256 FROM photos p JOIN photo_imports m ON m.photo_id = p.id WHERE m.tenant = ? AND m.import = ?',
            )
            .all(scope.tenant, body.import) as { sha256: string }[]
        ).map((r) => r.sha256)
        const result = once({ ...scope, set }, 'POST /imports/undo', (tenant) =>
          undoPhotos(db, tenant, body.import, body.keep_issues),
        )
        // After the write committed (a crash in between leaves files the start sweep deletes).
        deleteFilesWithoutRow(db, store, shas)
        return result
      },
      {
        body: PhotosImportRef,
        response: PhotosUndone,
        detail: { summary: 'Remove the photo links import #N added, and the photos no link is left to' },
      },
    )
