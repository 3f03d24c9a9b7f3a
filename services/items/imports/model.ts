/** Schemas of imports: a pending import (the preview's rows, kept until Import or Cancel) and what an import added. */
import { Type } from '@sinclair/typebox'
import { t } from 'elysia'
import { Dates, DistanceUnit, MeterUnit, Numbers, strict, Whole } from '../shared/model.ts'

export const ImportKind = t.Union([
  t.Literal('fuel'),
  t.Literal('service'),
  t.Literal('repair'),
  t.Literal('upgrade'),
  t.Literal('reading'),
  t.Literal('tax'),
  t.Literal('charge'),
])
export type ImportKind = typeof ImportKind.static

const VolumeUnit = t.Union([t.Literal('L'), t.Literal('gal'), t.Literal('impgal')])

const text = (max: number) => t.Nullable(t.String({ minLength: 1, maxLength: max }))
const Day = t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })
const CarFields = t.Object(
  {
    make: text(60),
    model: text(60),
    year: t.Nullable(Type.Integer({ minimum: 1886, maximum: 2200 })),
    plate: text(20),
    vin: t.Nullable(t.String({ pattern: '^[A-HJ-NPR-Z0-9]{17}$' })),
    purchase_date: t.Nullable(t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })),
    purchase_price_minor: t.Nullable(Type.Integer({ minimum: 0 })),
    purchase_currency: text(20),
    purchase_price_text: text(100),
    volume_unit: t.Nullable(VolumeUnit),
    economy_unit: t.Nullable(
      t.Union([t.Literal('L/100km'), t.Literal('km/L'), t.Literal('mpg'), t.Literal('impmpg')]),
    ),
    energy_unit: t.Nullable(
      t.Union([t.Literal('kWh/100km'), t.Literal('km/kWh'), t.Literal('mi/kWh'), t.Literal('Wh/mi')]),
    ),
    powertrain: t.Nullable(
      t.Union([t.Literal('combustion'), t.Literal('hybrid'), t.Literal('phev'), t.Literal('ev')]),
    ),
    fuels: t.Nullable(t.String({ pattern: '^[a-z]{1,20}(,[a-z]{1,20}){0,5}$' })),
    units_from_garage: t.Boolean(),
    archived: t.Nullable(
      t.Object(
        {
          on: Day,
          price_minor: t.Nullable(Type.Integer({ minimum: 0 })),
          currency: text(20),
          odometer: t.Nullable(t.Number({ minimum: 0, maximum: 10_000_000 })),
          odometer_text: text(100),
        },
        strict,
      ),
    ),
    loan: t.Nullable(
      t.Object(
        {
          minor: Type.Integer({ minimum: 1 }),
          currency: t.String({ minLength: 1, maxLength: 20 }),
          text: text(100),
          rate: t.Number({ minimum: 0, maximum: 100 }),
          months: Type.Integer({ minimum: 1, maximum: 600 }),
          start: Day,
        },
        strict,
      ),
    ),
    value: t.Nullable(
      t.Object(
        { minor: Type.Integer({ minimum: 1 }), currency: t.String({ minLength: 1, maxLength: 20 }), text: text(100), on: Day },
        strict,
      ),
    ),
  },
  strict,
)

/** A car of the file: the garage's car it goes to (nickname or id), or a new car of that nickname. */
export const ImportCar = t.Object(
  {
    /** As the file names it ('' when the file names none). */
    name: t.String({ maxLength: 200 }),
    car: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
    new_nickname: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
    /** The units of this car's rows when they are its own (a Car Manager export), not the file's. */
    units: t.Optional(t.Object({ distance: DistanceUnit, volume: VolumeUnit }, strict)),
    /** The units a new car is made with (default: from the rows' units, else the garage's). */
    create_units: t.Optional(t.Union([t.Literal('metric'), t.Literal('imperial'), t.Literal('uk')])),
    /** The car runs on an hour meter (a Car Manager export's): its rows' odometers are hours. */
    meter: t.Optional(t.Literal('hours')),
    /** A Car Manager export's car fields, given to the car the import makes (not to one of the garage's). */
    fields: t.Optional(CarFields),
  },
  strict,
)

/** A row to import, in the file's units; `car` is its index in `cars`. */
export const ImportRowInput = t.Object(
  {
    line: Type.Integer({ minimum: 1 }),
    car: Type.Integer({ minimum: 0, maximum: 999 }),
    kind: ImportKind,
    date: t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    odometer: t.Nullable(t.Number({ minimum: 0, maximum: 10_000_000 })),
    /** Fuel put in, in the file's volume unit; a charge's kWh. */
    volume: t.Nullable(t.Number({ exclusiveMinimum: 0, maximum: 5000 })),
    cost_minor: t.Nullable(Type.Integer({ minimum: 0 })),
    cost_text: t.Nullable(t.String({ maxLength: 100 })),
    full: t.Boolean(),
    missed: t.Boolean(),
    title: t.Nullable(t.String({ maxLength: 200 })),
    notes: t.Nullable(t.String({ maxLength: 2000 })),
    /** The maintenance items a service record did, by name (of its car's items, the file's or the car's own). */
    items: t.Optional(t.Array(t.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })),
    /** The file of the row, when the file is a zip of several (said with a refusal). */
    file: t.Optional(t.String({ maxLength: 255 })),
    /** The cost's currency as the file says it; a row in another than the garage's is refused. */
    currency: t.Optional(t.String({ minLength: 1, maxLength: 20 })),
    /** An expense that renews: every 1, 3, 6 or 12 months, as written (12m, 1y). */
    every: t.Optional(
      t.Object(
        {
          months: t.Union([t.Literal(1), t.Literal(3), t.Literal(6), t.Literal(12)]),
          text: t.String({ minLength: 1, maxLength: 10 }),
        },
        strict,
      ),
    ),
  },
  strict,
)
export type ImportRowInput = typeof ImportRowInput.static

const Threshold = t.Object(
  {
    days: Type.Integer({ minimum: 0, maximum: 3650 }),
    km: t.Number({ minimum: 0, maximum: 1_000_000 }),
    text: t.Nullable(t.String({ maxLength: 100 })),
  },
  strict,
)
/** A maintenance item of a Car Manager export, its schedule and due point in its car's meter unit; `car` its index in `cars`. */
export const ImportItemInput = t.Object(
  {
    car: Type.Integer({ minimum: 0, maximum: 999 }),
    name: t.String({ minLength: 1, maxLength: 100 }),
    months: t.Nullable(Type.Integer({ minimum: 1, maximum: 1200 })),
    distance: t.Nullable(t.Number({ exclusiveMinimum: 0, maximum: 10_000_000 })),
    distance_text: t.Nullable(t.String({ maxLength: 100 })),
    fixed: t.Boolean(),
    last_date: Day,
    last_odometer: t.Nullable(t.Number({ minimum: 0, maximum: 10_000_000 })),
    due_date: t.Nullable(Day),
    due_odometer: t.Nullable(t.Number({ minimum: 0, maximum: 20_000_000 })),
    notes: t.Nullable(t.String({ maxLength: 2000 })),
    snoozed_until: t.Nullable(Day),
    urgent: t.Nullable(Threshold),
    very_urgent: t.Nullable(Threshold),
  },
  strict,
)
export type ImportItemInput = typeof ImportItemInput.static

/** The exporting garage's settings (no reminder channel: a channel is of one platform). */
export const ImportSettingsInput = t.Object(
  {
    units: t.Union([t.Literal('metric'), t.Literal('imperial')]),
    numbers: Numbers,
    dates: Dates,
    currency: t.String({ minLength: 1, maxLength: 20 }),
    timezone: t.String({ minLength: 1, maxLength: 100 }),
    reminder_hour: Type.Integer({ minimum: 0, maximum: 23 }),
    digest: t.Union([t.Literal('off'), t.Literal('weekly'), t.Literal('monthly')]),
    urgent: Threshold,
    very_urgent: Threshold,
  },
  strict,
)
export type ImportSettingsInput = typeof ImportSettingsInput.static

export const PendingSource = t.Object(
  {
    kept: t.String({ pattern: '^[0-9a-f]{32}$' }),
    map: t.Optional(t.String({ maxLength: 2000 })),
    car: t.Optional(t.String({ minLength: 1, maxLength: 100 })),
  },
  strict,
)

export const PendingCreate = t.Object(
  {
    file: t.String({ maxLength: 255 }),
    format: t.String({ maxLength: 100 }),
    units: t.Object({ distance: t.Nullable(DistanceUnit), volume: t.Nullable(VolumeUnit) }, strict),
    cars: t.Array(ImportCar, { minItems: 1, maxItems: 1000 }),
    rows: t.Array(ImportRowInput, { maxItems: 100_000 }),
    /** Drivers of the file's cars (`car` its index in `cars`), made drivers of the car by Import. */
    drivers: t.Optional(
      t.Array(
        t.Object(
          {
            car: Type.Integer({ minimum: 0, maximum: 999 }),
            user_id: t.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
            name: t.String({ minLength: 1, maxLength: 200 }),
          },
          strict,
        ),
        { maxItems: 1000 },
      ),
    ),
    /** Maintenance items of the file's cars; one the car has already (by name) is left as it is. */
    items: t.Optional(t.Array(ImportItemInput, { maxItems: 10_000 })),
    /** Taken by a garage that has no settings of its own yet; otherwise its own are kept. */
    settings: t.Optional(ImportSettingsInput),
    /**
     * What the caller imports into other services after this import (a Car Manager export's
     * issues, quotes and photos, as JSON text), kept with the pending import and answered by Import.
     */
    carry: t.Optional(t.String({ maxLength: 8_000_000 })),
    /**
     * Where the file itself is kept (the images service's short-lived files, this garage's) and
     * the options it was read with, so its preview's Map cars step can read it again.
     */
    source: t.Optional(PendingSource),
  },
  strict,
)
export type PendingCreate = typeof PendingCreate.static

/** A waiting import's file and options (`GET /imports/:pending/source`); its name is `file`. */
export const PendingSourceView = t.Object({
  file: t.String(),
  source: PendingSource,
})

const KindCount = t.Object({ kind: ImportKind, rows: Whole(), new: Whole(), known: Whole() })
/** Maintenance items of the file: how many, how many new, how many the cars have already (by name). */
const ItemCount = t.Object({ rows: Whole(), new: Whole(), known: Whole() })
/**
 * The file's settings: `apply` (the garage has none of its own yet), `kept` (it has: its own stay),
 * with `why` when they cannot be taken; null when the file has none.
 */
const SettingsFate = t.Nullable(
  t.Object({ fate: t.Union([t.Literal('apply'), t.Literal('kept')]), why: t.Nullable(t.String()) }),
)

export const PendingView = t.Object({
  id: t.String(),
  expires_at: t.String(),
  /** Per record kind: rows in the file, how many are new, how many the garage has already. */
  kinds: t.Array(KindCount),
  cars: t.Array(
    t.Object({
      name: t.String(),
      nickname: t.String(),
      new: t.Boolean(),
      /** h: an hour meter. */
      distance: MeterUnit,
      volume: VolumeUnit,
    }),
  ),
  /** The rows that cannot be stored as they are (line and why), e.g. a date in the future. */
  refused: t.Array(t.Object({ line: Whole(), why: t.String(), file: t.Optional(t.String()) })),
  items: ItemCount,
  settings: SettingsFate,
})
export type PendingView = typeof PendingView.static

export const PendingRef = t.Object({ id: t.String({ minLength: 8, maxLength: 64 }) }, strict)

export const ImportResult = t.Object({
  /** The import's number, what undo takes. */
  import: Whole(),
  kinds: t.Array(KindCount),
  cars_created: t.Array(t.String()),
  /** Each added kind's numbers as the garage shows them: "#12–#40". */
  numbers: t.Array(t.Object({ kind: ImportKind, first: Whole(), last: Whole() })),
  items: ItemCount,
  /** Whether the file's settings became the garage's. */
  settings_applied: t.Boolean(),
  /** Each car of the file and the garage's car it went to. */
  cars: t.Array(t.Object({ name: t.String(), nickname: t.String(), id: Whole() })),
  /** The pending import's `carry`, for the caller to import into the other services. */
  carry: t.Nullable(t.String()),
})
export type ImportResult = typeof ImportResult.static

export const ImportNumber = t.Object({ import: t.Integer({ minimum: 1 }) }, strict)

/** `carried`: the import also brought issues, quotes or photos into their services, for the caller to take back. */
export const ImportUndone = t.Object({ import: Whole(), removed: Whole(), file: t.String(), carried: t.Boolean() })
export type ImportUndone = typeof ImportUndone.static
