/** Schemas of imports: a pending import (the preview's rows, kept until Import or Cancel) and what an import added. */
import { Type } from '@sinclair/typebox'
import { t } from 'elysia'
import { DistanceUnit, strict, Whole } from '../shared/model.ts'

export const ImportKind = t.Union([
  t.Literal('fuel'),
  t.Literal('service'),
  t.Literal('repair'),
  t.Literal('upgrade'),
  t.Literal('reading'),
  t.Literal('tax'),
])
export type ImportKind = typeof ImportKind.static

const VolumeUnit = t.Union([t.Literal('L'), t.Literal('gal'), t.Literal('impgal')])

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
    volume: t.Nullable(t.Number({ exclusiveMinimum: 0, maximum: 5000 })),
    cost_minor: t.Nullable(Type.Integer({ minimum: 0 })),
    cost_text: t.Nullable(t.String({ maxLength: 100 })),
    full: t.Boolean(),
    missed: t.Boolean(),
    title: t.Nullable(t.String({ maxLength: 200 })),
    notes: t.Nullable(t.String({ maxLength: 2000 })),
  },
  strict,
)
export type ImportRowInput = typeof ImportRowInput.static

export const PendingCreate = t.Object(
  {
    file: t.String({ maxLength: 255 }),
    format: t.String({ maxLength: 100 }),
    units: t.Object({ distance: t.Nullable(DistanceUnit), volume: t.Nullable(VolumeUnit) }, strict),
    cars: t.Array(ImportCar, { minItems: 1, maxItems: 1000 }),
    rows: t.Array(ImportRowInput, { minItems: 1, maxItems: 100_000 }),
  },
  strict,
)
export type PendingCreate = typeof PendingCreate.static

const KindCount = t.Object({ kind: ImportKind, rows: Whole(), new: Whole(), known: Whole() })

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
      distance: DistanceUnit,
      volume: VolumeUnit,
    }),
  ),
  /** The rows that cannot be stored as they are (line and why), e.g. a date in the future. */
  refused: t.Array(t.Object({ line: Whole(), why: t.String() })),
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
})
export type ImportResult = typeof ImportResult.static

export const ImportNumber = t.Object({ import: t.Integer({ minimum: 1 }) }, strict)

export const ImportUndone = t.Object({ import: Whole(), removed: Whole(), file: t.String() })
export type ImportUndone = typeof ImportUndone.static
