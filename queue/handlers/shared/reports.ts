/**
 * `/car report` (a car's history as a PDF) and `/garage report year:` (the year's costs per car
 * and kind). The worker reads the car, its readings, records, fill-ups, charges, expenses,
 * issues and photo thumbnails from the services, writes every figure the way the text answers
 * do (the same `costOf`, `fuelSegments`, money and number formats), and has the reports
 * service lay the document out. The PDF travels as the Reply's file; a report is no report
 * without it, so the reports service down is retried and then said, like any service.
 */
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { dayNumber, formatDate } from '../../../lib/domain/dates.ts'
import { EXPENSE_KINDS, expensesInPeriod, fuelSegments } from '../../../lib/domain/figures.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import { formatNumber, plural } from '../../../lib/domain/text.ts'
import { ECONOMY_LABEL, type EconomyUnit, fromKmPerLitre, fromLitres, type MeterUnit, type VolumeUnit } from '../../../lib/domain/units.ts'
import type { PdfDoc } from '../../../services/reports/model.ts'
import { callImages, imagesClient } from '../../clients/images.ts'
import { callIssues, issuesClient } from '../../clients/issues.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import { drawPdf, storeFile } from '../../clients/reports.ts'
import { type HandlerContext, UserError } from '../../handler.ts'
import { type CostOf, costKinds } from './charts.ts'
import { carData, costOf, fmt } from './costs.ts'
import { carRef } from './format.ts'
import { type Garage, garageOf } from './lookups.ts'

/** Photos a report shows as thumbnails. */
export const REPORT_PHOTOS = 20
const PAGE = 100

async function everyPage<R extends { next_page: number | null }, T>(read: (page: number) => Promise<R>, rows: (r: R) => T[]): Promise<T[]> {
  const all: T[] = []
  for (let page: number | null = 1; page !== null; ) {
    const r: R = await read(page)
    all.push(...rows(r))
    page = r.next_page
  }
  return all
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60) || 'car'

/** A thumbnail's bytes from the images service, or null when it cannot be had (the report shows the rest). */
async function thumbnail(ctx: HandlerContext, sha256: string): Promise<string | null> {
  try {
    const res = await fetch(`${ctx.serviceUrl('images')}/images/${sha256}/256`, { headers: ctx.serviceHeaders(), signal: AbortSignal.timeout(10_000) })
    if (!res.ok) {
      await res.body?.cancel()
      return null
    }
    return Buffer.from(await res.arrayBuffer()).toString('base64')
  } catch {
    return null
  }
}

/** The Reply of a drawn PDF: stored as this garage's file and carried by reference. */
async function pdfReply(ctx: HandlerContext, doc: PdfDoc, name: string, reply: Omit<Reply, 'file'>): Promise<Reply> {
  const bytes = await drawPdf(ctx, doc)
  const file = await storeFile(ctx, bytes, name, 'application/pdf')
  return { ...reply, file }
}

/** The document of a car's history (exported for the bench and the tests). */
export async function carReportDoc(ctx: HandlerContext, carRefText: string, g: Garage) {
  const n = g.numbers
  const d = await carData(ctx, carRefText, g.currency)
  const car = d.car
  const unit = car.odometer_unit as MeterUnit
  const money = (minor: number) => formatMoney(minor, g.currency, 0, n)
  const items = itemsClient(ctx)
  const [readings, records, issues, gallery] = await Promise.all([
    everyPage((page) => callItems(items.readings.get({ query: { car: car.nickname, limit: PAGE, page } })), (r) => r.readings),
    everyPage((page) => callItems(items.records.get({ query: { car: car.nickname, limit: PAGE, page } })), (r) => r.records),
    callIssues(issuesClient(ctx).issues.get({ query: { car: car.id, all: 'yes', limit: 100 } })),
    callImages(imagesClient(ctx).images.get({ query: { car: car.id, limit: REPORT_PHOTOS } })),
  ])
  const photos = (
    await Promise.all(
      gallery.photos.slice(0, REPORT_PHOTOS).map(async (ph) => {
        const jpeg = await thumbnail(ctx, ph.sha256)
        return jpeg ? [{ jpeg, caption: `${formatDate(ph.created_at.slice(0, 10), g.dates)}${ph.issue ? ` · issue #${ph.issue}` : ''}` }] : []
      }),
    )
  ).flat()

  const sections: PdfDoc['sections'] = []
  const name = [car.year, car.make, car.model].filter((x) => x !== null && x !== '').join(' ')
  sections.push({
    heading: 'Car',
    lines: [
      `Nickname: ${car.nickname}`,
      ...(name ? [`Car: ${name}`] : []),
      ...(car.plate ? [`Plate: ${car.plate}`] : []),
      ...(car.vin ? [`VIN: ${car.vin}`] : []),
      `Odometer: ${car.odometer?.label ?? 'no reading yet'}`,
      ...(car.purchase_date ? [`Bought: ${formatDate(car.purchase_date, g.dates)}${car.purchase_price ? ` for ${formatMoney(car.purchase_price.minor, car.purchase_price.currency, 0, n)}` : ''}`] : []),
      ...(car.archived ? [`Archived: ${formatDate(car.archived.on, g.dates)}`] : []),
    ],
  })
  sections.push({
    heading: `Odometer history (${plural(readings.length, 'reading')})`,
    ...(readings.length
      ? { table: { columns: ['Date', 'Reading', 'From'], rows: [...readings].sort((a, b) => a.read_on.localeCompare(b.read_on)).map((r) => [formatDate(r.read_on, g.dates), r.label, r.source]) } }
      : { lines: ['No odometer readings yet.'] }),
  })
  const byKind = (kind: string) => records.filter((r) => r.kind === kind).sort((a, b) => a.date.localeCompare(b.date))
  for (const [kind, label] of [['service', 'Services'], ['repair', 'Repairs'], ['upgrade', 'Upgrades']] as const) {
    const rows = byKind(kind)
    const total = rows.reduce((a, r) => a + (r.cost_minor ?? 0), 0)
    sections.push({
      heading: `${label} (${rows.length}${rows.length ? `, ${money(total)}` : ''})`,
      ...(rows.length
        ? { table: { columns: ['Date', 'What', 'Odometer', 'Cost'], numeric: [3], rows: rows.map((r) => [formatDate(r.date, g.dates), r.title + (r.notes ? ` (${r.notes})` : ''), r.odometer ?? '', r.cost_minor === null ? '' : money(r.cost_minor)]) } }
        : { lines: [`No ${label.toLowerCase()} logged.`] }),
    })
  }

  // Fuel and charging by year: what was bought, what it cost, and the economy of the
  // full-to-full segments that close in the year (the same segments as /car stats).
  const segments = fuelSegments(d.fillUps).entries
  const years = [...new Set([...d.allFillUps.map((f) => f.date.slice(0, 4)), ...d.charges.map((c) => c.date.slice(0, 4))])].sort()
  const economyUnit = car.economy_unit as EconomyUnit
  const volume = car.volume_unit as VolumeUnit
  const volLabel = volume === 'impgal' ? 'gal (UK)' : volume
  const fuelRows = years.map((y) => {
    const fills = d.allFillUps.filter((f) => f.date.startsWith(y))
    const litres = fills.reduce((a, f) => a + f.litres, 0)
    const cost = fills.reduce((a, f) => a + (f.costMinor ?? 0), 0)
    const seg = segments.filter((e) => e.segment && e.fillUp.date.startsWith(y)).reduce((a, e) => ({ km: a.km + e.segment!.km, litres: a.litres + e.segment!.litres }), { km: 0, litres: 0 })
    const economy = seg.litres > 0 ? (unit === 'h' ? `${fmt(fromLitres(seg.litres / seg.km, volume), 1, n)} ${volLabel}/h` : `${fmt(fromKmPerLitre(seg.km / seg.litres, economyUnit), 1, n)} ${ECONOMY_LABEL[economyUnit]}`) : '—'
    const charges = d.charges.filter((c) => c.date.startsWith(y))
    return [
      y,
      String(fills.length),
      `${formatNumber(fromLitres(litres, volume), 1, 0, n)} ${volLabel}`,
      money(cost),
      economy,
      charges.length ? `${charges.length} · ${formatNumber(charges.reduce((a, c) => a + c.kwh, 0), 1, 0, n)} kWh · ${money(charges.reduce((a, c) => a + c.costMinor, 0))}` : '—',
    ]
  })
  sections.push({
    heading: 'Fuel and charging by year',
    ...(fuelRows.length
      ? { table: { columns: ['Year', 'Fill-ups', 'Fuel', 'Fuel cost', 'Economy', 'Charging'], numeric: [1, 2, 3], rows: fuelRows } }
      : { lines: ['No fill-ups or charges logged.'] }),
  })
  const first = [...d.expenses.map((e) => e.date)].sort()[0]
  const expenses = first ? expensesInPeriod(d.expenses, first, '9999-12-31') : null
  sections.push({
    heading: `Expenses by kind${expenses ? ` (${money(expenses.totalMinor)})` : ''}`,
    ...(expenses
      ? { table: { columns: ['Kind', 'Count', 'Total'], numeric: [1, 2], rows: EXPENSE_KINDS.flatMap((k) => { const e = expenses.byKind[k]; return e ? [[k, String(e.count), money(e.minor)]] : [] }) } }
      : { lines: ['No expenses logged.'] }),
  })
  const isClosed = (status: string) => status === 'resolved' || status === 'wont_fix'
  const open = issues.issues.filter((i) => !isClosed(i.status))
  const closed = issues.issues.filter((i) => isClosed(i.status))
  for (const [list, label] of [[open, 'Open issues'], [closed, 'Closed issues']] as const)
    sections.push({
      heading: `${label} (${list.length})`,
      ...(list.length
        ? { table: { columns: ['#', 'Title', 'Severity', 'Opened', 'Status'], rows: list.map((i) => [`#${i.number}`, i.title, i.severity, formatDate(i.created_at.slice(0, 10), g.dates), i.status]) } }
        : { lines: [`No ${label.toLowerCase()}.`] }),
    })
  sections.push({
    heading: `Photos (${gallery.total})`,
    ...(photos.length ? { photos, ...(gallery.total > photos.length ? { lines: [`The newest ${photos.length} of ${gallery.total} photos.`] } : {}) } : { lines: ['No photos.'] }),
  })
  const doc: PdfDoc = {
    title: `Vehicle history: ${car.nickname}`,
    subtitle: `${name ? `${name} · ` : ''}${car.odometer?.label ?? 'no odometer yet'} · made ${formatDate(g.today, g.dates)} by Car Manager`,
    sections,
  }
  return { doc, car, counts: { records: records.length, fillUps: d.allFillUps.length, readings: readings.length, issues: issues.issues.length, photos: photos.length } }
}

/** `/car report car:`. */
export async function carReport(p: { car: string }, ctx: HandlerContext): Promise<Reply> {
  const g = await garageOf(ctx)
  const { doc, car, counts } = await carReportDoc(ctx, p.car, g)
  return pdfReply(ctx, doc, `${safeName(car.nickname)}-history-${g.today}.pdf`, {
    tone: 'ok',
    title: `${car.nickname}: vehicle history`,
    text: `The history of ${car.nickname} as a PDF: ${plural(counts.records, 'service, repair and upgrade record', 'service, repair and upgrade records')}, ${plural(counts.fillUps, 'fill-up')}, ${plural(counts.readings, 'odometer reading')}, ${plural(counts.issues, 'issue')} and ${plural(counts.photos, 'photo')}.`,
    ref: carRef(car.nickname),
  })
}

/** `/garage report year:`: the year's costs per car and kind, as `/calc cost` counts them for the year. */
export async function garageReport(p: { year?: number }, ctx: HandlerContext): Promise<Reply> {
  const g = await garageOf(ctx)
  const year = p.year ?? Number(g.today.slice(0, 4))
  const thisYear = Number(g.today.slice(0, 4))
  if (year > thisYear) throw new UserError(`year: ${year} has not started yet (this garage's year is ${thisYear})`, 'year')
  const from = `${year}-01-01`
  const to = year === thisYear ? g.today : `${year}-12-31`
  const money = (minor: number) => formatMoney(minor, g.currency, 0, g.numbers)
  const { cars } = await callItems(itemsClient(ctx).cars.get({ query: { archived: 'yes' } }))
  if (cars.length === 0) return { tone: 'ok', title: `Costs of ${year}`, text: 'No cars yet: add one with /car add.' }
  const per: { nickname: string; c: CostOf }[] = []
  for (const car of cars) {
    const d = await carData(ctx, car.nickname, g.currency)
    per.push({ nickname: car.nickname, c: await costOf(ctx, d, { ...g, today: to }, dayNumber(to) - dayNumber(from) + 1) })
  }
  const rows: string[][] = []
  let garageTotal = 0
  for (const { nickname, c } of per) {
    const kinds = costKinds(c)
    for (const [kind, minor] of Object.entries(kinds)) if (minor !== 0) rows.push([nickname, kind, money(minor)])
    rows.push([nickname, 'total', money(c.totalMinor)])
    garageTotal += c.totalMinor
  }
  const doc: PdfDoc = {
    title: `Costs of ${year}`,
    subtitle: `${formatDate(from, g.dates)} – ${formatDate(to, g.dates)} · ${plural(cars.length, 'car')} · ${g.currency} · made ${formatDate(g.today, g.dates)} by Car Manager`,
    sections: [
      { heading: 'Per car and kind', table: { columns: ['Car', 'Kind', 'Cost'], numeric: [2], rows } },
      { heading: 'The garage', lines: [`All cars together: ${money(garageTotal)}`, 'Depreciation is counted when a car has its purchase price and date; loan payments are not costs (their interest is).'] },
    ],
  }
  return pdfReply(ctx, doc, `garage-costs-${year}.pdf`, {
    tone: 'ok',
    title: `Costs of ${year}`,
    text: `${money(garageTotal)} over ${plural(cars.length, 'car')} in ${year}:\n${per.map(({ nickname, c }) => `${nickname}: ${money(c.totalMinor)}`).join('\n')}`,
  })
}

