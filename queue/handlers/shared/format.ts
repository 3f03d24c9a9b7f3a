/**
 * How the worker's replies write the things several commands show: lines fitted to a Reply's
 * text, a maintenance item's line, and the refs a reply carries (a thread started from it then
 * knows what a photo dropped in it belongs to). Counted words use `plural` of lib/domain/text.ts.
 */
import { type DateOrder, formatDate } from '../../../lib/domain/dates.ts'
import { plural } from '../../../lib/domain/text.ts'
import type { ItemView } from '../../../services/items/maintenance/model.ts'

/** A Reply's text holds at most 4000 characters; lists are cut below that with a count of the rest. */
const TEXT_LIMIT = 3900

/**
 * Lines fitted to a Reply's text. What does not fit is counted as "… and N more" (or `more(n)`),
 * together with `unseen` lines the caller did not fetch (a list the service cut short).
 */
export function fitLines(
  lines: string[],
  opts: { limit?: number; unseen?: number; more?: (n: number) => string } = {},
): string {
  const { limit = TEXT_LIMIT, unseen = 0, more = (n: number) => `… and ${n} more` } = opts
  let out = ''
  for (let n = 0; n < lines.length; n++) {
    const next = out ? `${out}\n${lines[n]}` : lines[n]!
    if (next.length > limit) return `${out}\n${more(lines.length - n + unseen)}`
    out = next
  }
  return unseen > 0 ? `${out}\n${more(unseen)}` : out
}

/** "… 8 older: /fuel list car:golf page:2" under a page of a list that has more. */
export function olderLine(p: { total: number; next_page: number | null }, shownUpTo: number, command: string): string {
  if (p.next_page === null) return ''
  return `\n… ${plural(p.total - shownUpTo, 'older one', 'older ones')}: ${command} page:${p.next_page}`
}

export const LEVEL_TAG: Record<ItemView['level'], string> = {
  past_due: 'PAST DUE',
  very_urgent: 'very urgent',
  urgent: 'urgent',
  not_urgent: 'not urgent',
}

/** "Oil change — urgent — due 2026-11-01 (in 12 days) or at 53,000 mi (…)", dates in the garage's order. */
export function itemLine(i: ItemView, dates: DateOrder, withCar = false): string {
  const snoozed = i.snoozed_until ? ` (snoozed until ${formatDate(i.snoozed_until, dates)})` : ''
  return `${withCar ? `${i.car}: ` : ''}${i.name} — ${LEVEL_TAG[i.level]}${snoozed} — ${i.due_text}`
}

/**
 * "Archived 2026-05-01 · sold for $9,500.00 · at 98,000 mi": a car sold or scrapped, as every reply
 * about it says (the date in the garage's order; the labels are items', in its number format).
 */
export function archivedText(
  a: { on: string; price: { label: string } | null; odometer: string | null },
  dates: DateOrder,
): string {
  return [`Archived ${formatDate(a.on, dates)}`, a.price ? `sold for ${a.price.label}` : null, a.odometer ? `at ${a.odometer}` : null]
    .filter(Boolean)
    .join(' · ')
}

/** The line a reply about an archived car starts with (empty for a car in use). */
export const archivedNote = (c: { nickname: string; archived: Parameters<typeof archivedText>[0] | null }, dates: DateOrder) =>
  c.archived ? `${archivedText(c.archived, dates)} (/car unarchive ${c.nickname} to use it again).\n` : ''

/** The ref of a reply about a car (`car:<nickname>`). */
export const carRef = (nickname: string) => `car:${nickname}`

/** The ref of a reply about an issue (`issue:<n>`). */
export const issueRef = (number: number) => `issue:${number}`
