import { IDEMPOTENCY_TABLE, type Migration } from '../lib/db.ts'

/** Numbered migrations of images.sqlite; never edit a shipped one, append the next. */
export const migrations: Migration[] = [
  `
${IDEMPOTENCY_TABLE}
-- One row per distinct photo (content-addressed); the files are DATA_DIR/images/<sha[0:2]>/<sha>{,.256.jpg,.1024.jpg}.
CREATE TABLE images (
  sha256 TEXT PRIMARY KEY,
  format TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  created_at TEXT NOT NULL
) WITHOUT ROWID;

-- A tenant's link to a photo: what it belongs to (a car, an issue, or nothing yet: unfiled).
CREATE TABLE photos (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  sha256 TEXT NOT NULL REFERENCES images (sha256),
  car_id INTEGER,
  car TEXT,
  issue INTEGER,
  uploader TEXT NOT NULL,
  uploader_name TEXT NOT NULL,
  filename TEXT,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX photos_target ON photos (tenant, sha256, IFNULL(car_id, 0), IFNULL(issue, 0));
CREATE INDEX photos_car ON photos (tenant, car_id, created_at);
CREATE INDEX photos_issue ON photos (tenant, issue, created_at);
`,
  // 2: short-lived files of a garage (an export zip) a reply carries by reference; the bytes
  // are DATA_DIR/files/<id>, kept a day (files.ts)
  `
CREATE TABLE files (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  -- epoch ms
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX files_created ON files (created_at);
`,
  // 3: the photo links a /garage import added (services/images/imports.ts), by the import's number
  // in the items service, so its undo removes them
  `
CREATE TABLE photo_imports (
  tenant TEXT NOT NULL,
  import INTEGER NOT NULL,
  photo_id INTEGER PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE
);
CREATE INDEX photo_imports_import ON photo_imports (tenant, import);
`,
]
