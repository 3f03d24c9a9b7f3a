/**
 * Schemas of maintenance items (what a car needs and when): the item routes' bodies and the
 * item as shown. Shapes and types only; intervals above zero, dates not in the future and
 * odometers not beyond the car's are checked by maintenance/service.ts, naming the field.
 */
import { t } from 'elysia'
import { wholeNumber } from '../../lib/whole.ts'
import {
  CarRef,
  date,
  DistanceInput,
  MeterUnit,
  strict,
  text,
  ThresholdInput,
  Whole,
} from '../shared/model.ts'
import { LEVELS } from './schedule.ts'

export const ItemCreate = t.Object(
  {
    car: CarRef,
    name: text(),
    /** Due every this many months (whole months). */
    months: t.Optional(t.Number()),
    /** Due every this distance. */
    distance: t.Optional(DistanceInput),
    /** When it was last done (default today). */
    last_date: t.Optional(date),
    /** Odometer when it was last done (default the current odometer). */
    last_odometer: t.Optional(DistanceInput),
    /** Count the next due from the previous due point instead of from when it was done. */
    fixed: t.Optional(t.Boolean()),
    notes: t.Optional(text(2000)),
    urgent: t.Optional(ThresholdInput),
    very_urgent: t.Optional(ThresholdInput),
  },
  strict,
)
export type ItemCreate = typeof ItemCreate.static

/** An item by its car and its current name. */
export const ItemRef = t.Object({ car: CarRef, item: text() }, strict)

/** An item by its car and current name (`item`); every other field changes only when given. */
export const ItemEdit = t.Composite([ItemRef, t.Partial(t.Omit(ItemCreate, ['car']))], strict)
export type ItemEdit = typeof ItemEdit.static
export const ItemsQuery = t.Object({ car: t.Optional(CarRef) })
export const ItemIdParams = t.Object({ id: wholeNumber('id', 1) })

export const Level = t.UnionEnum(LEVELS)

export const ItemView = t.Object({
  id: Whole(),
  car: t.String(),
  car_id: Whole(),
  name: t.String(),
  months: t.Nullable(t.Number()),
  /** The interval as typed ("5,000 mi"). */
  distance: t.Nullable(t.String()),
  /** The interval in the car's odometer unit. */
  distance_value: t.Nullable(t.Number()),
  fixed: t.Boolean(),
  last_date: t.String(),
  /** "48,000 mi": the odometer when it was last done. */
  last_odometer: t.Nullable(t.String()),
  /** The same in the car's odometer unit. */
  last_odometer_value: t.Nullable(t.Number()),
  /** The unit of the car's odometer, of every *_value and due_odometer. */
  odometer_unit: MeterUnit,
  due_date: t.Nullable(t.String()),
  due_odometer: t.Nullable(t.Number()),
  /** "due 2026-11-01 (in 12 days) or at 53,000 mi (800 mi left; ~9 days, at 42 mi/day)" */
  due_text: t.String(),
  level: Level,
  level_label: t.String(),
  /** The earlier of the due date and the projected date, in days from today. */
  days_left: t.Nullable(t.Number()),
  distance_left: t.Nullable(t.Number()),
  projected: t.Nullable(t.Object({ date: t.String(), days: t.Number(), perDay: t.Number() })),
  snoozed_until: t.Nullable(t.String()),
  notes: t.Nullable(t.String()),
  /** The item's own thresholds ("14 d, 300 mi"); null uses the garage's. */
  urgent: t.Nullable(t.String()),
  very_urgent: t.Nullable(t.String()),
})
export type ItemView = typeof ItemView.static

export const ItemList = t.Object({ items: t.Array(ItemView), cars: Whole() })
export const ItemRemoved = t.Object({ removed: ItemView })
