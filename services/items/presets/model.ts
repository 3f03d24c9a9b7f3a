/**
 * Schemas of maintenance presets (named sets of maintenance items a car can be given at once):
 * the built-in starter sets and the garage's own, saved from a car's items.
 */
import { t } from 'elysia'
import { CarRef, MeterUnit, strict, text, Whole } from '../shared/model.ts'
import { ItemView } from '../maintenance/model.ts'

export const PresetsQuery = t.Object({ car: t.Optional(CarRef) })

/** Apply a set to a car; without `name`, the starter set of the car's fuel type (petrol when unknown). */
export const PresetApply = t.Object({ car: CarRef, name: t.Optional(text(60)) }, strict)
export type PresetApply = typeof PresetApply.static

/** Save a car's items as the garage's set `name`; one already saved is replaced only with `replace`. */
export const PresetSave = t.Object({ name: text(60), from: CarRef, replace: t.Optional(t.Boolean()) }, strict)
export type PresetSave = typeof PresetSave.static

export const PresetRef = t.Object({ name: text(60) }, strict)

export const PresetItem = t.Object({
  name: t.String(),
  months: t.Nullable(Whole()),
  /** The interval in `unit` (a built-in set's round number for that unit). */
  distance: t.Nullable(t.Number()),
  unit: MeterUnit,
  /** "15,000 km": the interval in the garage's number format. */
  distance_text: t.Nullable(t.String()),
})
export type PresetItem = typeof PresetItem.static

export const PresetView = t.Object({ name: t.String(), builtin: t.Boolean(), items: t.Array(PresetItem) })
export type PresetView = typeof PresetView.static

export const PresetList = t.Object({ presets: t.Array(PresetView) })

export const PresetApplied = t.Object({
  car: t.String(),
  preset: t.String(),
  added: t.Array(ItemView),
  /** Names of the set's items the car already had (left as they were). */
  skipped: t.Array(t.String()),
})
export type PresetApplied = typeof PresetApplied.static

export const PresetSaved = t.Object({ preset: PresetView, replaced: t.Boolean() })
export const PresetRemoved = t.Object({ removed: PresetView })
