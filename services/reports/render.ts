/**
 * Drawing a chart: Apache ECharts' server-side SVG renderer (no DOM, no browser) builds the
 * SVG, resvg turns it into a PNG with the DejaVu fonts shipped in `dejavu-fonts-ttf` (system
 * fonts are not loaded, so nothing is looked up or fetched at run time). Pure functions: the
 * renderer process (renderer.ts) runs them under the pool's time and memory limits.
 *
 * A series longer than MAX_POINTS is thinned to it (every n-th point, the last one kept), so a
 * chart of 100,000 fill-ups draws as fast as one of a thousand; the figures in the reply's text
 * are computed from every point by the caller.
 */
import { join } from 'node:path'
import { Resvg } from '@resvg/resvg-js'
import * as echarts from 'echarts'
import type { ChartBody } from './model.ts'

export const FONT_DIR = join(import.meta.dir, '../../node_modules/dejavu-fonts-ttf/ttf')
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(FONT_DIR, f))

/** The most points one series is drawn with. */
export const MAX_POINTS = 1500

/** Colours that read on a white and on a dark chat background alike (mid-tone, saturated). */
export const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#f97316', '#64748b', '#84cc16', '#06b6d4', '#a855f7']

/** Every n-th item so that at most `max` remain, the last always kept. */
export function thin<T>(items: readonly T[], max = MAX_POINTS): T[] {
  if (items.length <= max) return [...items]
  const step = items.length / max
  const out: T[] = []
  for (let i = 0; i < max - 1; i++) out.push(items[Math.floor(i * step)]!)
  out.push(items[items.length - 1]!)
  return out
}

const TEXT = '#4b5563'
const GRID = '#9ca3af55'

const DAY_MS = 86_400_000

/** A time axis around points that span less than two days: a fortnight either side, so one point sits in the middle. */
function span(body: ChartBody): { min?: number; max?: number } {
  const times = body.series.flatMap((s) => (s.points ?? []).map((p) => p[0]))
  if (times.length === 0) return {}
  const hi = times.reduce((a, b) => Math.max(a, b), times[0]!)
  const low = times.reduce((a, b) => Math.min(a, b), times[0]!)
  return hi - low < 2 * DAY_MS ? { min: low - 14 * DAY_MS, max: hi + 14 * DAY_MS } : {}
}

/**
 * Dates on a time axis written the way the rest of a chart answer writes them (2026-03, or
 * 2026-03-14 over a short span), all in the same size: ECharts' own time labels shrink all but
 * the first of a year.
 */
function timeLabel(body: ChartBody): (value: number) => string {
  const times = body.series.flatMap((s) => (s.points ?? []).map((p) => p[0]))
  const lo = times.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY)
  const hi = times.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY)
  const days = hi - lo < 120 * DAY_MS
  return (value: number) => new Date(value).toISOString().slice(0, days ? 10 : 7)
}

/** The SVG of a chart of `body` (its own size, default 1200 × 600). */
export function chartSvg(body: ChartBody): string {
  const width = body.width ?? 1200
  const height = body.height ?? 600
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height })
  const small = width < 800
  const font = small ? 13 : 18
  const categories = body.x.kind === 'category' ? thin(body.x.labels) : undefined
  const series = body.series.map((s, i) => {
    const data =
      body.x.kind === 'category'
        ? thin(s.values)
        : thin(s.points ?? []).map((p) => [p[0], p[1]])
    const one = data.filter((v) => (Array.isArray(v) ? v[1] !== null : v !== null)).length <= 1
    return {
      name: s.name,
      type: s.type,
      data,
      ...(s.stack ? { stack: s.stack } : {}),
      color: s.color ?? PALETTE[i % PALETTE.length],
      // A lone point is drawn as a dot; a long series as a line without markers.
      showSymbol: s.type === 'line' && !s.dashed && (one || data.length <= 60),
      symbol: 'circle',
      symbolSize: one ? 14 : 7,
      ...(s.type === 'line' ? { lineStyle: { width: s.dashed ? 2 : 3, ...(s.dashed ? { type: 'dashed' } : {}) }, connectNulls: true } : {}),
      ...(s.type === 'bar' ? { barMaxWidth: 48 } : {}),
      animation: false,
    }
  })
  chart.setOption({
    animation: false,
    // A white card: the same picture reads on a light and on a dark chat background.
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'DejaVu Sans', fontSize: font, color: TEXT },
    title: { text: body.title, left: 16, top: 10, textStyle: { fontFamily: 'DejaVu Sans', fontSize: font + 4, fontWeight: 'bold', color: '#111827' }, ...(body.subtitle ? { subtext: body.subtitle, subtextStyle: { fontFamily: 'DejaVu Sans', fontSize: font - 2, color: TEXT } } : {}) },
    legend: body.series.length > 1 ? { top: 14, right: 24, type: 'plain', itemGap: 28, textStyle: { fontFamily: 'DejaVu Sans', fontSize: font - 2, color: TEXT } } : { show: false },
    grid: { left: 24, right: 32, top: body.subtitle ? 100 : 80, bottom: 24, containLabel: true },
    xAxis:
      body.x.kind === 'category'
        ? { type: 'category', data: categories, axisLabel: { fontFamily: 'DejaVu Sans', fontSize: font - 2, color: TEXT, hideOverlap: true }, axisLine: { lineStyle: { color: TEXT } } }
        : { type: 'time', ...span(body), axisLabel: { fontFamily: 'DejaVu Sans', fontSize: font - 2, color: TEXT, hideOverlap: true, formatter: timeLabel(body) }, axisLine: { lineStyle: { color: TEXT } }, splitLine: { show: false } },
    yAxis: {
      type: 'value',
      name: body.y.label,
      nameTextStyle: { fontFamily: 'DejaVu Sans', fontSize: font - 2, color: TEXT, align: 'left' },
      scale: body.y.zero === false,
      axisLabel: { fontFamily: 'DejaVu Sans', fontSize: font - 2, color: TEXT },
      splitLine: { lineStyle: { color: GRID } },
    },
    series,
  })
  // ECharts writes some labels' font as the `font:` shorthand, which resvg does not read (it
  // would draw them in its 12 px default): spelled out, every label has the size it was given.
  const svg = chart
    .renderToSVGString()
    .replace(/font:\s*(\w+)\s+(\w+)\s+(\d+(?:\.\d+)?)px\s+([^";]+)/g, 'font-style:$1;font-weight:$2;font-size:$3px;font-family:$4')
  chart.dispose()
  return svg
}

/** A PNG of an SVG at its own size, text in the shipped DejaVu fonts. */
export function svgToPng(svg: string): Uint8Array {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    background: '#ffffff',
  })
  return resvg.render().asPng()
}
