/**
 * Routes of the calculator service: stateless cost maths over HTTP. No database and no tenant
 * data, so no X-Tenant and no Idempotency-Key; the worker sends what a calculation needs
 * (records and fill-ups from the items service). Units are converted here, at the edge.
 */
import { toKm, toKmPerLitre, toLitres } from '../../lib/domain/units.ts'
import { type ServiceDeps, statelessServiceApp } from '../lib/app.ts'
import {
  CostBody,
  CostResult,
  EconomyBody,
  EconomyResult,
  FuelBody,
  FuelResult,
  LoanBody,
  LoanResult,
  TripBody,
  TripResult,
} from './model.ts'
import { loan } from './loan.ts'
import { costOfOwnership, economyOverTime, fuelEconomy, positive, trip } from './service.ts'

/** A measure a person gave, checked positive and named as they wrote it ("412 mi"). */
const given = (field: string, measure: { value: number; unit: string }) =>
  positive(field, measure.value, `${measure.value} ${measure.unit}`)

export function createApp(deps: ServiceDeps) {
  const { app: base, finish } = statelessServiceApp('calculator', deps)

  const app = base
    .post(
      '/fuel',
      ({ body }) => {
        given('distance', body.distance)
        given('volume', body.volume)
        return fuelEconomy(
          toKm(body.distance.value, body.distance.unit),
          toLitres(body.volume.value, body.volume.unit),
        )
      },
      {
        body: FuelBody,
        response: FuelResult,
        detail: { summary: 'Economy of one tank in US mpg, UK mpg, L/100 km and km/L' },
      },
    )
    .post(
      '/trip',
      ({ body }) => {
        given('distance', body.distance)
        given('economy', body.economy)
        const result = trip(
          toKm(body.distance.value, body.distance.unit),
          toKmPerLitre(body.economy.value, body.economy.unit),
          body.price.minor,
          body.price.per,
        )
        return { ...result, currency: body.currency, price: body.price }
      },
      {
        body: TripBody,
        response: TripResult,
        detail: { summary: 'Fuel needed for a trip and what it costs' },
      },
    )
    .post(
      '/loan',
      ({ body }) => ({ ...loan(body.amountMinor, body.ratePercent, body.months), currency: body.currency }),
      {
        body: LoanBody,
        response: LoanResult,
        detail: { summary: 'Monthly payment, total interest and amortisation of a fixed-rate loan' },
      },
    )
    .post('/economy', ({ body }) => economyOverTime(body.fillUps), {
      body: EconomyBody,
      response: EconomyResult,
      detail: { summary: "Fuel economy per full-to-full segment of a car's fill-ups" },
    })
    .post('/cost', ({ body }) => ({ ...costOfOwnership(body), currency: body.currency }), {
      body: CostBody,
      response: CostResult,
      detail: {
        summary: 'Cost of ownership over a period: running costs, depreciation, per month and per distance',
      },
    })

  return finish(app)
}

export type CalculatorApp = ReturnType<typeof createApp>
