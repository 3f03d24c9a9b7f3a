/** CSV reading for imports: the delimiter sniffed from the header line, each record with its line. */
import { CsvError, parse } from 'csv-parse/sync'
import { ImportRefused } from './model.ts'

export type CsvTable = {
  delimiter: ',' | ';' | '\t'
  /** Header names as written. */
  header: string[]
  /** Header names folded for matching: lower case, letters and digits only ("Total Cost" → "totalcost"). */
  keys: string[]
  /** Data records with the line each starts on (1-based, the header is line 1 or later). */
  records: { line: number; cells: string[] }[]
}

/** A header name folded for matching. */
export const fold = (name: string) => name.toLowerCase().replace(/[^\p{L}\p{N}/]/gu, '')

function sniff(firstLine: string): ',' | ';' | '\t' {
  const outside = firstLine.replace(/"[^"]*"/g, '')
  const count = (c: string) => outside.split(c).length - 1
  const counts = [
    [',', count(',')],
    [';', count(';')],
    ['\t', count('\t')],
  ] as const
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0]
}

/** The line a quote that is never closed opens on (csv-parse names the file's last line). */
function openQuoteLine(text: string): number {
  let line = 1
  let open = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 10) line++
    else if (c === 34) {
      if (quoted && text.charCodeAt(i + 1) === 34) i++
      else {
        quoted = !quoted
        if (quoted) open = line
      }
    }
  }
  return open
}

/** Reads a CSV text; a broken quote or the like is refused naming the file and its line. */
/** `offset`: the lines before the text in its file (a section of a file of several tables). */
export function readCsv(text: string, file: string, offset = 0): CsvTable {
  const body = text.replace(/^\uFEFF/, '')
  const firstLine = body.slice(0, body.search(/\r?\n|$/))
  const delimiter = sniff(firstLine)
  let rows: { record: string[]; info: { lines: number } }[]
  try {
    rows = parse(body, {
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[]
  } catch (error) {
    if (error instanceof CsvError) {
      const unclosed = error.code === 'CSV_QUOTE_NOT_CLOSED'
      const at = unclosed ? openQuoteLine(body) : (error as CsvError & { lines?: number }).lines
      const line = at === undefined ? undefined : at + offset
      const what = unclosed
        ? 'a quote opened there is never closed'
        : /closing quote/i.test(error.message)
          ? 'a quote closes in the middle of a field'
          : /opening quote/i.test(error.message)
            ? 'a quote opens in the middle of a field'
            : error.message.split(':')[0]!.toLowerCase()
      throw new ImportRefused(
        `${file}: not a well-formed CSV at line ${line ?? '?'}: ${what}. Nothing was imported.`,
      )
    }
    throw error
  }
  const [head, ...data] = rows
  if (!head) throw new ImportRefused(`${file}: the file has no rows. Nothing was imported.`)
  // info.lines is the line a record ends on; a record spans as many more lines as its cells hold newlines.
  const records = data.map((r) => ({
    line: offset + r.info.lines - r.record.reduce((n, cell) => n + cell.split('\n').length - 1, 0),
    cells: r.record,
  }))
  return { delimiter, header: head.record, keys: head.record.map(fold), records }
}

/** The cell of a record under the first of `names` (folded) the header has; undefined when none. */
export function cellOf(table: CsvTable, cells: string[], names: readonly string[]): string | undefined {
  for (const n of names) {
    const i = table.keys.indexOf(n)
    if (i >= 0) return cells[i]
  }
  return undefined
}

export const hasAny = (table: CsvTable, names: readonly string[]) => names.some((n) => table.keys.includes(n))

/**
 * The sections of a file of several tables (aCar, Fuelio): each title line (`titleOf` names it)
 * starts a table of its own header and rows, their lines those of the whole file.
 */
export function sectionTables<S extends string>(
  text: string,
  file: string,
  titleOf: (line: string) => S | undefined,
): Map<S, CsvTable> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const starts: { section: S; at: number }[] = []
  lines.forEach((line, i) => {
    const s = titleOf(line)
    if (s) starts.push({ section: s, at: i })
  })
  const out = new Map<S, CsvTable>()
  starts.forEach(({ section, at }, k) => {
    const body = lines.slice(at + 1, starts[k + 1]?.at ?? lines.length).join('\n')
    if (body.trim() === '') return
    out.set(section, readCsv(body, file, at + 1))
  })
  return out
}
