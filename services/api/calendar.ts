/**
 * The calendar feed (RFC 5545), computed when it is fetched: one all-day event per maintenance
 * item's next due date (for a distance or hour item the date projected from the car's recent
 * use, marked as an estimate) and one per recurring expense's renewal. Lines end in CRLF and are
 * folded at 75 octets; text is escaped; UIDs are stable per item and renewal, so a calendar
 * app updates an event rather than adding another when the due date moves.
 */
import type { ItemView } from '../items/maintenance/model.ts'
import type { RenewalView } from '../items/expenses/model.ts'

export type CalendarEvent = {
  uid: string
  date: string
  summary: string
  description: string
}

/** Escapes a TEXT value (RFC 5545 3.3.11). */
export const escapeText = (s: string) =>
  s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n')

/** Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 3.1). */
export function fold(line: string): string {
  const out: string[] = []
  let current = ''
  let octets = 0
  for (const ch of line) {
    const size = Buffer.byteLength(ch)
    const limit = out.length === 0 ? 75 : 74 // continuation lines start with a space
    if (octets + size > limit) {
      out.push(current)
      current = ''
      octets = 0
    }
    current += ch
    octets += size
  }
  out.push(current)
  return out.join('\r\n ')
}

const basic = (date: string) => date.replaceAll('-', '')
const nextDay = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}
const stamp = (now: Date) => `${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`

/**
 * The date an item is next due and whether it is an estimate: the earlier of its due date and
 * the date projected for its distance (the projection is the estimate); null when neither is
 * known (a distance item of a car with too few readings to project).
 */
export function itemDue(item: ItemView): { date: string; estimated: boolean } | null {
  const projected = item.projected?.date ?? null
  if (item.due_date && (!projected || item.due_date <= projected)) return { date: item.due_date, estimated: false }
  if (projected) return { date: projected, estimated: true }
  return null
}

export function feedEvents(garageId: string, items: ItemView[], renewals: RenewalView[]): CalendarEvent[] {
  const events: CalendarEvent[] = []
  for (const item of items) {
    const due = itemDue(item)
    if (!due) continue
    events.push({
      uid: `item-${item.id}@${garageId}.car-manager`,
      date: due.date,
      summary: `${item.car}: ${item.name} due${due.estimated ? ' (estimate)' : ''}`,
      description: `${item.due_text}${due.estimated ? '\nThe date is an estimate, projected from recent odometer readings.' : ''}`,
    })
  }
  for (const r of renewals) {
    events.push({
      uid: `renewal-${r.number}@${garageId}.car-manager`,
      date: r.due_date,
      summary: `${r.car}: ${r.name} renews`,
      description: r.due_text,
    })
  }
  return events.sort((a, b) => a.date.localeCompare(b.date) || a.uid.localeCompare(b.uid))
}

/** The VCALENDAR text of `events`. */
export function icsOf(name: string, events: CalendarEvent[], now: Date): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Car Manager//Garage calendar//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(name)}`,
  ]
  for (const e of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${e.uid}`,
      `DTSTAMP:${stamp(now)}`,
      `DTSTART;VALUE=DATE:${basic(e.date)}`,
      `DTEND;VALUE=DATE:${basic(nextDay(e.date))}`,
      `SUMMARY:${escapeText(e.summary)}`,
      `DESCRIPTION:${escapeText(e.description)}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    )
  }
  lines.push('END:VCALENDAR')
  return `${lines.map(fold).join('\r\n')}\r\n`
}
