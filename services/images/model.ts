/** Schemas of the images service's routes; types are derived from them. */
import { t } from 'elysia'
import { Sha256 } from '../lib/schemas.ts'
import { wholeNumber } from '../lib/whole.ts'

/** Where an upload goes and who sent it; the bytes are the request body. */
export const UploadQuery = t.Object({
  car_id: t.Optional(wholeNumber('car_id', 1)),
  car: t.Optional(t.String({ minLength: 1, maxLength: 100 })),
  issue: t.Optional(wholeNumber('issue', 1)),
  uploader: t.String({ minLength: 1, maxLength: 64 }),
  uploader_name: t.Optional(t.String({ maxLength: 200 })),
  filename: t.Optional(t.String({ maxLength: 255 })),
  /** A photo of a /garage import: the import's number (its undo removes the link) and when it was added in the exporting garage. */
  import: t.Optional(wholeNumber('import', 1)),
  added_at: t.Optional(t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$', maxLength: 40 })),
})
export type UploadQuery = typeof UploadQuery.static

export const GalleryQuery = t.Object({
  car: t.Optional(wholeNumber('car', 1)),
  issue: t.Optional(wholeNumber('issue', 1)),
  unfiled: t.Optional(t.Union([t.Literal('yes'), t.Literal('true')])),
  limit: t.Optional(wholeNumber('limit', 1, 200)),
})
export type GalleryQuery = typeof GalleryQuery.static

export const ThumbParams = t.Object({ sha256: Sha256, size: t.Union([t.Literal('256'), t.Literal('1024')]) })
/** A thumbnail's bytes: a JPEG 256 or 1024 px on its long side. */
export const Thumbnail = t.File({ type: 'image/jpeg' })
export const ShaParams = t.Object({ sha256: Sha256 })
export const LinkParams = t.Object({ id: wholeNumber('id', 1) })

/** Files an unfiled photo (or adds a car/issue to a filed one). */
export const LinkUpdate = t.Object(
  {
    car_id: t.Optional(t.Integer({ minimum: 1 })),
    car: t.Optional(t.String({ minLength: 1, maxLength: 100 })),
    issue: t.Optional(t.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)
export type LinkUpdate = typeof LinkUpdate.static

export const Photo = t.Object({
  id: t.Integer(),
  sha256: t.String(),
  format: t.String(),
  bytes: t.Integer(),
  width: t.Integer(),
  height: t.Integer(),
  car_id: t.Union([t.Integer(), t.Null()]),
  car: t.Union([t.String(), t.Null()]),
  issue: t.Union([t.Integer(), t.Null()]),
  uploader: t.String(),
  uploader_name: t.String(),
  filename: t.Union([t.String(), t.Null()]),
  created_at: t.String(),
})
export type Photo = typeof Photo.static

export const UploadResult = t.Object({
  photo: Photo,
  /** This tenant already had a photo with these bytes (on any car or issue); other garages' photos never count. */
  stored_before: t.Boolean(),
  /** This tenant already had this photo on this target. */
  linked_before: t.Boolean(),
})
export type UploadResult = typeof UploadResult.static

export const Gallery = t.Object({ photos: t.Array(Photo), total: t.Integer() })
export type Gallery = typeof Gallery.static

/** The newest photo of each car of the garage that has one (at most COVERS_LIMIT cars, newest first). */
export const Covers = t.Object({ covers: t.Array(Photo) })
export type Covers = typeof Covers.static
export const COVERS_LIMIT = 500

/**
 * Which of the tenant's photo links to remove: one link by its number (`id`, as replies show
 * it), every link of a photo by the start of its sha256 (at least 6 hex digits), or every photo
 * filed on a car and no issue (`car_id`). With `car_id`, `issues` (the car's issue numbers, when
 * the car is removed with its issues) takes every link of the car, filed on an issue or not, and
 * every link of those issues. `preview` answers what would go and removes nothing.
 */
export const RemoveRequest = t.Object(
  {
    id: t.Optional(t.Integer({ minimum: 1 })),
    sha: t.Optional(t.String({ pattern: '^[0-9a-f]{6,64}$' })),
    car_id: t.Optional(t.Integer({ minimum: 1 })),
    issues: t.Optional(t.Array(t.Integer({ minimum: 1 }), { maxItems: 100_000 })),
    preview: t.Optional(t.Boolean()),
  },
  { additionalProperties: false },
)
export type RemoveRequest = typeof RemoveRequest.static

export const RemoveResult = t.Object({
  /** The links removed (this garage's photos). */
  removed: t.Array(Photo),
  /** How many stored photos (files) went with them because no garage links them any more. */
  files_removed: t.Integer(),
})
export type RemoveResult = typeof RemoveResult.static
