/**
 * The garage's history and undo across the three services that keep changes: items (fill-ups,
 * service records, readings, cars, settings), issues (issues and their comments) and quotes.
 *
 * A change is named by its service: items' `#12`, issues' `#I12`, quotes' `#Q12` (each service's
 * own change id, so a name never needs a lookup table and never changes). History merges the
 * three newest first; a page of N asks each service for its newest page×N changes, so the page is
 * right however the services' times interleave. A service that cannot be reached is named in the
 * answer (never a silently shorter history); an undo that cannot tell the asker's last change
 * because a service is down changes nothing and says so.
 */
import type { Reply } from '../../../lib/contracts/envelope.ts'
import { type DateOrder, DEFAULT_DATE_ORDER, formatDate, localClock } from '../../../lib/domain/dates.ts'
import { DEFAULT_NUMBER_FORMAT, type NumberFormat } from '../../../lib/domain/numbers.ts'
import { clip, formatNumber } from '../../../lib/domain/text.ts'
import { SERVICES, type ServiceName } from '../../../lib/contracts/services.ts'
import type { ChangeEntry } from '../../../services/issues/model.ts'
import type { QuoteChangeEntry } from '../../../services/quotes/model.ts'
import type { ChangeView } from '../../../services/items/changes/model.ts'
import { callIssues, issuesClient } from '../../clients/issues.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import { callQuotes, quotesClientIn, undoQuoteChange } from '../../clients/quotes.ts'
import { type HandlerContext, ServiceUnavailable, UserError } from '../../handler.ts'
import { type CarNames, carName, carNames } from './car-names.ts'
import { changeLine } from './changes.ts'
import { fitLines } from './format.ts'
import { undoImportElsewhere } from './import.ts'
import { actorOf, garageOf, resolveCar } from './lookups.ts'

/** How the garage shows times, dates and numbers; `known: false` when items (which keeps them) cannot be asked. */
export type Shown = {
  timezone: string
  dates: DateOrder
  numbers: NumberFormat
  today?: string
  known: boolean
}

/** The garage's ways of showing things, or UTC and the defaults (known: false) while items is down. */
export async function shownOf(ctx: HandlerContext): Promise<Shown> {
  try {
    const g = await garageOf(ctx)
    return { timezone: g.timezone, dates: g.dates, numbers: g.numbers, today: g.today, known: true }
  } catch (error) {
    if (!(error instanceof ServiceUnavailable)) throw error
    return { timezone: 'UTC', dates: DEFAULT_DATE_ORDER, numbers: DEFAULT_NUMBER_FORMAT, known: false }
  }
}

/** An instant as the garage's clock shows it, its date in the garage's order: "20/11/2026 12:00". */
export function localTime(at: string, s: { timezone: string; dates: DateOrder }): string {
  const instant = new Date(at)
  if (Number.isNaN(instant.getTime())) return at.slice(0, 16).replace('T', ' ')
  const c = localClock(instant, s.timezone)
  return `${formatDate(c.date, s.dates)} ${String(c.hour).padStart(2, '0')}:${String(c.minute).padStart(2, '0')}`
}

export const STATUS_LABEL: Record<string, string> = {
  open: 'open',
  in_progress: 'in progress',
  waiting_parts: 'waiting for parts',
  resolved: 'resolved',
  wont_fix: "won't fix",
}

/** What a change of an issue did, after its actor's name: " opened it", ": open → in progress", " edited comment #C3". */
export function issueChangePhrase(h: { field: string; old: string | null; new: string | null }): string {
  switch (h.field) {
    case 'opened':
      return ' opened it'
    case 'status':
      return `: ${STATUS_LABEL[h.old ?? ''] ?? h.old} → ${STATUS_LABEL[h.new ?? ''] ?? h.new}`
    case 'comment':
      return ' commented'
    case 'resolution':
      return ` resolution: ${clip(h.new ?? '', 80)}`
    case 'record':
      return ` linked service record #${h.new}`
    case 'photo':
      return ' added a photo'
    case 'quote':
      return ` linked quote #${h.new}`
    case 'quote_unlink':
      return ` removed quote #${h.old}`
    case 'comment_edit':
      return ` edited comment ${h.old}`
    case 'comment_remove':
      return ` removed comment ${h.old}`
    case 'comment_undo':
      return ` undid a change of comment ${h.old}`
    default:
      return ` ${h.field}: ${h.new ?? ''}`
  }
}

/** A change of the garage as its history names it, per service. */
export type ChangeRef = { service: 'items' | 'issues' | 'quotes'; id: number }
const PREFIX = { items: '#', issues: '#I', quotes: '#Q' } as const
export const refName = (r: ChangeRef) => `${PREFIX[r.service]}${r.id}`

/** A change as typed: "12" or "#12" (items), "I12" (issues), "Q12" (quotes), any case; else a UserError naming `change`. */
export function parseChangeRef(given: string): ChangeRef {
  const m = /^#?([iIqQ]?)(\d{1,15})$/.exec(given.trim())
  const id = m ? Number(m[2]) : 0
  if (!m || id < 1 || !Number.isSafeInteger(id))
    throw new UserError(
      `change: "${clip(given, 20)}" is not a change; give one /garage history lists, e.g. change:12, change:I3 or change:Q5`,
      'change',
    )
  const letter = m[1]!.toUpperCase()
  return { service: letter === 'I' ? 'issues' : letter === 'Q' ? 'quotes' : 'items', id }
}

/** "the quotes service": a service as a sentence names it mid-way. */
const serviceName = (service: string) => {
  const label = SERVICES[service as ServiceName]?.label ?? `The ${service} service`
  return label.charAt(0).toLowerCase() + label.slice(1)
}

/** What each service's part of the history is, for "not shown: …". */
const PART: Record<ChangeRef['service'], string> = {
  items: 'changes of fill-ups, service records, readings, cars and settings',
  issues: 'changes of issues and their comments',
  quotes: 'changes of quotes',
}

type Line = { at: string; text: string }
type Part = { lines: Line[]; total: number }

/** The newest `n` entries of a paged list (pages of at most 100), and its total. */
async function newest<E>(
  n: number,
  page: (page: number, limit: number) => Promise<{ list: E[]; total: number }>,
) {
  const limit = Math.min(100, n)
  const list: E[] = []
  let total = 0
  for (let p = 1; list.length < n; p++) {
    const r = await page(p, limit)
    total = r.total
    list.push(...r.list)
    if (r.list.length < limit || list.length >= total) break
  }
  return { list: list.slice(0, n), total }
}

function itemsLine(c: ChangeView, s: Shown): string {
  // changeLine writes "#12 <UTC time> …"; the garage's clock replaces that time.
  const utc = `#${c.id} ${c.at.slice(0, 16).replace('T', ' ')}`
  const line = changeLine(c)
  return `#${c.id} ${localTime(c.at, s)}${line.startsWith(utc) ? line.slice(utc.length) : ` ${line}`}`
}

function issueLine(e: ChangeEntry, s: Shown, names: CarNames): string {
  const car = carName(names, e.car_id, e.car)
  const undoes = e.undoes === null ? '' : ` (undo of #I${e.undoes})`
  const undone = e.undone_by === null ? '' : ` [undone by #I${e.undone_by}]`
  return `#I${e.id} ${localTime(e.at, s)} ${e.actor}${issueChangePhrase(e)}${undoes} — issue #${e.issue} ${clip(e.issue_title, 60)}${car ? ` (${car})` : ''}${undone}`
}

const QUOTE_DONE = {
  add: 'added',
  accept: 'accepted',
  edit: 'edited',
  remove: 'removed',
  undo: 'undid a change of',
} as const

function quoteLine(e: QuoteChangeEntry, s: Shown): string {
  const fields = e.fields
    .map((f) =>
      e.action === 'add' || e.action === 'accept'
        ? `${f.name} ${f.after}`
        : e.action === 'remove'
          ? `${f.name} ${f.before}`
          : `${f.name} ${f.before ?? '—'} → ${f.after ?? '—'}`,
    )
    .join(', ')
  const undoes = e.undoes === null ? '' : ` (undo of #Q${e.undoes})`
  const undone = e.undone_by === null ? '' : ` [undone by #Q${e.undone_by}]`
  return `#Q${e.id} ${localTime(e.at, s)} ${e.actor ?? 'someone'} ${QUOTE_DONE[e.action]} quote ${e.number} from ${e.shop} (issue #${e.issue})${undoes}${fields ? `: ${fields}` : ''}${undone}`
}

/**
 * /garage history [car:] [issue:] [page:]: the changes of the three services, newest first, a
 * page of `size`. `car:` (resolved in items) filters all three: issues by the car's id, quotes by
 * the car's issues; `issue:` shows one issue's changes and its quotes'.
 */
export async function garageHistory(
  ctx: HandlerContext,
  p: { car?: string; issue?: number; page?: number },
  size: number,
): Promise<Reply> {
  const page = p.page ?? 1
  const need = page * size
  const s = await shownOf(ctx)
  const car = p.car ? await resolveCar(ctx, p.car) : undefined
  const names = car ? new Map([[car.id, car.nickname]]) : s.known ? await carNames(ctx) : null

  const parts: [ChangeRef['service'], () => Promise<Part>][] = []
  if (p.issue === undefined)
    parts.push([
      'items',
      async () => {
        const r = await newest(need, async (pg, limit) => {
          const a = await callItems(
            itemsClient(ctx).changes.get({
              query: { ...(car ? { car: car.nickname } : {}), limit, page: pg },
            }),
          )
          return { list: a.changes, total: a.total }
        })
        return { lines: r.list.map((c) => ({ at: c.at, text: itemsLine(c, s) })), total: r.total }
      },
    ])
  parts.push([
    'issues',
    async () => {
      const r = await newest(need, async (pg, limit) => {
        const a = await callIssues(
          issuesClient(ctx).changes.get({
            query: {
              ...(car ? { car: car.id } : {}),
              ...(p.issue !== undefined ? { issue: p.issue } : {}),
              limit,
              page: pg,
            },
          }),
        )
        return { list: a.changes, total: a.total }
      })
      return { lines: r.list.map((e) => ({ at: e.at, text: issueLine(e, s, names) })), total: r.total }
    },
  ])
  parts.push([
    'quotes',
    async () => {
      // A quote reaches its car through its issue: a car's quotes are its issues' (asked of issues).
      const issues =
        p.issue !== undefined
          ? String(p.issue)
          : car
            ? (await callIssues(issuesClient(ctx).cars({ car: car.id }).issues.get())).numbers.join(',')
            : undefined
      const r = await newest(need, async (pg, limit) => {
        const a = await callQuotes(
          quotesClientIn(ctx, s).changes.get({
            query: { ...(issues !== undefined ? { issues } : {}), limit, page: pg },
          }),
        )
        return { list: a.changes, total: a.total }
      })
      return { lines: r.list.map((e) => ({ at: e.at, text: quoteLine(e, s) })), total: r.total }
    },
  ])

  const settled = await Promise.allSettled(parts.map(([, run]) => run()))
  const missing: string[] = []
  const lines: Line[] = []
  let total = 0
  settled.forEach((r, n) => {
    const service = parts[n]![0]
    if (r.status === 'fulfilled') {
      lines.push(...r.value.lines)
      total += r.value.total
    } else if (r.reason instanceof ServiceUnavailable) {
      missing.push(`${PART[service]} (${serviceName(r.reason.service)} cannot be reached)`)
    } else throw r.reason
  })
  // Newest first; the same instant keeps the services' order (a stable sort).
  lines.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
  const shown = lines.slice((page - 1) * size, need)

  const n = (value: number) => formatNumber(value, 0, 0, s.numbers)
  const count = (value: number, one: string) => `${n(value)} ${value === 1 ? one : `${one}s`}`
  const scope = car ? ` of ${car.nickname}` : p.issue !== undefined ? ` of issue #${p.issue}` : ''
  const notes = [
    missing.length ? `Not shown: ${missing.join('; ')}. This history is incomplete; ask again later.` : '',
    s.known ? '' : "Times are UTC: the garage's timezone could not be read.",
  ].filter(Boolean)
  const tone = missing.length ? 'warn' : 'ok'
  if (shown.length === 0)
    return {
      tone,
      text: [
        total === 0
          ? `No changes${scope} yet.`
          : `${count(total, 'change')}${scope}; page ${page} is past the last`,
        ...notes,
      ].join('\n'),
    }
  const from = (page - 1) * size + 1
  const upTo = (page - 1) * size + shown.length
  const command = `/garage history${p.car ? ` car:${p.car}` : ''}${p.issue !== undefined ? ` issue:${p.issue}` : ''}`
  const older = total > upTo ? `\n… ${count(total - upTo, 'older change')}: ${command} page:${page + 1}` : ''
  return {
    tone,
    title: `History${scope}: ${count(total, 'change')}${total > shown.length ? ` (${n(from)}–${n(upTo)} shown)` : ''}`,
    text:
      fitLines(
        shown.map((l) => l.text),
        { limit: 3700, more: (left) => `… ${count(left, 'more change')} of this page do not fit here` },
      ) +
      older +
      (notes.length ? `\n${notes.join('\n')}` : ''),
  }
}

/** The asker's newest change that can be undone, over the three services; a Reply when it cannot be told. */
async function lastChange(ctx: HandlerContext, s: Shown): Promise<ChangeRef | Reply> {
  const actor = ctx.envelope.actor.userId
  const asked = await Promise.allSettled([
    callItems(itemsClient(ctx).changes.last.get()).then((r) =>
      r.change ? { service: 'items' as const, id: r.change.id, at: r.change.at } : null,
    ),
    callIssues(issuesClient(ctx).changes.get({ query: { actor, undoable: 'yes', limit: 1 } })).then((r) =>
      r.changes[0] ? { service: 'issues' as const, id: r.changes[0].id, at: r.changes[0].at } : null,
    ),
    callQuotes(quotesClientIn(ctx, s).changes.get({ query: { actor, undoable: 'yes', limit: 1 } })).then(
      (r) => (r.changes[0] ? { service: 'quotes' as const, id: r.changes[0].id, at: r.changes[0].at } : null),
    ),
  ])
  const down = asked.flatMap((r) =>
    r.status === 'rejected' && r.reason instanceof ServiceUnavailable ? [r.reason.service] : [],
  )
  const failed = asked.find((r) => r.status === 'rejected' && !(r.reason instanceof ServiceUnavailable))
  if (failed?.status === 'rejected') throw failed.reason
  if (down.length)
    return {
      tone: 'error',
      text: `Nothing was undone: your last change cannot be told while ${down.map(serviceName).join(' and ')} cannot be reached (it may hold it). Try again later, or name the change: /garage undo change:12 (see /garage history).`,
    }
  const found = asked
    .flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []))
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))[0]
  if (!found)
    return {
      tone: 'error',
      text: 'change: you have no change left to undo in this garage (see /garage history); nothing changed',
    }
  return { service: found.service, id: found.id }
}

/**
 * /garage undo [change:]: undoes that change (`#12`, `#I3`, `#Q5`), or the asker's newest one that
 * can be undone over the three services. Refusals come from the service that keeps the change
 * (undone already, changed since, not undoable) and change nothing.
 */
export async function garageUndo(ctx: HandlerContext, change: string | undefined): Promise<Reply> {
  const s = await shownOf(ctx)
  const picked = change === undefined ? await lastChange(ctx, s) : parseChangeRef(change)
  if (!('service' in picked)) return picked
  if (picked.service === 'items') return undoItems(ctx, s, picked.id)
  if (picked.service === 'issues') {
    const c = await callIssues(
      issuesClient(ctx, { write: true })
        .changes({ id: picked.id })
        .undo.post({ actor: actorOf(ctx) }),
    )
    const comment = `#C${c.comment.number}`
    return {
      tone: 'ok',
      title: `Undone: change ${refName(picked)}`,
      text: clip(
        `${c.undid === 'remove' ? `Comment ${comment} is back` : `Comment ${comment} reads as before`} on issue #${c.issue} ${c.issue_title}.\n${c.comment.author}: ${c.comment.text}`,
        4000,
      ),
    }
  }
  const r = await undoQuoteChange(ctx, s, picked.id)
  const q = r.quote
  const fields =
    r.undid === 'edit'
      ? r.fields.map((f) => `${f.name} ${f.before ?? '—'} → ${f.after ?? '—'}`).join('\n')
      : ''
  return {
    tone: 'ok',
    title: `Undone: change ${refName(picked)}`,
    text: `${r.undid === 'remove' ? `Quote ${q.number} from ${q.shop} is back on issue #${q.issue}.` : `Quote ${q.number} from ${q.shop} reads as before (issue #${q.issue}).`}${fields ? `\n${fields}` : ''}`,
  }
}

/** Undoes change #id of items (undefined: the asker's last there) and says what it put back. */
export async function undoItems(ctx: HandlerContext, s: Shown, id: number | undefined): Promise<Reply> {
  const r = await callItems(
    itemsClient(ctx, { write: true }).changes.undo.post(id === undefined ? {} : { change: id }),
  )
  const u = r.undone
  const noun = {
    fuel: 'Fill-up',
    service: 'Service record',
    reading: 'Odometer reading',
    expense: 'Expense',
    charge: 'Charge',
    import: 'Import',
  }[u.kind]
  // An import's issues, quotes and photos live in their own services: taken back there too, as the
  // import's Undo button does.
  const carried = u.kind === 'import' && Boolean(u.fields.find((f) => f.name === 'carried')?.after)
  const elsewhere = carried ? await undoImportElsewhere(ctx, u.ref) : undefined
  const put =
    u.kind === 'import'
      ? `is undone: the ${u.fields.find((f) => f.name === 'rows')?.after ?? ''} rows it added are removed${elsewhere?.removed ? `, and ${elsewhere.said}` : ''} (the cars it made stay)${elsewhere?.kept.length ? `; kept, as changed since: ${elsewhere.kept.join(', ')}` : ''}`
      : { add: 'is gone again', edit: 'is back as it was', remove: 'is back', undo: '' }[u.action]
  return {
    tone: 'ok',
    title: `Undone: change #${u.id}`,
    text: `${noun} #${u.ref}${u.car ? ` (${u.car})` : ''} ${put}.\n${itemsLine(u, s)}`,
  }
}
