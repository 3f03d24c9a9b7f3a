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
  chargesInPeriod,
  EXPENSE_KINDS,
  type ExpenseEntry,
  expensesInPeriod,
  fuelSegments,
  type Tank,
  TANK_LABEL,
} from '../../../lib/domain/figures.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'
import type { Presentation } from '../../../lib/domain/presentation.ts'
import { formatNumber } from '../../../lib/domain/text.ts'
import {
  ECONOMY_LABEL,
  ENERGY_LABEL,
  type EconomyUnit,
  energyUnitFor,
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
  const [records, fillups, expenses, charges] = await Promise.all([
    everyPage((page) => callItems(items.records.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.records),
    everyPage((page) => callItems(items.fillups.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.fillups),
    everyPage((page) => callItems(items.expenses.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.expenses),
    everyPage((page) => callItems(items.charges.get({ query: { car: c.nickname, limit: PAGE, page } })), (r) => r.charges),
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
    readings: c.readings.map((r) => ({ date: r.read_on, km: toKm(r.value, figuresUnit(r.unit)) })),
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
      fillUps: d.allFillUps,
      // a charge's odometer is a reading too (it makes none of its own)
      readings: [...d.readings, ...d.charges.flatMap((x) => (x.odometerKm === null ? [] : [{ date: x.date, km: x.odometerKm }]))],
      purchase: d.purchase,
    }),
  )
  // Expenses (insurance, tax, tolls …) are summed by kind here and are running costs: they go
  // into the running and total costs and every rate built on them.
  const expenses = expensesInPeriod(d.expenses, from, to)
  // Charging is a running cost beside fuel; with it, fuel and electricity per distance is a
  // plug-in hybrid's energy cost per km or mile.
  const electricity = chargesInPeriod(d.charges, from, to)
  const running = c.runningMinor + expenses.totalMinor + electricity.minor
  const total = c.totalMinor + expenses.totalMinor + electricity.minor
  return {
    ...c,
    expenses,
    electricity,
    energyPerKmMinor: c.km ? (c.byKindMinor.fuel + electricity.minor) / c.km : null,
    /** The car's electricity use over every charge (all of its history, as its fuel economy). */
    consumption: chargeSegments(d.charges).total,
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
  unit: MeterUnit,
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
  if (c.electricity.count > 0)
    fields.push({
      name: 'Electricity',
      value: `${m(c.electricity.minor)} (${count(c.electricity.count)} charges, ${formatNumber(c.electricity.kwh, 1, 0, n)} kWh)`,
      inline: true,
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
    const e = energyUnitFor(figuresUnit(unit))
    fields.push({
      name: 'Electricity use',
      value: `${fmt(fromKmPerKwh(c.consumption.km / c.consumption.kwh, e), e === 'mi/kWh' ? 2 : 1, n)} ${ENERGY_LABEL[e]} over ${distanceText(c.consumption.km, unit, n)}`,
      inline: true,
    })
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
  return fields
}
