/**
 * Who may run a job: the worker decides a member's role from the facts the platform verified
 * (the envelope's actor, set by the bot from the event, never from typed text) and the garage's
 * own mapping of roles (items `/roles`), and refuses before the handler runs when the kind needs
 * more (catalog/roles.ts says what each kind needs). A refusal is the user's mistake: a private
 * answer that names the role needed and how to get it; nothing is stored.
 *
 * - The terminal chat's user (and a test or the bench acting as one) is a manager; no lookup.
 * - Discord: Administrator or Manage Server makes a manager; so does owning the DM garage
 *   `discord:dm:<user id>`. Everyone else is a driver unless the garage maps one of their
 *   server roles (the guild's id is @everyone, which every member has): then the highest
 *   mapped role counts, which may be viewer.
 * - Slack: workspace owners and admins are managers; everyone else a driver unless the garage
 *   maps one of their user groups, as above.
 * - A driver may change or remove only the fill-ups, charges, service records, readings, expenses,
 *   issues (status, closing), comments, quotes and photos they logged, and undo only their own
 *   changes; a record whose author is not known is a manager's to change. The author is asked of
 *   the service that keeps the record and compared with the envelope's verified actor id.
 *
 * Kinds a viewer may run need no lookup at all; a manager by the platform's facts needs none
 * either. Otherwise the mapping is read at most once per job and kept per garage for
 * MAPPING_TTL_MS (dropped at once when this worker changes it, `forgetRoles`).
 */

import { allows, roleNeeded } from '../catalog/roles.ts'
import type { Actor, Envelope, Role } from '../lib/contracts/envelope.ts'
import { callImages, imagesClient } from './clients/images.ts'
import { callIssues, issuesClient } from './clients/issues.ts'
import { callItems, itemsClient } from './clients/items.ts'
import { callQuotes, quotesClient } from './clients/quotes.ts'
import { type HandlerContext, ServiceUnavailable, UserError } from './handler.ts'
import { parseChangeRef } from './handlers/shared/garage-changes.ts'
import { commentNumber, photoRef } from './handlers/shared/lookups.ts'

/** A garage's mapping: Discord role id or Slack user group id → role. */
export type RoleMap = ReadonlyMap<string, Role>

const ADMINISTRATOR = 1n << 3n
const MANAGE_GUILD = 1n << 5n

/** True when Discord's permission bit set (decimal) has Administrator or Manage Server. */
export function managesServer(permissions: string | undefined): boolean {
  if (!permissions || !/^[0-9]{1,40}$/.test(permissions)) return false
  return (BigInt(permissions) & (ADMINISTRATOR | MANAGE_GUILD)) !== 0n
}

/** True when the platform's facts alone make the actor a manager (no mapping needed). */
export function platformManager(tenant: string, actor: Actor): boolean {
  if (actor.platform === 'local') return true
  if (actor.platform === 'discord')
    return tenant === `discord:dm:${actor.userId}` || managesServer(actor.discord?.permissions)
  return actor.slack?.admin === true || actor.slack?.owner === true
}

/** The ids the garage's mapping is matched against: Discord roles (and @everyone), Slack user groups. */
function refsOf(tenant: string, actor: Actor): string[] {
  if (actor.platform === 'discord') {
    const guild = /^discord:([0-9]+)$/.exec(tenant)?.[1]
    return [...(actor.discord?.roles ?? []), ...(guild ? [guild] : [])]
  }
  if (actor.platform === 'slack') return actor.slack?.groups ?? []
  return []
}

/** The role of an actor in a garage with that mapping (pure; see the file's comment for the rules). */
export function decideRole(tenant: string, actor: Actor, mapping: RoleMap = new Map()): Role {
  if (platformManager(tenant, actor)) return 'manager'
  let best: Role | undefined
  for (const ref of refsOf(tenant, actor)) {
    const mapped = mapping.get(ref)
    if (mapped && (!best || allows(mapped, best))) best = mapped
  }
  return best ?? 'driver'
}

/** How long this worker keeps a garage's mapping. */
export const MAPPING_TTL_MS = 30_000
/** Garages whose mapping is kept at most; the oldest go first. */
const MAX_KEPT = 10_000
/** A garage's mapping as read (or being read), and the last one read, which stands while the items service is unavailable. */
type Kept = { at: number; map: Promise<RoleMap>; known?: RoleMap }
const mappings = new Map<string, Kept>()

/** Drops a garage's cached mapping (after this worker changed it). */
export function forgetRoles(tenant: string): void {
  mappings.delete(tenant)
}

async function mappingOf(ctx: HandlerContext, ttlMs: number): Promise<RoleMap> {
  const tenant = ctx.envelope.tenant
  const cached = mappings.get(tenant)
  // performance.now, not ctx.now: the job's clock may be a test's fixed date.
  if (cached && performance.now() - cached.at < ttlMs) return cached.map
  const known = cached?.known
  const map = callItems(itemsClient(ctx).roles.get()).then(
    (r) => new Map(r.roles.map((x) => [x.ref, x.role] as const)) as RoleMap,
  )
  const entry: Kept = { at: performance.now(), map, ...(known ? { known } : {}) }
  mappings.delete(tenant)
  mappings.set(tenant, entry)
  if (mappings.size > MAX_KEPT) mappings.delete(mappings.keys().next().value!)
  map.then(
    (m) => {
      entry.known = m
    },
    () => {
      // A failed read is not kept: the next job asks again (the last mapping read stays known).
      if (mappings.get(tenant) !== entry) return
      if (known) mappings.set(tenant, { at: Number.NEGATIVE_INFINITY, map: Promise.resolve(known), known })
      else mappings.delete(tenant)
    },
  )
  // While the items service cannot be reached, the last mapping read stands: a mapped viewer
  // stays a viewer, and a driver's command that needs only another service still runs.
  if (!known) return map
  return map.catch((error) => {
    if (error instanceof ServiceUnavailable) return known
    throw error
  })
}

/** The role of the job's actor in its garage (reads the mapping only when the platform's facts do not settle it). */
export async function roleOf(ctx: HandlerContext, ttlMs = MAPPING_TTL_MS): Promise<Role> {
  const { tenant, actor } = ctx.envelope
  if (platformManager(tenant, actor)) return 'manager'
  return decideRole(tenant, actor, await mappingOf(ctx, ttlMs))
}

/** A refusal by role: a UserError, so the orchestrator answers it privately and never retries it. */
export class RoleRefused extends UserError {}

const ARTICLE: Record<Role, string> = { viewer: 'a viewer', driver: 'a driver', manager: 'a manager' }

/** How one becomes a manager, or gets a role mapped, on each platform. */
function howToGet(actor: Actor, need: Role): string {
  const map = `a manager can give one of your ${actor.platform === 'slack' ? 'user groups' : 'roles'} ${need} with /garage roles`
  if (actor.platform === 'discord')
    return `Members with Manage Server or Administrator are managers; ${map} (/garage roles shows who is what).`
  if (actor.platform === 'slack')
    return `Workspace owners and admins are managers; ${map} (/garage roles shows who is what).`
  return `Ask a manager of this garage (/garage roles shows who is what).`
}

/** Where a record's author is kept: the items service (fill-ups, charges, service records, readings, expenses, its changes), issues, quotes or images. */
export type OwnedKind =
  | 'fuel'
  | 'charge'
  | 'service'
  | 'reading'
  | 'change'
  | 'expense'
  | 'issue'
  | 'comment'
  | 'quote'
  | 'photo'
  | 'issue_change'
  | 'comment_change'
  | 'quote_change'

/** A record a driver may change only if they logged it; a photo by its number (`ref`) or the start of its code (`sha`). */
export type OwnedRecord = { kind: OwnedKind; ref: number; sha?: string; what: string }

/**
 * The record a driver may change only if they logged it: a fill-up, charge, service record,
 * reading, expense or change of the items service by its number; an issue (its status, closing
 * it) or a comment (`C3`) of the issues service; a quote; a photo (by number or code); a change
 * to undo: of the items service (`12`), of the issues service (`I3`, or a comment's Undo
 * button), of the quotes service (`Q5`, or a quote's Undo button).
 */
/** What a handler's own parser makes of a value, or undefined where it refuses it (its refusal is the handler's answer). */
function parsed<T>(parse: () => T): T | undefined {
  try {
    return parse()
  } catch {
    return undefined
  }
}

export function ownedRecord(kind: string, payload: unknown): OwnedRecord | undefined {
  const p = (payload ?? {}) as Record<string, unknown>
  const n = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined)
  const numbered = (k: OwnedKind, name: string, v: unknown): OwnedRecord | undefined => {
    const ref = n(v)
    return ref ? { kind: k, ref, what: `${name} #${ref}` } : undefined
  }
  switch (kind) {
    case 'fuel.edit':
    case 'fuel.remove':
      return numbered('fuel', 'Fill-up', p.number)
    case 'charge.edit':
    case 'charge.remove':
      return numbered('charge', 'Charge', p.number)
    case 'service.edit':
    case 'service.remove':
      return numbered('service', 'Service record', p.number)
    case 'car.odometer':
    case 'car.reading_remove':
      return numbered('reading', 'Reading', p.number)
    case 'expense.edit':
    case 'expense.remove':
      return numbered('expense', 'Expense', p.number)
    case 'issue.status':
    case 'issue.close':
      return numbered('issue', 'Issue', p.number)
    case 'quote.edit':
    case 'quote.remove':
      return numbered('quote', 'Quote', p.number)
    case 'issue.comment_edit':
    case 'issue.comment_remove': {
      // read as the handler reads it; anything else it refuses itself
      const ref = typeof p.number === 'string' ? parsed(() => commentNumber(p.number as string)) : undefined
      return ref ? { kind: 'comment', ref, what: `Comment #C${ref}` } : undefined
    }
    case 'photo.remove': {
      // read as the handler reads it; anything else it refuses itself
      const photo = typeof p.photo === 'string' ? parsed(() => photoRef(p.photo as string)) : undefined
      if (!photo) return undefined
      return 'id' in photo
        ? numbered('photo', 'Photo', photo.id)
        : { kind: 'photo', ref: 0, sha: photo.sha, what: `Photo ${photo.sha}` }
    }
    case 'garage.undo':
    case 'garage.undo_change': {
      // /garage undo change:12 (or I3, Q5; an integer in jobs from before those), the Undo button's
      // arg; as queue/handlers/shared/garage-changes.ts parseChangeRef reads it (it refuses the rest)
      const raw = kind === 'garage.undo' ? p.change : p.arg
      const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : ''
      const change = parsed(() => parseChangeRef(text))
      if (!change) return undefined
      const { service, id: ref } = change
      return service === 'issues'
        ? { kind: 'issue_change', ref, what: `Change #I${ref}` }
        : service === 'quotes'
          ? { kind: 'quote_change', ref, what: `Change #Q${ref}` }
          : { kind: 'change', ref, what: `Change #${ref}` }
    }
    case 'issue.undo_comment':
    case 'quote.undo_change': {
      // the Undo button of a comment's or a quote's edit or removal: the change's id
      const ref = typeof p.arg === 'string' && /^[0-9]{1,15}$/.test(p.arg) ? n(Number(p.arg)) : undefined
      if (!ref) return undefined
      return kind === 'issue.undo_comment'
        ? { kind: 'comment_change', ref, what: 'That change of a comment' }
        : { kind: 'quote_change', ref, what: `Change #Q${ref}` }
    }
    default:
      return undefined
  }
}

/**
 * Whether the actor logged the record, as the service that keeps it says: the items service
 * keeps `<platform>:<user id>` (queue/clients/items.ts `actorHeader`), the issues, quotes and
 * images services the platform user id (within a garage, which is one platform's). `unknown`
 * when the service does not know its author.
 */
async function authorship(
  ctx: HandlerContext,
  record: OwnedRecord,
  actor: Actor,
): Promise<'mine' | 'other' | 'unknown'> {
  const said = (by: string | null, me: string) => (by === null ? 'unknown' : by === me ? 'mine' : 'other')
  const itemsId = `${actor.platform}:${actor.userId}`
  switch (record.kind) {
    case 'fuel':
    case 'charge':
    case 'service':
    case 'reading':
    case 'change': {
      const { by } = await callItems(
        itemsClient(ctx).roles.logged.get({ query: { kind: record.kind, ref: record.ref } }),
      )
      return said(by, itemsId)
    }
    case 'expense': {
      const { by } = await callItems(itemsClient(ctx).expenses.logged.get({ query: { number: record.ref } }))
      return said(by, itemsId)
    }
    case 'issue':
    case 'comment':
    case 'issue_change':
    case 'comment_change': {
      const kind = record.kind === 'issue_change' ? 'entry' : record.kind
      const { by } = await callIssues(issuesClient(ctx).logged.get({ query: { kind, ref: record.ref } }))
      return said(by, actor.userId)
    }
    case 'quote':
    case 'quote_change': {
      const kind = record.kind === 'quote' ? 'quote' : 'change'
      const { by } = await callQuotes(quotesClient(ctx).logged.get({ query: { kind, ref: record.ref } }))
      return said(by, actor.userId)
    }
    case 'photo': {
      // What /photo remove would remove (a preview writes nothing): every link must be theirs.
      const { removed } = await callImages(
        imagesClient(ctx).images.remove.post({
          ...(record.sha ? { sha: record.sha } : { id: record.ref }),
          preview: true,
        }),
      )
      return removed.every((photo) => photo.uploader === actor.userId) ? 'mine' : 'other'
    }
  }
}

/**
 * Refuses the job (throws RoleRefused) when its actor's role does not allow its kind, or when a
 * driver would change a record someone else logged. Called by the orchestrator before the
 * handler runs.
 */
export async function checkRole(env: Envelope, ctx: HandlerContext, ttlMs = MAPPING_TTL_MS): Promise<void> {
  const need = roleNeeded(env.kind, env.payload)
  if (need === 'viewer') return
  const role = await roleOf(ctx, ttlMs)
  if (!allows(role, need)) {
    throw new RoleRefused(
      `This needs ${ARTICLE[need]} of this garage; you are ${ARTICLE[role]}, so nothing was done. ${howToGet(env.actor, need)}`,
    )
  }
  if (role !== 'driver') return
  const record = ownedRecord(env.kind, env.payload)
  if (!record) return
  const whose = await authorship(ctx, record, env.actor)
  if (whose === 'mine') return
  throw new RoleRefused(
    whose === 'unknown'
      ? `${record.what}: who logged it is not known (it is older than Car Manager's record of that, or does not exist), so only a manager can change it; nothing was done.`
      : `${record.what} was logged by someone else; a driver changes only their own, so nothing was done. A manager can change it.`,
  )
}
