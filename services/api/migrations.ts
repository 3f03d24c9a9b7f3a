import { IDEMPOTENCY_TABLE, type Migration } from '../lib/db.ts'

/** Numbered migrations of api.sqlite; never edit a shipped one, append the next. */
export const migrations: Migration[] = [
  `
${IDEMPOTENCY_TABLE}
-- An API key: only the sha256 of the key is kept; prefix is its first characters, to tell keys apart.
CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'driver', 'manager')),
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
-- One live key per name in a garage; revoked ones stay listed until the garage goes.
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (tenant, name) WHERE revoked_at IS NULL;

-- A calendar feed: the secret token is in its URL; only its sha256 is kept. One live feed per member.
CREATE TABLE calendar_feeds (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  user_id TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  car TEXT,
  mine INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds (tenant, user_id) WHERE revoked_at IS NULL;
`,
]
