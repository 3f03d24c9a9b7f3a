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
  // 2: comments carry a number per garage (shown as #C3), are edited and removed (kept with
  // removed_at so an Undo puts them back as they were), and every such change is kept with the
  // comment's text before and after, per tenant, so it can be undone once.
  `
ALTER TABLE issue_comments ADD COLUMN tenant TEXT;
ALTER TABLE issue_comments ADD COLUMN number INTEGER;
ALTER TABLE issue_comments ADD COLUMN edited_at TEXT;
ALTER TABLE issue_comments ADD COLUMN removed_at TEXT;
UPDATE issue_comments SET tenant = (SELECT tenant FROM issues WHERE issues.id = issue_comments.issue_id);
UPDATE issue_comments SET number = (
  SELECT n FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY tenant ORDER BY id) AS n FROM issue_comments
  ) numbered WHERE numbered.id = issue_comments.id
);
CREATE UNIQUE INDEX issue_comments_number ON issue_comments (tenant, number);

-- Comment numbers are never given twice (a removed car's comments keep theirs used).
CREATE TABLE comment_numbers (
  tenant TEXT PRIMARY KEY,
  last INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO comment_numbers (tenant, last) SELECT tenant, MAX(number) FROM issue_comments GROUP BY tenant;

CREATE TABLE comment_changes (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  comment_id INTEGER NOT NULL REFERENCES issue_comments (id) ON DELETE CASCADE,
  action TEXT NOT NULL CHECK (action IN ('edit', 'remove', 'undo')),
  before_text TEXT NOT NULL,
  after_text TEXT NOT NULL,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  undoes INTEGER REFERENCES comment_changes (id) ON DELETE CASCADE,
  undone_by INTEGER REFERENCES comment_changes (id) ON DELETE SET NULL
);
CREATE INDEX comment_changes_comment ON comment_changes (comment_id);
`,
  // 3: the garage's history (/garage history, /garage undo) reads issue_history across issues:
  // each row keeps who made it by id as well as by name (actor_id: "the asker's last change"),
  // and a comment's edit, removal or undo points at its comment_changes row (change_id), by which
  // it is undone. Rows from before keep both null: shown, not undone from the garage's history.
  `
ALTER TABLE issue_history ADD COLUMN actor_id TEXT;
ALTER TABLE issue_history ADD COLUMN change_id INTEGER;
CREATE INDEX issue_history_actor ON issue_history (actor_id);
CREATE INDEX issue_history_change ON issue_history (change_id);
`,
  // 4: who wrote a comment, by id (the platform user id), so a driver may correct or remove
  // their own (queue/roles.ts). Comments from before have no row: only a manager changes them.
  `
CREATE TABLE comment_authors (
  comment_id INTEGER PRIMARY KEY REFERENCES issue_comments (id) ON DELETE CASCADE,
  author_id TEXT NOT NULL
);
`,
  // 5: the issues a /garage import added (services/issues/imports.ts), by the import's number in
  // the items service and with their updated_at then, so its undo removes those not changed since.
  `
CREATE TABLE issue_imports (
  tenant TEXT NOT NULL,
  import INTEGER NOT NULL,
  issue_id INTEGER NOT NULL REFERENCES issues (id) ON DELETE CASCADE,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (issue_id)
);
CREATE INDEX issue_imports_import ON issue_imports (tenant, import);
`,
]
