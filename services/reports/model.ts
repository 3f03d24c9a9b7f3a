/**
 * Schemas of the reports service. A chart is given its data ready to draw (the worker computes
 * every figure with lib/domain and the calculator, the same functions its text answers use), so
 * this service draws and never decides a number.
 */
import { t } from 'elysia'

const Label = t.String({ maxLength: 200 })

/** One series: values per category (bars, monthly lines) or [time ms, value] points (per fill-up). */
export const ChartSeries = t.Object({
  name: t.String({ minLength: 1, maxLength: 80 }),
  type: t.Union([t.Literal('line'), t.Literal('bar')]),
  /** Series with the same stack are drawn stacked (costs by kind). */
  stack: t.Optional(t.String({ maxLength: 40 })),
  dashed: t.Optional(t.Boolean()),
  color: t.Optional(t.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
  values: t.Array(t.Union([t.Number(), t.Null()]), { maxItems: 200_000 }),
  points: t.Optional(t.Array(t.Tuple([t.Number(), t.Union([t.Number(), t.Null()])]), { maxItems: 200_000 })),
})
export type ChartSeries = typeof ChartSeries.static

export const ChartBody = t.Object({
  title: t.String({ minLength: 1, maxLength: 120 }),
  subtitle: t.Optional(t.String({ maxLength: 200 })),
  x: t.Union([
    t.Object({ kind: t.Literal('category'), labels: t.Array(Label, { maxItems: 200_000 }) }),
    t.Object({ kind: t.Literal('time') }),
  ]),
  y: t.Object({ label: t.String({ maxLength: 60 }), zero: t.Optional(t.Boolean()) }),
  series: t.Array(ChartSeries, { minItems: 1, maxItems: 24 }),
  width: t.Optional(t.Integer({ minimum: 200, maximum: 2400 })),
  height: t.Optional(t.Integer({ minimum: 150, maximum: 1600 })),
})
export type ChartBody = typeof ChartBody.static

export const ChartFormat = t.Object({ format: t.Optional(t.Union([t.Literal('png'), t.Literal('svg')])) })

/** A table of a PDF section: cells are text as shown (figures formatted by the worker). */
export const PdfTable = t.Object({
  columns: t.Array(t.String({ maxLength: 60 }), { minItems: 1, maxItems: 8 }),
  /** Columns right-aligned (figures). */
  numeric: t.Optional(t.Array(t.Integer({ minimum: 0, maximum: 7 }), { maxItems: 8 })),
  rows: t.Array(t.Array(t.String({ maxLength: 400 }), { maxItems: 8 }), { maxItems: 20_000 }),
})

/** A photo thumbnail (JPEG bytes in base64) with its caption. */
export const PdfPhoto = t.Object({
  jpeg: t.String({ maxLength: 2_000_000 }),
  caption: t.String({ maxLength: 200 }),
})

export const PdfSection = t.Object({
  heading: t.String({ minLength: 1, maxLength: 120 }),
  lines: t.Optional(t.Array(t.String({ maxLength: 1000 }), { maxItems: 2000 })),
  table: t.Optional(PdfTable),
  photos: t.Optional(t.Array(PdfPhoto, { maxItems: 60 })),
})

/** A document: a title page header, then sections; every page is numbered "page n of m". */
export const PdfDoc = t.Object({
  title: t.String({ minLength: 1, maxLength: 200 }),
  subtitle: t.Optional(t.String({ maxLength: 300 })),
  sections: t.Array(PdfSection, { maxItems: 100 }),
})
export type PdfDoc = typeof PdfDoc.static
