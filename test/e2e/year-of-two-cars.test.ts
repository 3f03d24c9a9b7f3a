/**
 * A year of two cars in one garage, typed into the terminal chat against the real worker and
 * services (test/stack.ts), and every figure the chat shows checked against a hand calculation
 * made here from the raw data the test typed. Nothing here calls the product's own figure code
 * (lib/domain/figures.ts, the calculator, the services): the hand figures are worked out below
 * with plain loops, in each car's own units.
 *
 * The garage: metric, EUR, Europe/Berlin, "today" fixed at 2026-11-30 (the stack's clock), so
 * the default 12-month period is 2025-12-01 – 2026-11-30 (365 days, exactly 12 calendar months).
 *
 * - golf: km and litres, ~40 fill-ups every 7–12 days from 2025-11-24 (a few days before the
 *   year, so the period's start cuts through the data), four partial ones, two without an
 *   odometer (one partial, one full), odometer readings in between, prices 1.65–1.95 €/L,
 *   services (one before the year), one repair.
 * - civic: miles and US gallons, ~25 fill-ups, one partial, one service.
 *
 * Hand definitions (stated once, used by every check):
 * - Economy runs full-to-full: from a full fill-up with its odometer, the fuel of every fill-up
 *   after it up to and including the next full fill-up with an odometer, over the distance
 *   between those two odometers. A fill-up without an odometer (partial or full) adds its fuel
 *   to the segment it falls in. The average is Σ distance ÷ Σ fuel over every segment.
 * - Distance over a period: the odometer at the start of the period's first day and at the end
 *   of its last day, each interpolated linearly in time between the readings around it (a
 *   reading is taken as of the end of its day; every odometer typed is a reading: /car odometer,
 *   fill-ups and service records).
 * - Cost over a period: the sum of the typed costs of every fill-up and record dated inside it
 *   (fill-ups without an odometer included); per month = total ÷ calendar months (each month
 *   counts the share of its days the period holds); per km (mile) = total ÷ distance.
 *
 * Set YEAR_TRANSCRIPT=/path to write the commands, the replies and the hand figures there.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { renderText } from '../../lib/contracts/reply-text.ts'
import { LocalChat } from '../../bots/local/index.ts'
import { testRedisUrl } from '../env.ts'
import { type Stack, startStack } from '../stack.ts'

// ——— calendar arithmetic of our own (UTC day numbers) ———

const DAY = 86_400_000
const dn = (date: string) => Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / DAY
const ds = (n: number) => new Date(n * DAY).toISOString().slice(0, 10)
const daysInMonthOf = (n: number) => {
  const d = new Date(n * DAY)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
}

const TODAY = '2026-11-30'
const NOW = new Date(`${TODAY}T12:00:00Z`)

// ——— the year, generated once from a fixed seed ———

function rng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type CarName = 'golf' | 'civic'
type Fill = {
  kind: 'fill'
  car: CarName
  date: string
  volume: number // litres (golf) or US gallons (civic), 2 decimals as typed
  cents: number
  odo: number | null // km (golf) or mi (civic), as typed
  full: boolean
  number?: number // #N the chat gave it
}
type Reading = { kind: 'reading'; car: CarName; date: string; odo: number }
type Rec = {
  kind: 'record'
  car: CarName
  date: string
  title: string
  cents: number
  odo: number | null
  type: 'service' | 'repair'
}
type Event = Fill | Reading | Rec

type CarPlan = {
  car: CarName
  start: string
  startOdo: number
  end: string
  gap: [number, number]
  daily: [number, number]
  rate: [number, number] // L/100 km (golf) or mpg (civic)
  price: [number, number] // € per L or per gal
  partial: Set<number>
  noOdo: Set<number>
  readingEvery: number
}

function simulate(p: CarPlan, seed: number): Event[] {
  const r = rng(seed)
  const between = (lo: number, hi: number) => lo + r() * (hi - lo)
  // The true odometer at the end of each day.
  const odoOn = new Map<number, number>()
  let odo = p.startOdo
  for (let d = dn(p.start); d <= dn(TODAY); d++) {
    if (d > dn(p.start)) odo += Math.round(between(...p.daily))
    odoOn.set(d, odo)
  }
  const events: Event[] = []
  let deficit = 0
  let lastOdo = p.startOdo
  let i = 0
  for (let d = dn(p.start); d <= dn(p.end); d += Math.round(between(...p.gap)), i++) {
    const now = odoOn.get(d)!
    const driven = now - lastOdo
    lastOdo = now
    const used = p.car === 'golf' ? (driven * between(...p.rate)) / 100 : driven / between(...p.rate)
    deficit += used
    const full = !p.partial.has(i)
    let volume = i === 0 ? (p.car === 'golf' ? 38.4 : 11.2) : full ? deficit : deficit * between(0.35, 0.6)
    volume = Math.round(volume * 100) / 100
    deficit = full ? 0 : deficit - volume
    const price = Math.round(between(...p.price) * 1000) / 1000
    const cents = Math.round(volume * price * 100)
    events.push({ kind: 'fill', car: p.car, date: ds(d), volume, cents, odo: p.noOdo.has(i) ? null : now, full })
    // An odometer reading now and then, between two fill-ups.
    if (i % p.readingEvery === p.readingEvery - 1) {
      const mid = d + 4
      if (mid < dn(p.end)) events.push({ kind: 'reading', car: p.car, date: ds(mid), odo: odoOn.get(mid)! })
    }
  }
  events.push({ kind: 'reading', car: p.car, date: TODAY, odo: odoOn.get(dn(TODAY))! })
  const rec = (date: string, title: string, euros: number, type: Rec['type'], withOdo: boolean): Rec => ({
    kind: 'record',
    car: p.car,
    date,
    title,
    cents: Math.round(euros * 100),
    odo: withOdo ? odoOn.get(dn(date))! : null,
    type,
  })
  if (p.car === 'golf')
    events.push(
      rec('2025-11-27', 'Winter check', 45, 'service', false), // before the 12-month period
      rec('2026-01-15', 'Oil and filter', 89.9, 'service', true),
      rec('2026-04-08', 'Summer tyres fitted', 412, 'service', false),
      rec('2026-06-11', 'Front brake pads', 268.4, 'repair', true),
      rec('2026-09-01', 'Wiper blades', 32.5, 'service', false), // first day of the 3-month period, outside 90 days
      rec('2026-10-22', 'Oil and filter', 94.5, 'service', true),
      rec('2026-11-05', 'Winter tyres fitted', 60, 'service', false),
    )
  else events.push(rec('2026-05-20', 'Oil and filter', 129, 'service', true))
  return events
}

const golfEvents = simulate(
  {
    car: 'golf',
    start: '2025-11-24',
    startOdo: 48_000,
    end: '2026-11-28',
    gap: [7, 12],
    daily: [30, 70],
    rate: [5.8, 7.4],
    price: [1.65, 1.95],
    partial: new Set([5, 14, 23, 31]),
    noOdo: new Set([14, 19]), // #14 partial, #19 full
    readingEvery: 4,
  },
  20261130,
)
const civicEvents = simulate(
  {
    car: 'civic',
    start: '2025-11-27',
    startOdo: 61_200,
    end: '2026-11-26',
    gap: [12, 17],
    daily: [15, 40],
    rate: [29, 35],
    price: [3.2, 3.8],
    partial: new Set([11]),
    noOdo: new Set(),
    readingEvery: 6,
  },
  4242,
)
// Typed in the order they happened (a reading before a fill-up of the same day, records last).
const ORDER = { reading: 0, fill: 1, record: 2 }
const allEvents = [...golfEvents, ...civicEvents].sort((a, b) => dn(a.date) - dn(b.date) || ORDER[a.kind] - ORDER[b.kind])

// ——— hand figures ———

const fills = (car: CarName) => allEvents.filter((e): e is Fill => e.kind === 'fill' && e.car === car)
const records = (car: CarName) => allEvents.filter((e): e is Rec => e.kind === 'record' && e.car === car)

type Segment = { closing: Fill; distance: number; volume: number; count: number }

/** Full-to-full segments as stated at the top: a fill-up without an odometer adds its fuel to the segment it falls in. */
function handSegments(list: Fill[], fullWithoutOdoBreaks = false): Segment[] {
  const out: Segment[] = []
  let anchor: number | null = null
  let volume = 0
  let count = 0
  for (const f of list) {
    if (anchor === null) {
      if (f.full && f.odo !== null) anchor = f.odo
      continue
    }
    volume += f.volume
    count++
    if (!f.full) continue
    if (f.odo === null) {
      if (fullWithoutOdoBreaks) {
        anchor = null
        volume = 0
        count = 0
      }
      continue
    }
    out.push({ closing: f, distance: f.odo - anchor, volume, count })
    anchor = f.odo
    volume = 0
    count = 0
  }
  return out
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

/** Every odometer typed for a car, as (end of day, value). */
function points(car: CarName): { t: number; v: number }[] {
  return allEvents
    .filter((e) => e.car === car && (e.kind === 'reading' || e.odo !== null))
    .map((e) => ({ t: dn(e.date) + 1, v: (e as { odo: number }).odo }))
}

/** The odometer at instant t (day number; t = dn(date) is the start of that date), linear between readings. */
function odometerAt(car: CarName, t: number): number {
  const ps = points(car).sort((a, b) => a.t - b.t)
  const before = ps.filter((p) => p.t <= t).at(-1)
  const after = ps.find((p) => p.t >= t)
  if (!before || !after) throw new Error(`no reading around ${ds(t)} for ${car}`)
  if (after.t === before.t) return before.v
  return before.v + ((after.v - before.v) * (t - before.t)) / (after.t - before.t)
}

/** Calendar months in [from, to]: each day is 1/(days of its month) of a month. */
function months(from: string, to: string): number {
  let m = 0
  for (let d = dn(from); d <= dn(to); d++) m += 1 / daysInMonthOf(d)
  return m
}

type Period = { label: string; typed: string | null; days: number }
const PERIODS: Period[] = [
  { label: '12m', typed: null, days: 365 },
  { label: '3m', typed: '3m', days: 91 }, // 3 × 365/12 = 91.25 → 91 days
  { label: '90d', typed: '90d', days: 90 },
]

function handCost(car: CarName, days: number) {
  const from = ds(dn(TODAY) - days + 1)
  const inside = (date: string) => dn(date) >= dn(from) && dn(date) <= dn(TODAY)
  const f = fills(car).filter((x) => inside(x.date))
  const rs = records(car).filter((x) => inside(x.date))
  const fuel = sum(f.map((x) => x.cents))
  const service = sum(rs.filter((r) => r.type === 'service').map((r) => r.cents))
  const repair = sum(rs.filter((r) => r.type === 'repair').map((r) => r.cents))
  const total = fuel + service + repair
  const distance = odometerAt(car, dn(TODAY) + 1) - odometerAt(car, dn(from))
  const m = months(from, TODAY)
  return {
    from,
    fuel,
    fuelCount: f.length,
    service,
    serviceCount: rs.filter((r) => r.type === 'service').length,
    repair,
    repairCount: rs.filter((r) => r.type === 'repair').length,
    total,
    distance,
    months: m,
    perMonth: total / m / 100,
    perDistance: total / distance / 100,
  }
}

// ——— the chat ———

let stack: Stack
let chat: LocalChat
type Said = { line: string; shown: string; tone: string }
const transcript: { said: Said; notes: string[]; brief: boolean }[] = []
const replies = new Map<string, Said>()

async function say(line: string, brief = false): Promise<Said> {
  const reply = (await chat.send(line)).at(-1)!
  const said = { line, shown: renderText(reply), tone: reply.tone }
  transcript.push({ said, notes: [], brief })
  replies.set(line, said)
  return said
}

/** A hand figure beside the reply of `line` in the transcript. */
function note(line: string, text: string) {
  const entry = transcript.find((t) => t.said.line === line)
  if (entry) entry.notes.push(text)
}

const shown = (line: string) => {
  const s = replies.get(line)
  if (!s) throw new Error(`no reply kept for ${line}`)
  return s.shown
}

const num = (s: string) => Number(s.replace(/[€,\s]/g, ''))
const money = (cents: number) => `€${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
const grab = (text: string, re: RegExp, what: string) => {
  const m = re.exec(text)
  if (!m) throw new Error(`${what}: ${re} not found in\n${text}`)
  return m[1]!
}

/** Whether a shown figure is the hand one to the precision shown; notes both in the transcript. */
function compare(line: string, name: string, shownText: string, hand: number, decimals: number) {
  const value = num(shownText)
  const ok = Math.abs(value - hand) <= 0.5 * 10 ** -decimals + 1e-9
  note(line, `${name}: chat ${shownText} · hand ${hand.toFixed(decimals + 3)} → ${ok ? 'equal' : 'DIFFERENT'}`)
  return { name, shown: shownText, hand, withinRounding: ok }
}

/** Checks a shown figure against the hand one to the precision shown, and notes both in the transcript. */
function figure(line: string, name: string, shownText: string, hand: number, decimals: number) {
  const c = compare(line, name, shownText, hand, decimals)
  expect(c).toEqual({ ...c, withinRounding: true })
}

/** Several figures, all noted before any is asserted. */
function figures(line: string, rows: [string, string, number, number][]) {
  const got = rows.map(([name, shownText, hand, decimals]) => compare(line, name, shownText, hand, decimals))
  expect(got).toEqual(got.map((c) => ({ ...c, withinRounding: true })))
}

const km = (n: number) => `"${n.toLocaleString('en-US')} km"`
const mi = (n: number) => `"${n.toLocaleString('en-US')} mi"`
const dist = (car: CarName, n: number) => (car === 'golf' ? km(n) : mi(n))

function typed(e: Event): string {
  const odo = (o: number | null) => (o === null ? '' : ` odometer:${dist(e.car, o)}`)
  if (e.kind === 'reading') return `/car odometer ${e.car} reading:${dist(e.car, e.odo)} date:${e.date}`
  if (e.kind === 'record')
    return `/service log car:${e.car} title:"${e.title}" cost:${(e.cents / 100).toFixed(2)}${odo(e.odo)} date:${e.date}${e.type === 'repair' ? ' kind:repair' : ''}`
  const vol = e.car === 'golf' ? `"${e.volume.toFixed(2)} L"` : `"${e.volume.toFixed(2)} gal"`
  return `/fuel log car:${e.car} volume:${vol} cost:${(e.cents / 100).toFixed(2)}${odo(e.odo)}${e.full ? '' : ' full:no'} date:${e.date}`
}

const GOLF_PAGES = Math.ceil(fills('golf').length / 10)
const CIVIC_PAGES = Math.ceil(fills('civic').length / 10)
const costLine = (car: CarName, p: Period) => `/calc cost car:${car}${p.typed ? ` period:${p.typed}` : ''}`
const failures: string[] = []

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator'], collect: false, now: () => NOW })
  chat = new LocalChat({ redisUrl: testRedisUrl(), queuePrefix: stack.prefix, tenant: 'year', timeoutMs: 15_000 })
  await chat.connect()
  const setup = [
    '/garage settings units:metric currency:EUR timezone:Europe/Berlin',
    '/car add golf make:Volkswagen model:Golf year:2019 plate:B-GF-2019 units:metric',
    '/car add civic make:Honda model:Civic year:2018 plate:CIV-18 units:imperial',
  ]
  for (const line of setup) {
    const s = await say(line)
    if (s.tone !== 'ok') failures.push(`${line}\n${s.shown}`)
  }
  for (const e of allEvents) {
    const line = typed(e)
    const s = await say(line, true)
    if (s.tone !== 'ok') failures.push(`${line}\n${s.shown}`)
    if (e.kind === 'fill') e.number = Number(grab(s.shown, /Fill-up: #(\d+)/, line))
  }
  // What a user asks at the end of the year.
  for (let page = 1; page <= GOLF_PAGES + 1; page++) await say(`/fuel list car:golf${page > 1 ? ` page:${page}` : ''}`)
  for (let page = 1; page <= CIVIC_PAGES; page++) await say(`/fuel list car:civic${page > 1 ? ` page:${page}` : ''}`)
  await say('/car stats golf')
  await say('/car stats civic')
  for (const car of ['golf', 'civic'] as const) for (const p of PERIODS) await say(costLine(car, p))
}, 120_000)

afterAll(async () => {
  await chat?.close()
  await stack?.close()
  const path = process.env.YEAR_TRANSCRIPT
  if (!path) return
  const out: string[] = [
    '# A year of two cars (test/e2e/year-of-two-cars.test.ts)',
    '',
    `Garage: metric, EUR, Europe/Berlin; today ${TODAY}. golf: ${fills('golf').length} fill-ups, civic: ${fills('civic').length}.`,
    'Hand figures (after "hand") are computed in the test from the typed data; see the definitions at the top of the test file.',
    '',
    '## The year as typed (one line per command, reply title)',
    '',
    '```',
  ]
  for (const t of transcript.filter((x) => x.brief)) out.push(`> ${t.said.line}`, `  ${t.said.shown.split('\n')[0]}`)
  out.push('```', '', '## What the user asked', '')
  for (const t of transcript.filter((x) => !x.brief)) {
    out.push('```', `> ${t.said.line}`, t.said.shown.replace(/\n?\[Undo\].*$/m, ''), '```')
    if (t.notes.length) out.push('', ...t.notes.map((n) => `- ${n}`))
    out.push('')
  }
  writeFileSync(path, out.join('\n'))
})

test('the year is typed without a refusal', () => {
  expect(failures).toEqual([])
  expect(fills('golf').length).toBeGreaterThanOrEqual(38)
  expect(fills('civic').length).toBeGreaterThanOrEqual(23)
})

// ——— /fuel list ———

for (const car of ['golf', 'civic'] as const) {
  test(`/fuel list ${car}: count, every page, each fill-up's volume, cost and odometer`, () => {
    const all = fills(car)
    const pages = car === 'golf' ? GOLF_PAGES : CIVIC_PAGES
    const newestFirst = [...all].reverse()
    for (let page = 1; page <= pages; page++) {
      const line = `/fuel list car:${car}${page > 1 ? ` page:${page}` : ''}`
      const text = shown(line)
      const lo = (page - 1) * 10 + 1
      const hi = Math.min(page * 10, all.length)
      expect(text.split('\n')[0]).toBe(`${car}: ${all.length} fill-ups (${lo}–${hi} shown)`)
      note(line, `hand: ${all.length} fill-ups, this page ${lo}–${hi}`)
      const rows = text.split('\n').filter((l) => l.startsWith('#'))
      const expected = newestFirst.slice(lo - 1, hi)
      expect(rows.map((r) => Number(r.slice(1, r.indexOf(' '))))).toEqual(expected.map((f) => f.number!))
      rows.forEach((row, i) => {
        const f = expected[i]!
        const parts = row.split(' · ')
        expect(parts[0]).toBe(`#${f.number} ${f.date}`)
        expect(num(parts[1]!.replace(/ (L|gal)$/, ''))).toBeCloseTo(f.volume, 2)
        expect(parts).toContain(money(f.cents))
        if (f.odo !== null) expect(parts).toContain(`${f.odo.toLocaleString('en-US')} ${car === 'golf' ? 'km' : 'mi'}`)
        expect(row.includes('partial')).toBe(!f.full)
      })
    }
    if (car === 'golf') {
      const past = shown(`/fuel list car:golf page:${GOLF_PAGES + 1}`)
      expect(past).toBe(`golf has ${all.length} fill-ups; page ${GOLF_PAGES + 1} is past the last`)
    }
  })
}

/** The economy a list line shows for a segment's closing fill-up, in the car's unit. */
const segEconomy = (car: CarName, s: { distance: number; volume: number }) =>
  car === 'golf' ? (100 * s.volume) / s.distance : s.distance / s.volume

function listEconomies(car: CarName): Map<number, string> {
  const out = new Map<number, string>()
  const pages = car === 'golf' ? GOLF_PAGES : CIVIC_PAGES
  for (let page = 1; page <= pages; page++)
    for (const row of shown(`/fuel list car:${car}${page > 1 ? ` page:${page}` : ''}`).split('\n').filter((l) => l.startsWith('#'))) {
      const eco = / · ([\d.]+) (L\/100km|mpg)/.exec(row)
      if (eco) out.set(Number(row.slice(1, row.indexOf(' '))), eco[1]!)
    }
  return out
}

test('/fuel list civic: economy of every full-to-full segment (mpg US) and the average', () => {
  const segs = handSegments(fills('civic'))
  const shownEco = listEconomies('civic')
  expect([...shownEco.keys()].sort((a, b) => a - b)).toEqual(segs.map((s) => s.closing.number!).sort((a, b) => a - b))
  for (const s of segs) figure('/fuel list car:civic', `segment #${s.closing.number} mpg`, shownEco.get(s.closing.number!)!, segEconomy('civic', s), 1)
  const avg = sum(segs.map((s) => s.distance)) / sum(segs.map((s) => s.volume))
  figure('/fuel list car:civic', 'average mpg (US)', grab(shown('/fuel list car:civic'), /^Average ([\d.]+) mpg$/m, 'civic average'), avg, 1)
})

test('/fuel list golf: economy (L/100 km) of every segment that does not touch the full fill-up without an odometer', () => {
  const segs = handSegments(fills('golf'))
  const noOdoFull = fills('golf').find((f) => f.full && f.odo === null)!
  const shownEco = listEconomies('golf')
  for (const s of segs) {
    if (s.closing.number === undefined) continue
    // The one segment the full fill-up without an odometer falls in is checked on its own below.
    if (s === segs.find((t) => t.closing.date > noOdoFull.date)) continue
    figure('/fuel list car:golf', `segment #${s.closing.number} L/100km`, shownEco.get(s.closing.number!) ?? 'missing', segEconomy('golf', s), 1)
  }
})

// Golf's full fill-up #32 has no odometer and lies between two full fill-ups with theirs: the
// stretch from the one before it to #34 is measured (1,078 km on 66.15 L = 6.1 L/100 km), and
// counts in the averages (Σ 18,250 km, Σ 1,175.13 L = 6.44 L/100 km over 33 segments). Before the
// fix the chain restarted at #34: no economy on it, and 6.46 L/100 km over 32 segments.
test('/fuel list golf: the segment around the full fill-up without an odometer is measured', () => {
  const segs = handSegments(fills('golf'))
  const noOdoFull = fills('golf').find((f) => f.full && f.odo === null)!
  const around = segs.find((s) => s.closing.date > noOdoFull.date)!
  const shownEco = listEconomies('golf')
  note('/fuel list car:golf', `segment across the full fill-up without odometer (#${noOdoFull.number}) closed by #${around.closing.number}: hand ${segEconomy('golf', around).toFixed(4)} L/100km over ${around.distance} km, ${around.volume.toFixed(2)} L; chat shows ${shownEco.get(around.closing.number!) ?? 'no economy'}`)
  expect(shownEco.get(around.closing.number!)).toBe(segEconomy('golf', around).toFixed(1))
})

// ——— /car stats ———

function statsAverage(car: CarName) {
  const text = shown(`/car stats ${car}`)
  return {
    lp100: grab(text, /· ([\d.]+) L\/100 km ·/, 'L/100 km'),
    mpgUs: grab(text, /\(([\d.]+) mpg \(US\)/, 'mpg US'),
    segments: Number(grab(text, /over (\d+) full-to-full segments/, 'segments')),
  }
}

test('/car stats civic: average mpg (US) and L/100 km over every segment', () => {
  const segs = handSegments(fills('civic'))
  const miles = sum(segs.map((s) => s.distance))
  const gal = sum(segs.map((s) => s.volume))
  const a = statsAverage('civic')
  expect(a.segments).toBe(segs.length)
  figure('/car stats civic', 'average mpg (US)', a.mpgUs, miles / gal, 1)
  // L/100 km from the typed miles and gallons: 1 mi = 1.609344 km, 1 US gal = 3.785411784 L.
  figure('/car stats civic', 'average L/100 km', a.lp100, (100 * gal * 3.785411784) / (miles * 1.609344), 2)
})

test('/car stats golf: average L/100 km over every full-to-full segment, the full fill-up without odometer included', () => {
  const segs = handSegments(fills('golf'))
  const a = statsAverage('golf')
  const avg = (100 * sum(segs.map((s) => s.volume))) / sum(segs.map((s) => s.distance))
  note('/car stats golf', `hand: ${segs.length} segments, Σ ${sum(segs.map((s) => s.distance))} km, Σ ${sum(segs.map((s) => s.volume)).toFixed(2)} L → ${avg.toFixed(4)} L/100 km; chat ${a.lp100} over ${a.segments}`)
  const listAvg = grab(shown('/fuel list car:golf'), /^Average ([\d.]+) L\/100km$/m, 'golf list average')
  const headline = grab(shown('/car stats golf'), /^Average ([\d.]+) L\/100 km \(/m, 'golf stats headline')
  const list = compare('/fuel list car:golf', 'average L/100 km (stated definition)', listAvg, avg, 1)
  figures('/car stats golf', [
    ['full-to-full segments', String(a.segments), segs.length, 0],
    ['average L/100 km (stated definition)', a.lp100, avg, 2],
    ['headline average L/100 km', headline, avg, 1],
  ])
  expect(list).toEqual({ ...list, withinRounding: true })
})

// ——— costs: /car stats (last 12 months) and /calc cost over 12m, 3m, 90d ———

function costChecks(car: CarName, line: string, p: Period) {
  const h = handCost(car, p.days)
  const text = shown(line)
  const unit = car === 'golf' ? 'km' : 'mi'
  note(line, `hand period ${h.from} – ${TODAY}: ${h.months.toFixed(4)} calendar months, distance ${h.distance.toFixed(2)} ${unit}`)
  if (line.startsWith('/calc')) expect(text.split('\n')[0]).toBe(`${car}: ${money(h.total)} over ${p.label} (${h.from} – ${TODAY})`)
  const fuel = grab(text, /^Fuel: (€[\d,.]+) \(\d+ fill-ups\)$/m, 'fuel')
  figure(line, 'fuel cost €', fuel, h.fuel / 100, 2)
  figure(line, 'fill-ups in period', grab(text, /^Fuel: €[\d,.]+ \((\d+) fill-ups\)$/m, 'fill-ups'), h.fuelCount, 0)
  figure(line, 'service €', grab(text, /^Service: (€[\d,.]+) \(\d+\)$/m, 'service'), h.service / 100, 2)
  figure(line, 'services', grab(text, /^Service: €[\d,.]+ \((\d+)\)$/m, 'services'), h.serviceCount, 0)
  figure(line, 'repair €', grab(text, /^Repair: (€[\d,.]+) \(\d+\)$/m, 'repair'), h.repair / 100, 2)
  figure(line, 'repairs', grab(text, /^Repair: €[\d,.]+ \((\d+)\)$/m, 'repairs'), h.repairCount, 0)
  figure(line, 'per month €', grab(text, /^Per month: (€[\d,.]+)$/m, 'per month'), h.perMonth, 2)
  expect(text).toContain('Depreciation: unknown')
  if (line.startsWith('/calc')) expect(text).toContain(`Running costs ${money(h.total)}; depreciation unknown, so not in the total.`)
}

/** The distance over the period and the cost per km (mile): interpolated odometers at both ends. */
function distanceChecks(car: CarName, line: string, p: Period) {
  const h = handCost(car, p.days)
  const text = shown(line)
  const unit = car === 'golf' ? 'km' : 'mi'
  const per = new RegExp(`^Per distance: (€[\\d,.]+)/${unit} over ([\\d,]+) ${unit}`, 'm')
  expect(text).not.toContain('the readings cover it only')
  figures(line, [
    [`distance ${unit}`, per.exec(text)?.[2] ?? 'missing', h.distance, 0],
    [`per ${unit} €`, grab(text, per, 'per distance'), h.perDistance, 3],
  ])
}

for (const car of ['golf', 'civic'] as const) {
  for (const p of PERIODS)
    test(`/calc cost ${car} over ${p.label}: fuel, service, repair, total, per month`, () => costChecks(car, costLine(car, p), p))
  test(`/car stats ${car}: last 12 months`, () => {
    const h = handCost(car, 365)
    figure(`/car stats ${car}`, 'last 12 months €', grab(shown(`/car stats ${car}`), /^Last 12 months: (€[\d,.]+)$/m, 'last 12'), h.total / 100, 2)
    costChecks(car, `/car stats ${car}`, PERIODS[0]!)
  })
}

// civic's one service record has its odometer: its distances are right.
for (const p of PERIODS)
  test(`/calc cost civic over ${p.label}: distance and cost per mile`, () => distanceChecks('civic', costLine('civic', p), p))
test('/car stats civic: distance and cost per mile over the last 12 months', () => distanceChecks('civic', '/car stats civic', PERIODS[0]!))

// golf has two service records logged without an odometer ("Winter check" 2025-11-27, "Wiper
// blades" 2026-09-01). They are no readings: before the fix the cost figures took the car's
// highest reading before each date as a reading of that day (48,000 km where the car was at
// ~48,139; 61,765 km where it was at ~62,015), and 3m showed 4,726 km and €0.15/km where the
// readings give 4,476 km and €0.159/km.
for (const p of PERIODS)
  test(`/calc cost golf over ${p.label}: distance and cost per km (records without an odometer are no readings)`, () =>
    distanceChecks('golf', costLine('golf', p), p),
  )
test('/car stats golf: distance and cost per km over the last 12 months (records without an odometer are no readings)', () =>
  distanceChecks('golf', '/car stats golf', PERIODS[0]!),
)

// ——— /car stats: the last ten segments, each against the hand one ———

for (const car of ['golf', 'civic'] as const)
  test(`/car stats ${car}: the last ten full-to-full segments (date, economy, distance, fill-ups)`, () => {
    const segs = handSegments(fills(car)).slice(-10)
    const unit = car === 'golf' ? 'km' : 'mi'
    const eco = car === 'golf' ? 'L/100 km' : 'mpg'
    const rows = shown(`/car stats ${car}`).split('\n').filter((l) => /^\d{4}-\d{2}-\d{2}  /.test(l))
    expect(rows.length).toBe(segs.length)
    rows.forEach((row, i) => {
      const s = segs[i]!
      const m = new RegExp(`^(\\S+)  ([\\d.]+) ${eco}  \\(([\\d,]+) ${unit}, (\\d+) fill-ups?\\)$`).exec(row)
      expect(m?.[1]).toBe(s.closing.date)
      figure(`/car stats ${car}`, `segment to ${s.closing.date} ${eco}`, m?.[2] ?? 'missing', segEconomy(car, s), 1)
      expect([num(m?.[3] ?? ''), Number(m?.[4])]).toEqual([s.distance, s.count])
    })
  })

test('the whole year of golf: every fill-up counted in cost, those without an odometer included', () => {
  // Fill-ups dated in the period, the two without an odometer among them.
  const h = handCost('golf', 365)
  const without = fills('golf').filter((f) => f.odo === null)
  expect(without.length).toBe(2)
  expect(without.every((f) => dn(f.date) >= dn(h.from))).toBe(true)
  const line = '/calc cost car:golf'
  note(line, `hand fuel ${money(h.fuel)} = Σ of ${h.fuelCount} fill-ups from ${h.from} (two without odometer: ${without.map((f) => `#${f.number} ${money(f.cents)}`).join(', ')}); Winter check of 2025-11-27 (€45.00) and fill-ups before ${h.from} are outside`)
  expect(shown(line)).toContain(`Running costs ${money(h.total)}; depreciation unknown, so not in the total.`)
})
