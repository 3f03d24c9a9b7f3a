/**
 * How a garage wants numbers and dates written back to it: its number format and its date order
 * (`/garage settings numbers:` and `dates:`). A label is written once, with the presentation of
 * the garage it is shown to; storage keeps plain numbers and ISO dates.
 */
import { type DateOrder, DEFAULT_DATE_ORDER, isDateOrder } from './dates.ts'
import { DEFAULT_NUMBER_FORMAT, isNumberFormat, type NumberFormat } from './numbers.ts'

export type Presentation = { readonly numbers: NumberFormat; readonly dates: DateOrder }

export const DEFAULT_PRESENTATION: Presentation = {
  numbers: DEFAULT_NUMBER_FORMAT,
  dates: DEFAULT_DATE_ORDER,
}

/** The presentation of stored settings; a value that is not a known format or order is the default. */
export function presentationOf(numbers: unknown, dates: unknown): Presentation {
  const n = isNumberFormat(numbers) ? numbers : DEFAULT_NUMBER_FORMAT
  const d = isDateOrder(dates) ? dates : DEFAULT_DATE_ORDER
  return n === DEFAULT_NUMBER_FORMAT && d === DEFAULT_DATE_ORDER
    ? DEFAULT_PRESENTATION
    : { numbers: n, dates: d }
}
