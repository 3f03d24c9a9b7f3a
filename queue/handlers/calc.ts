/**
 * /calc fuel, trip, cost and loan. Units a user left out are the garage's (items GET /settings);
 * money is turned into integer minor units of the garage currency here, at the edge, and the
 * calculator does the maths. Figures are rounded only in the text of the reply.
 */
import calc from '../../catalog/commands/calc.ts'
import { InvalidValue } from '../../lib/domain/invalid.ts'
import { formatMoney, toMinor } from '../../lib/domain/money.ts'
import { distanceUnitOf } from '../../lib/domain/units.ts'
import { calculatorClient, callCalculator } from '../clients/calculator.ts'
import { handlers, UserError } from '../handler.ts'
import { carData, costFields, costOf, economyText, fmt } from './shared/costs.ts'
import { carRef } from './shared/format.ts'
import { garageOf } from './shared/lookups.ts'

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
    // The garage is asked only for a unit the user left out.
    const units = p.distance.unit && p.volume.unit ? 'metric' : (await garageOf(ctx)).units
    const du = p.distance.unit ?? distanceUnitOf(units)
    const vu = p.volume.unit ?? (units === 'imperial' ? 'gal' : 'L')
    const e = await callCalculator(
      calculatorClient(ctx).fuel.post({
        distance: { value: p.distance.value, unit: du },
        volume: { value: p.volume.value, unit: vu },
      }),
    )
    return { tone: 'ok', title: `${p.distance.text} on ${p.volume.text}`, text: economyText(e) }
  },

  trip: async (p, ctx) => {
    const g = await garageOf(ctx)
    const du = p.distance.unit ?? distanceUnitOf(g.units)
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
    const volume =
      g.units === 'imperial'
        ? `${fmt(t.gallonsUs, 2)} gal (${fmt(t.litres, 1)} L)`
        : `${fmt(t.litres, 1)} L (${fmt(t.gallonsUs, 2)} US gal)`
    return {
      tone: 'ok',
      title: `${p.distance.text} at ${p.economy.text}: ${formatMoney(t.costMinor, g.currency)}`,
      text: `Fuel needed ${volume}; at ${p.price.text} per ${per === 'impgal' ? 'imperial gallon' : per === 'gal' ? 'gallon' : 'litre'} it costs ${formatMoney(t.costMinor, g.currency)}.`,
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
    const m = (x: number) => formatMoney(x, g.currency)
    const line = (x: (typeof l.lines)[number]) =>
      `payment ${m(x.paymentMinor)} = interest ${m(x.interestMinor)} + principal ${m(x.principalMinor)}; balance ${m(x.balanceMinor)}`
    const first = l.lines[0]!
    const last = l.lines[l.lines.length - 1]!
    return {
      tone: 'ok',
      title: `${m(amount)} at ${p.rate}% over ${p.months} months: ${m(l.monthlyPaymentMinor)} a month`,
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
    return {
      tone: 'ok',
      title: `${d.car.nickname}: ${formatMoney(c.totalMinor, c.currency)} over ${p.period?.text ?? '12m'} (${c.from} – ${c.to})`,
      text:
        c.runningMinor === 0 && c.depreciationMinor === null
          ? `Nothing recorded for ${d.car.nickname} in this period. Log costs with /service log and /fuel log.`
          : c.depreciationMinor === null
            ? `Running costs ${formatMoney(c.runningMinor, c.currency)}; depreciation unknown, so not in the total.`
            : `Running costs ${formatMoney(c.runningMinor, c.currency)} + depreciation ${formatMoney(c.depreciationMinor, c.currency)} = ${formatMoney(c.totalMinor, c.currency)}.`,
      fields: costFields(c, d.car.odometer_unit),
      ref: carRef(d.car.nickname),
    }
  },
})
