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
 * - a car's current odometer is MAX(value) over its readings (see service.ts `currentOdometer`).
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
]
