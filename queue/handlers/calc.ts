/**
 * /calc fuel, trip, cost, loan and `car.stats` (fuel economy over time and running costs of a
 * car). Units a user left out are the garage's (items GET /settings); money is turned into
 * integer minor units of the garage currency here, at the edge, and the calculator does the
 * maths. Figures are rounded only in the text of the reply.
 */
import { type PayloadOf, payloadSchema, type Subcommand } from '../../catalog/command.ts'
import calc from '../../catalog/commands/calc.ts'
import car from '../../catalog/commands/car.ts'
import { parseValue } from '../../catalog/values.ts'
import { calculatorClient, callService, itemsReader, localDay } from '../clients/calculator.ts'
import { formatMoney, minorDigits, toMinor } from '../../lib/domain/money.ts'
import { dayNumber, fromDayNumber } from '../../lib/domain/dates.ts'
import { fromKm, KM_PER_MI as KM_PER_MILE, toKm } from '../../lib/domain/units.ts'
import { callItems } from '../clients/items.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { type HandlerContext, type HandlerFamily, type KindHandler, UserError } from '../handler.ts'
import { InvalidValue } from '../../lib/domain/invalid.ts'

type Sub = (typeof calc)['subcommands'][number]['name']

function sub(name: Sub): Subcommand {
  const found = calc.subcommands.find((s) => s.name === name)
  if (!found) throw new Error(`calc catalog has no subcommand ${name}`)
  return found
}

function kind<S extends Sub>(
  name: S,
  run: (payload: PayloadOf<typeof calc, S>, ctx: HandlerContext) => Promise<Reply>,
): KindHandler<PayloadOf<typeof calc, S>> {
  return { schema: payloadSchema(sub(name)), run }
}

type Garage = { units: 'metric' | 'imperial'; currency: string; timezone: string; today: string }

async function garage(ctx: HandlerContext): Promise<Garage> {
  const s = await callItems(itemsReader(ctx).settings.get({ query: {} }))
  return {
    units: s.units,
    currency: s.currency,
    timezone: s.timezone,
    today: localDay(ctx.now(), s.timezone),
  }
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

const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

const economyText = (e: { mpgUs: number; mpgUk: number; lPer100km: number; kmPerLitre: number }) =>
  `${fmt(e.mpgUs)} mpg (US) · ${fmt(e.mpgUk)} mpg (UK) · ${fmt(e.lPer100km, 2)} L/100 km · ${fmt(e.kmPerLitre, 2)} km/L`

const perDistance = (minorPerKm: number, units: Garage['units'], currency: string) =>
  units === 'imperial'
    ? `${formatMoney(minorPerKm * KM_PER_MILE, currency, 1)}/mi`
    : `${formatMoney(minorPerKm, currency, 1)}/km`

const distanceText = (km: number, units: Garage['units']) =>
  units === 'imperial' ? `${fmt(fromKm(km, 'mi'), 0)} mi` : `${fmt(km, 0)} km`

/** An odometer as the maintenance views show it ("53,200 mi"), in km; null when it cannot be read. */
const withCost = (c: number | undefined) => (c === undefined ? {} : { costMinor: c })
const ODOMETER = { name: 'odometer', type: 'distance', description: 'odometer' } as const
function odometerKm(text: string | null, fallback: 'km' | 'mi'): number | null {
  if (!text) return null
  const parsed = parseValue(ODOMETER, text)
  if (!parsed.ok) return null
  const d = parsed.value as { value: number; unit: 'km' | 'mi' | null }
  return toKm(d.value, d.unit ?? fallback)
}

/**
 * A fill-up's cost in minor units. The fill-up view carries only the formatted cost ("$41.30"),
 * so it is read back with the core money parser (a numeric `cost_minor`, when the view has
 * one, is taken as is).
 */
const MONEY = { name: 'cost', type: 'money', description: 'cost' } as const
function costMinor(
  f: { cost: string | null; cost_minor?: number | null },
  currency: string,
): number | undefined {
  if (typeof f.cost_minor === 'number') return f.cost_minor
  if (!f.cost) return undefined
  const parsed = parseValue(MONEY, f.cost)
  if (!parsed.ok) return undefined
  return Math.round((parsed.value as { value: number }).value * 10 ** minorDigits(currency))
}

type CarData = Awaited<ReturnType<typeof carData>>

/** A car with its records, fill-ups and readings as the calculator takes them (km, litres, minor units). */
async function carData(ctx: HandlerContext, carRef: string, currency: string) {
  const items = itemsReader(ctx)
  const c = await callItems(items.cars({ car: carRef }).get())
  const [{ records }, { fillups }] = await Promise.all([
    callItems(items.records.get({ query: { car: c.nickname, limit: 100 } })),
    callItems(items.fillups.get({ query: { car: c.nickname, limit: 100 } })),
  ])
  const unit = c.odometer_unit
  return {
    car: c,
    records: records.map((r) => ({
      date: r.date,
      costMinor: r.cost_minor ?? 0,
      kind: r.kind,
      odometerKm: odometerKm(r.odometer, unit),
    })),
    fillUps: fillups.flatMap((f) => {
      const km = odometerKm(f.odometer, unit)
      if (km === null) return []
      return [
        {
          id: f.id,
          date: f.date,
          odometerKm: km,
          litres: f.litres,
          full: f.full,
          missed: f.missed,
          ...withCost(costMinor(f, currency)),
        },
      ]
    }),
    readings: c.readings.map((r) => ({ date: r.read_on, km: toKm(r.value, r.unit) })),
    purchase:
      c.purchase_price && c.purchase_date
        ? { priceMinor: c.purchase_price.minor, date: c.purchase_date }
        : null,
  }
}

async function costOf(ctx: HandlerContext, d: CarData, g: Garage, days: number) {
  const to = g.today
  const from = fromDayNumber(dayNumber(to) - days + 1)
  return callService(
    'calculator',
    calculatorClient(ctx).cost.post({
      currency: g.currency,
      from,
      to,
      records: d.records,
      fillUps: d.fillUps,
      readings: d.readings,
      purchase: d.purchase,
    }),
  )
}

function costFields(c: Awaited<ReturnType<typeof costOf>>, g: Garage): NonNullable<Reply['fields']> {
  const m = (x: number) => formatMoney(x, c.currency)
  const k = c.byKindMinor
  const fields: NonNullable<Reply['fields']> = [
    { name: 'Fuel', value: `${m(k.fuel)} (${c.counts.fuel} fill-ups)`, inline: true },
    { name: 'Service', value: `${m(k.service)} (${c.counts.service})`, inline: true },
    { name: 'Repair', value: `${m(k.repair)} (${c.counts.repair})`, inline: true },
    { name: 'Upgrade', value: `${m(k.upgrade)} (${c.counts.upgrade})`, inline: true },
  ]
  fields.push({
    name: 'Depreciation',
    value:
      c.depreciationMinor === null
        ? 'unknown (set purchase_price and purchase_date with /car edit)'
        : `${m(c.depreciationMinor)} (${c.depreciationPercent}% a year, declining balance)`,
    inline: true,
  })
  fields.push({ name: 'Per month', value: formatMoney(c.perMonthMinor, c.currency), inline: true })
  fields.push({
    name: 'Per distance',
    value:
      c.km && c.perKmMinor !== null
        ? `${perDistance(c.perKmMinor, g.units, c.currency)} over ${distanceText(c.km, g.units)}${c.runningPerKmMinor !== null && c.depreciationMinor !== null ? ` (running costs alone ${perDistance(c.runningPerKmMinor, g.units, c.currency)})` : ''}`
        : 'unknown (needs odometer readings in the period)',
    inline: false,
  })
  return fields
}

const family: HandlerFamily = {
  'calc.fuel': kind('fuel', async (p, ctx) => {
    const g = p.distance.unit && p.volume.unit ? null : await garage(ctx)
    const du = p.distance.unit ?? (g?.units === 'imperial' ? 'mi' : 'km')
    const vu = p.volume.unit ?? (g?.units === 'imperial' ? 'gal' : 'L')
    const e = await callService(
      'calculator',
      calculatorClient(ctx).fuel.post({
        distance: { value: p.distance.value, unit: du },
        volume: { value: p.volume.value, unit: vu },
      }),
    )
    return { tone: 'ok', title: `${p.distance.text} on ${p.volume.text}`, text: economyText(e) }
  }),

  'calc.trip': kind('trip', async (p, ctx) => {
    const g = await garage(ctx)
    const du = p.distance.unit ?? (g.units === 'imperial' ? 'mi' : 'km')
    const per = (p.price_per as 'L' | 'gal' | 'impgal' | undefined) ?? (g.units === 'imperial' ? 'gal' : 'L')
    const price = minor('price', p.price, g.currency, true)
    const t = await callService(
      'calculator',
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
  }),

  'calc.loan': kind('loan', async (p, ctx) => {
    const g = await garage(ctx)
    const amount = minor('amount', p.amount, g.currency)
    const l = await callService(
      'calculator',
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
  }),

  'calc.cost': kind('cost', async (p, ctx) => {
    const g = await garage(ctx)
    const d = await carData(ctx, p.car, g.currency)
    const days = p.period?.days ?? 365
    const c = await costOf(ctx, d, g, days)
    return {
      tone: 'ok',
      title: `${d.car.nickname}: ${formatMoney(c.totalMinor, c.currency)} over ${p.period?.text ?? '12m'} (${c.from} – ${c.to})`,
      text:
        c.runningMinor === 0 && c.depreciationMinor === null
          ? `Nothing recorded for ${d.car.nickname} in this period. Log costs with /service log and /fuel log.`
          : `Running costs ${formatMoney(c.runningMinor, c.currency)}${c.depreciationMinor !== null ? ` + depreciation ${formatMoney(c.depreciationMinor, c.currency)}` : ''} = ${formatMoney(c.totalMinor, c.currency)}.`,
      fields: costFields(c, g),
      ref: `car:${d.car.nickname}`,
    }
  }),
}

const carStats = car.subcommands.find((s) => s.name === 'stats')
if (!carStats) throw new Error('car catalog has no subcommand stats')

/** `/car stats car:<car>`: economy per full-to-full segment, the average, and the last 12 months' costs. */
family['car.stats'] = {
  schema: payloadSchema(carStats),
  run: async (p: PayloadOf<typeof car, 'stats'>, ctx: HandlerContext): Promise<Reply> => {
    const g = await garage(ctx)
    const d = await carData(ctx, p.car, g.currency)
    const [eco, cost] = await Promise.all([
      callService('calculator', calculatorClient(ctx).economy.post({ fillUps: d.fillUps })),
      costOf(ctx, d, g, 365),
    ])
    const show = (e: { mpgUs: number; lPer100km: number }) =>
      g.units === 'imperial' ? `${fmt(e.mpgUs)} mpg` : `${fmt(e.lPer100km, 1)} L/100 km`
    const segments = eco.entries.filter((e) => e.segment || e.status === 'missed')
    const lines = segments
      .slice(-10)
      .map((e) =>
        e.segment
          ? `${e.date}  ${show(e.segment)}  (${distanceText(e.segment.km, g.units)}, ${e.segment.fillUps} fill-up${e.segment.fillUps === 1 ? '' : 's'})`
          : `${e.date}  — a fill-up before this one was not logged; the chain restarts here`,
      )
    const text = eco.average
      ? `Average ${show(eco.average)} (${economyText(eco.average)}) over ${eco.segments} full-to-full segment${eco.segments === 1 ? '' : 's'}.\n${lines.join('\n')}`
      : `Not enough fill-ups for fuel economy yet: log two full fill-ups with their odometer (/fuel log car:${d.car.nickname} volume:… odometer:… full:yes).`
    return {
      tone: 'ok',
      title: `${d.car.nickname}: fuel economy and costs`,
      text,
      fields: [
        { name: 'Last 12 months', value: formatMoney(cost.totalMinor, cost.currency), inline: true },
        ...costFields(cost, g),
      ],
      ref: `car:${d.car.nickname}`,
    }
  },
}

export default family
