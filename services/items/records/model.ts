/** Schemas of service records: what was done to a car, when, at what odometer and cost. */
import { t } from 'elysia'
import { Author } from '../drivers/authors.ts'
import { wholeNumber } from '../../lib/whole.ts'
import {
  CarRef,
  CostAndOdometer,
  date,
  DistanceInput,
  MoneyInput,
  PageInfo,
  PageQuery,
  strict,
  text,
  Whole,
} from '../shared/model.ts'

export const RecordKind = t.Union([t.Literal('service'), t.Literal('repair'), t.Literal('upgrade')])
export type RecordKind = typeof RecordKind.static

export const RecordCreate = t.Object(
  {
    car: CarRef,
    title: text(),
    /** Names of the car's maintenance items this record did, comma-separated or a list. */
    items: t.Optional(t.Union([text(2000), t.Array(text(), { maxItems: 25 })])),
    cost: t.Optional(MoneyInput),
    odometer: t.Optional(DistanceInput),
    date: t.Optional(date),
    kind: t.Optional(RecordKind),
    notes: t.Optional(text(2000)),
    /** Accept an odometer that contradicts the readings (a correction). */
    confirm: t.Optional(t.Boolean()),
  },
  strict,
)
export type RecordCreate = typeof RecordCreate.static

/** A record's changes: the fields of a record, each optional; what is left out stays. */
export const RecordEdit = t.Partial(RecordCreate)
export type RecordEdit = typeof RecordEdit.static

export const RecordsQuery = t.Object({ car: t.Optional(CarRef), ...PageQuery })

export const RecordIdParams = t.Object({ id: wholeNumber('id', 1) })

/** The cost of a record that has none (an accepted quote's amount). */
export const RecordCost = t.Object({ cost: MoneyInput }, strict)
export type RecordCost = typeof RecordCost.static

export const RecordView = t.Object({
  id: Whole(),
  car: t.String(),
  title: t.String(),
  kind: RecordKind,
  ...CostAndOdometer,
  /**
   * Whether the odometer was typed on the record (it is then one of the car's readings); an
   * odometer not typed is the car's, estimated from its readings for the record's date, and is
   * no reading: a distance is never measured from it.
   */
  odometer_typed: t.Boolean(),
  date: t.String(),
  notes: t.Nullable(t.String()),
  /** The items it did, with when each is due next. */
  items: t.Array(t.Object({ id: Whole(), name: t.String(), due_text: t.String() })),
  /** On a write's answer: the change it made (what Undo takes). */
  change: t.Optional(Whole()),
  /** In a list or show: who logged it (absent when not known). */
  by: Author,
})
export type RecordView = typeof RecordView.static

export const RecordList = t.Object({ records: t.Array(RecordView), ...PageInfo })
