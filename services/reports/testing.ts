/** Test helpers of the reports service: what a PNG chart shows and what a PDF says. */
import { Jimp } from 'jimp'

/**
 * A PNG's size, and how much of its plot area (the middle of the picture, inside the axes) is
 * drawn on: the share of pixels that are not the white background, and those in the chart's
 * first series colour (#3b82f6, give or take anti-aliasing).
 */
export async function pngFacts(bytes: Uint8Array) {
  const image = await Jimp.read(Buffer.from(bytes))
  const { width, height, data } = image.bitmap
  let inked = 0
  let series = 0
  let total = 0
  for (let y = Math.floor(height * 0.2); y < Math.floor(height * 0.85); y++)
    for (let x = Math.floor(width * 0.1); x < Math.floor(width * 0.95); x++) {
      const i = (y * width + x) * 4
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!]
      total++
      if (r < 235 || g < 235 || b < 235) inked++
      if (Math.abs(r - 0x3b) < 40 && Math.abs(g - 0x82) < 40 && Math.abs(b - 0xf6) < 40) series++
    }
  return { width, height, inked: inked / total, series }
}

/** The text of a PDF, every page together (unpdf); the document is released after. */
export async function pdfText(bytes: Uint8Array): Promise<{ text: string; pages: number }> {
  const { extractText, getDocumentProxy } = await import('unpdf')
  const doc = await getDocumentProxy(new Uint8Array(bytes))
  try {
    const { text, totalPages } = await extractText(doc, { mergePages: true })
    return { text, pages: totalPages }
  } finally {
    // This pdf.js has no destroy() on the document: its loading task releases the worker.
    await doc.loadingTask.destroy()
  }
}
