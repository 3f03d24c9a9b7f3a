/**
 * A car's running costs and fuel economy as `/calc cost` and `/car stats` ask the calculator for
 * them: the car's records, fill-ups and odometer readings read from the items service and given
 * to the calculator in km, litres and integer minor units, its expenses added by kind
 * (lib/domain/figures.ts); figures are rounded only in the text.
 */
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { dayNumber, formatDate, fromDayNumber } from '../../../lib/domain/dates.ts'
import { EXPENSE_KINDS, type ExpenseEntry, expensesInPeriod } from '../../../lib/domain/figures.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import type { Presentation } from '../../../lib/domain/presentation.ts'
import { formatNumber } from '../../../lib/domain/text.ts'
import { type DistanceUnit, fromKm, KM_PER_MI, toKm } from '../../../lib/domain/units.ts'
import { calculatorClient, callCalculator } from '../../clients/calculator.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import type { HandlerContext } from '../../handler.ts'
import type { Garage } from './lookups.ts'

/** A figure with exactly `digits` decimals in the garage's number format ("6.50"; "6,50"). */
export const fmt = (n: number, digits: number, numbers: NumberFormat) => formatNumber(n, digits, digits, numbers)

export const economyText = (
  e: { mpgUs: number; mpgUk: number; lPer100km: number; kmPerLitre: number },
  numbers: NumberFormat,
) =>
  `${fmt(e.mpgUs, 1, numbers)} mpg (US) · ${fmt(e.mpgUk, 1, numbers)} mpg (UK) · ${fmt(e.lPer100km, 2, numbers)} L/100 km · ${fmt(e.kmPerLitre, 2, numbers)} km/L`

/** Money per distance in the car's distance unit ("$0.21/mi"). */
const perDistance = (minorPerKm: number, unit: DistanceUnit, currency: string, numbers: NumberFormat) =>
  unit === 'mi'
    ? `${formatMoney(minorPerKm * KM_PER_MI, currency, 1, numbers)}/mi`
    : `${formatMoney(minorPerKm, currency, 1, numbers)}/km`

/** A distance in the car's unit ("1,243 mi"; "1.243 mi"). */
export function distanceText(km: number, unit: DistanceUnit, numbers: NumberFormat): string {
  return `${fmt(fromKm(km, unit), 0, numbers)} ${unit}`
}

/** An odometer reading of the items views (a value in the car's unit), in km; null when there is none. */
const readingKm = (value: number | null, unit: 'km' | 'mi') => (value === null ? null : toKm(value, unit))

export type CarData = Awaited<ReturnType<typeof carData>>

/** A car with its records, fill-ups and readings as the calculator takes them (km, litres, minor units). */
export async function carData(ctx: HandlerContext, carRef: string, currency: string) {
  const items = itemsClient(ctx)
  const c = await callItems(items.cars({ car: carRef }).get())
  // Every record and fill-up, a page at a time: a figure over a period uses all of them.
  const [records, fillups, expenses] = await Promise.all([
    everyPage((page) => callItems(items.records.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.records),
    everyPage((page) => callItems(items.fillups.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.fillups),
    everyPage((page) => callItems(items.expenses.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.expenses),
  ])
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
    fillUps: fillups.map((f) => ({
      id: f.id,
      logged: f.number,
      date: f.date,
      odometerKm: readingKm(f.odometer_value, f.odometer_unit),
      litres: f.litres,
      full: f.full,
      missed: f.missed,
      ...(f.cost_minor === null ? {} : { costMinor: f.cost_minor }),
    })),
    readings: c.readings.map((r) => ({ date: r.read_on, km: toKm(r.value, r.unit) })),
    expenses: expenses.map((e): ExpenseEntry => ({ date: e.date, kind: e.kind, costMinor: e.cost_minor })),
    purchase:
      c.purchase_price && c.purchase_date
        ? { priceMinor: c.purchase_price.minor, date: c.purchase_date }
        : null,
  }
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

/** The car's costs over the `days` up to the garage's today. */
export async function costOf(ctx: HandlerContext, d: CarData, g: Garage, days: number) {
  const to = g.today
  const from = fromDayNumber(dayNumber(to) - days + 1)
  const c = await callCalculator(
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
  // Expenses (insurance, tax, tolls …) are summed by kind here and are running costs: they go
  // into the running and total costs and every rate built on them.
  const expenses = expensesInPeriod(d.expenses, from, to)
  const running = c.runningMinor + expenses.totalMinor
  const total = c.totalMinor + expenses.totalMinor
  return {
    ...c,
    expenses,
    runningMinor: running,
    totalMinor: total,
    perMonthMinor: total / c.months,
    perKmMinor: c.km ? total / c.km : null,
    runningPerKmMinor: c.km ? running / c.km : null,
  }
}

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
  unit: DistanceUnit,
  p: Presentation,
): NonNullable<Reply['fields']> {
  const n = p.numbers
  const m = (x: number) => formatMoney(x, c.currency, 0, n)
  const count = (x: number) => formatNumber(x, 0, 0, n)
  const k = c.byKindMinor
  const fields: NonNullable<Reply['fields']> = [
    { name: 'Fuel', value: `${m(k.fuel)} (${count(c.counts.fuel)} fill-ups)`, inline: true },
    { name: 'Service', value: `${m(k.service)} (${count(c.counts.service)})`, inline: true },
    { name: 'Repair', value: `${m(k.repair)} (${count(c.counts.repair)})`, inline: true },
    { name: 'Upgrade', value: `${m(k.upgrade)} (${count(c.counts.upgrade)})`, inline: true },
  ]
  for (const kind of EXPENSE_KINDS) {
    const e = c.expenses.byKind[kind]
    if (e) fields.push({ name: `${kind[0]!.toUpperCase()}${kind.slice(1)}`, value: `${m(e.minor)} (${count(e.count)})`, inline: true })
  }
  fields.push({
    name: 'Depreciation',
    value:
      c.depreciationMinor === null || c.depreciationPercent === null
        ? 'unknown (set purchase_price and purchase_date with /car edit)'
        : `${m(c.depreciationMinor)} (${formatNumber(c.depreciationPercent, 1, 0, n)}% a year, declining balance)`,
    inline: true,
  })
  fields.push({ name: 'Per month', value: m(c.perMonthMinor), inline: true })
  fields.push({
    name: 'Per distance',
    value:
      c.km && c.perKmMinor !== null
        ? `${perDistance(c.perKmMinor, unit, c.currency, n)} over ${distanceText(c.km, unit, n)}${c.distance && !c.distance.whole ? ` (${coverage(c.distance, c.from, c.to, p)})` : ''}${c.runningPerKmMinor !== null && c.depreciationMinor !== null ? ` (running costs alone ${perDistance(c.runningPerKmMinor, unit, c.currency, n)})` : ''}`
        : 'unknown (needs odometer readings in the period)',
    inline: false,
  })
  return fields
}
