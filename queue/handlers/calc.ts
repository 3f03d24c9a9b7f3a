/**
 * /calc fuel, trip, cost and loan. Units a user left out are the garage's (items GET /settings);
 * money is turned into integer minor units of the garage currency here, at the edge, and the
 * calculator does the maths. Figures are rounded only in the text of the reply.
 */
import calc from '../../catalog/commands/calc.ts'
import { InvalidValue } from '../../lib/domain/invalid.ts'
import { formatDate } from '../../lib/domain/dates.ts'
import { formatMoney, toMinor } from '../../lib/domain/money.ts'
import { formatNumber } from '../../lib/domain/text.ts'
import { type DistanceUnit, distanceUnitOf, type MeterUnit, type Units } from '../../lib/domain/units.ts'
import { calculatorClient, callCalculator } from '../clients/calculator.ts'
import { handlers, UserError } from '../handler.ts'
import { carData, costFields, costOf, economyText, fmt } from './shared/costs.ts'
import { carRef } from './shared/format.ts'
import { garageOf, presentationOr } from './shared/lookups.ts'

/** A typed distance's unit (a bare number: the garage's); engine hours are not a distance to drive. */
function distanceOf(d: { unit: MeterUnit | null; text: string }, units: Units): DistanceUnit {
  if (d.unit === 'h') throw new UserError(`distance: ${d.text} is engine hours; give a distance, e.g. 300 km or 180 mi`, 'distance')
  return d.unit ?? distanceUnitOf(units)
}

/** Money typed by the user in minor units of the garage currency; a refusal names the field. */
function minor(
  field: string,
  value: { value: number; text: string },
  currency: string,
  fractional = false,
): number {
  try {
    return toMinor(field, value, currency, { fractional })
  } catch (error) {
    if (error instanceof InvalidValue) throw new UserError(error.message, field)
    throw error
  }
}

export default handlers(calc, {
  fuel: async (p, ctx) => {
    // The garage's units fill in a unit the user left out; its number format writes the figures.
    // Both units typed, the items service is not needed: down, the figures are written the
    // default way (none of them has a thousands group to misread).
    const garage = p.distance.unit && p.volume.unit ? null : await garageOf(ctx)
    const g = garage ?? (await presentationOr(ctx))
    const units = garage?.units ?? 'metric'
    const du = distanceOf(p.distance, units)
    const vu = p.volume.unit ?? (units === 'imperial' ? 'gal' : 'L')
    const e = await callCalculator(
      calculatorClient(ctx).fuel.post({
        distance: { value: p.distance.value, unit: du },
        volume: { value: p.volume.value, unit: vu },
      }),
    )
    return { tone: 'ok', title: `${p.distance.text} on ${p.volume.text}`, text: economyText(e, g.numbers) }
  },

  trip: async (p, ctx) => {
    const g = await garageOf(ctx)
    const du = distanceOf(p.distance, g.units)
    const per = (p.price_per as 'L' | 'gal' | 'impgal' | undefined) ?? (g.units === 'imperial' ? 'gal' : 'L')
    const price = minor('price', p.price, g.currency, true)
    const t = await callCalculator(
      calculatorClient(ctx).trip.post({
        distance: { value: p.distance.value, unit: du },
        economy: { value: p.economy.value, unit: p.economy.unit },
        price: { minor: price, per },
        currency: g.currency,
      }),
    )
    const n = g.numbers
    const volume =
      g.units === 'imperial'
        ? `${fmt(t.gallonsUs, 2, n)} gal (${fmt(t.litres, 1, n)} L)`
        : `${fmt(t.litres, 1, n)} L (${fmt(t.gallonsUs, 2, n)} US gal)`
    const cost = formatMoney(t.costMinor, g.currency, 0, n)
    return {
      tone: 'ok',
      title: `${p.distance.text} at ${p.economy.text}: ${cost}`,
      text: `Fuel needed ${volume}; at ${p.price.text} per ${per === 'impgal' ? 'imperial gallon' : per === 'gal' ? 'gallon' : 'litre'} it costs ${cost}.`,
    }
  },

  loan: async (p, ctx) => {
    const g = await garageOf(ctx)
    const amount = minor('amount', p.amount, g.currency)
    const l = await callCalculator(
      calculatorClient(ctx).loan.post({
        amountMinor: amount,
        ratePercent: p.rate,
        months: p.months,
        currency: g.currency,
      }),
    )
    const m = (x: number) => formatMoney(x, g.currency, 0, g.numbers)
    const line = (x: (typeof l.lines)[number]) =>
      `payment ${m(x.paymentMinor)} = interest ${m(x.interestMinor)} + principal ${m(x.principalMinor)}; balance ${m(x.balanceMinor)}`
    const first = l.lines[0]!
    const last = l.lines[l.lines.length - 1]!
    return {
      tone: 'ok',
      title: `${m(amount)} at ${formatNumber(p.rate, 3, 0, g.numbers)}% over ${p.months} months: ${m(l.monthlyPaymentMinor)} a month`,
      text: `Total interest ${m(l.totalInterestMinor)}; total paid ${m(l.totalPaidMinor)}.`,
      fields: [
        { name: 'Month 1', value: line(first) },
        ...(l.lines.length > 1 ? [{ name: `Month ${last.n} (last)`, value: line(last) }] : []),
      ],
    }
  },

  cost: async (p, ctx) => {
    const g = await garageOf(ctx)
    const d = await carData(ctx, p.car, g.currency)
    const days = p.period?.days ?? 365
    const c = await costOf(ctx, d, g, days)
    const m = (x: number) => formatMoney(x, c.currency, 0, g.numbers)
    return {
      tone: 'ok',
      title: `${d.car.nickname}: ${m(c.totalMinor)} over ${p.period?.text ?? '12m'} (${formatDate(c.from, g.dates)} – ${formatDate(c.to, g.dates)})`,
      text:
        c.runningMinor === 0 && c.depreciationMinor === null
          ? `Nothing recorded for ${d.car.nickname} in this period. Log costs with /fuel log, /charge log, /service log and /expense log.`
          : c.depreciationMinor === null
            ? `Running costs ${m(c.runningMinor)}; depreciation unknown, so not in the total.`
            : `Running costs ${m(c.runningMinor)} + depreciation ${m(c.depreciationMinor)} = ${m(c.totalMinor)}.`,
      fields: costFields(c, d.car.odometer_unit, g),
      ref: carRef(d.car.nickname),
    }
  },
})
