import { expect, test } from 'bun:test'
import { parse } from 'csv-parse/sync'
import { csvCell, csvLine } from './export-csv.ts'

test('a cell a spreadsheet would run as a formula is escaped; numbers, negative ones too, are not', () => {
  expect(csvCell('=SUM(A1:A9)')).toBe("'=SUM(A1:A9)")
  expect(csvCell('+1 from the mechanic')).toBe("'+1 from the mechanic")
  expect(csvCell('-5W30')).toBe("'-5W30")
  expect(csvCell('@dealer')).toBe("'@dealer")
  expect(csvCell('\tcmd')).toBe("'\tcmd")
  expect(csvCell('-12.5')).toBe('-12.5')
  expect(csvCell('+3')).toBe('+3')
  expect(csvCell(-40)).toBe('-40')
  expect(csvCell('Oil change')).toBe('Oil change')
  expect(csvCell(null)).toBe('')
  expect(csvCell([1, 2])).toBe('"[1,2]"')
})

test('quoting survives a CSV reader: commas, quotes and line breaks', () => {
  const cells = ['a, b', 'say "hi"', 'two\nlines', '=cmd|"/c calc"!A1', 7]
  expect(parse(csvLine(cells))).toEqual([['a, b', 'say "hi"', 'two\nlines', `'=cmd|"/c calc"!A1`, '7']])
})
