/**
 * What a backup is, shared by the services that write one (services/lib/backup.ts), the
 * `bun run backup` and `bun run restore` commands and the worker's schedule: where snapshots
 * live, the `POST /backup` every service answers, and the manifest a snapshot folder carries.
 *
 * A snapshot folder holds `<service>.sqlite` (a `VACUUM INTO` copy made by the service itself)
 * for every service with a database, `<service>/…` for a service that keeps files
 * (the photo store, `images/<sha[0:2]>/…`), `slack.sqlite` when the Slack bot keeps its
 * installations in DATA_DIR, and `manifest.json`, written last: a folder without it is not a snapshot.
 */
import { join, resolve } from 'node:path'
import { type Static, Type as T } from '@sinclair/typebox'

/** Snapshots are taken below `DATA_DIR/backups`; a service writes nowhere else for a backup. */
export const BACKUPS_FOLDER = 'backups'
export const MANIFEST_FILE = 'manifest.json'
/**
 * The Slack bot's installation store (bots/slack/installations.ts), kept by the bot itself in
 * DATA_DIR rather than by a service: the backup copies it when it is there (its tokens are
 * encrypted at rest, and stay so in the copy), and restore puts it back in DATA_DIR.
 */
export const SLACK_STORE = { service: 'slack', file: 'slack.sqlite' } as const

/** The name of a snapshot the worker's schedule took (the only ones it removes): `auto-<time>`. */
export const SCHEDULED_PREFIX = 'auto-'

/** The backup root of a DATA_DIR, absolute. */
export const backupRoot = (dataDir: string) => join(resolve(dataDir), BACKUPS_FOLDER)

/** A snapshot's folder name from its time: `2026-12-03T00-30-00.123Z` (sorts by time, no `:`). */
export const snapshotName = (at: Date, prefix = '') => `${prefix}${at.toISOString().replaceAll(':', '-')}`

/** `POST /backup`: where the service writes its part of a snapshot. */
export const BackupRequest = T.Object(
  {
    to: T.String({
      minLength: 1,
      maxLength: 1024,
      description:
        'The snapshot folder: a path relative to the backup root (DATA_DIR/backups) or an absolute path inside it. Anything outside is refused (403).',
    }),
  },
  { additionalProperties: false },
)
export type BackupRequest = Static<typeof BackupRequest>

/** What a service wrote into the snapshot folder. */
export const BackupAnswer = T.Object({
  service: T.String(),
  /** Its database's file in the folder (`items.sqlite`), or null for a service without one. */
  database: T.Union([T.String(), T.Null()]),
  /** The database's schema version (`PRAGMA user_version`), or null. */
  user_version: T.Union([T.Integer(), T.Null()]),
  /** Files of its store linked or copied into `<service>/` (the photo store); 0 for most. */
  files: T.Integer({ minimum: 0 }),
  /** How long the service took, in ms. */
  ms: T.Number(),
})
export type BackupAnswer = Static<typeof BackupAnswer>

const Sha256 = T.String({ pattern: '^[0-9a-f]{64}$' })
/** A path inside a snapshot: relative and `/`-separated (restore also checks it stays inside). */
const RelativePath = T.String({ pattern: '^[^/]', maxLength: 4096 })

/** `manifest.json` of a snapshot: every file with its size and sha256, each database's schema version, the time. */
export const Manifest = T.Object({
  format: T.Literal('car-manager-backup'),
  version: T.Literal(1),
  created_at: T.String({ minLength: 1 }),
  databases: T.Array(
    T.Object({ service: T.String(), file: RelativePath, user_version: T.Integer({ minimum: 0 }) }),
  ),
  files: T.Array(T.Object({ path: RelativePath, bytes: T.Integer({ minimum: 0 }), sha256: Sha256 })),
})
export type Manifest = Static<typeof Manifest>
