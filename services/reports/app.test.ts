import { afterAll, describe, expect, test } from 'bun:test'
import { createApp } from './app.ts'
import { RendererPool } from './pool.ts'
import { pdfText, pngFacts } from './testing.ts'

const token = 'reports-test-token-0123456789'
const renderer = new RendererPool({ maxMemoryMb: 768, timeoutMs: 30_000 })
const app = createApp({ dataDir: '/nonexistent', token, renderer })

afterAll(() => renderer.close())

async function post(path: string, body: unknown, auth = token) {
  return app.handle(
    new Request(`http://localhost${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  )
}

const day = (d: string) => Date.parse(`${d}T00:00:00Z`)

const economy = (points: [number, number][]) => ({
  title: 'corolla: fuel economy',
  x: { kind: 'time' },
  y: { label: 'mpg (US)', zero: false },
  series: [
    { name: 'per fill-up', type: 'line', values: [], points },
    { name: 'rolling average (5)', type: 'line', dashed: true, values: [], points },
  ],
})

describe('POST /charts', () => {
  test('a PNG of 1200 × 600 with the series drawn in its plot area', async () => {
    const points: [number, number][] = [
      [day('2025-01-05'), 34.2],
      [day('2025-02-01'), 36.8],
      [day('2025-03-03'), 31.9],
      [day('2025-04-10'), 35.5],
    ]
    const res = await post('/charts', economy(points))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    const png = await pngFacts(new Uint8Array(await res.arrayBuffer()))
    expect(png.width).toBe(1200)
    expect(png.height).toBe(600)
    expect(png.inked).toBeGreaterThan(0.005)
    expect(png.series).toBeGreaterThan(500)
  })

  test('the SVG it is drawn from carries the title, the axis name and the axis labels', async () => {
    const res = await post('/charts?format=svg', {
      title: 'corolla: cost per month',
      x: { kind: 'category', labels: ['2025-01', '2025-02', '2025-03'] },
      y: { label: 'EUR' },
      series: [
        { name: 'fuel', type: 'bar', stack: 'cost', values: [120.5, 98, 143] },
        { name: 'service', type: 'bar', stack: 'cost', values: [0, 320, 0] },
      ],
    })
    expect(res.status).toBe(200)
    const svg = await res.text()
    expect(svg).toStartWith('<svg')
    for (const label of ['corolla: cost per month', 'EUR', '2025-01', '2025-02', '2025-03', 'fuel', 'service', '300'])
      expect(svg).toContain(`>${label}<`)
  })

  test('time axis labels are dates in the size given (no font shorthand resvg would not read)', async () => {
    const res = await post('/charts?format=svg', economy([
      [day('2025-01-05'), 34.2],
      [day('2025-09-01'), 36.8],
    ]))
    const svg = await res.text()
    expect(svg).toContain('>2025-03<')
    expect(svg).not.toMatch(/font:\s*normal/)
    expect(svg).toMatch(/font-size:16px;font-family:DejaVu Sans/)
  })

  test('one point is drawn as a dot', async () => {
    const res = await post('/charts', economy([[day('2025-05-01'), 33.3]]))
    expect(res.status).toBe(200)
    const png = await pngFacts(new Uint8Array(await res.arrayBuffer()))
    expect(png.series).toBeGreaterThan(20)
  })

  test('100,000 points are thinned and drawn, not refused', async () => {
    const points: [number, number][] = []
    for (let i = 0; i < 100_000; i++) points.push([day('1976-01-01') + i * 4 * 3600_000, 30 + Math.sin(i / 500) * 5])
    const res = await post('/charts', economy(points))
    expect(res.status).toBe(200)
    const png = await pngFacts(new Uint8Array(await res.arrayBuffer()))
    expect(png.width).toBe(1200)
    expect(png.series).toBeGreaterThan(500)
  })

  test('a body that does not fit is a 422 naming it, a missing token a 401', async () => {
    const bad = await post('/charts', { title: 'x', x: { kind: 'time' }, y: { label: '' }, series: [] })
    expect(bad.status).toBe(422)
    const anon = await post('/charts', economy([]), 'wrong-token')
    expect(anon.status).toBe(401)
  })
})

describe('POST /pdf', () => {
  test('a numbered PDF whose text (€ included) can be extracted', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => [`2025-01-${String((i % 28) + 1).padStart(2, '0')}`, `Oil change #${i + 1}`, '€89.90'])
    const res = await post('/pdf', {
      title: 'Vehicle history: corolla',
      subtitle: '2018 Toyota Corolla · 52,000 km',
      sections: [
        { heading: 'Car', lines: ['Plate AB-123', 'Müller Garage'] },
        { heading: 'Services', table: { columns: ['Date', 'What', 'Cost'], numeric: [2], rows } },
      ],
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-')
    const { text, pages } = await pdfText(bytes)
    expect(pages).toBeGreaterThan(1)
    expect(text).toContain('Vehicle history: corolla')
    expect(text).toContain('Müller Garage')
    expect(text).toContain('Oil change #120')
    expect(text).toContain('€89.90')
    expect(text).toContain(`page ${pages} of ${pages}`)
  })
})

describe('limits', () => {
  test('a drawing past the time limit is refused (422), and the next one is drawn', async () => {
    const slow = new RendererPool({ maxMemoryMb: 768, timeoutMs: 1 })
    const limited = createApp({ dataDir: '/nonexistent', token, renderer: slow })
    try {
      const res = await limited.handle(
        new Request('http://localhost/charts', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(economy([[day('2025-05-01'), 33.3]])),
        }),
      )
      expect(res.status).toBe(422)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('timeout')
    } finally {
      slow.close()
    }
    const ok = await post('/charts', economy([[day('2025-05-01'), 33.3]]))
    expect(ok.status).toBe(200)
  })

  test('a renderer past its memory ceiling is stopped and the drawing refused (422)', async () => {
    // Any bun process is past 8 MB at once: the watchdog kills it as it would one that grew there.
    const small = new RendererPool({ maxMemoryMb: 8, timeoutMs: 30_000 })
    const limited = createApp({ dataDir: '/nonexistent', token, renderer: small })
    try {
      const res = await limited.handle(
        new Request('http://localhost/charts', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(economy([[day('2025-05-01'), 33.3]])),
        }),
      )
      expect(res.status).toBe(422)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('too_much_memory')
    } finally {
      small.close()
    }
  })
})
