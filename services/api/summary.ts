/**
 * What a Home Assistant REST sensor reads of a car: its odometer, the next due maintenance item
 * with its urgency and what is left, the newest fill-up's economy and this month's cost (in the
 * garage's month and currency). Every figure is the items service's own (the due points and
 * urgency the reminders use, the economy the chat shows); the month's cost is summed from the
 * same records the chat's cost figures read (loan payments left out, as the chat leaves them out),
 * and is null, with the reason, when it mixes currencies.
 */
import { garageToday } from '../../lib/domain/dates.ts'
import { formatMoney, fromMinor } from '../../lib/domain/money.ts'
import type { CarView } from '../items/cars/model.ts'
import type { ItemView } from '../items/maintenance/model.ts'
import type { SettingsView } from '../items/settings/model.ts'
import { itemDue } from './calendar.ts'
import type { CarSummary } from './model.ts'
import type { PeerCall } from './peers.ts'

type Costed = { date: string; cost_minor: number | null; currency: string | null }

/** Every row of a newest-first list from `from` (YYYY-MM-DD) on, a page of 100 at a time. */
async function since<R extends { date: string }>(
  page: (n: number) => Promise<{ rows: R[]; next: number | null }>,
  from: string,
): Promise<R[]> {
  const out: R[] = []
  for (let n = 1; n <= 1000; n++) {
    const { rows, next } = await page(n)
    for (const r of rows) if (r.date >= from) out.push(r)
    if (next === null || rows.length === 0 || rows.every((r) => r.date < from)) break
  }
  return out
}

const LEVEL_ORDER = ['past_due', 'very_urgent', 'urgent', 'not_urgent']

/** The item due first: the most urgent, then the fewest days left. */
export function nextDue(items: ItemView[]): ItemView | undefined {
  const ranked = items
    .filter((i) => !i.snoozed_until)
    .sort(
      (a, b) =>
        LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) ||
        (a.days_left ?? Number.POSITIVE_INFINITY) - (b.days_left ?? Number.POSITIVE_INFINITY) ||
        a.id - b.id,
    )
  return ranked[0] ?? items[0]
}

export async function carSummary(
  call: PeerCall,
  tenant: string,
  car: CarView,
  settings: SettingsView,
  now: Date,
): Promise<CarSummary> {
  const ref = car.nickname
  const month = garageToday(now, settings.timezone).slice(0, 7)
  const from = `${month}-01`
  const list = <T>(path: string, n: number, extra: Record<string, string> = {}) =>
    call<T>('items', 'GET', path, { tenant, query: { car: ref, limit: 100, page: n, ...extra } })
  const [items, fillups, records, charges, expenses] = await Promise.all([
    call<{ items: ItemView[] }>('items', 'GET', '/items', { tenant, query: { car: ref } }),
    since<Costed & { economy: string | null }>(async (n) => {
      const r = await list<{ fillups: (Costed & { economy: string | null })[]; next_page: number | null }>('/fillups', n)
      return { rows: r.fillups, next: r.next_page }
    }, from),
    since<Costed>(async (n) => {
      const r = await list<{ records: Costed[]; next_page: number | null }>('/records', n)
      return { rows: r.records, next: r.next_page }
    }, from),
    since<Costed>(async (n) => {
      const r = await list<{ charges: Costed[]; next_page: number | null }>('/charges', n)
      return { rows: r.charges, next: r.next_page }
    }, from),
    since<Costed & { kind: string }>(async (n) => {
      const r = await list<{ expenses: (Costed & { kind: string })[]; next_page: number | null }>('/expenses', n)
      return { rows: r.expenses, next: r.next_page }
    }, from),
  ])
  const newest = await list<{ fillups: { economy: string | null }[] }>('/fillups', 1, { limit: '20' })
  const economy = newest.fillups.find((f) => f.economy)?.economy ?? null
  // As in the chat's cost of ownership: a loan payment repays the loan (its interest is the cost),
  // so it is money paid but not a cost of the month.
  const costed = expenses.filter((e) => e.kind !== 'loan')
  const costs = [...fillups, ...records, ...charges, ...costed].filter((r) => r.cost_minor !== null)
  const others = [...new Set(costs.map((r) => r.currency).filter((c) => c && c !== settings.currency))]
  const minor = others.length > 0 ? null : costs.reduce((sum, r) => sum + (r.cost_minor ?? 0), 0)
  const next = nextDue(items.items)
  const due = next ? itemDue(next) : null
  return {
    car: car.nickname,
    odometer: car.odometer?.value ?? null,
    odometer_label: car.odometer?.label ?? null,
    odometer_unit: car.odometer_unit,
    next_due: next
      ? {
          item: next.name,
          urgency: next.level,
          urgency_label: next.level_label,
          due_date: due?.date ?? null,
          due_odometer: next.due_odometer,
          days_left: next.days_left,
          distance_left: next.distance_left,
          estimated: due?.estimated ?? false,
          text: next.due_text,
        }
      : null,
    last_economy: economy,
    month_cost: minor === null ? null : fromMinor(minor, settings.currency),
    month_cost_minor: minor,
    month_cost_label: minor === null ? null : formatMoney(minor, settings.currency, 0, settings.numbers),
    currency: settings.currency,
    ...(others.length > 0
      ? { month_cost_note: `this month holds costs in ${others.join(', ')} besides ${settings.currency}; they are not added up` }
      : {}),
  }
}
