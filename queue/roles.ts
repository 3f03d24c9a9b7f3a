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
 * - A driver may change or remove only the fill-ups, charges, service records and readings they logged,
 *   and undo only their own changes; a record whose author is not known is a manager's to change.
 *
 * Kinds a viewer may run need no lookup at all; a manager by the platform's facts needs none
 * either. Otherwise the mapping is read at most once per job and kept per garage for
 * MAPPING_TTL_MS (dropped at once when this worker changes it, `forgetRoles`).
 */

import { allows, roleNeeded } from '../catalog/roles.ts'
import type { Actor, Envelope, Role } from '../lib/contracts/envelope.ts'
import { callItems, itemsClient } from './clients/items.ts'
import { type HandlerContext, ServiceUnavailable, UserError } from './handler.ts'

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

/**
 * The record a driver may change only if they logged it: a fill-up, service record, reading or
 * change of the items service by its number, or (`kind: 'unknown'`) a change of the issues or
 * quotes service (`I3`, `Q5`), whose author this check cannot ask, so only a manager undoes it.
 */
export function ownedRecord(
  kind: string,
  payload: unknown,
): { kind: 'fuel' | 'charge' | 'service' | 'reading' | 'change' | 'unknown'; ref: number; what: string } | undefined {
  const p = (payload ?? {}) as Record<string, unknown>
  const n = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined)
  switch (kind) {
    case 'fuel.edit':
    case 'fuel.remove': {
      const ref = n(p.number)
      return ref ? { kind: 'fuel', ref, what: `Fill-up #${ref}` } : undefined
    }
    case 'charge.edit':
    case 'charge.remove': {
      const ref = n(p.number)
      return ref ? { kind: 'charge', ref, what: `Charge #${ref}` } : undefined
    }
    case 'service.edit':
    case 'service.remove': {
      const ref = n(p.number)
      return ref ? { kind: 'service', ref, what: `Service record #${ref}` } : undefined
    }
    case 'car.odometer':
    case 'car.reading_remove': {
      const ref = n(p.number)
      return ref ? { kind: 'reading', ref, what: `Reading #${ref}` } : undefined
    }
    case 'garage.undo':
    case 'garage.undo_change': {
      // /garage undo change:12 (or I3, Q5; an integer in jobs from before those), the Undo button's arg
      const raw = kind === 'garage.undo' ? p.change : p.arg
      const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : ''
      if (text === '') return undefined
      const ref = /^#?[0-9]{1,15}$/.test(text) ? n(Number(text.replace('#', ''))) : undefined
      return ref
        ? { kind: 'change', ref, what: `Change #${ref}` }
        : { kind: 'unknown', ref: 0, what: `Change ${text}` }
    }
    default:
      return undefined
  }
}

/** The id the items service's change log keeps for an actor (queue/clients/items.ts `actorHeader`). */
const actorId = (a: Actor) => `${a.platform}:${a.userId}`

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
  if (record.kind === 'unknown')
    throw new RoleRefused(
      `${record.what}: a driver undoes an issue's or quote's change only as their last (/garage undo with no change); by its number only a manager can, so nothing was done.`,
    )
  const { by } = await callItems(
    itemsClient(ctx).roles.logged.get({ query: { kind: record.kind, ref: record.ref } }),
  )
  if (by === actorId(env.actor)) return
  throw new RoleRefused(
    by === null
      ? `${record.what}: who logged it is not known (it is older than Car Manager's record of that, or does not exist), so only a manager can change it; nothing was done.`
      : `${record.what} was logged by someone else; a driver changes only their own, so nothing was done. A manager can change it.`,
  )
}
