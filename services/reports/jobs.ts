/** What the reports service asks its renderer process (renderer.ts) and what it answers. */
import type { ChartBody, PdfDoc } from './model.ts'

export type RenderJob =
  | { id: number; kind: 'chart'; body: ChartBody; format: 'png' | 'svg' }
  /** A ready SVG to PNG: the bench's baseline (the rasteriser alone, at the chart's size). */
  | { id: number; kind: 'svg'; svg: string }
  | { id: number; kind: 'pdf'; doc: PdfDoc }

/** `data` is the output's bytes in base64 (the IPC channel carries JSON). */
export type RenderResult =
  | { id: number; ok: true; data: string; peakRssMb: number }
  | { id: number; ok: false; message: string; code?: 'timeout' | 'too_much_memory' | 'failed' }
