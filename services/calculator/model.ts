/** Request and response schemas of the calculator. Units travel with their values; the routes convert them at the edge. */
import { t } from 'elysia'

export const Currency = t.String({
  pattern: '^[A-Z]{3}$',
  description: 'ISO 4217 code of the garage currency',
})
export const DistanceUnit = t.Union([t.Literal('km'), t.Literal('mi')])
export const VolumeUnit = t.Union([t.Literal('L'), t.Literal('gal'), t.Literal('impgal')])
export const EconomyUnit = t.Union([
  t.Literal('L/100km'),
  t.Literal('km/L'),
  t.Literal('mpg'),
  t.Literal('impmpg'),
])
const Day = t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })

export const Distance = t.Object({ value: t.Number(), unit: DistanceUnit })
export const Volume = t.Object({ value: t.Number(), unit: VolumeUnit })

export const FuelBody = t.Object({ distance: Distance, volume: Volume })

export const TripBody = t.Object({
  distance: Distance,
  economy: t.Object({ value: t.Number(), unit: EconomyUnit }),
  /** Price of one `per` of fuel in minor units (may carry a fraction: 1.899 a litre). */
  price: t.Object({ minor: t.Number(), per: VolumeUnit }),
  currency: Currency,
})

export const LoanBody = t.Object({
  amountMinor: t.Integer(),
  ratePercent: t.Number(),
  months: t.Integer(),
  currency: Currency,
})

export const FillUpInput = t.Object({
  id: t.Optional(t.Union([t.Integer(), t.String()])),
  date: Day,
  odometerKm: t.Number({ minimum: 0 }),
  litres: t.Number({ minimum: 0 }),
  costMinor: t.Optional(t.Integer()),
  full: t.Boolean(),
  missed: t.Optional(t.Boolean()),
})

export const EconomyBody = t.Object({ fillUps: t.Array(FillUpInput, { maxItems: 100_000 }) })

export const CostBody = t.Object({
  currency: Currency,
  from: Day,
  to: Day,
  records: t.Array(
    t.Object({
      date: Day,
      costMinor: t.Integer(),
      kind: t.Union([t.Literal('service'), t.Literal('repair'), t.Literal('upgrade')]),
      odometerKm: t.Optional(t.Nullable(t.Number({ minimum: 0 }))),
    }),
    { maxItems: 100_000 },
  ),
  fillUps: t.Array(
    t.Object({ date: Day, costMinor: t.Optional(t.Integer()), odometerKm: t.Number({ minimum: 0 }) }),
    { maxItems: 100_000 },
  ),
  readings: t.Optional(t.Array(t.Object({ date: Day, km: t.Number({ minimum: 0 }) }), { maxItems: 100_000 })),
  purchase: t.Optional(t.Nullable(t.Object({ priceMinor: t.Integer({ minimum: 0 }), date: Day }))),
  depreciationPercent: t.Optional(t.Number({ minimum: 0, maximum: 100 })),
})
