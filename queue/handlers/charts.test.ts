/**
 * Charts and reports end to end through the queue, on the real stack with the reports service:
 * the chart's key numbers are the figures `/car stats` and `/calc cost` show, its PNG is a real
 * picture of 1200 × 600 with something drawn, the PDF's text carries the car's figures, and a
 * car with nothing logged, an unknown metric and the reports service down each get a clear answer.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { saveReplyFile } from '../../bots/local/index.ts'
import { parseLine } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { addDays } from '../../lib/domain/dates.ts'
import { pdfText, pngFacts } from '../../services/reports/testing.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { NO_PICTURE } from './shared/charts.ts'

let stack: Stack
const clock = new Date('2026-06-15T12:00:00Z')
const GARAGE = 'local:charts-e2e'
const OTHER = 'local:charts-other'

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'calculator', 'issues', 'images', 'reports'], now: () => clock })
})
afterAll(async () => {
  await stack?.close()
})

async function say(line: string, tenant = GARAGE): Promise<Reply> {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`grammar refused ${line}: ${parsed.error}`)
  return stack.command(parsed.kind, parsed.payload, { tenant })
}

async function fileOf(r: Reply, tenant = GARAGE): Promise<Uint8Array> {
  expect(r.file).toBeDefined()
  const res = await fetch(`${stack.url('images')}/files/${r.file!.id}`, { headers: stack.headers(tenant) })
  expect(res.status).toBe(200)
  return new Uint8Array(await res.arrayBuffer())
}

const field = (r: Reply, name: string) => r.fields?.find((f) => f.name === name)?.value

describe('charts', () => {
  test('setup: an imperial USD garage with a car of ten fill-ups, services and an expense', async () => {
    expect((await say('/garage settings units:imperial currency:USD')).tone).toBe('ok')
    const added = await say('/car add corolla plate:AB-123')
    expect(`${added.tone}: ${added.text}`).toStartWith('ok')
    let odo = 50_000
    for (let i = 0; i < 10; i++) {
      odo += 300 + i * 7
      const date = addDays('2026-01-05', 14 * i)
      const r = await say(`/fuel log car:corolla volume:"${(9 + (i % 3) * 0.4).toFixed(1)} gal" cost:${(33 + i).toFixed(2)} odometer:"${odo} mi" date:${date}`)
      expect(`${r.tone}: ${r.text}`).toStartWith('ok')
    }
    expect((await say('/service log car:corolla title:"Oil and filter" cost:89.90 odometer:"51,200 mi" date:2026-02-10')).tone).toBe('ok')
    expect((await say('/service log car:corolla title:"New brake pads" kind:repair cost:240 date:2026-04-02')).tone).toBe('ok')
    expect((await say('/expense log car:corolla kind:insurance cost:600 date:2026-03-01')).tone).toBe('ok')
    expect((await say('/car add empty')).tone).toBe('ok')
  })

  test('economy: the chart says the average /car stats says, with latest, best and worst, and a real PNG', async () => {
    const stats = await say('/car stats car:corolla')
    const average = /^Average (\S+ mpg)/.exec(stats.text)?.[1]
    expect(average).toBeDefined()
    const r = await say('/car chart car:corolla metric:economy')
    expect(r.tone).toBe('ok')
    expect(field(r, 'Average')).toBe(average!)
    for (const name of ['Latest', 'Best', 'Worst']) expect(field(r, name)).toMatch(/ mpg \(2026-/)
    expect(r.text).toContain('over 9 full-to-full segments')
    expect(r.file).toMatchObject({ name: 'corolla-economy.png', type: 'image/png' })
    const png = await pngFacts(await fileOf(r))
    expect(png.width).toBe(1200)
    expect(png.height).toBe(600)
    expect(png.series).toBeGreaterThan(300)
    // Another garage cannot fetch this garage's chart.
    const res = await fetch(`${stack.url('images')}/files/${r.file!.id}`, { headers: stack.headers(OTHER) })
    expect(res.status).toBe(404)
    await res.body?.cancel()
  })

  test('the terminal chat writes the chart to a file and prints its path', async () => {
    const r = await say('/car chart car:corolla metric:economy')
    const dir = join(stack.dataDir, 'exports')
    const saved = await saveReplyFile(
      { envelopeId: 'chart-1', tenant: GARAGE, replyTo: { platform: 'local', session: 's' }, reply: r },
      { imagesUrl: stack.url('images'), token: stack.token, dir },
    )
    const path = /Saved to (\S+\.png)/.exec(saved.reply.text)?.[1]
    expect(path).toBeDefined()
    expect(path!.startsWith(dir)).toBe(true)
    const png = await pngFacts(new Uint8Array(readFileSync(path!)))
    expect([png.width, png.height]).toEqual([1200, 600])
  })

  test('cost: the months add up to what /calc cost says for the same period', async () => {
    const calc = await say('/calc cost car:corolla period:6m')
    const total = /^corolla: (\S+) over 6m/.exec(calc.title ?? '')?.[1]
    expect(total).toBeDefined()
    const r = await say('/car chart car:corolla metric:cost period:6m')
    expect(r.tone).toBe('ok')
    expect(r.text).toStartWith(`${total} over 6m`)
    expect(field(r, 'Highest')).toBeDefined()
    expect(field(r, 'Lowest')).toBeDefined()
    const png = await pngFacts(await fileOf(r))
    expect(png.width).toBe(1200)
    expect(png.inked).toBeGreaterThan(0.01)
  })

  test('distance and cost per distance per month, in miles', async () => {
    const d = await say('/car chart car:corolla metric:distance period:6m')
    expect(d.tone).toBe('ok')
    expect(d.text).toMatch(/ mi over 6m/)
    expect(field(d, 'Most')).toMatch(/ mi \(2026-0\d\)$/)
    expect(d.file?.type).toBe('image/png')
    const c = await say('/car chart car:corolla metric:cost_per_distance period:6m')
    expect(c.tone).toBe('ok')
    expect(field(c, 'Average')).toMatch(/^\$\d+\.\d+\/mi$/)
    expect(c.file?.type).toBe('image/png')
  })

  test('a car with nothing logged gets no chart but what to log first', async () => {
    for (const metric of ['economy', 'cost', 'distance']) {
      const r = await say(`/car chart car:empty metric:${metric}`)
      expect(r.tone).toBe('ok')
      expect(r.file).toBeUndefined()
      expect(r.text).toContain('Nothing is logged for empty yet')
      expect(r.text).toContain('/fuel log car:empty')
    }
  })

  test('one segment is drawn as its point', async () => {
    expect((await say('/car add solo')).tone).toBe('ok')
    expect((await say('/fuel log car:solo volume:"10 gal" odometer:"10,100 mi" date:2026-05-01')).tone).toBe('ok')
    expect((await say('/fuel log car:solo volume:"10 gal" odometer:"10,400 mi" date:2026-05-20')).tone).toBe('ok')
    const r = await say('/car chart car:solo metric:economy')
    expect(field(r, 'Latest')).toBe('30.0 mpg (2026-05-20)')
    expect(field(r, 'Average')).toBe('30.0 mpg')
    const png = await pngFacts(await fileOf(r))
    expect(png.series).toBeGreaterThan(30)
  })

  test('a 50-year period is drawn by year, not refused', async () => {
    const r = await say('/car chart car:corolla metric:cost period:50y')
    expect(r.tone).toBe('ok')
    expect(r.title).toBe('corolla: cost per year')
    expect(r.file?.type).toBe('image/png')
  })

  test('an unknown metric lists the metrics', async () => {
    const parsed = parseLine('/car chart car:corolla metric:speed')
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.error).toContain('economy, cost, distance, cost_per_distance')
    const r = await stack.command('car.chart', { car: 'corolla', metric: 'speed' }, { tenant: GARAGE })
    expect(r.tone).toBe('error')
    expect(r.text).toContain('economy, cost, distance, cost_per_distance')
  })

  test('the garage chart puts the cars side by side, each with its figures in the text', async () => {
    const r = await say('/garage chart metric:cost period:6m')
    expect(r.tone).toBe('ok')
    expect(r.text).toMatch(/^corolla: average \$/m)
    expect(r.text).toMatch(/^empty: Nothing is logged/m)
    const png = await pngFacts(await fileOf(r))
    expect(png.width).toBe(1200)
    const e = await say('/garage chart metric:economy')
    expect(e.text).toMatch(/^corolla: average \S+ mpg, latest /m)
    expect(e.text).toMatch(/^solo: average 30\.0 mpg, latest 30\.0 mpg \(2026-05-20\)/m)
    expect(e.file?.type).toBe('image/png')
  })

  test("the garage chart draws a km car and a mi car on one axis, in the garage's unit", async () => {
    const G = 'local:charts-mixed'
    const ok = async (line: string) => expect((await say(line, G)).tone).toBe('ok')
    await ok('/garage settings units:imperial currency:USD')
    await ok('/car add milecar units:imperial')
    await ok('/car add kmcar units:metric')
    await ok('/fuel log car:milecar volume:"10 gal" cost:40 odometer:"10,000 mi" date:2026-04-01')
    await ok('/fuel log car:milecar volume:"10 gal" cost:40 odometer:"10,500 mi" date:2026-05-01')
    await ok('/fuel log car:milecar volume:"10 gal" cost:40 odometer:"11,000 mi" date:2026-06-01')
    await ok('/fuel log car:kmcar volume:"40 L" cost:60 odometer:"20,000 km" date:2026-04-01')
    await ok('/fuel log car:kmcar volume:"40 L" cost:60 odometer:"20,804.67 km" date:2026-05-01')
    await ok('/fuel log car:kmcar volume:"40 L" cost:60 odometer:"21,609.34 km" date:2026-06-01')
    const r = await say('/garage chart metric:distance period:3m', G)
    expect(r.tone).toBe('ok')
    // both cars drawn: none is left out as "in other units"
    expect(r.text).not.toContain('other units')
    expect(r.file?.type).toBe('image/png')
    // 804.67 km is 500 mi: the km car's figures are in the garage's miles, as the mi car's
    expect(r.text).toMatch(/^kmcar: average [\d,.]+ mi, latest /m)
    expect(r.text).toMatch(/^milecar: average [\d,.]+ mi, latest /m)
  })
})

describe('reports', () => {
  test('/car report: a PDF whose text carries the car and its figures', async () => {
    expect((await say('/issue log car:corolla title:"Rattle at the back"')).tone).toBe('ok')
    const photo = await fetch(`${stack.url('images')}/images?${new URLSearchParams({ uploader: 'u1', uploader_name: 'Ann', car_id: '1', car: 'corolla' })}`, {
      method: 'POST',
      headers: { ...stack.headers(GARAGE, { 'idempotency-key': 'report-photo' }), 'content-type': 'application/octet-stream' },
      body: await makeJpeg(640, 480, { seed: 3 }),
    })
    expect(photo.status).toBeLessThan(300)
    await photo.body?.cancel()
    const r = await say('/car report car:corolla')
    expect(r.tone).toBe('ok')
    expect(r.file).toMatchObject({ name: 'corolla-history-2026-06-15.pdf', type: 'application/pdf' })
    const bytes = await fileOf(r)
    // the thumbnail is in the document as an image
    expect(Buffer.from(bytes).toString('latin1')).toContain('/Subtype /Image')
    const { text, pages } = await pdfText(bytes)
    for (const figure of ['Vehicle history: corolla', 'AB-123', 'Oil and filter', '$89.90', 'New brake pads', '$240.00', 'insurance', '$600.00', 'Rattle at the back', '2026'])
      expect(text).toContain(figure)
    expect(text).toContain(`page ${pages} of ${pages}`)
    expect(text).toContain('Photos (1)')
    expect(r.text).toContain('and 1 photo.')
  })

  test('/garage report: the year per car and kind', async () => {
    const r = await say('/garage report year:2026')
    expect(r.tone).toBe('ok')
    const { text } = await pdfText(await fileOf(r))
    expect(text).toContain('Costs of 2026')
    expect(text).toContain('$89.90')
    expect(text).toContain('$600.00')
    const future = await say('/garage report year:2030')
    expect(future.tone).toBe('error')
    expect(future.text).toContain('has not started yet')
  })
})

describe('the reports service down', () => {
  test('the chart answer still comes, its figures with a note that the picture is unavailable', async () => {
    const before = await say('/car chart car:corolla metric:economy')
    await stack.stopService('reports')
    const r = await say('/car chart car:corolla metric:economy')
    expect(r.file).toBeUndefined()
    expect(r.text).toContain(NO_PICTURE)
    expect(field(r, 'Average')).toBe(field(before, 'Average')!)
  }, 30_000)
})
