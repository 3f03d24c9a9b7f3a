/**
 * A car's running costs and fuel economy as `/calc cost` and `/car stats` ask the calculator for
 * them: the car's records, fill-ups and odometer readings read from the items service and given
 * to the calculator in km, litres and integer minor units, its expenses added by kind
 * (lib/domain/figures.ts); figures are rounded only in the text.
 */
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { dayNumber, formatDate, fromDayNumber } from '../../../lib/domain/dates.ts'
import {
  type ChargeEntry,
  chargeSegments,
  EXPENSE_KINDS,
  type ExpenseEntry,
  fuelSegments,
  type Tank,
  TANK_LABEL,
} from '../../../lib/domain/figures.ts'
import { energyDigits } from '../../../lib/domain/energy.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import type { Presentation } from '../../../lib/domain/presentation.ts'
import { formatNumber } from '../../../lib/domain/text.ts'
import {
  ECONOMY_LABEL,
  ENERGY_LABEL,
  type EconomyUnit,
  fromKm,
  fromKmPerKwh,
  fromKmPerLitre,
  fromLitres,
  figuresUnit,
  KM_PER_MI,
  type MeterUnit,
  toKm,
  type VolumeUnit,
} from '../../../lib/domain/units.ts'
import { calculatorClient, callCalculator } from '../../clients/calculator.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import type { HandlerContext } from '../../handler.ts'
import type { CarView } from '../../../services/items/cars/model.ts'
import type { Garage } from './lookups.ts'

/** A figure with exactly `digits` decimals in the garage's number format ("6.50"; "6,50"). */
export const fmt = (n: number, digits: number, numbers: NumberFormat) => formatNumber(n, digits, digits, numbers)

export const economyText = (
  e: { mpgUs: number; mpgUk: number; lPer100km: number; kmPerLitre: number },
  numbers: NumberFormat,
) =>
  `${fmt(e.mpgUs, 1, numbers)} mpg (US) · ${fmt(e.mpgUk, 1, numbers)} mpg (UK) · ${fmt(e.lPer100km, 2, numbers)} L/100 km · ${fmt(e.kmPerLitre, 2, numbers)} km/L`

/** Money per distance in the car's distance unit ("$0.21/mi"), or per engine hour ("$4.10/h"). */
const perDistance = (minorPerKm: number, unit: MeterUnit, currency: string, numbers: NumberFormat) =>
  unit === 'mi'
    ? `${formatMoney(minorPerKm * KM_PER_MI, currency, 1, numbers)}/mi`
    : `${formatMoney(minorPerKm, currency, 1, numbers)}/${unit}`

/** A distance in the car's unit ("1,243 mi"; "1.243 mi"), or engine hours ("412 h"). */
export function distanceText(km: number, unit: MeterUnit, numbers: NumberFormat): string {
  return `${fmt(fromKm(km, figuresUnit(unit)), 0, numbers)} ${unit}`
}

/** Fuel per engine hour in the car's volume unit ("4.2 L/h", "1.1 gal/h"): an hour-meter car's economy. */
export const perHour = (litresPerHour: number, volume: VolumeUnit, numbers: NumberFormat) =>
  `${fmt(fromLitres(litresPerHour, volume), 1, numbers)} ${volume === 'impgal' ? 'gal (UK)' : volume}/h`

/** An odometer reading of the items views (a value in the car's unit), in km (hours as km); null when there is none. */
const readingKm = (value: number | null, unit: MeterUnit) => (value === null ? null : toKm(value, figuresUnit(unit)))

export type CarData = Awaited<ReturnType<typeof carData>>

/** A car with its records, fill-ups and readings as the calculator takes them (km, litres, minor units). */
export async function carData(ctx: HandlerContext, carRef: string, currency: string) {
  const items = itemsClient(ctx)
  const c = await callItems(items.cars({ car: carRef }).get())
  // Every record and fill-up, a page at a time: a figure over a period uses all of them.
  const [records, fillups, expenses, charges, readings] = await Promise.all([
    everyPage((page) => callItems(items.records.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.records),
    everyPage((page) => callItems(items.fillups.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.fillups),
    everyPage((page) => callItems(items.expenses.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.expenses),
    everyPage((page) => callItems(items.charges.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.charges),
    // every reading: the car's detail carries only its latest few, and a period reaches further back
    everyPage((page) => callItems(items.readings.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.readings),
  ])
  // Every fill-up counts in cost; the economy is of one tank at a time (AdBlue is not fuel):
  // the tank filled most is the car's economy, each tank's is a figure of its own (costFields).
  const allFillUps = fillups.map((f) => ({
    id: f.id,
    logged: f.number,
    date: f.date,
    odometerKm: readingKm(f.odometer_value, f.odometer_unit),
    litres: f.litres,
    full: f.full,
    missed: f.missed,
    ...(f.cost_minor === null ? {} : { costMinor: f.cost_minor }),
  }))
  const tankOf = new Map(fillups.map((f) => [f.id, f.tank]))
  const counted = new Map<string, number>()
  for (const f of fillups) if (f.tank !== null) counted.set(f.tank, (counted.get(f.tank) ?? 0) + 1)
  const mainTank = [...counted].sort((a, b) => b[1] - a[1])[0]?.[0] ?? ''
  return {
    car: c,
    records: records.map((r) => ({
      date: r.date,
      costMinor: r.cost_minor ?? 0,
      kind: r.kind,
      // Only an odometer typed on the record is a reading; one the record took from the car's
      // readings for its date is an estimate, and a distance measured from it would be made up.
      odometerKm: r.odometer_typed ? readingKm(r.odometer_value, r.odometer_unit) : null,
    })),
    // A fill-up without its odometer counts in cost, and its fuel in the segment around it.
    fillUps: allFillUps.filter((f) => tankOf.get(f.id) === mainTank),
    allFillUps,
    /** Each tank's fill-ups, for the economy of each (a dual-fuel car's LPG and petrol). */
    tanks: [...counted.keys()].map((tank) => ({ tank, fillUps: allFillUps.filter((f) => tankOf.get(f.id) === tank) })),
    charges: charges.map(
      (x): ChargeEntry => ({
        date: x.date,
        logged: x.number,
        kwh: x.kwh,
        costMinor: x.cost_minor ?? 0,
        odometerKm: readingKm(x.odometer_value, x.odometer_unit),
      }),
    ),
    readings: readings.map((r) => ({ date: r.read_on, km: toKm(r.value, figuresUnit(r.unit)) })),
    expenses: expenses.map((e): ExpenseEntry => ({ date: e.date, kind: e.kind, costMinor: e.cost_minor })),
    purchase:
      c.purchase_price && c.purchase_date
        ? { priceMinor: c.purchase_price.minor, date: c.purchase_date }
        : null,
    /** The latest value known after the purchase: the sale price of an archived car, else a valuation. */
    valuation: valuationOf(c),
    soldOn: c.archived?.on ?? null,
  }
}

/** The value a car's depreciation runs through: its sale price when archived with one, else its valuation (in the purchase's currency). */
function valuationOf(c: CarView): { minor: number; date: string } | null {
  const currency = c.purchase_price?.currency
  const sold = c.archived?.price
  if (c.archived && sold && sold.minor > 0 && sold.currency === currency) return { minor: sold.minor, date: c.archived.on }
  if (c.value && c.value.amount.currency === currency) return { minor: c.value.amount.minor, date: c.value.on }
  return null
}

/** The largest page the items lists give. */
const PAGE = 100

/** Every row of a paged items list. */
async function everyPage<R extends { next_page: number | null }, T>(
  read: (page: number) => Promise<R>,
  rows: (r: R) => T[],
): Promise<T[]> {
  const all: T[] = []
  for (let page: number | null = 1; page !== null; ) {
    const r: R = await read(page)
    all.push(...rows(r))
    page = r.next_page
  }
  return all
}

/**
 * The car's costs over the `days` up to the garage's today: the calculator's cost of ownership
 * (services/calculator/service.ts `costOfOwnership`, the one computation of every kind: fuel,
 * electricity, records, expenses, loan interest, depreciation), with the car's economy per tank
 * and electricity use beside it.
 */
export async function costOf(ctx: HandlerContext, d: CarData, g: Garage, days: number) {
  const to = g.today
  const from = fromDayNumber(dayNumber(to) - days + 1)
  const l = d.car.loan
  // a loan in another currency than the garage's (it changed since) cannot be added to its costs
  const loan = l && l.amount.currency === g.currency
    ? { principalMinor: l.amount.minor, ratePercent: l.rate_percent, months: l.months, start: l.start }
    : null
  const c = await callCalculator(
    calculatorClient(ctx).cost.post({
      currency: g.currency,
      from,
      to,
      records: d.records,
      fillUps: d.allFillUps,
      readings: d.readings,
      purchase: d.purchase,
      valuation: d.valuation,
      soldOn: d.soldOn,
      expenses: d.expenses,
      charges: d.charges,
      loan,
    }),
  )
  return {
    ...c,
    /** The car has a loan the costs cannot count (its currency is not the garage's). */
    loanElsewhere: l !== null && loan === null ? l.amount.currency : null,
    /** The car's electricity use over every charge (all of its history, as its fuel economy). */
    consumption: chargeSegments(d.charges).total,
    energyUnit: d.car.energy_unit,
    /** Each tank's economy over its whole history, when the car fills more than one. */
    tankEconomy:
      d.tanks.length < 2
        ? []
        : d.tanks.flatMap(({ tank, fillUps }) => {
            const t = fuelSegments(fillUps).total
            return t ? [{ tank: tank as Tank, ...t }] : []
          }),
    economyUnit: d.car.economy_unit as EconomyUnit,
    volumeUnit: d.car.volume_unit,
  }
}

/** A kind of cost as a breakdown names it. */
const KIND_LABEL: Readonly<Record<string, string>> = { loan_interest: 'Loan interest', electricity: 'Electricity' }
const kindLabel = (kind: string) => KIND_LABEL[kind] ?? `${kind[0]!.toUpperCase()}${kind.slice(1)}`

/** Which part of the period the odometer readings cover, when not all of it. */
function coverage(d: { from: string; to: string }, from: string, to: string, p: Presentation): string {
  const parts = [
    d.from !== from ? `from the first reading, ${formatDate(d.from, p.dates)}` : null,
    d.to !== to ? `to the last, ${formatDate(d.to, p.dates)}` : null,
  ]
  return `the readings cover it only ${parts.filter(Boolean).join(' ')}`
}

/** The cost fields of a car, per distance in the car's distance unit (`unit`), written the garage's way (`p`). */
export function costFields(
  c: Awaited<ReturnType<typeof costOf>>,
  unit: MeterUnit,
  p: Presentation,
): NonNullable<Reply['fields']> {
  const n = p.numbers
  const m = (x: number) => formatMoney(x, c.currency, 0, n)
  const count = (x: number) => formatNumber(x, 0, 0, n)
  const k = c.byKindMinor
  const fields: NonNullable<Reply['fields']> = []
  for (const x of c.kinds) {
    if (x.kind === 'depreciation') continue
    const what =
      x.kind === 'fuel'
        ? `${count(x.count)} fill-ups`
        : x.kind === 'electricity'
          ? `${count(x.count)} charges, ${formatNumber(c.electricity.kwh, 1, 0, n)} kWh`
          : x.kind === 'loan_interest'
            ? `${count(x.count)} payments`
            : count(x.count)
    fields.push({ name: kindLabel(x.kind), value: `${m(x.minor)} (${what})`, inline: true })
  }
  if (c.loanPayments.count > 0)
    fields.push({
      name: 'Loan payments',
      value: `${m(c.loanPayments.minor)} (${count(c.loanPayments.count)}), not a cost: the principal is the car (its depreciation)${c.loanInterest ? ' and the interest is counted from its loan' : '; set its loan with /car edit loan: so its interest counts'}`,
      inline: false,
    })
  if (c.loanElsewhere)
    fields.push({
      name: 'Loan interest',
      value: `unknown: the loan is in ${c.loanElsewhere}, the garage counts in ${c.currency}; set it again with /car edit loan:`,
      inline: false,
    })
  for (const t of c.tankEconomy)
    fields.push({
      name: `Economy (${TANK_LABEL[t.tank]})`,
      value:
        unit === 'h'
          ? perHour(t.litres / t.km, c.volumeUnit, n)
          : `${fmt(fromKmPerLitre(t.km / t.litres, c.economyUnit), 1, n)} ${ECONOMY_LABEL[c.economyUnit]}`,
      inline: true,
    })
  if (c.consumption) {
    const e = c.energyUnit
    fields.push({
      name: 'Electricity use',
      value: `${fmt(fromKmPerKwh(c.consumption.km / c.consumption.kwh, e), energyDigits(e), n)} ${ENERGY_LABEL[e]} over ${distanceText(c.consumption.km, unit, n)}`,
      inline: true,
    })
  }
  fields.push({
    name: 'Depreciation',
    value:
      c.depreciationMinor === null || c.depreciationPercent === null
        ? 'unknown (set purchase_price and purchase_date with /car edit)'
        : `${m(c.depreciationMinor)} (${formatNumber(c.depreciationPercent, 1, 0, n)}% a year, declining balance${c.valuation ? ` through ${m(c.valuation.minor)} on ${formatDate(c.valuation.date, p.dates)}` : ''})`,
    inline: true,
  })
  fields.push({ name: 'Per month', value: m(c.perMonthMinor), inline: true })
  fields.push({
    name: unit === 'h' ? 'Per hour' : 'Per distance',
    value:
      c.km && c.perKmMinor !== null
        ? `${perDistance(c.perKmMinor, unit, c.currency, n)} over ${distanceText(c.km, unit, n)}${c.distance && !c.distance.whole ? ` (${coverage(c.distance, c.from, c.to, p)})` : ''}${c.runningPerKmMinor !== null && c.depreciationMinor !== null ? ` (running costs alone ${perDistance(c.runningPerKmMinor, unit, c.currency, n)})` : ''}`
        : 'unknown (needs odometer readings in the period)',
    inline: false,
  })
  if (c.electricity.count > 0 && c.energyPerKmMinor !== null)
    fields.push({
      name: unit === 'h' ? 'Fuel and charging per hour' : 'Fuel and charging per distance',
      value: `${perDistance(c.energyPerKmMinor, unit, c.currency, n)} (fuel ${m(k.fuel)} + electricity ${m(c.electricity.minor)} over ${distanceText(c.km!, unit, n)})`,
      inline: false,
    })
  return withinRoom(fields)
}

/** The most fields a reply takes (Discord's 25), one left for the caller's own ("Last 12 months"). */
const ROOM = 24
const EXPENSE_LABELS = new Set(EXPENSE_KINDS.map(kindLabel))

/**
 * The cost fields within ROOM: a car with many kinds of expense, a loan and several tanks would
 * pass it, so its expenses are then shown in one field, kind by kind ("Insurance €856.80 (2) · …").
 */
function withinRoom(fields: NonNullable<Reply['fields']>): NonNullable<Reply['fields']> {
  if (fields.length <= ROOM) return fields
  const expenses = fields.filter((f) => EXPENSE_LABELS.has(f.name))
  const at = fields.findIndex((f) => EXPENSE_LABELS.has(f.name))
  const rest = fields.filter((f) => !EXPENSE_LABELS.has(f.name))
  const merged = { name: 'Expenses', value: expenses.map((f) => `${f.name} ${f.value}`).join(' · ').slice(0, 1024), inline: false }
  return [...rest.slice(0, at), merged, ...rest.slice(at)].slice(0, ROOM)
}
