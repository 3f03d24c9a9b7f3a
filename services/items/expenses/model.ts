/** Schemas of expenses: what a car costs besides fuel and service (insurance, tax, tolls …), and their renewals. */
import { t } from 'elysia'
import { Author } from '../drivers/authors.ts'
import { EXPENSE_KINDS, RENEWAL_FORMS } from '../../../lib/domain/figures.ts'
import { CarRef, date, DistanceInput, MoneyInput, PageInfo, PageQuery, strict, text, Whole } from '../shared/model.ts'
import { Level } from '../maintenance/model.ts'
import { wholeNumber } from '../../lib/whole.ts'

export const ExpenseKind = t.UnionEnum(EXPENSE_KINDS)
/** How often it renews: `12m`, `1y`, `6m`, `3m` or `1m` (checked by the service, which names the forms). */
export const Every = t.String({ maxLength: 20, description: RENEWAL_FORMS.join(', ') })

export const ExpenseCreate = t.Object(
  {
    car: CarRef,
    /** Checked by the service, which lists the kinds. */
    kind: t.String({ maxLength: 40 }),
    cost: MoneyInput,
    date: t.Optional(date),
    odometer: t.Optional(DistanceInput),
    every: t.Optional(Every),
    notes: t.Optional(text(2000)),
  },
  strict,
)
export type ExpenseCreate = typeof ExpenseCreate.static

/** An expense's changes: what is given replaces what it had; `every: "none"` makes it not renew. */
export const ExpenseEdit = t.Object(
  {
    number: t.Integer({ minimum: 1, maximum: 1e12 }),
    car: t.Optional(CarRef),
    kind: t.Optional(t.String({ maxLength: 40 })),
    cost: t.Optional(MoneyInput),
    date: t.Optional(date),
    odometer: t.Optional(DistanceInput),
    every: t.Optional(Every),
    notes: t.Optional(text(2000)),
  },
  strict,
)
export type ExpenseEdit = typeof ExpenseEdit.static

export const ExpenseNumber = t.Object({ number: t.Integer({ minimum: 1, maximum: 1e12 }) }, strict)
/** An expense by its number (as /roles/logged takes a record's). */
export const ExpenseLoggedQuery = t.Object({ number: wholeNumber('number', 1, 1e12) })
/** Who logged it (`<platform>:<user id>`), or null when that is not known. */
export const ExpenseLoggedBy = t.Object({ by: t.Nullable(t.String()) })

export const ExpensesQuery = t.Object({
  car: t.Optional(CarRef),
  kind: t.Optional(t.String({ maxLength: 40 })),
  ...PageQuery,
})

/** The payment of the renewal that follows expense #number (its reminder's Log payment form): this time's amount. */
export const RenewalPayment = t.Object(
  {
    number: t.Integer({ minimum: 1, maximum: 1e12 }),
    cost: MoneyInput, date: t.Optional(date),
    odometer: t.Optional(DistanceInput),
    notes: t.Optional(text(2000)),
  },
  strict,
)
export type RenewalPayment = typeof RenewalPayment.static

export const ExpenseView = t.Object({
  /** The garage's number of it (#N). */
  number: Whole(),
  car: t.String(),
  kind: ExpenseKind,
  /** "$1,200.00" */
  cost: t.String(),
  cost_minor: Whole(),
  currency: t.String(),
  date: t.String(),
  odometer: t.Nullable(t.String()),
  odometer_value: t.Nullable(t.Number()),
  /** "12m" as typed; null when it does not renew. */
  every: t.Nullable(t.String()),
  every_months: t.Nullable(Whole()),
  /** When it renews (date + every), while it is the latest of its car and kind that renews. */
  renews_on: t.Nullable(t.String()),
  /** The expense whose renewal it paid (its reminder's Log payment). */
  renews: t.Nullable(Whole()),
  notes: t.Nullable(t.String()),
  /** On a write's answer: the change it made (what Undo takes). */
  change: t.Optional(Whole()),
  /** In a list: who logged it (absent when not known). */
  by: Author,
})
export type ExpenseView = typeof ExpenseView.static

export const ExpenseList = t.Object({ expenses: t.Array(ExpenseView), ...PageInfo })

/** A renewal as /reminders lists it: the car's kind of expense, when it renews and how urgent that is. */
export const RenewalView = t.Object({
  car: t.String(),
  kind: ExpenseKind,
  /** "Insurance" */
  name: t.String(),
  /** The expense it follows. */
  number: Whole(),
  due_date: t.String(),
  days_left: t.Integer(),
  level: Level,
  /** "renews in 14 days (2026-06-15)" */
  due_text: t.String(),
})
export type RenewalView = typeof RenewalView.static

export const RenewalList = t.Object({ renewals: t.Array(RenewalView) })
export const RenewalsQuery = t.Object({ car: t.Optional(CarRef) })
