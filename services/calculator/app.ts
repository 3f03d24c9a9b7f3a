/**
 * The calculator service: stateless cost maths over HTTP. No database and no tenant data; the
 * worker sends what a calculation needs (records and fill-ups from the items service).
 */
import type { Config } from '../../lib/config.ts'
import { releaseOnStop, serviceBase } from '../lib/http.ts'
import { CostBody, EconomyBody, FuelBody, LoanBody, TripBody } from './model.ts'
import { costOfOwnership, economyOverTime, fuelEconomy, loan, positive, trip } from './service.ts'
import { toKm, toKmPerLitre, toLitres } from '../../lib/domain/units.ts'

export function createApp(deps: { dataDir: string; token: string; now?: () => Date; config?: Config }) {
  const app = serviceBase({ name: 'calculator', token: deps.token })
    .post(
      '/fuel',
      ({ body }) => {
        positive('distance', body.distance.value, `${body.distance.value} ${body.distance.unit}`)
        positive('volume', body.volume.value, `${body.volume.value} ${body.volume.unit}`)
        return fuelEconomy(
          toKm(body.distance.value, body.distance.unit),
          toLitres(body.volume.value, body.volume.unit),
        )
      },
      { body: FuelBody, detail: { summary: 'Economy of one tank in US mpg, UK mpg, L/100 km and km/L' } },
    )
    .post(
      '/trip',
      ({ body }) => {
        positive('distance', body.distance.value, `${body.distance.value} ${body.distance.unit}`)
        positive('economy', body.economy.value, `${body.economy.value} ${body.economy.unit}`)
        const result = trip(
          toKm(body.distance.value, body.distance.unit),
          toKmPerLitre(body.economy.value, body.economy.unit),
          body.price.minor,
          body.price.per,
        )
        return { ...result, currency: body.currency, price: body.price }
      },
      { body: TripBody, detail: { summary: 'Fuel needed for a trip and what it costs' } },
    )
    .post(
      '/loan',
      ({ body }) => ({ ...loan(body.amountMinor, body.ratePercent, body.months), currency: body.currency }),
      {
        body: LoanBody,
        detail: { summary: 'Monthly payment, total interest and amortisation of a fixed-rate loan' },
      },
    )
    .post('/economy', ({ body }) => economyOverTime(body.fillUps), {
      body: EconomyBody,
      detail: { summary: "Fuel economy per full-to-full segment of a car's fill-ups" },
    })
    .post('/cost', ({ body }) => ({ ...costOfOwnership(body), currency: body.currency }), {
      body: CostBody,
      detail: {
        summary: 'Cost of ownership over a period: running costs, depreciation, per month and per distance',
      },
    })

  return releaseOnStop(app)
}

export type CalculatorApp = ReturnType<typeof createApp>
