/**
 * /issue log, list, show, comment, comment_edit, comment_remove, status, close, and the Undo
 * button of a comment's edit or removal (`issue.undo_comment:<change id>`). The car is resolved in the items service
 * first (an unknown car gets its "no car … in this garage; cars: …" message); the issue number
 * is always looked up within the garage of the envelope.
 */
import { Type as T } from '@sinclair/typebox'
import { actionId } from '../../catalog/actions.ts'
import issue from '../../catalog/commands/issue.ts'
import { callIssues, issuesClient } from '../clients/issues.ts'
import type { CommentChange, Issue, IssueSummary } from '../../services/issues/model.ts'
import { callItems, itemsClient } from '../clients/items.ts'
import type { RecordView } from '../../services/items/records/model.ts'
import { checkAcceptedQuote, linkAcceptedQuote } from '../clients/quotes.ts'
import type { Action, Reply } from '../../lib/contracts/envelope.ts'
import { clip, plural } from '../../lib/domain/text.ts'
import { type HandlerContext, type HandlerFamily, handlers, StorageFull, UserError } from '../handler.ts'
import { fitLines, issueRef } from './shared/format.ts'
import { carNames, named, withCarName } from './shared/car-names.ts'
import { issueChangePhrase, localTime, type Shown, shownOf, STATUS_LABEL } from './shared/garage-changes.ts'
import { actorOf, commentNumber, resolveCar } from './shared/lookups.ts'
import { issueEvent, issueStatusEvent } from './shared/webhook-events.ts'

const SEVERITY_MARK: Record<string, string> = { critical: '🔴', high: '🟠', medium: '🟡', low: '⚪' }
export const summaryLine = (i: IssueSummary) =>
  `${SEVERITY_MARK[i.severity] ?? ''} #${i.number} ${i.car} — ${i.title} (${STATUS_LABEL[i.status] ?? i.status})`.trim()

/** History lines an issue shows, the newest last. */
const HISTORY_SHOWN = 8
/** "… 4 earlier changes: /garage history issue:1" above the lines shown, when some are not. */
const earlier = (n: number, issue: number) =>
  n > 0 ? `… ${plural(n, 'earlier change')}: /garage history issue:${issue}\n` : ''

const historyLine = (h: Issue['history'][number], s: Shown) => `${localTime(h.at, s)} ${h.actor}${issueChangePhrase(h)}`

/**
 * The full view of an issue: details, status, comments, history (the last 8 changes, in the
 * garage's timezone and date order, or UTC and said so when they are not known; how many earlier
 * changes are not shown, and where to see them), photos and quotes.
 */
export function issueReply(i: Issue, s: Shown, title?: string): Reply {
  const fields: NonNullable<Reply['fields']> = [
    { name: 'Car', value: i.car, inline: true },
    { name: 'Severity', value: `${SEVERITY_MARK[i.severity]} ${i.severity}`, inline: true },
    { name: 'Status', value: STATUS_LABEL[i.status] ?? i.status, inline: true },
  ]
  if (i.resolution) fields.push({ name: 'Resolution', value: clip(i.resolution, 1024) })
  if (i.record_id) fields.push({ name: 'Service record', value: `#${i.record_id}`, inline: true })
  if (i.comments.length > 0) {
    const shown = i.comments.slice(-5)
    const more = i.comments.length > shown.length ? `… ${i.comments.length - shown.length} earlier\n` : ''
    // Each comment by its number in the garage (#C3), which comment_edit and comment_remove take.
    fields.push({
      name: `Comments (${i.comments.length}; #C numbers for /issue comment_edit, comment_remove)`,
      value: clip(
        more +
          shown
            .map(
              (c) =>
                `${commentName(c.number)} ${c.author}: ${clip(c.text, 170)}${c.edited_at ? ' (edited)' : ''}`,
            )
            .join('\n'),
        1024,
      ),
    })
  }
  // The newest changes are kept, and the count of the older ones is said (a field holds 1,024 characters).
  let lines = i.history.slice(-HISTORY_SHOWN).map((h) => historyLine(h, s))
  let hidden = i.history.length - lines.length
  while (lines.length > 1 && (earlier(hidden, i.number) + lines.join('\n')).length > 1024) {
    lines = lines.slice(1)
    hidden++
  }
  fields.push({
    name: s.known ? 'History' : 'History (UTC)',
    value: clip(earlier(hidden, i.number) + lines.join('\n'), 1024),
  })
  if (i.photos.length > 0) fields.push({ name: 'Photos', value: String(i.photos.length), inline: true })
  if (i.quotes.length > 0)
    fields.push({ name: 'Quotes', value: i.quotes.map((q) => `#${q}`).join(', '), inline: true })
  const newest = i.photos.at(-1)
  return {
    tone: 'ok',
    title: clip(title ?? `#${i.number} ${i.title}`, 256),
    text:
      clip(i.details ?? (i.status === 'open' ? 'No details yet.' : ''), 4000) || `#${i.number} on ${i.car}`,
    fields,
    ...(newest
      ? { image: { sha256: newest.sha256, size: 256 as const, alt: `photo of issue #${i.number}` } }
      : {}),
    ref: issueRef(i.number),
  }
}

/** A comment as every answer names it: "#C3". */
export const commentName = (n: number) => `#C${n}`

/** `issue.undo_comment:<change id>`: undoes that edit or removal of a comment. */
export const COMMENT_UNDO_KIND = 'issue.undo_comment'

const commentUndo = (change: number): { actions: Action[] } => ({
  actions: [{ id: actionId(COMMENT_UNDO_KIND, change), label: 'Undo', style: 'secondary' }],
})

/** The answer to a change of a comment: what it reads now, on which issue. */
function commentChangeReply(c: CommentChange, title: string, text: string): Reply {
  return {
    tone: 'ok',
    title: clip(title, 256),
    text: clip(text, 4000),
    fields: [{ name: 'Issue', value: clip(`#${c.issue} ${c.issue_title}`, 1024), inline: true }],
    ref: issueRef(c.issue),
  }
}

/** A service record of this garage for the issue's car, or a UserError naming `record`. */
async function recordFor(ctx: HandlerContext, number: number, id: number): Promise<RecordView> {
  const i = await callIssues(issuesClient(ctx).issues({ number }).get())
  const r = await callItems(itemsClient(ctx).records({ id }).get())
  // '#<id>' (encoded: a bare '#' would start the URL's fragment) is the car by id, never a nickname.
  const car = await resolveCar(ctx, encodeURIComponent(`#${i.car_id}`))
  if (car.nickname !== r.car)
    throw new UserError(
      `record: service record #${id} is for ${r.car}, but #${number} is about ${car.nickname}`,
      'record',
    )
  return r
}

/**
 * Links the issue's accepted quote to the record that fixed it, and gives the record the
 * accepted amount when it has no cost (a typed cost is kept). Quotes down: said, not fatal.
 */
async function carryAcceptedQuote(ctx: HandlerContext, number: number, r: RecordView): Promise<string> {
  const { quote: q, checked } = await checkAcceptedQuote(ctx, number, (await shownOf(ctx)).numbers)
  if (!checked)
    return `The quotes service could not be checked; close #${number} again with record:${r.id} later to carry its accepted quote.`
  if (!q) return ''
  const from = `the accepted quote from ${q.shop}: ${q.cost.text}`
  if (q.recordId !== null && q.recordId !== r.id)
    return `Quote ${q.number} (${q.shop}, ${q.cost.text}) is already linked to service record #${q.recordId}.`
  let cost = r.cost
  let carried = false
  if (cost === null) {
    try {
      cost = (
        await callItems(itemsClient(ctx, { write: true }).records({ id: r.id }).cost.post({ cost: q.cost }))
      ).cost
      carried = true
    } catch (error) {
      // 409: the record got a cost meanwhile; it keeps it.
      if (!(error instanceof UserError) || error instanceof StorageFull) throw error
      cost = (await callItems(itemsClient(ctx).records({ id: r.id }).get())).cost
    }
  }
  const linked = await linkAcceptedQuote(ctx, number, r.id)
  return [
    carried
      ? `Service record #${r.id} now carries ${from}.`
      : `Service record #${r.id} keeps its cost ${cost ?? 'none'} (${from}).`,
    linked
      ? `Quote ${q.number} is linked to it.`
      : `Quote ${q.number} could not be linked now; close #${number} again with record:${r.id} to link it.`,
  ].join(' ')
}

const family = handlers(issue, {
  log: async (p, ctx) => {
    const car = await resolveCar(ctx, p.car)
    const created = await callIssues(
      issuesClient(ctx, { write: true }).issues.post({
        car_id: car.id,
        car: car.nickname,
        title: p.title,
        ...(p.details ? { details: p.details } : {}),
        ...(p.severity ? { severity: p.severity as Issue['severity'] } : {}),
        actor: actorOf(ctx),
      }),
    )
    issueEvent(ctx, 'issue.opened', created)
    return {
      tone: 'ok',
      title: clip(`#${created.number} opened on ${car.nickname}`, 256),
      text: `${SEVERITY_MARK[created.severity]} ${created.severity}: ${created.title}${created.details ? `\n${clip(created.details, 3000)}` : ''}\nDrop photos in this thread to add them to #${created.number}.`,
      ref: issueRef(created.number),
    }
  },

  list: async (p, ctx) => {
    const car = p.car ? await resolveCar(ctx, p.car) : undefined
    const { issues, total } = await callIssues(
      issuesClient(ctx).issues.get({
        query: {
          ...(car ? { car: car.id } : {}),
          ...(p.status ? { status: p.status as Issue['status'] } : {}),
          ...(p.all ? { all: 'yes' as const } : {}),
        },
      }),
    )
    // The cars' names now (an issue keeps its car's id; a renamed car shows its new name).
    const names = car ? new Map([[car.id, car.nickname]]) : await carNames(ctx)
    const scope = [
      car ? `on ${car.nickname}` : '',
      p.status ? `(${STATUS_LABEL[p.status]})` : p.all ? '' : 'open',
    ].filter(Boolean)
    if (issues.length === 0) {
      return {
        tone: 'ok',
        text: `No ${p.all ? '' : 'open '}issues${car ? ` on ${car.nickname}` : ''}. Log one with /issue log.`,
      }
    }
    return {
      tone: 'ok',
      title: `${plural(total, scope.includes('open') ? 'open issue' : 'issue')}${car ? ` on ${car.nickname}` : ''}`,
      text: fitLines(
        issues.map((i) => summaryLine(named(names, i))),
        { limit: 3800, unseen: total - issues.length },
      ),
    }
  },

  show: async (p, ctx) => {
    const i = await callIssues(issuesClient(ctx).issues({ number: p.number }).get())
    return issueReply(await withCarName(ctx, i), await shownOf(ctx))
  },

  comment: async (p, ctx) => {
    const i = await callIssues(
      issuesClient(ctx, { write: true })
        .issues({ number: p.number })
        .comments.post({ text: p.text, actor: actorOf(ctx) }),
    )
    const added = i.comments.at(-1)
    return {
      tone: 'ok',
      title: clip(
        `Comment ${added ? `${commentName(added.number)} ` : ''}added to #${i.number} ${i.title}`,
        256,
      ),
      text: clip(p.text, 4000),
      ref: issueRef(i.number),
    }
  },

  comment_edit: async (p, ctx) => {
    const number = commentNumber(p.number)
    const c = await callIssues(
      issuesClient(ctx, { write: true })
        .comments({ number })
        .edit.post({ text: p.text, actor: actorOf(ctx) }),
    )
    return {
      ...commentChangeReply(
        c,
        `Comment ${commentName(number)} edited on #${c.issue} ${c.issue_title}`,
        `Was: ${clip(c.before, 1800)}\nNow: ${clip(c.after, 1800)}`,
      ),
      ...commentUndo(c.change),
    }
  },

  comment_remove: async (p, ctx) => {
    const number = commentNumber(p.number)
    const c = await callIssues(
      issuesClient(ctx, { write: true })
        .comments({ number })
        .remove.post({ actor: actorOf(ctx) }),
    )
    return {
      ...commentChangeReply(
        c,
        `Comment ${commentName(number)} removed from #${c.issue} ${c.issue_title}`,
        `${c.comment.author}: ${clip(c.before, 3500)}`,
      ),
      ...commentUndo(c.change),
    }
  },

  status: async (p, ctx) => {
    const before = await callIssues(issuesClient(ctx).issues({ number: p.number }).get())
    const i = await callIssues(
      issuesClient(ctx, { write: true })
        .issues({ number: p.number })
        .status.post({
          status: p.status as Issue['status'],
          ...(p.note ? { note: p.note } : {}),
          actor: actorOf(ctx),
        }),
    )
    const changed = before.status !== i.status
    issueStatusEvent(ctx, before.status, i)
    return {
      tone: changed ? 'ok' : 'warn',
      title: clip(`#${i.number} ${i.title}`, 256),
      text: changed
        ? `Status: ${STATUS_LABEL[before.status]} → ${STATUS_LABEL[i.status]}`
        : `#${i.number} was already ${STATUS_LABEL[i.status]}${p.note ? '; your note was added' : ''}`,
      ref: issueRef(i.number),
    }
  },

  close: async (p, ctx) => {
    // The record is checked before anything changes: this garage's, and of the issue's car.
    const record = p.record === undefined ? null : await recordFor(ctx, p.number, p.record)
    const i = await callIssues(
      issuesClient(ctx, { write: true })
        .issues({ number: p.number })
        .close.post({
          resolution: p.resolution,
          ...(p.record !== undefined ? { record_id: p.record } : {}),
          ...(p.wont_fix ? { status: 'wont_fix' as const } : {}),
          actor: actorOf(ctx),
        }),
    )
    issueEvent(ctx, 'issue.closed', i)
    const quote = record ? await carryAcceptedQuote(ctx, i.number, record) : ''
    return {
      tone: 'ok',
      title: clip(`#${i.number} ${STATUS_LABEL[i.status]}: ${i.title}`, 256),
      text: `${clip(p.resolution, 3500)}${i.record_id ? `\nFixed by service record #${i.record_id}.` : ''}${quote ? `\n${quote}` : ''}`,
      ref: issueRef(i.number),
    }
  },
})

const undoButton = T.Object(
  { arg: T.String({ minLength: 1, maxLength: 40 }) },
  { additionalProperties: false },
)

export default {
  ...family,
  /** The Undo button of /issue comment_edit and comment_remove: `issue.undo_comment:<change id>`. */
  [COMMENT_UNDO_KIND]: {
    schema: undoButton,
    run: async (p: typeof undoButton.static, ctx: HandlerContext): Promise<Reply> => {
      if (!/^\d{1,15}$/.test(p.arg))
        throw new UserError(`change: "${p.arg.slice(0, 20)}" is not a change number`, 'change')
      const c = await callIssues(
        issuesClient(ctx, { write: true })
          ['comment-changes']({ change: Number(p.arg) })
          .undo.post({ actor: actorOf(ctx) }),
      )
      const name = commentName(c.comment.number)
      return commentChangeReply(
        c,
        c.undid === 'remove'
          ? `Undone: comment ${name} is back on #${c.issue} ${c.issue_title}`
          : `Undone: comment ${name} reads as before on #${c.issue} ${c.issue_title}`,
        `${c.comment.author}: ${clip(c.comment.text, 3500)}`,
      )
    },
  },
} satisfies HandlerFamily
