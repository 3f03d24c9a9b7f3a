/**
 * A car's running costs and fuel economy as `/calc cost` and `/car stats` ask the calculator for
 * them: the car's records, fill-ups and odometer readings read from the items service and given
 * to the calculator in km, litres and integer minor units; figures are rounded only in the text.
 */
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { dayNumber, fromDayNumber } from '../../../lib/domain/dates.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import { formatNumber } from '../../../lib/domain/text.ts'
import { type DistanceUnit, fromKm, KM_PER_MI, toKm } from '../../../lib/domain/units.ts'
import { calculatorClient, callCalculator } from '../../clients/calculator.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import type { HandlerContext } from '../../handler.ts'
import type { Garage } from './lookups.ts'

/** A figure with exactly `digits` decimals ("6.50"). */
export const fmt = (n: number, digits = 1) => formatNumber(n, digits, digits)

export const economyText = (e: { mpgUs: number; mpgUk: number; lPer100km: number; kmPerLitre: number }) =>
  `${fmt(e.mpgUs)} mpg (US) · ${fmt(e.mpgUk)} mpg (UK) · ${fmt(e.lPer100km, 2)} L/100 km · ${fmt(e.kmPerLitre, 2)} km/L`

/** Money per distance in the car's distance unit ("$0.21/mi"). */
const perDistance = (minorPerKm: number, unit: DistanceUnit, currency: string) =>
  unit === 'mi'
    ? `${formatMoney(minorPerKm * KM_PER_MI, currency, 1)}/mi`
    : `${formatMoney(minorPerKm, currency, 1)}/km`

/** A distance in the car's unit ("1,243 mi"). */
export function distanceText(km: number, unit: DistanceUnit): string {
  return `${fmt(fromKm(km, unit), 0)} ${unit}`
}

/** An odometer reading of the items views (a value in the car's unit), in km; null when there is none. */
const readingKm = (value: number | null, unit: 'km' | 'mi') => (value === null ? null : toKm(value, unit))

export type CarData = Awaited<ReturnType<typeof carData>>

/** A car with its records, fill-ups and readings as the calculator takes them (km, litres, minor units). */
export async function carData(ctx: HandlerContext, carRef: string, currency: string) {
  const items = itemsClient(ctx)
  const c = await callItems(items.cars({ car: carRef }).get())
  // Every record and fill-up, a page at a time: a figure over a period uses all of them.
  const [records, fillups] = await Promise.all([
    everyPage((page) => callItems(items.records.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.records),
    everyPage((page) => callItems(items.fillups.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.fillups),
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
  return callCalculator(
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

/** Which part of the period the odometer readings cover, when not all of it. */
function coverage(d: { from: string; to: string }, from: string, to: string): string {
  const parts = [d.from !== from ? `from the first reading, ${d.from}` : null, d.to !== to ? `to the last, ${d.to}` : null]
  return `the readings cover it only ${parts.filter(Boolean).join(' ')}`
}

/** The cost fields of a car, per distance in the car's distance unit (`unit`). */
export function costFields(c: Awaited<ReturnType<typeof costOf>>, unit: DistanceUnit): NonNullable<Reply['fields']> {
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
        ? `${perDistance(c.perKmMinor, unit, c.currency)} over ${distanceText(c.km, unit)}${c.distance && !c.distance.whole ? ` (${coverage(c.distance, c.from, c.to)})` : ''}${c.runningPerKmMinor !== null && c.depreciationMinor !== null ? ` (running costs alone ${perDistance(c.runningPerKmMinor, unit, c.currency)})` : ''}`
        : 'unknown (needs odometer readings in the period)',
    inline: false,
  })
  return fields
}
