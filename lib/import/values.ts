/**
 * Numbers and dates of an import file, decided for the whole file: a file is written one way,
 * so the cells that read one way only (12.5, 1.234,5, 25/03/2024) decide how the others
 * (1.234, 03/04/2024) are read. A file that says nothing takes the garage's way; one that says
 * two things is refused naming a line of each.
 */
import { type DateOrder, isDate, readSlashed } from '../domain/dates.ts'
import { formatIn, type NumberFormat, SEPARATORS } from '../domain/numbers.ts'
import {
  type ImportContext,
  ImportRefused,
  type ImportRow,
  type ParsedImport,
  type Problem,
  type RawRow,
} from './model.ts'

type Decimal = '.' | ','

/** The digits of a number cell without a currency sign or unit around it ("$45.67", "45,67 €"). */
const bare = (text: string) =>
  text
    .trim()
    .replace(/^[^\d.,-]+|[^\d.,]+$/g, '')
    .replace(/[\s\u00a0\u202f']/g, '')

/** The decimal separator a cell shows by itself, or undefined when it reads either way (or has none). */
function decimalShown(cell: string): Decimal | undefined {
  const s = bare(cell).replace(/^-/, '')
  const m = /^(\d+)([.,])(\d+)$/.exec(s)
  if (m) {
    const sep = m[2] as Decimal
    // "1.234" / "1,234" read two ways; everything else with one separator is a decimal.
    if (m[3]!.length === 3 && /^[1-9]\d{0,2}$/.test(m[1]!)) return undefined
    return sep
  }
  if (/^\d{1,3}(,\d{3})+\.\d+$/.test(s) || /^\d{1,3}(,\d{3}){2,}$/.test(s)) return '.'
  if (/^\d{1,3}(\.\d{3})+,\d+$/.test(s) || /^\d{1,3}(\.\d{3}){2,}$/.test(s)) return ','
  return undefined
}

/** A number cell read with `decimal` as its decimal separator; undefined when it is no number. */
export function readNumber(cell: string, decimal: Decimal): number | undefined {
  const s = bare(cell)
  if (s === '') return undefined
  const group = decimal === '.' ? ',' : '.'
  const negative = s.startsWith('-')
  const digits = (negative ? s.slice(1) : s).split(group).join('').replace(decimal, '.')
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(digits)) return undefined
  const v = Number(digits)
  return negative ? -v : v
}

const NUMBER_FIELDS = ['odometer', 'volume', 'cost', 'price'] as const

/** A number that reads two ways: one separator, 1-3 digits before it, 3 after ("83.000", "52,000"). */
const TWO_WAY = /^([1-9]\d{0,2})([.,])(\d{3})$/

/** The number format of the file's cells, or the garage's when no cell tells. */
export function numberFormatOf(rows: RawRow[], ctx: ImportContext): ParsedImport['numbers'] {
  let dot: { row: RawRow; cell: string } | undefined
  let comma: { row: RawRow; cell: string } | undefined
  for (const row of rows) {
    for (const f of NUMBER_FIELDS) {
      const cell = row[f]
      if (!cell) continue
      // A fill-up of "9.000" is 9: no tank takes 9,000 of anything, so the separator is a decimal one.
      const d =
        decimalShown(cell) ??
        (f === 'volume' ? (TWO_WAY.exec(bare(cell))?.[2] as Decimal | undefined) : undefined)
      if (d === '.' && !dot) dot = { row, cell }
      if (d === ',' && !comma) comma = { row, cell }
    }
    if (dot && comma) {
      throw new ImportRefused(
        `numbers are written two ways: "${dot.cell}" (${dot.row.file} line ${dot.row.line}) has a decimal point, "${comma.cell}" (${comma.row.file} line ${comma.row.line}) a decimal comma. Export the file again with one number format. Nothing was imported.`,
      )
    }
  }
  if (dot) return { format: '1,234.5', how: 'file' }
  if (comma) return { format: '1.234,5', how: 'file' }
  // Nothing in the file tells: "52,000" reads the garage's way where "," groups there; where it
  // is the garage's decimal separator, 52 or 52,000 is asked about, as a typed one would be.
  const { decimal } = SEPARATORS[ctx.numbers]
  for (const row of rows) {
    for (const f of NUMBER_FIELDS) {
      const m = TWO_WAY.exec(bare(row[f] ?? ''))
      if (m && m[2] === decimal)
        throw new ImportRefused(
          `${row.file} line ${row.line}: ${f} "${row[f]!.trim()}" reads two ways (${formatIn(Number(`${m[1]}.${m[3]}`), ctx.numbers, 3)} or ${formatIn(Number(`${m[1]}${m[3]}`), ctx.numbers)}), and no number in the file tells which. Say how this garage writes numbers (/garage settings numbers:), then import again. Nothing was imported.`,
        )
    }
  }
  return { format: ctx.numbers, how: 'garage' }
}

const DAY_FIRST_SEP = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/

/** The date part of a cell ("03/25/2024 8:15", "2024-03-25T08:15:00"). */
const datePart = (cell: string) => cell.trim().split(/[\sT]/)[0] ?? ''

/** The date order of the file's slashed dates, or the garage's when none tells. */
export function dateOrderOf(rows: RawRow[], ctx: ImportContext): ParsedImport['dates'] {
  let dayFirst: RawRow | undefined
  let monthFirst: RawRow | undefined
  let ambiguous: RawRow | undefined
  let slashed = false
  for (const row of rows) {
    const part = datePart(row.date)
    // 25.03.2024: dots are written day first (German, Spritmonitor).
    if (DAY_FIRST_SEP.test(part)) dayFirst ??= row
    const m = SLASHED.exec(part)
    if (!m) continue
    slashed = true
    const a = Number(m[1])
    const b = Number(m[2])
    if (a > 12 && b <= 12) dayFirst ??= row
    else if (b > 12 && a <= 12) monthFirst ??= row
    else if (a !== b) ambiguous ??= row
  }
  if (dayFirst && monthFirst)
    throw new ImportRefused(
      `dates are written two ways: "${datePart(dayFirst.date)}" (${dayFirst.file} line ${dayFirst.line}) has the day first, "${datePart(monthFirst.date)}" (${monthFirst.file} line ${monthFirst.line}) the month. Nothing was imported.`,
    )
  if (dayFirst) return { order: 'DD/MM/YYYY', how: 'file' }
  if (monthFirst) return { order: 'MM/DD/YYYY', how: 'file' }
  if (!slashed && !dayFirst) return { order: 'YYYY-MM-DD', how: 'iso' }
  if (ambiguous && ctx.dates === 'YYYY-MM-DD') {
    const r = readSlashed(datePart(ambiguous.date), 'YYYY-MM-DD')
    const why = r && 'error' in r ? r.error : 'reads two ways'
    throw new ImportRefused(
      `${ambiguous.file} line ${ambiguous.line}: ${why.replace(/\. Write it YYYY-MM-DD.*$/, '')}, and no date in the file tells which. Say how this garage writes dates (/garage settings dates:DD/MM/YYYY or dates:MM/DD/YYYY), then import again. Nothing was imported.`,
    )
  }
  return { order: ctx.dates === 'YYYY-MM-DD' ? 'MM/DD/YYYY' : ctx.dates, how: 'garage' }
}

/** A date cell in the file's order as YYYY-MM-DD, or why not. */
export function readDate(cell: string, order: DateOrder): { date: string } | { error: string } {
  const part = datePart(cell)
  if (part === '') return { error: 'no date' }
  const pad = (n: string) => n.padStart(2, '0')
  let iso: string | undefined
  let m = ISO.exec(part)
  if (m) iso = `${m[1]}-${pad(m[2]!)}-${pad(m[3]!)}`
  m = m ? null : DAY_FIRST_SEP.exec(part)
  if (m) iso = `${m[3]}-${pad(m[2]!)}-${pad(m[1]!)}`
  m = iso ? null : SLASHED.exec(part)
  if (m)
    iso =
      order === 'DD/MM/YYYY' ? `${m[3]}-${pad(m[2]!)}-${pad(m[1]!)}` : `${m[3]}-${pad(m[1]!)}-${pad(m[2]!)}`
  if (!iso) return { error: `"${part}" is not a date` }
  if (!isDate(iso)) return { error: `"${part}" is not a calendar date` }
  return { date: iso }
}

/** Reads every raw row with the file's number format and date order; unusable rows become problems. */
export function normalize(
  raw: RawRow[],
  numbers: NumberFormat,
  order: DateOrder,
): { rows: ImportRow[]; problems: Problem[] } {
  const decimal: Decimal = numbers === '1,234.5' ? '.' : ','
  const rows: ImportRow[] = []
  const problems: Problem[] = []
  for (const r of raw) {
    const fail = (why: string) => problems.push({ file: r.file, line: r.line, why })
    const d = readDate(r.date, order)
    if ('error' in d) {
      fail(`date: ${d.error}`)
      continue
    }
    const num = (field: (typeof NUMBER_FIELDS)[number]): number | null | string => {
      const cell = r[field]
      if (cell === undefined || cell.trim() === '') return null
      const v = readNumber(cell, decimal)
      if (v === undefined) return `${field}: "${cell.trim()}" is not a number`
      if (v < 0) return `${field}: "${cell.trim()}" is negative`
      return v
    }
    const odometer = num('odometer')
    const volume = num('volume')
    const cost = num('cost')
    const price = num('price')
    const bad = [odometer, volume, cost, price].find((v) => typeof v === 'string')
    if (typeof bad === 'string') {
      fail(bad)
      continue
    }
    const n = (v: number | string | null) => (typeof v === 'number' ? v : null)
    let total = n(cost)
    if (r.kind === 'fuel') {
      if (n(volume) === null || n(volume) === 0) {
        fail(
          n(volume) === 0
            ? 'volume: 0 is no fill-up'
            : 'volume: missing, a fill-up needs how much was put in',
        )
        continue
      }
      if ((total === null || total === 0) && n(price) !== null)
        total = Math.round(n(price)! * n(volume)! * 100) / 100
    }
    if (r.kind === 'charge' && !n(volume)) {
      fail('energy: missing, a charge needs how many kWh')
      continue
    }
    if (r.kind === 'reading' && n(odometer) === null) {
      fail('odometer: missing, an odometer reading needs one')
      continue
    }
    if (r.kind === 'tax' && total === null) {
      fail('cost: missing, a tax needs what was paid')
      continue
    }
    rows.push({
      file: r.file,
      line: r.line,
      kind: r.kind,
      car: r.car.trim(),
      date: d.date,
      odometer: n(odometer),
      volume: n(volume),
      cost: total,
      currency: null,
      full: r.full ?? true,
      missed: r.missed ?? false,
      title: r.title?.trim() || null,
      notes: r.notes?.trim() || null,
    })
  }
  return { rows, problems }
}
