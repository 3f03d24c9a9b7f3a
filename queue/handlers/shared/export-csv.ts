/**
 * CSV for /garage export: one line per row (RFC 4180 quoting, CRLF line ends), every text cell
 * that a spreadsheet would run as a formula (beginning with =, +, -, @, a tab or a carriage
 * return) prefixed with `'`, unless it is a plain number (a negative number stays a number).
 */

const FORMULA_START = /^[=+\-@\t\r]/
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

/** One cell: null and undefined empty, numbers as they are, lists and objects as JSON. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  let text = typeof value === 'string' ? value : JSON.stringify(value)
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One CSV line of `cells`, with its line end. */
export const csvLine = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`
