/**
 * Settling the numbers that read two ways. The parsers put both readings of `83.000` or `52,000`
 * on the value (`readings: [decimal, thousands]`, see command.ts `Readings`) because a bot does
 * not know the garage; the worker settles them with the garage's number format before any
 * handler runs: where the typed separator is the garage's group separator the thousands reading
 * is taken, otherwise the command is refused naming the field and both readings. Relative dates
 * ("yesterday", payload `today-1`) are settled there too, with the garage's today.
 */
import type { TSchema } from '@sinclair/typebox'
import { type DateOrder, dayNumber, fromDayNumber, readSlashed } from '../lib/domain/dates.ts'
import { minorDigits } from '../lib/domain/money.ts'
import {
  formatIn,
  type NumberFormat,
  readIn,
  SEPARATORS,
  separatorOf,
  typedIn,
} from '../lib/domain/numbers.ts'
import { DATE_PATTERN } from './command.ts'

type TwoWay = { value: number; text: string; readings: [number, number]; unit?: string | null }

const isTwoWay = (v: unknown): v is TwoWay =>
  typeof v === 'object' &&
  v !== null &&
  Array.isArray((v as TwoWay).readings) &&
  (v as TwoWay).readings.length === 2 &&
  typeof (v as TwoWay).value === 'number'

/** The two-way values of a payload, each with its field (the top-level option it is in). */
function* twoWays(payload: unknown): Generator<{ field: string; value: TwoWay }> {
  if (typeof payload !== 'object' || payload === null) return
  for (const [field, v] of Object.entries(payload)) {
    if (isTwoWay(v)) yield { field, value: v }
    else if (typeof v === 'object' && v !== null && !Array.isArray(v))
      for (const inner of Object.values(v)) if (isTwoWay(inner)) yield { field, value: inner }
  }
}

/**
 * Whether a payload holds a value that reads two ways (only then is the garage asked). Asked of
 * every command, so written as plain loops rather than through the generator above.
 */
export function hasTwoWay(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return false
  for (const key in payload) {
    const v = (payload as Record<string, unknown>)[key]
    if (isTwoWay(v)) return true
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      for (const inner in v) if (isTwoWay((v as Record<string, unknown>)[inner])) return true
  }
  return false
}

/** A reading as the garage reads it: "83,000 km", "$25,000". */
function shown(v: TwoWay, n: number, format: NumberFormat, currency: string): string {
  if (v.unit === undefined) {
    const digits = minorDigits(currency)
    try {
      const money = new Intl.NumberFormat('en-US', {
        style: 'currency',
        currency,
        minimumFractionDigits: Number.isInteger(n) ? 0 : digits,
        maximumFractionDigits: Math.max(digits, 3),
      }).format(n)
      const { group, decimal } = SEPARATORS[format]
      return money.replace(/[,.]/g, (c) => (c === ',' ? group : decimal))
    } catch {
      return `${formatIn(n, format, 3)} ${currency}`
    }
  }
  return `${formatIn(n, format, 3)}${v.unit ? ` ${v.unit}` : ''}`
}

const typed = (v: TwoWay, n: number, format: NumberFormat) =>
  `${typedIn(n, format)}${v.unit ? ` ${v.unit}` : ''}`

export type Settled = { ok: true; payload: unknown } | { ok: false; field: string; error: string }

/**
 * The payload with every two-way value settled in the garage's format (`readings` removed, so
 * handlers and services see the usual shapes), or the refusal of the first that cannot be.
 */
export function settleTwoWay(payload: unknown, format: NumberFormat, currency: string): Settled {
  const settle = (v: unknown): unknown => {
    if (!isTwoWay(v)) return v
    const { readings, ...rest } = v
    return { ...rest, value: readIn(readings, separatorOf(v.value, readings), format) ?? v.value }
  }
  for (const { field, value: v } of twoWays(payload)) {
    const n = readIn(v.readings, separatorOf(v.value, v.readings), format)
    if (n === undefined) {
      const [a, b] = v.readings
      return {
        ok: false,
        field,
        error: `${field}: ${JSON.stringify(v.text)} reads as ${shown(v, a, format, currency)} or ${shown(v, b, format, currency)}; type ${typed(v, a, format)} or ${typed(v, b, format)} (this garage writes numbers ${format})`,
      }
    }
  }
  const out: Record<string, unknown> = {}
  for (const [field, v] of Object.entries(payload as Record<string, unknown>)) {
    if (isTwoWay(v)) out[field] = settle(v)
    else if (typeof v === 'object' && v !== null && !Array.isArray(v))
      out[field] = Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, settle(inner)]))
    else out[field] = v
  }
  return { ok: true, payload: out }
}

const RELATIVE_DATE = /^today-(\d{1,5})$/

const dateFieldsOf = new WeakMap<TSchema, string[]>()

/** The date options of a payload schema (those holding YYYY-MM-DD or `today-N`). */
export function dateFields(schema: TSchema): string[] {
  let fields = dateFieldsOf.get(schema)
  if (!fields) {
    const props = (schema as { properties?: Record<string, { pattern?: string }> }).properties ?? {}
    fields = Object.entries(props)
      .filter(([, p]) => p?.pattern === DATE_PATTERN)
      .map(([k]) => k)
    dateFieldsOf.set(schema, fields)
  }
  return fields
}

const SLASHED = /^\d{1,2}\/\d{1,2}\/\d{4}$/
/** A date the garage must settle: relative (`today-N`) or slashed (`3/4/2026`). */
const isUnsettledDate = (v: unknown) => typeof v === 'string' && (RELATIVE_DATE.test(v) || SLASHED.test(v))

/**
 * Whether a payload needs its garage to be read: a number that reads two ways, or a relative or
 * slashed date in one of `dates` (see `dateFields`). Every other command pays nothing.
 */
export function needsGarage(payload: unknown, dates: readonly string[]): boolean {
  if (hasTwoWay(payload)) return true
  const p = payload as Record<string, unknown> | null
  return p !== null && typeof p === 'object' && dates.some((f) => isUnsettledDate(p[f]))
}

/**
 * The payload with its dates made YYYY-MM-DD for the garage: relative ones (`today-N`) from its
 * `today`, slashed ones (`3/4/2026`) in its date `order`; a slashed date the order cannot read
 * is refused naming the field.
 */
export function settleDates(payload: unknown, dates: readonly string[], today: string, order: DateOrder): Settled {
  const p = payload as Record<string, unknown>
  if (!dates.some((f) => isUnsettledDate(p[f]))) return { ok: true, payload }
  const out = { ...p }
  for (const f of dates) {
    const v = p[f]
    if (typeof v !== 'string') continue
    const m = RELATIVE_DATE.exec(v)
    if (m) {
      out[f] = fromDayNumber(dayNumber(today) - Number(m[1]))
      continue
    }
    const read = readSlashed(v, order)
    if (!read) continue
    if ('error' in read) return { ok: false, field: f, error: `${f}: ${read.error}` }
    out[f] = read.date
  }
  return { ok: true, payload: out }
}
