import { IDEMPOTENCY_TABLE, type Migration } from '../lib/db.ts'

/** Quotes schema; append new migrations, never edit a shipped one. */
export const migrations: readonly Migration[] = [
  `
  CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    number INTEGER NOT NULL,
    issue INTEGER NOT NULL,
    shop TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    amount_text TEXT,
    parts_minor INTEGER,
    labour_minor INTEGER,
    valid_until TEXT,
    notes TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'rejected')),
    accepted_at TEXT,
    accepted_by TEXT,
    record_id INTEGER,
    created_by TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (tenant, number)
  );
  CREATE INDEX quotes_by_issue ON quotes (tenant, issue);
  -- At most one accepted quote per issue, whatever the callers do.
  CREATE UNIQUE INDEX quotes_one_accepted ON quotes (tenant, issue) WHERE status = 'accepted';
  CREATE TABLE job_overrides (
    tenant TEXT NOT NULL,
    job_key TEXT NOT NULL,
    hours REAL NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant, job_key)
  ) WITHOUT ROWID;
  ${IDEMPOTENCY_TABLE}
  `,
  // 2: quote numbers are never given twice. A car's removal takes its issues' quotes, and a
  // number counted from MAX(number) would come back (an old "Accept quote 5" button would then
  // accept a different quote); the counter starts at each garage's highest number so far.
  `
  CREATE TABLE quote_numbers (
    tenant TEXT PRIMARY KEY,
    last INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO quote_numbers (tenant, last) SELECT tenant, MAX(number) FROM quotes GROUP BY tenant;
  `,
  // 3: /quote edit and /quote remove keep each change with the quote as it was before and after
  // (a removed quote's whole row, so its Undo puts it back under its number), per tenant.
  `
  CREATE TABLE quote_changes (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    number INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('edit', 'remove', 'undo')),
    before_row TEXT NOT NULL,
    after_row TEXT,
    actor TEXT,
    at TEXT NOT NULL,
    undoes INTEGER REFERENCES quote_changes (id),
    undone_by INTEGER REFERENCES quote_changes (id)
  );
  CREATE INDEX quote_changes_by_number ON quote_changes (tenant, number);
  `,
  // 4: the garage's history (/garage history, /garage undo) lists every change of a quote: its
  // adding and acceptance too (before_row null for an add), with the issue it is of (to list one
  // car's, by its issues) and who made it by id as well as by name (actor_id: "the asker's last
  // change"). The table is rebuilt for the wider CHECK; adds and acceptances from before are
  // taken from the quotes (a removed one's add from its removal), with no actor id.
  `
  CREATE TABLE quote_changes_4 (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    number INTEGER NOT NULL,
    issue INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('add', 'accept', 'edit', 'remove', 'undo')),
    before_row TEXT,
    after_row TEXT,
    actor TEXT,
    actor_id TEXT,
    at TEXT NOT NULL,
    undoes INTEGER,
    undone_by INTEGER
  );
  INSERT INTO quote_changes_4 (id, tenant, number, issue, action, before_row, after_row, actor, at, undoes, undone_by)
    SELECT id, tenant, number, json_extract(before_row, '$.issue'), action, before_row, after_row, actor, at, undoes, undone_by
    FROM quote_changes;
  INSERT INTO quote_changes_4 (tenant, number, issue, action, before_row, after_row, actor, at)
    SELECT tenant, number, issue, 'add', NULL,
      json_object('tenant', tenant, 'number', number, 'issue', issue, 'shop', shop, 'currency', currency,
        'amount_minor', amount_minor, 'amount_text', amount_text, 'parts_minor', parts_minor,
        'labour_minor', labour_minor, 'valid_until', valid_until, 'notes', notes, 'status', 'open',
        'accepted_at', NULL, 'accepted_by', NULL, 'record_id', NULL, 'created_by', created_by, 'created_at', created_at),
      created_by, created_at
    FROM quotes;
  INSERT INTO quote_changes_4 (tenant, number, issue, action, before_row, after_row, actor, at)
    SELECT c.tenant, c.number, c.issue, 'add', NULL, c.before_row,
      json_extract(c.before_row, '$.created_by'), json_extract(c.before_row, '$.created_at')
    FROM quote_changes_4 c
    WHERE c.action = 'remove'
      AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.tenant = c.tenant AND q.number = c.number)
      AND c.id = (SELECT MIN(r.id) FROM quote_changes_4 r WHERE r.tenant = c.tenant AND r.number = c.number AND r.action = 'remove');
  INSERT INTO quote_changes_4 (tenant, number, issue, action, before_row, after_row, actor, at)
    SELECT tenant, number, issue, 'accept', NULL, NULL, accepted_by, accepted_at
    FROM quotes WHERE status = 'accepted' AND accepted_at IS NOT NULL;
  DROP TABLE quote_changes;
  ALTER TABLE quote_changes_4 RENAME TO quote_changes;
  CREATE INDEX quote_changes_by_number ON quote_changes (tenant, number);
  CREATE INDEX quote_changes_by_time ON quote_changes (tenant, at);
  `,
  // the quotes a /garage import added (services/quotes/imports.ts), by the import's number in the
  // items service and with their status then, so its undo removes those not changed since.
  `
CREATE TABLE quote_imports (
  tenant TEXT NOT NULL,
  import INTEGER NOT NULL,
  quote_id INTEGER PRIMARY KEY REFERENCES quotes (id) ON DELETE CASCADE,
  status TEXT NOT NULL
);
CREATE INDEX quote_imports_import ON quote_imports (tenant, import);
`,
]
