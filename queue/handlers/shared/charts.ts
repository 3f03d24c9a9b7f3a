/**
 * `/car chart` and `/garage chart`: the worker gathers a car's records from items and computes
 * every figure with the functions the text answers use (the calculator's economy per segment,
 * as `/car stats`; `costOf` per month, as `/calc cost` for that month), then gives the reports
 * service the series to draw. The reply carries the key numbers as text (latest, average, best,
 * worst), so it stands without the picture; the PNG travels as the Reply's file.
 *
 * The reports service down: the job retries (the user sees the usual "unavailable, retrying"
 * notice); on the last attempt the text answer is sent with a note that the picture is
 * unavailable. A car with nothing logged gets no chart but what to log first.
 */
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { addMonths, dayNumber, formatDate, fromDayNumber } from '../../../lib/domain/dates.ts'
import { chargeSegments } from '../../../lib/domain/figures.ts'
import { formatMoney, fromMinor } from '../../../lib/domain/money.ts'
import { plural } from '../../../lib/domain/text.ts'
import {
  ECONOMY_LABEL,
  ENERGY_LABEL,
  type EconomyUnit,
  energyUnitFor,
  figuresUnit,
  fromKm,
  fromKmPerKwh,
  fromKmPerLitre,
  fromLitres,
  type DistanceUnit,
  KM_PER_MI,
  type MeterUnit,
  UNIT_SETS,
  type UnitSet,
  type VolumeUnit,
} from '../../../lib/domain/units.ts'
import type { ChartBody } from '../../../services/reports/model.ts'
import { calculatorClient, callCalculator } from '../../clients/calculator.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import { drawChart, storeFile } from '../../clients/reports.ts'
import { type HandlerContext, ServiceUnavailable, UserError } from '../../handler.ts'
import { type CarData, carData, costOf, fmt } from './costs.ts'
import { carRef } from './format.ts'
import { type Garage, garageOf } from './lookups.ts'

export const METRICS = ['economy', 'cost', 'distance', 'cost_per_distance'] as const
export type Metric = (typeof METRICS)[number]

/** Segments the rolling average of economy is taken over. */
export const ROLLING = 5
/** The most monthly buckets drawn; a longer period is drawn by year. */
export const MAX_MONTHS = 36

/** What a chart answer is before it is drawn: its text reply and, when there is something to draw, the chart. */
export type ChartPlan = { reply: Reply; chart?: ChartBody; file?: string }

export function checkMetric(metric: string): Metric {
  const m = METRICS.find((x) => x === metric.toLowerCase())
  if (!m) throw new UserError(`metric: "${metric.slice(0, 40)}" is not one of ${METRICS.join(', ')}`, 'metric')
  return m
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60) || 'chart'

/** A calendar day as the chart's time axis takes it (noon UTC, so no zone moves it a day). */
const at = (date: string) => Date.parse(`${date}T12:00:00Z`)

const round = (x: number, digits: number) => Number(x.toFixed(digits))

/** Latest, average, best and worst of a series, each with its label; `lower` when a lower value is better (L/100 km, cost). */
function keyNumbers(
  points: readonly { label: string; value: number }[],
  average: number,
  show: (v: number) => string,
  lower: boolean,
  names: { best: string; worst: string } = { best: 'Best', worst: 'Worst' },
): Reply['fields'] {
  const latest = points[points.length - 1]!
  let best = points[0]!
  let worst = points[0]!
  for (const p of points) {
    if (lower ? p.value < best.value : p.value > best.value) best = p
    if (lower ? p.value > worst.value : p.value < worst.value) worst = p
  }
  return [
    { name: 'Latest', value: `${show(latest.value)} (${latest.label})`, inline: true },
    { name: 'Average', value: show(average), inline: true },
    { name: names.best, value: `${show(best.value)} (${best.label})`, inline: true },
    { name: names.worst, value: `${show(worst.value)} (${worst.label})`, inline: true },
  ]
}

/** Nothing at all logged on the car: what to log first. */
function nothingLogged(d: CarData): boolean {
  return d.allFillUps.length === 0 && d.records.length === 0 && d.expenses.length === 0 && d.charges.length === 0
}

const firstLog = (nickname: string) =>
  `Nothing is logged for ${nickname} yet, so there is nothing to chart. Log its fill-ups first (/fuel log car:${nickname} volume:… odometer:… full:yes; two full ones with their odometer give its economy), its services (/service log) and other costs (/expense log).`

// ——— economy ———

type EconomyPoint = { date: string; km: number; amount: number }

/** Economy points drawn and summed: per segment, the rolling average, and the key numbers. */
function economySeries(
  points: readonly EconomyPoint[],
  toValue: (km: number, amount: number) => number,
  digits: number,
) {
  const perFill: [number, number][] = []
  const rolling: [number, number][] = []
  const labelled: { label: string; value: number }[] = []
  let windowKm = 0
  let windowAmount = 0
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!
    windowKm += p.km
    windowAmount += p.amount
    if (i >= ROLLING) {
      windowKm -= points[i - ROLLING]!.km
      windowAmount -= points[i - ROLLING]!.amount
    }
    const v = toValue(p.km, p.amount)
    perFill.push([at(p.date), round(v, digits + 1)])
    rolling.push([at(p.date), round(toValue(windowKm, windowAmount), digits + 1)])
    labelled.push({ label: p.date, value: v })
  }
  return { perFill, rolling, labelled }
}

/**
 * The car's economy per segment. `inUnit`: an economy unit to draw it in instead of the car's
 * (the garage chart puts every car on one axis, in the garage's units).
 */
async function economyPlan(ctx: HandlerContext, d: CarData, g: Garage, period?: { days: number; text: string }, inUnit?: EconomyUnit): Promise<ChartPlan> {
  const car = d.car
  const n = g.numbers
  const unit = car.odometer_unit as MeterUnit
  const from = period ? fromDayNumber(dayNumber(g.today) - period.days + 1) : null
  const inPeriod = (date: string) => from === null || dayNumber(date) >= dayNumber(from)
  const during = period ? ` over ${period.text}` : ''
  // The same call as /car stats: the calculator's segments of the car's main tank.
  const eco = d.fillUps.length > 0 ? await callCalculator(calculatorClient(ctx).economy.post({ fillUps: d.fillUps })) : null
  const fuel: EconomyPoint[] = (eco?.entries ?? []).flatMap((e) =>
    e.segment && inPeriod(e.date) ? [{ date: e.date, km: e.segment.km, amount: e.segment.litres }] : [],
  )
  if (fuel.length > 0) {
    const hours = unit === 'h'
    const economyUnit = inUnit ?? (car.economy_unit as EconomyUnit)
    const volume = car.volume_unit as VolumeUnit
    // An hour-meter car's economy is fuel per hour (its figures count hours as km), as in /car stats.
    const toValue = (km: number, litres: number) => (hours ? fromLitres(litres / km, volume) : fromKmPerLitre(km / litres, economyUnit))
    const label = hours ? `${volume === 'impgal' ? 'gal (UK)' : volume}/h` : ECONOMY_LABEL[economyUnit]
    const show = (v: number) => `${fmt(v, 1, n)} ${label}`
    const lower = hours || economyUnit === 'L/100km'
    const s = economySeries(fuel, toValue, 1)
    // Without a period the average is the calculator's over every segment, the one /car stats shows.
    const total = !period && eco?.average ? { km: eco.average.km, amount: eco.average.litres } : sum(fuel)
    const average = toValue(total.km, total.amount)
    const fields = keyNumbers(
      s.labelled.map((p) => ({ ...p, label: formatDate(p.label, g.dates) })),
      average,
      show,
      lower,
    )
    return {
      reply: {
        tone: 'ok',
        title: `${car.nickname}: fuel economy${during}`,
        text: `Average ${show(average)} over ${plural(fuel.length, 'full-to-full segment')}${during}; the chart shows each segment and the rolling average of the last ${ROLLING}.`,
        fields,
        ref: carRef(car.nickname),
      },
      chart: {
        title: `${car.nickname}: fuel economy${during}`,
        subtitle: `${label}, per full-to-full segment; ${lower ? 'lower' : 'higher'} is better`,
        x: { kind: 'time' },
        y: { label, zero: false },
        series: [
          { name: 'per fill-up', type: 'line', values: [], points: s.perFill },
          { name: `rolling average (${ROLLING})`, type: 'line', dashed: true, values: [], points: s.rolling },
        ],
      },
      file: `${safeName(car.nickname)}-economy.png`,
    }
  }
  const charges = chargeSegments(d.charges).entries.flatMap((e) =>
    e.segment && inPeriod(e.charge.date) ? [{ date: e.charge.date, km: e.segment.km, amount: e.segment.kwh }] : [],
  )
  if (charges.length > 0) {
    const e = energyUnitFor(figuresUnit(unit))
    const digits = e === 'mi/kWh' ? 2 : 1
    const toValue = (km: number, kwh: number) => fromKmPerKwh(km / kwh, e)
    const show = (v: number) => `${fmt(v, digits, n)} ${ENERGY_LABEL[e]}`
    const lower = e === 'kWh/100km' || e === 'Wh/mi'
    const s = economySeries(charges, toValue, digits)
    const average = toValue(sum(charges).km, sum(charges).amount)
    return {
      reply: {
        tone: 'ok',
        title: `${car.nickname}: electricity use${during}`,
        text: `Average ${show(average)} over ${plural(charges.length, 'stretch', 'stretches')} between charges${during}; the chart shows each stretch and the rolling average of the last ${ROLLING}.`,
        fields: keyNumbers(s.labelled.map((p) => ({ ...p, label: formatDate(p.label, g.dates) })), average, show, lower),
        ref: carRef(car.nickname),
      },
      chart: {
        title: `${car.nickname}: electricity use${during}`,
        subtitle: `${ENERGY_LABEL[e]}, per stretch between charges; ${lower ? 'lower' : 'higher'} is better`,
        x: { kind: 'time' },
        y: { label: ENERGY_LABEL[e], zero: false },
        series: [
          { name: 'per charge', type: 'line', values: [], points: s.perFill },
          { name: `rolling average (${ROLLING})`, type: 'line', dashed: true, values: [], points: s.rolling },
        ],
      },
      file: `${safeName(car.nickname)}-economy.png`,
    }
  }
  if (nothingLogged(d)) return { reply: { tone: 'ok', title: `${car.nickname}: nothing to chart yet`, text: firstLog(car.nickname) } }
  return {
    reply: {
      tone: 'ok',
      title: `${car.nickname}: no fuel economy yet${during}`,
      text: `Not enough fill-ups for a fuel economy chart${during}: log two full fill-ups with their odometer (/fuel log car:${car.nickname} volume:… odometer:… full:yes).`,
    },
  }
}

const sum = (points: readonly EconomyPoint[]) =>
  points.reduce((a, p) => ({ km: a.km + p.km, amount: a.amount + p.amount }), { km: 0, amount: 0 })

// ——— per month ———

export type Bucket = { from: string; to: string; label: string }

/**
 * The months (or, past MAX_MONTHS, the years) from `from` to `to`, the first and last cut to the
 * period: the chart's bars, each one a period `/calc cost` could be asked for.
 */
export function buckets(from: string, to: string): Bucket[] {
  const months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1
  const byYear = months > MAX_MONTHS
  const out: Bucket[] = []
  let start = byYear ? `${from.slice(0, 4)}-01-01` : `${from.slice(0, 7)}-01`
  while (start <= to) {
    const next = byYear ? `${Number(start.slice(0, 4)) + 1}-01-01` : addMonths(start, 1)
    const end = fromDayNumber(dayNumber(next) - 1)
    out.push({ from: start < from ? from : start, to: end > to ? to : end, label: byYear ? start.slice(0, 4) : start.slice(0, 7) })
    start = next
  }
  return out
}

export type CostOf = Awaited<ReturnType<typeof costOf>>

/** `/calc cost`'s figures of each bucket (the same function, its period ending on the bucket's last day). */
export async function costsBy(ctx: HandlerContext, d: CarData, g: Garage, list: readonly Bucket[]): Promise<CostOf[]> {
  const out: CostOf[] = []
  // A few at a time: a 50-year chart is 50 calculator calls, not 600.
  for (let i = 0; i < list.length; i += 8)
    out.push(
      ...(await Promise.all(
        list.slice(i, i + 8).map((b) => costOf(ctx, d, { ...g, today: b.to }, dayNumber(b.to) - dayNumber(b.from) + 1)),
      )),
    )
  return out
}

const KIND_LABEL: Record<string, string> = { loan_interest: 'loan interest' }

/** A period's cost split by kind as the calculator names them (`kinds`, whose sum is its total). */
export function costKinds(c: CostOf): Record<string, number> {
  const parts: Record<string, number> = {}
  for (const k of c.kinds) parts[k.kind] = (parts[k.kind] ?? 0) + k.minor
  return parts
}

/** Money per distance in the car's unit, in minor units per mi / km / h. */
const perUnit = (minorPerKm: number, unit: MeterUnit) => (unit === 'mi' ? minorPerKm * KM_PER_MI : minorPerKm)

async function monthlyPlan(
  ctx: HandlerContext,
  d: CarData,
  g: Garage,
  metric: Exclude<Metric, 'economy'>,
  period?: { days: number; text: string },
  /** Distances in this unit instead of the car's (the garage's chart: one axis for every car); an hour meter keeps h. */
  distanceUnit?: DistanceUnit,
): Promise<ChartPlan> {
  const car = d.car
  if (nothingLogged(d)) return { reply: { tone: 'ok', title: `${car.nickname}: nothing to chart yet`, text: firstLog(car.nickname) } }
  const n = g.numbers
  const unit = (distanceUnit && car.odometer_unit !== 'h' ? distanceUnit : car.odometer_unit) as MeterUnit
  const days = period?.days ?? 365
  const from = fromDayNumber(dayNumber(g.today) - days + 1)
  const list = buckets(from, g.today)
  const byYear = list.length > 1 && list[0]!.label.length === 4
  const per = byYear ? 'year' : 'month'
  const costs = await costsBy(ctx, d, g, list)
  const span = `${formatDate(from, g.dates)} – ${formatDate(g.today, g.dates)}`
  const during = `over ${period?.text ?? '12m'} (${span})`
  const money = (minor: number, extra = 0) => formatMoney(minor, g.currency, extra, n)
  const title = (what: string) => `${car.nickname}: ${what} per ${per}`
  const file = `${safeName(car.nickname)}-${metric}.png`

  if (metric === 'cost') {
    const totals = costs.map((c) => c.totalMinor)
    const all = totals.reduce((a, b) => a + b, 0)
    const kinds = costs.map(costKinds)
    const names = [...new Set(kinds.flatMap((k) => Object.keys(k)))].filter((k) => kinds.some((x) => (x[k] ?? 0) !== 0))
    if (names.length === 0)
      return { reply: { tone: 'ok', title: title('cost'), text: `No cost is recorded for ${car.nickname} ${during}. Log costs with /fuel log (cost:), /service log and /expense log.` } }
    return {
      reply: {
        tone: 'ok',
        title: title('cost'),
        text: `${money(all)} ${during}, ${money(all / list.length)} a ${per} on average (each ${per} as /calc cost counts it: every kind of cost, depreciation included when known).`,
        fields: keyNumbers(totals.map((v, i) => ({ label: list[i]!.label, value: v })), all / list.length, (v) => money(v), true, { best: 'Lowest', worst: 'Highest' }),
        ref: carRef(car.nickname),
      },
      chart: {
        title: title('cost'),
        subtitle: `${g.currency}, stacked by kind, ${span}`,
        x: { kind: 'category', labels: list.map((b) => b.label) },
        y: { label: g.currency },
        series: names.map((k) => ({ name: KIND_LABEL[k] ?? k, type: 'bar' as const, stack: 'cost', values: kinds.map((x) => round(fromMinor(x[k] ?? 0, g.currency), 2)) })),
      },
      file,
    }
  }

  const dist = figuresUnit(unit)
  const values = costs.map((c) =>
    metric === 'distance'
      ? c.km === null ? null : fromKm(c.km, dist)
      : c.perKmMinor === null ? null : perUnit(c.perKmMinor, unit),
  )
  const known = values.flatMap((v, i) => (v === null ? [] : [{ label: list[i]!.label, value: v }]))
  if (known.length === 0)
    return {
      reply: {
        tone: 'ok',
        title: title(metric === 'distance' ? 'distance' : 'cost per distance'),
        text: `${metric === 'distance' ? 'Distance' : 'Cost per distance'} cannot be computed for ${car.nickname} ${during}: it needs odometer readings in the period (/car odometer, or odometers on fill-ups and services).`,
      },
    }
  const unknown = values.length - known.length
  const unknownNote = unknown > 0 ? ` ${plural(unknown, per)} without odometer readings to measure ${unknown === 1 ? 'is' : 'are'} left blank.` : ''
  if (metric === 'distance') {
    const totalKm = costs.reduce((a, c) => a + (c.km ?? 0), 0)
    const show = (v: number) => `${fmt(v, 0, n)} ${unit}`
    const average = known.reduce((a, p) => a + p.value, 0) / known.length
    return {
      reply: {
        tone: 'ok',
        title: title('distance'),
        text: `${show(fromKm(totalKm, dist))} ${during}, ${show(average)} a ${per} on average.${unknownNote}`,
        fields: keyNumbers(known, average, show, false, { best: 'Most', worst: 'Least' }),
        ref: carRef(car.nickname),
      },
      chart: {
        title: title('distance'),
        subtitle: `${unit}, ${span}`,
        x: { kind: 'category', labels: list.map((b) => b.label) },
        y: { label: unit },
        series: [{ name: 'distance', type: 'bar', values: values.map((v) => (v === null ? null : round(v, 1))) }],
      },
      file,
    }
  }
  const show = (minor: number) => `${money(minor, 1)}/${unit}`
  const totalKm = costs.reduce((a, c) => a + (c.km ?? 0), 0)
  const totalMinor = costs.reduce((a, c) => a + (c.km ? c.totalMinor : 0), 0)
  const average = perUnit(totalMinor / totalKm, unit)
  return {
    reply: {
      tone: 'ok',
      title: title('cost per distance'),
      text: `${show(average)} ${during} (${money(totalMinor)} over ${fmt(fromKm(totalKm, dist), 0, n)} ${unit} in the ${per}s with readings).${unknownNote}`,
      fields: keyNumbers(known, average, show, true, { best: 'Lowest', worst: 'Highest' }),
      ref: carRef(car.nickname),
    },
    chart: {
      title: title('cost per distance'),
      subtitle: `${g.currency} per ${unit}, ${span}`,
      x: { kind: 'category', labels: list.map((b) => b.label) },
      y: { label: `${g.currency}/${unit}` },
      series: [{ name: `cost per ${unit}`, type: 'line', values: values.map((v) => (v === null ? null : round(fromMinor(v, g.currency), 4))) }],
    },
    file,
  }
}

// ——— drawing and delivery ———

/** The note a chart answer carries when its picture could not be made. */
export const NO_PICTURE = 'The picture is unavailable right now (the reports service cannot be reached); the figures above stand.'

/**
 * The plan's reply with its picture: drawn by the reports service and stored as the Reply's
 * file. The reports service down: retried like any service; on the job's last attempt the text
 * goes out alone with a note saying so.
 */
export async function withPicture(ctx: HandlerContext, plan: ChartPlan): Promise<Reply> {
  if (!plan.chart) return plan.reply
  let png: Uint8Array
  try {
    png = await drawChart(ctx, plan.chart)
  } catch (error) {
    if (!(error instanceof ServiceUnavailable) || !ctx.finalAttempt) throw error
    ctx.log.warn({ err: error }, 'reports service unavailable on the last attempt; answering without the picture')
    return { ...plan.reply, tone: 'warn', text: `${plan.reply.text}\n${NO_PICTURE}` }
  }
  const file = await storeFile(ctx, png, plan.file ?? 'chart.png', 'image/png')
  return { ...plan.reply, file }
}

export type ChartPayload = { car: string; metric: string; period?: { days: number; text: string } }

/** The plan of `/car chart` (its figures and chart, not yet drawn). */
export async function carChartPlan(ctx: HandlerContext, p: ChartPayload): Promise<ChartPlan> {
  const metric = checkMetric(p.metric)
  const g = await garageOf(ctx)
  const d = await carData(ctx, p.car, g.currency)
  return metric === 'economy' ? economyPlan(ctx, d, g, p.period) : monthlyPlan(ctx, d, g, metric, p.period)
}

/** `/car chart car: metric: [period:]`. */
export async function carChart(p: ChartPayload, ctx: HandlerContext): Promise<Reply> {
  return withPicture(ctx, await carChartPlan(ctx, p))
}

// ——— the garage's cars side by side ———

/** The units of a garage's setting (metric, imperial or uk); metric when it names none of them. */
const unitsOf = (units: string) => UNIT_SETS[(units in UNIT_SETS ? units : 'metric') as UnitSet]

export type GarageChartPayload = { metric: string; period?: { days: number; text: string } }

/** Per car, the monthly values of a metric (or its economy over time), one series each. */
export async function garageChartPlan(ctx: HandlerContext, p: GarageChartPayload): Promise<ChartPlan> {
  const metric = checkMetric(p.metric)
  const g = await garageOf(ctx)
  const { cars } = await callItems(itemsClient(ctx).cars.get())
  if (cars.length === 0) return { reply: { tone: 'ok', title: 'No cars to chart', text: 'No cars yet: add one with /car add, then log its fill-ups and costs.' } }
  const plans = await Promise.all(cars.map(async (c) => {
    const d = await carData(ctx, c.nickname, g.currency)
    const units = unitsOf(g.units)
    return { d, plan: metric === 'economy' ? await economyPlan(ctx, d, g, p.period, units.economy) : await monthlyPlan(ctx, d, g, metric, p.period, units.distance) }
  }))
  const drawn = plans.filter((x) => x.plan.chart && x.plan.chart.series.length > 0)
  const lines = plans.map(({ d, plan }) => {
    const avg = plan.reply.fields?.find((f) => f.name === 'Average')?.value
    const latest = plan.reply.fields?.find((f) => f.name === 'Latest')?.value
    return avg ? `${d.car.nickname}: average ${avg}, latest ${latest}` : `${d.car.nickname}: ${plan.reply.text.split('\n')[0]}`
  })
  const what = { economy: 'fuel economy', cost: 'cost', distance: 'distance', cost_per_distance: 'cost per distance' }[metric]
  const title = `The garage's cars: ${what}${p.period ? ` over ${p.period.text}` : ''}`
  if (drawn.length === 0) return { reply: { tone: 'ok', title, text: lines.join('\n') } }
  // One axis: every car's series must be in one unit. Economy and distances are drawn in the
  // garage's units; an hour-meter car's fuel per hour (or a distance in hours) cannot share it and
  // is left out of the picture, its figures still in the text.
  const first = drawn[0]!.plan.chart!
  const same = drawn.filter((x) => x.plan.chart!.y.label === first.y.label)
  const left = drawn.length - same.length
  const series: ChartBody['series'] = []
  let x: ChartBody['x'] = first.x
  if (metric === 'economy') {
    same.forEach(({ d, plan }) => series.push({ name: d.car.nickname, type: 'line', values: [], points: plan.chart!.series[1]!.points ?? [] }))
  } else {
    x = first.x
    same.forEach(({ d, plan }) => {
      const c = plan.chart!
      const values = c.series[0]!.values.map((_, i) => {
        const parts = c.series.map((s) => s.values[i] ?? null)
        return parts.every((v) => v === null) ? null : round(parts.reduce<number>((a, v) => a + (v ?? 0), 0), 4)
      })
      series.push({ name: d.car.nickname, type: metric === 'cost_per_distance' ? 'line' : 'bar', values })
    })
  }
  const note = left > 0 ? `\n${plural(left, 'car')} in other units ${left === 1 ? 'is' : 'are'} not drawn (the text above gives ${left === 1 ? 'its' : 'their'} figures).` : ''
  return {
    reply: { tone: 'ok', title, text: lines.join('\n') + note },
    chart: {
      title,
      subtitle: metric === 'economy' ? `${first.y.label}, rolling average of ${ROLLING} segments per car` : first.subtitle?.replace(', stacked by kind', ', per car'),
      x,
      y: first.y,
      series,
    },
    file: `garage-${metric}.png`,
  }
}

/** `/garage chart metric: [period:]`. */
export async function garageChart(p: GarageChartPayload, ctx: HandlerContext): Promise<Reply> {
  return withPicture(ctx, await garageChartPlan(ctx, p))
}

