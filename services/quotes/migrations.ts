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
]
