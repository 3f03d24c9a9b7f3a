/** Request schemas of the quotes service. Money arrives as typed ({ value, text }) with the garage currency. */
import { t } from 'elysia'

export const Currency = t.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 code of the garage currency (items GET /settings)',
})
export const Day = t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })
export const TypedMoney = t.Object({ value: t.Number(), text: t.Optional(t.String({ maxLength: 64 })) })

export const QuoteCreate = t.Object({
  issue: t.Integer({ minimum: 1 }),
  shop: t.String({ minLength: 1, maxLength: 100 }),
  currency: Currency,
  amount: t.Optional(TypedMoney),
  parts: t.Optional(TypedMoney),
  labour: t.Optional(TypedMoney),
  validUntil: t.Optional(Day),
  notes: t.Optional(t.String({ maxLength: 1000 })),
  by: t.Optional(t.String({ maxLength: 200 })),
  /** Today in the garage's timezone (the worker knows it); defaults to the service's UTC date. */
  today: t.Optional(Day),
})

export const QuoteListQuery = t.Object({ issue: t.Numeric({ minimum: 1 }), today: t.Optional(Day) })

export const AcceptBody = t.Object({ by: t.Optional(t.String({ maxLength: 200 })), today: t.Optional(Day) })

export const RecordLink = t.Object({ recordId: t.Integer({ minimum: 1 }) })

export const EstimateBody = t.Object({
  currency: Currency,
  job: t.Optional(t.String({ minLength: 1, maxLength: 100 })),
  hours: t.Optional(t.Number()),
  rate: t.Optional(TypedMoney),
  parts: t.Optional(TypedMoney),
  taxPercent: t.Optional(t.Number()),
})

export const JobOverride = t.Object({
  job: t.String({ minLength: 1, maxLength: 100 }),
  hours: t.Number(),
})

export const TipQuery = t.Object({
  /** The garage's calendar day (YYYY-MM-DD); defaults to the service's UTC date. */
  date: t.Optional(Day),
  /** What is most urgent in the garage, e.g. "Your Corolla's oil change is due in ~9 days". */
  focus: t.Optional(t.String({ maxLength: 300 })),
  /** Name of that item ("Oil change"), to pick a tip on the same topic. */
  topic: t.Optional(t.String({ maxLength: 100 })),
})
