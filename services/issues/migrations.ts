import { IDEMPOTENCY_TABLE, type Migration } from '../lib/db.ts'

/** Numbered migrations of issues.sqlite; never edit a shipped one, append the next. */
export const migrations: Migration[] = [
  `
${IDEMPOTENCY_TABLE}
-- Issue numbers are per tenant: the counter row is bumped in the same transaction as the insert.
CREATE TABLE issue_numbers (
  tenant TEXT PRIMARY KEY,
  last INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE issues (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  number INTEGER NOT NULL,
  car_id INTEGER NOT NULL,
  car TEXT NOT NULL,
  title TEXT NOT NULL,
  details TEXT,
  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'waiting_parts', 'resolved', 'wont_fix')),
  resolution TEXT,
  record_id INTEGER,
  opened_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  closed_at TEXT,
  UNIQUE (tenant, number)
);
CREATE INDEX issues_car ON issues (tenant, car_id);

CREATE TABLE issue_comments (
  id INTEGER PRIMARY KEY,
  issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX issue_comments_issue ON issue_comments (issue_id);

CREATE TABLE issue_history (
  id INTEGER PRIMARY KEY,
  issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
  actor TEXT NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT,
  new_value TEXT,
  at TEXT NOT NULL
);
CREATE INDEX issue_history_issue ON issue_history (issue_id);

CREATE TABLE issue_photos (
  issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
  sha256 TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (issue_id, sha256)
) WITHOUT ROWID;

CREATE TABLE issue_quotes (
  issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
  quote_id INTEGER NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (issue_id, quote_id)
) WITHOUT ROWID;
`,
]
