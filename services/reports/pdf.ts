/**
 * A PDF of a `PdfDoc` with pdfkit: text in the embedded DejaVu Sans (selectable, and € or ü
 * print as themselves), tables that continue on the next page with their header, photo
 * thumbnails in a grid, and "page n of m" at the foot of every page.
 */
import { join } from 'node:path'
import PDFDocument from 'pdfkit'
import type { PdfDoc } from './model.ts'
import { FONT_DIR } from './render.ts'

const REGULAR = join(FONT_DIR, 'DejaVuSans.ttf')
const BOLD = join(FONT_DIR, 'DejaVuSans-Bold.ttf')
const MARGIN = 50

export function pdfOf(doc: PdfDoc): Promise<Uint8Array> {
  const pdf = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, info: { Title: doc.title, Producer: 'Car Manager' } })
  pdf.registerFont('regular', REGULAR)
  pdf.registerFont('bold', BOLD)
  const chunks: Buffer[] = []
  pdf.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Uint8Array>((resolve, reject) => {
    pdf.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))))
    pdf.on('error', reject)
  })
  const width = pdf.page.width - 2 * MARGIN
  const bottom = () => pdf.page.height - MARGIN - 20
  const room = (h: number) => {
    if (pdf.y + h > bottom()) pdf.addPage()
  }

  pdf.font('bold').fontSize(20).fillColor('#111827').text(doc.title, { width })
  if (doc.subtitle) pdf.font('regular').fontSize(11).fillColor('#4b5563').text(doc.subtitle, { width })
  pdf.moveDown(1)

  for (const s of doc.sections) {
    room(60)
    pdf.font('bold').fontSize(14).fillColor('#111827').text(s.heading, MARGIN, pdf.y, { width })
    pdf.moveDown(0.3)
    pdf.font('regular').fontSize(10).fillColor('#1f2937')
    for (const line of s.lines ?? []) {
      room(14)
      pdf.text(line, MARGIN, pdf.y, { width })
    }
    if (s.table) table(pdf, s.table, width, room)
    if (s.photos?.length) photos(pdf, s.photos, width, room)
    pdf.moveDown(1)
  }

  const range = pdf.bufferedPageRange()
  for (let i = range.start; i < range.start + range.count; i++) {
    pdf.switchToPage(i)
    // Written below the bottom margin: lift the margin so pdfkit does not start a new page.
    const keep = pdf.page.margins.bottom
    pdf.page.margins.bottom = 0
    pdf.font('regular').fontSize(9).fillColor('#6b7280')
      .text(`${doc.title} · page ${i + 1} of ${range.count}`, MARGIN, pdf.page.height - MARGIN + 10, { width, align: 'center', lineBreak: false })
    pdf.page.margins.bottom = keep
  }
  pdf.end()
  return done
}

function table(pdf: PDFKit.PDFDocument, t: NonNullable<PdfDoc['sections'][number]['table']>, width: number, room: (h: number) => void) {
  const n = t.columns.length
  const colWidth = width / n
  const numeric = new Set(t.numeric ?? [])
  const row = (cells: readonly string[], bold: boolean) => {
    pdf.font(bold ? 'bold' : 'regular').fontSize(9)
    const height = Math.max(...cells.map((c, i) => pdf.heightOfString(c || ' ', { width: colWidth - 6 })), 12)
    return { height, draw: (y: number) => cells.forEach((c, i) => pdf.text(c, MARGIN + i * colWidth, y, { width: colWidth - 6, align: numeric.has(i) ? 'right' : 'left' })) }
  }
  const header = () => {
    const h = row(t.columns, true)
    const y = pdf.y
    pdf.fillColor('#111827')
    h.draw(y)
    pdf.y = y + h.height + 2
    pdf.moveTo(MARGIN, pdf.y).lineTo(MARGIN + width, pdf.y).lineWidth(0.5).strokeColor('#9ca3af').stroke()
    pdf.y += 3
  }
  room(40)
  header()
  for (const cells of t.rows) {
    const r = row(cells, false)
    if (pdf.y + r.height > pdf.page.height - MARGIN - 20) {
      pdf.addPage()
      header()
    }
    const y = pdf.y
    pdf.font('regular').fillColor('#1f2937')
    r.draw(y)
    pdf.y = y + r.height + 3
  }
  pdf.x = MARGIN
}

function photos(pdf: PDFKit.PDFDocument, list: NonNullable<PdfDoc['sections'][number]['photos']>, width: number, room: (h: number) => void) {
  const perRow = 4
  const size = (width - (perRow - 1) * 10) / perRow
  for (let i = 0; i < list.length; i += perRow) {
    room(size + 24)
    const y = pdf.y
    list.slice(i, i + perRow).forEach((p, j) => {
      const x = MARGIN + j * (size + 10)
      try {
        pdf.image(Buffer.from(p.jpeg, 'base64'), x, y, { fit: [size, size], align: 'center', valign: 'center' })
      } catch {
        pdf.rect(x, y, size, size).strokeColor('#9ca3af').stroke()
      }
      pdf.font('regular').fontSize(8).fillColor('#4b5563').text(p.caption, x, y + size + 2, { width: size, align: 'center', lineBreak: false, ellipsis: true })
    })
    pdf.y = y + size + 20
  }
  pdf.x = MARGIN
}
