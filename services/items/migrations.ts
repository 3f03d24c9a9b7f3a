/**
 * The items service's schema, one numbered migration per entry (applied on `PRAGMA user_version`
 * by services/lib/db.ts). Never edit an entry that has shipped; append the next one.
 *
 * Migration 1 (garage): tenants and their settings, channel → car for photos, cars, odometer
 * readings, idempotency. Conventions every later migration keeps:
 * - every row carries `tenant` and every query filters by it;
 * - distances are REAL in the car's own `odometer_unit` ('km' | 'mi'); garage thresholds in km;
 * - `*_text` columns keep what the user typed, shown back as typed;
 * - dates a user typed are `YYYY-MM-DD` in the garage's timezone; `created_at` is ISO-8601 UTC;
 * - a car's current odometer is MAX(value) over its readings (see readings/view.ts `currentOdometer`).
 */
import { IDEMPOTENCY_TABLE, type Migration } from '../lib/db.ts'

export const migrations: Migration[] = [
  // 1: garage
  `
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  units TEXT NOT NULL DEFAULT 'metric' CHECK (units IN ('metric', 'imperial')),
  currency TEXT NOT NULL DEFAULT 'USD',
  timezone TEXT NOT NULL DEFAULT 'UTC',
  reminder_channel TEXT,
  reminder_hour INTEGER NOT NULL DEFAULT 9 CHECK (reminder_hour BETWEEN 0 AND 23),
  -- thresholds: days and distance in km; *_text is what the user typed (NULL = the defaults)
  urgent_days INTEGER NOT NULL DEFAULT 30,
  urgent_km REAL NOT NULL DEFAULT 800,
  urgent_text TEXT,
  very_urgent_days INTEGER NOT NULL DEFAULT 7,
  very_urgent_km REAL NOT NULL DEFAULT 160,
  very_urgent_text TEXT,
  created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE cars (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  nickname TEXT NOT NULL,
  -- lower-case nickname: unique per tenant, so lookups are case-insensitive
  nickname_key TEXT NOT NULL,
  make TEXT,
  model TEXT,
  year INTEGER,
  -- the odometer last given on the car itself (add / edit), in odometer_unit; the current
  -- odometer is MAX over odometer_readings, which also holds this value with source 'car'
  odometer REAL,
  -- fixed when the car is added; every reading is converted to it
  odometer_unit TEXT NOT NULL CHECK (odometer_unit IN ('km', 'mi')),
  odometer_text TEXT,
  plate TEXT,
  vin TEXT,
  purchase_date TEXT,
  purchase_price_minor INTEGER,
  -- the currency the price was given in (the garage's at the time) and the typed text
  purchase_currency TEXT,
  purchase_price_text TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (tenant, nickname_key)
);

CREATE TABLE odometer_readings (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  car_id INTEGER NOT NULL REFERENCES cars (id) ON DELETE CASCADE,
  -- in the car's odometer_unit
  value REAL NOT NULL CHECK (value >= 0),
  -- as typed, e.g. "52,000 mi", and the unit it was typed in (NULL = the car's unit)
  text TEXT NOT NULL,
  typed_unit TEXT CHECK (typed_unit IN ('km', 'mi')),
  source TEXT NOT NULL CHECK (source IN ('car', 'reading', 'service', 'fuel')),
  read_on TEXT NOT NULL,
  created_at TEXT NOT NULL
);
-- current odometer (MAX(value) per car) and the history by date
CREATE INDEX odometer_readings_car_value ON odometer_readings (car_id, value);
CREATE INDEX odometer_readings_car_date ON odometer_readings (car_id, read_on, id);

CREATE TABLE channel_cars (
  tenant TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  car_id INTEGER NOT NULL REFERENCES cars (id) ON DELETE CASCADE,
  PRIMARY KEY (tenant, channel_id)
) WITHOUT ROWID;
CREATE INDEX channel_cars_car ON channel_cars (car_id);
${IDEMPOTENCY_TABLE}
`,
  // 2: maintenance (items with their schedules, service records, fuel fill-ups, reminder state)
  `
CREATE TABLE maintenance_items (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  car_id INTEGER NOT NULL REFERENCES cars (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  -- the interval: months and/or distance (in the car's unit), as typed
  months INTEGER CHECK (months IS NULL OR months > 0),
  distance REAL CHECK (distance IS NULL OR distance > 0),
  distance_text TEXT,
  -- 1: the next due counts from the previous due point, not from when it was done
  fixed INTEGER NOT NULL DEFAULT 0,
  last_date TEXT NOT NULL,
  last_odometer REAL,
  due_date TEXT,
  due_odometer REAL,
  notes TEXT,
  -- per-item thresholds overriding the garage's (NULL = the garage's), distance in km
  urgent_days INTEGER,
  urgent_km REAL,
  urgent_text TEXT,
  very_urgent_days INTEGER,
  very_urgent_km REAL,
  very_urgent_text TEXT,
  -- reminder state: the most urgent level announced (0 not urgent, 1 urgent, 2 very urgent,
  -- 3 past due); the garage-local date from which the claim must look at the item again
  -- ('0000-00-00' = now; NULL = only a new reading or setting can change it); snooze
  announced_level INTEGER NOT NULL DEFAULT 0,
  check_on TEXT DEFAULT '0000-00-00',
  snoozed_until TEXT,
  created_at TEXT NOT NULL,
  CHECK (months IS NOT NULL OR distance IS NOT NULL),
  UNIQUE (tenant, car_id, name_key)
);
-- the claim: a range scan of the items due for a look, nothing else
CREATE INDEX maintenance_items_check ON maintenance_items (check_on) WHERE check_on IS NOT NULL;
CREATE INDEX maintenance_items_car ON maintenance_items (car_id);

CREATE TABLE service_records (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  car_id INTEGER NOT NULL REFERENCES cars (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('service', 'repair', 'upgrade')),
  cost_minor INTEGER CHECK (cost_minor IS NULL OR cost_minor >= 0),
  currency TEXT,
  cost_text TEXT,
  odometer REAL,
  odometer_text TEXT,
  done_on TEXT NOT NULL,
  notes TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX service_records_car ON service_records (car_id, done_on);
CREATE INDEX service_records_tenant ON service_records (tenant, done_on);

CREATE TABLE service_record_items (
  record_id INTEGER NOT NULL REFERENCES service_records (id) ON DELETE CASCADE,
  item_id INTEGER NOT NULL REFERENCES maintenance_items (id) ON DELETE CASCADE,
  PRIMARY KEY (record_id, item_id)
) WITHOUT ROWID;
CREATE INDEX service_record_items_item ON service_record_items (item_id);

CREATE TABLE fuel_fillups (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  car_id INTEGER NOT NULL REFERENCES cars (id) ON DELETE CASCADE,
  -- litres, and what was typed
  litres REAL NOT NULL CHECK (litres > 0),
  volume_text TEXT NOT NULL,
  cost_minor INTEGER CHECK (cost_minor IS NULL OR cost_minor >= 0),
  currency TEXT,
  cost_text TEXT,
  odometer REAL,
  odometer_text TEXT,
  full INTEGER NOT NULL DEFAULT 1,
  missed INTEGER NOT NULL DEFAULT 0,
  filled_on TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX fuel_fillups_car ON fuel_fillups (car_id, filled_on, odometer);

-- one row per (item, level) announced; posted_at is set once the reply is on its queue
CREATE TABLE announcements (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  item_id INTEGER NOT NULL REFERENCES maintenance_items (id) ON DELETE CASCADE,
  level INTEGER NOT NULL,
  channel TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  posted_at TEXT
);
CREATE INDEX announcements_unposted ON announcements (id) WHERE posted_at IS NULL;
CREATE INDEX announcements_item ON announcements (item_id);

-- a new or corrected reading, or changed garage settings, may change any level: look again
CREATE TRIGGER readings_recheck_insert AFTER INSERT ON odometer_readings BEGIN
  UPDATE maintenance_items SET check_on = '0000-00-00' WHERE car_id = NEW.car_id;
END;
CREATE TRIGGER readings_recheck_delete AFTER DELETE ON odometer_readings BEGIN
  UPDATE maintenance_items SET check_on = '0000-00-00' WHERE car_id = OLD.car_id;
END;
CREATE TRIGGER tenants_recheck AFTER UPDATE ON tenants BEGIN
  UPDATE maintenance_items SET check_on = '0000-00-00' WHERE tenant = NEW.id;
END;
`,
  // 3: the current odometer without a sort. ORDER BY value DESC, read_on DESC, id DESC LIMIT 1
  // (service.ts) is the first entry of this index for the car (id is the rowid every index
  // entry ends with); (car_id, value) sorted every reading of the car for the ties. It serves
  // every MAX(value) and value-range lookup the old index did.
  `
CREATE INDEX odometer_readings_car_top ON odometer_readings (car_id, value, read_on);
DROP INDEX odometer_readings_car_value;
`,
  // 4: a car read without work that grows with its history. cars.reading_count is kept by
  // triggers (count(*) stepped through every reading of the car on each GET /cars/:car), and
  // the date index carries every column the latest readings show, so they come from one
  // index range without a table lookup per reading. It serves every lookup the old
  // (car_id, read_on, id) did.
  `
ALTER TABLE cars ADD COLUMN reading_count INTEGER NOT NULL DEFAULT 0;
UPDATE cars SET reading_count = (SELECT count(*) FROM odometer_readings WHERE car_id = cars.id);
CREATE TRIGGER readings_count_insert AFTER INSERT ON odometer_readings BEGIN
  UPDATE cars SET reading_count = reading_count + 1 WHERE id = NEW.car_id;
END;
CREATE TRIGGER readings_count_delete AFTER DELETE ON odometer_readings BEGIN
  UPDATE cars SET reading_count = reading_count - 1 WHERE id = OLD.car_id;
END;
CREATE TRIGGER readings_count_move AFTER UPDATE OF car_id ON odometer_readings WHEN NEW.car_id IS NOT OLD.car_id BEGIN
  UPDATE cars SET reading_count = reading_count - 1 WHERE id = OLD.car_id;
  UPDATE cars SET reading_count = reading_count + 1 WHERE id = NEW.car_id;
END;
CREATE INDEX odometer_readings_car_history ON odometer_readings (car_id, read_on, id, value, text, typed_unit, source, tenant);
DROP INDEX odometer_readings_car_date;
`,
  // 5: the garage's number format (lib/domain/numbers.ts): how it writes numbers, and so how a
  // number typed with one separator and three digits after it ("83.000") is read there.
  `
ALTER TABLE tenants ADD COLUMN number_format TEXT NOT NULL DEFAULT '1,234.5'
  CHECK (number_format IN ('1,234.5', '1.234,5', '1 234,5'));
`,
  // 6: records a garage can correct. A fill-up carries a number per garage (#N, from
  // record_counters, never reused) and the odometer reading it made; a service record keeps the
  // reading it made and what the items it moved on were before (items_before, JSON), so removing
  // it puts them back. Existing rows are numbered in order and matched to their readings.
  `
CREATE TABLE record_counters (
  tenant TEXT NOT NULL,
  kind TEXT NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (tenant, kind)
) WITHOUT ROWID;
ALTER TABLE fuel_fillups ADD COLUMN number INTEGER;
ALTER TABLE fuel_fillups ADD COLUMN reading_id INTEGER;
UPDATE fuel_fillups SET number = (SELECT count(*) FROM fuel_fillups f WHERE f.tenant = fuel_fillups.tenant AND f.id <= fuel_fillups.id);
INSERT INTO record_counters (tenant, kind, last) SELECT tenant, 'fuel', max(number) FROM fuel_fillups GROUP BY tenant;
UPDATE fuel_fillups SET reading_id = (SELECT r.id FROM odometer_readings r WHERE r.car_id = fuel_fillups.car_id
  AND r.source = 'fuel' AND r.read_on = fuel_fillups.filled_on AND abs(r.value - fuel_fillups.odometer) < 1e-6 ORDER BY r.id LIMIT 1)
  WHERE odometer IS NOT NULL;
CREATE UNIQUE INDEX fuel_fillups_number ON fuel_fillups (tenant, number);
ALTER TABLE service_records ADD COLUMN reading_id INTEGER;
ALTER TABLE service_records ADD COLUMN items_before TEXT;
UPDATE service_records SET reading_id = (SELECT r.id FROM odometer_readings r WHERE r.car_id = service_records.car_id
  AND r.source = 'service' AND r.read_on = service_records.done_on AND abs(r.value - service_records.odometer) < 1e-6 ORDER BY r.id LIMIT 1)
  WHERE odometer IS NOT NULL;
-- every change of a fill-up or a service record: who, when, and the record before and after it
-- (JSON snapshots with the reading it made and, for a record, the items it did), so it can be
-- shown and undone. ref is the fill-up's or reading's number, or the record's id.
CREATE TABLE changes (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('fuel', 'service', 'reading')),
  action TEXT NOT NULL CHECK (action IN ('add', 'edit', 'remove', 'undo')),
  ref INTEGER NOT NULL,
  car_id INTEGER,
  before TEXT,
  after TEXT,
  undoes INTEGER,
  undone_by INTEGER
);
CREATE INDEX changes_tenant ON changes (tenant, id);
CREATE INDEX changes_ref ON changes (tenant, kind, ref, id);
CREATE INDEX changes_actor ON changes (tenant, actor_id, id);
`,
  // 7: odometer readings carry a number per garage too (#N, from record_counters), for
  // /car readings, reading_edit and reading_remove. Not in the car's covering indexes: GET
  // /cars/:car does not show it.
  `
ALTER TABLE odometer_readings ADD COLUMN number INTEGER;
UPDATE odometer_readings SET number = (SELECT count(*) FROM odometer_readings o WHERE o.tenant = odometer_readings.tenant AND o.id <= odometer_readings.id);
INSERT INTO record_counters (tenant, kind, last) SELECT tenant, 'reading', max(number) FROM odometer_readings GROUP BY tenant;
CREATE UNIQUE INDEX odometer_readings_number ON odometer_readings (tenant, number);
`,
  // 8: units belong to the car. volume_unit and economy_unit are NULL until set (by `units:`, the
  // garage's when nothing was typed, or the first fill-up typed with a unit); a NULL one follows
  // the car's distance unit (lib/domain/units.ts `carUnits`). units_from_garage: the car took the
  // garage's units because nothing was typed, which /car show says.
  `
ALTER TABLE cars ADD COLUMN volume_unit TEXT CHECK (volume_unit IN ('L', 'gal', 'impgal'));
ALTER TABLE cars ADD COLUMN economy_unit TEXT CHECK (economy_unit IN ('L/100km', 'km/L', 'mpg', 'impmpg'));
ALTER TABLE cars ADD COLUMN units_from_garage INTEGER NOT NULL DEFAULT 0;
`,
  // 9: the order in which the garage writes dates with slashes (`dates:`); YYYY-MM-DD until set,
  // in which a slashed date that reads two ways (03/04/2026) is refused naming both readings.
  `
ALTER TABLE tenants ADD COLUMN date_order TEXT NOT NULL DEFAULT 'YYYY-MM-DD'
  CHECK (date_order IN ('YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY'));
`,
  // 10: a record the Log another button logged names the record it repeats (again_of), once per
  // record; an archived car (sold or scrapped) keeps when, for how much and at what odometer
  // (NULL archived_on: in use), and its archive is in the change log.
  `
ALTER TABLE service_records ADD COLUMN again_of INTEGER;
CREATE UNIQUE INDEX service_records_again ON service_records (tenant, again_of) WHERE again_of IS NOT NULL;
ALTER TABLE cars ADD COLUMN archived_on TEXT;
ALTER TABLE cars ADD COLUMN archived_price_minor INTEGER;
ALTER TABLE cars ADD COLUMN archived_currency TEXT;
ALTER TABLE cars ADD COLUMN archived_odometer REAL;
ALTER TABLE cars ADD COLUMN archived_odometer_text TEXT;
-- a car's archive and unarchive are changes too (kind 'car', ref the car's id), and so is a
-- change of the garage's settings (kind 'settings', ref 0): the CHECK is widened by copying the table
CREATE TABLE changes_10 (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('fuel', 'service', 'reading', 'car', 'settings')),
  action TEXT NOT NULL CHECK (action IN ('add', 'edit', 'remove', 'undo')),
  ref INTEGER NOT NULL,
  car_id INTEGER,
  before TEXT,
  after TEXT,
  undoes INTEGER,
  undone_by INTEGER
);
INSERT INTO changes_10 (id, tenant, actor_id, actor_name, at, kind, action, ref, car_id, before, after, undoes, undone_by)
  SELECT id, tenant, actor_id, actor_name, at, kind, action, ref, car_id, before, after, undoes, undone_by FROM changes;
DROP TABLE changes;
ALTER TABLE changes_10 RENAME TO changes;
CREATE INDEX changes_tenant ON changes (tenant, id);
CREATE INDEX changes_ref ON changes (tenant, kind, ref, id);
CREATE INDEX changes_actor ON changes (tenant, actor_id, id);
`,
  // 11: expenses (insurance, registration, tax, … one kind each): numbered per garage (#N, from
  // record_counters 'expense'), a cost in the garage currency, and `every_months` for one that
  // renews. A car's renewal of a kind follows its latest recurring expense of that kind (kept by
  // expenses/service.ts `syncRenewal` on every write), with the reminder state maintenance
  // items have; a payment logged from a renewal's reminder names the expense it renews
  // (`renews`, once each). An announcement is of an item or of a renewal, and the change log
  // takes expenses (the CHECKs are widened by copying the tables).
  `
CREATE TABLE expenses (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  number INTEGER NOT NULL,
  car_id INTEGER NOT NULL REFERENCES cars (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('insurance', 'registration', 'tax', 'inspection', 'parking', 'toll', 'loan', 'lease', 'wash', 'fine', 'other')),
  cost_minor INTEGER NOT NULL CHECK (cost_minor >= 0),
  currency TEXT NOT NULL,
  cost_text TEXT NOT NULL,
  paid_on TEXT NOT NULL,
  -- as typed, in the car's unit; not one of the car's readings
  odometer REAL,
  odometer_text TEXT,
  every_months INTEGER CHECK (every_months IS NULL OR every_months > 0),
  every_text TEXT,
  renews INTEGER,
  notes TEXT,
  created_at TEXT NOT NULL,
  UNIQUE (tenant, number)
);
CREATE INDEX expenses_car ON expenses (car_id, paid_on);
CREATE INDEX expenses_tenant ON expenses (tenant, paid_on);
CREATE UNIQUE INDEX expenses_renews ON expenses (tenant, renews) WHERE renews IS NOT NULL;

CREATE TABLE expense_renewals (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  car_id INTEGER NOT NULL REFERENCES cars (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  -- the number of the expense it follows, and when it renews
  expense_number INTEGER NOT NULL,
  due_date TEXT NOT NULL,
  announced_level INTEGER NOT NULL DEFAULT 0,
  check_on TEXT DEFAULT '0000-00-00',
  UNIQUE (tenant, car_id, kind)
);
CREATE INDEX expense_renewals_check ON expense_renewals (check_on) WHERE check_on IS NOT NULL;
CREATE TRIGGER tenants_recheck_renewals AFTER UPDATE ON tenants BEGIN
  UPDATE expense_renewals SET check_on = '0000-00-00' WHERE tenant = NEW.id;
END;
CREATE TRIGGER cars_recheck_renewals AFTER UPDATE OF archived_on ON cars BEGIN
  UPDATE expense_renewals SET check_on = '0000-00-00' WHERE car_id = NEW.id;
END;

CREATE TABLE announcements_11 (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  item_id INTEGER REFERENCES maintenance_items (id) ON DELETE CASCADE,
  renewal_id INTEGER REFERENCES expense_renewals (id) ON DELETE CASCADE,
  level INTEGER NOT NULL,
  channel TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  posted_at TEXT,
  CHECK ((item_id IS NULL) != (renewal_id IS NULL))
);
INSERT INTO announcements_11 (id, tenant, item_id, level, channel, body, created_at, posted_at)
  SELECT id, tenant, item_id, level, channel, body, created_at, posted_at FROM announcements;
DROP TABLE announcements;
ALTER TABLE announcements_11 RENAME TO announcements;
CREATE INDEX announcements_unposted ON announcements (id) WHERE posted_at IS NULL;
CREATE INDEX announcements_item ON announcements (item_id);
CREATE INDEX announcements_renewal ON announcements (renewal_id);

CREATE TABLE changes_11 (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('fuel', 'service', 'reading', 'car', 'settings', 'expense')),
  action TEXT NOT NULL CHECK (action IN ('add', 'edit', 'remove', 'undo')),
  ref INTEGER NOT NULL,
  car_id INTEGER,
  before TEXT,
  after TEXT,
  undoes INTEGER,
  undone_by INTEGER
);
INSERT INTO changes_11 (id, tenant, actor_id, actor_name, at, kind, action, ref, car_id, before, after, undoes, undone_by)
  SELECT id, tenant, actor_id, actor_name, at, kind, action, ref, car_id, before, after, undoes, undone_by FROM changes;
DROP TABLE changes;
ALTER TABLE changes_11 RENAME TO changes;
CREATE INDEX changes_tenant ON changes (tenant, id);
CREATE INDEX changes_ref ON changes (tenant, kind, ref, id);
CREATE INDEX changes_actor ON changes (tenant, actor_id, id);
`,
  // 12: a garage's own roles: a Discord role id (the guild's id is @everyone) or a Slack user group
  // id mapped to viewer, driver or manager (the worker decides from it, queue/roles.ts)
  `
CREATE TABLE garage_roles (
  tenant TEXT NOT NULL,
  ref TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'driver', 'manager')),
  set_by TEXT NOT NULL,
  set_at TEXT NOT NULL,
  PRIMARY KEY (tenant, ref)
) WITHOUT ROWID;
`,
  // 13: every cost a car has. A fill-up keeps the fuel bought (`fuel`: petrol_95, lpg, adblue …),
  // where (`station`) and its price per unit as typed (`price_minor`, minor units that may carry a
  // fraction, per `price_unit` L, gal or impgal). A car says what it runs on: `fuels` (the tanks,
  // "lpg,petrol"; NULL: learned from its fill-ups) and `powertrain` (combustion, hybrid, phev, ev;
  // NULL: not said). Charges of electric and plug-in hybrid cars are numbered per garage (#N, from
  // record_counters 'charge') with the energy put in (kWh), cost and price per kWh, state of
  // charge before and after, odometer (in the car's unit; no reading is made) and where
  // (home, public, fast); the change log takes them (its CHECK widened by copying the table).
  `
ALTER TABLE fuel_fillups ADD COLUMN fuel TEXT;
ALTER TABLE fuel_fillups ADD COLUMN station TEXT;
ALTER TABLE fuel_fillups ADD COLUMN price_minor REAL;
ALTER TABLE fuel_fillups ADD COLUMN price_unit TEXT;
ALTER TABLE fuel_fillups ADD COLUMN price_text TEXT;
ALTER TABLE cars ADD COLUMN fuels TEXT;
ALTER TABLE cars ADD COLUMN powertrain TEXT CHECK (powertrain IS NULL OR powertrain IN ('combustion', 'hybrid', 'phev', 'ev'));

CREATE TABLE charges (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  number INTEGER NOT NULL,
  car_id INTEGER NOT NULL REFERENCES cars (id) ON DELETE CASCADE,
  kwh REAL NOT NULL CHECK (kwh > 0),
  energy_text TEXT NOT NULL,
  cost_minor INTEGER CHECK (cost_minor IS NULL OR cost_minor >= 0),
  currency TEXT,
  cost_text TEXT,
  price_minor REAL,
  price_text TEXT,
  soc_from REAL,
  soc_to REAL,
  odometer REAL,
  odometer_text TEXT,
  place TEXT CHECK (place IS NULL OR place IN ('home', 'public', 'fast')),
  charged_on TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (tenant, number)
);
CREATE INDEX charges_car ON charges (car_id, charged_on);

CREATE TABLE changes_13 (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('fuel', 'service', 'reading', 'car', 'settings', 'expense', 'charge')),
  action TEXT NOT NULL CHECK (action IN ('add', 'edit', 'remove', 'undo')),
  ref INTEGER NOT NULL,
  car_id INTEGER,
  before TEXT,
  after TEXT,
  undoes INTEGER,
  undone_by INTEGER
);
INSERT INTO changes_13 (id, tenant, actor_id, actor_name, at, kind, action, ref, car_id, before, after, undoes, undone_by)
  SELECT id, tenant, actor_id, actor_name, at, kind, action, ref, car_id, before, after, undoes, undone_by FROM changes;
DROP TABLE changes;
ALTER TABLE changes_13 RENAME TO changes;
CREATE INDEX changes_tenant ON changes (tenant, id);
CREATE INDEX changes_ref ON changes (tenant, kind, ref, id);
CREATE INDEX changes_actor ON changes (tenant, actor_id, id);
`,
  // 14: shared garages: a car's drivers (by platform user id, with the name shown), each member's
  // choice of where their reminders go, a garage leaving (the bot removed; deleted after the grace
  // period), and who took a reminder (I'll do it)
  `
CREATE TABLE car_drivers (
  tenant TEXT NOT NULL,
  car_id INTEGER NOT NULL REFERENCES cars (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (car_id, user_id)
) WITHOUT ROWID;
CREATE INDEX car_drivers_tenant ON car_drivers (tenant, user_id);

CREATE TABLE member_prefs (
  tenant TEXT NOT NULL,
  user_id TEXT NOT NULL,
  reminders TEXT NOT NULL CHECK (reminders IN ('dm', 'channel')),
  -- where a private copy goes: the terminal chat's session (Discord and Slack: the user id)
  dm_to TEXT,
  set_at TEXT NOT NULL,
  PRIMARY KEY (tenant, user_id)
) WITHOUT ROWID;

CREATE TABLE garages_leaving (
  tenant TEXT PRIMARY KEY,
  since TEXT NOT NULL,
  reason TEXT NOT NULL
) WITHOUT ROWID;

ALTER TABLE announcements ADD COLUMN taken_by_id TEXT;
ALTER TABLE announcements ADD COLUMN taken_by TEXT;
`,
  // 15: imports (services/items/imports): a file's rows kept as a pending import between its preview
  // and Import (the button carries only the id; expired ones are dropped), and each import done,
  // with the numbers of what it added (JSON), so it can be undone while none of that changed
  `
CREATE TABLE pending_imports (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX pending_imports_expiry ON pending_imports (expires_at);
CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  at TEXT NOT NULL,
  file TEXT NOT NULL,
  format TEXT NOT NULL,
  added TEXT NOT NULL,
  undone_at TEXT
);
CREATE INDEX imports_tenant ON imports (tenant, id);
`,
  // 16: maintenance presets (services/items/presets): a garage's own named sets of items, saved
  // from a car's items (JSON: name, months, distance in `unit`, the unit of the car saved from)
  `
CREATE TABLE item_presets (
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  items TEXT NOT NULL,
  saved_at TEXT NOT NULL,
  PRIMARY KEY (tenant, name_key)
) WITHOUT ROWID;
`,
  // 17: engine hours: a car on an hour meter (tractor, boat, generator) has meter 'hours', and its
  // readings, items' intervals and due points are in hours ('h'). odometer_unit's CHECK cannot widen
  // without copying cars, whose drop would cascade to every car's rows, so it keeps 'km' there and
  // shared/car.ts reads the car's unit as 'h'; its readings' typed_unit stays NULL (the car's unit).
  `
ALTER TABLE cars ADD COLUMN meter TEXT CHECK (meter IN ('hours'));
`,
  // 18: webhooks (services/items/webhooks): a garage's outgoing webhooks, numbered per garage (#1, #2 …;
  // a removed one keeps its row with status 'removed', so its number is never given again and
  // a delivery still queued for it finds it gone), with the signing secret, the failure streak
  // and the log of every delivery attempt
  `
CREATE TABLE webhooks (
  tenant TEXT NOT NULL,
  number INTEGER NOT NULL,
  url TEXT NOT NULL,
  -- comma list of event types, or 'all'
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'removed')),
  -- consecutive failed attempts, and when the first of them was (NULL while it succeeds)
  failures INTEGER NOT NULL DEFAULT 0,
  failing_since TEXT,
  paused_at TEXT,
  -- the channel it was added in: its pause is told there when the garage has no reminder channel
  channel TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant, number)
) WITHOUT ROWID;
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  tenant TEXT NOT NULL,
  webhook INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  http_status INTEGER,
  error TEXT,
  at TEXT NOT NULL,
  UNIQUE (tenant, webhook, event_id, attempt)
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (tenant, webhook, id);
`,
  // 19: a car's loan, energy unit and value (cars/service.ts): the amount borrowed (minor units of
  // the garage currency, with its text), the annual rate in percent, the term in months and the
  // date it started (payment n falls n months after it); all NULL when it has none. energy_unit:
  // how its electricity use is shown (kWh/100km or km/kWh for a km car, mi/kWh or Wh/mi for a mi
  // one); NULL: its distance unit's own. value: what it was worth on a day (a valuation), which
  // its depreciation runs through; NULL when not known.
  `
ALTER TABLE cars ADD COLUMN loan_minor INTEGER CHECK (loan_minor IS NULL OR loan_minor > 0);
ALTER TABLE cars ADD COLUMN loan_currency TEXT;
ALTER TABLE cars ADD COLUMN loan_text TEXT;
ALTER TABLE cars ADD COLUMN loan_rate REAL CHECK (loan_rate IS NULL OR (loan_rate >= 0 AND loan_rate <= 100));
ALTER TABLE cars ADD COLUMN loan_months INTEGER CHECK (loan_months IS NULL OR (loan_months >= 1 AND loan_months <= 600));
ALTER TABLE cars ADD COLUMN loan_start TEXT;
ALTER TABLE cars ADD COLUMN energy_unit TEXT CHECK (energy_unit IS NULL OR energy_unit IN ('kWh/100km', 'km/kWh', 'mi/kWh', 'Wh/mi'));
ALTER TABLE cars ADD COLUMN value_minor INTEGER CHECK (value_minor IS NULL OR value_minor > 0);
ALTER TABLE cars ADD COLUMN value_currency TEXT;
ALTER TABLE cars ADD COLUMN value_text TEXT;
ALTER TABLE cars ADD COLUMN value_on TEXT;
`,
  // An import is a change of the garage's history (kind 'import', ref the import's number; undone
  // as one). SQLite cannot alter a CHECK: the table is made again from its own definition with
  // 'import' added to the kinds it has now (whatever other kinds a migration before this one
  // added), its rows copied, the old one dropped and the new one renamed, its indexes made again.
  (db) => {
    const table = db.query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'changes'").get() as {
      sql: string
    }
    const check = /kind TEXT NOT NULL CHECK \(kind IN \(([^)]*)\)\)/.exec(table.sql)
    if (!check) throw new Error('changes: its kind CHECK is not where this migration looks for it')
    const kinds = check[1]!.split(',').map((k) => k.trim())
    if (kinds.includes("'import'")) return
    const create = `CREATE TABLE changes_import ${table.sql.slice(table.sql.indexOf('('))}`.replace(
      check[0],
      `kind TEXT NOT NULL CHECK (kind IN (${[...kinds, "'import'"].join(', ')}))`,
    )
    const indexes = (
      db.query("SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'changes' AND sql IS NOT NULL").all() as {
        sql: string
      }[]
    ).map((i) => i.sql)
    const columns = (db.query("SELECT name FROM pragma_table_info('changes')").all() as { name: string }[])
      .map((c) => `"${c.name}"`)
      .join(', ')
    db.exec(create)
    db.exec(`INSERT INTO changes_import (${columns}) SELECT ${columns} FROM changes`)
    db.exec('DROP TABLE changes')
    db.exec('ALTER TABLE changes_import RENAME TO changes')
    for (const sql of indexes) db.exec(sql)
  },
  // Digests (/garage settings digest:weekly|monthly|off, default off): how often the garage's
  // digest is posted in its reminder channel, and each period announced, claimed once like a
  // reminder (services/items/reminders/digests.ts) and marked posted when the worker posted it.
  (db) => {
    const has = (db.query("SELECT 1 FROM pragma_table_info('tenants') WHERE name = 'digest'").get() ?? null) !== null
    if (!has) db.exec("ALTER TABLE tenants ADD COLUMN digest TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'weekly', 'monthly'))")
    db.exec(`CREATE TABLE IF NOT EXISTS digest_marks (
      tenant TEXT NOT NULL,
      period TEXT NOT NULL,
      claimed_at INTEGER NOT NULL,
      posted_at INTEGER,
      PRIMARY KEY (tenant, period)
    ) STRICT`)
  },
  // Imports numbered per garage (import #1, #2 … of each), as records are: the rowid counted every
  // garage's imports, so a garage could read how many others had made. Imports made before keep
  // their number (their rowid: unique in the garage, and what the other services' undo refers to).
  `
ALTER TABLE imports ADD COLUMN number INTEGER;
UPDATE imports SET number = id;
CREATE UNIQUE INDEX imports_number ON imports (tenant, number);
`,
]
