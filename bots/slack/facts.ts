/**
 * The Slack facts of the envelope's actor (lib/contracts/envelope.ts `SlackFacts`): whether the
 * user is a workspace admin or owner, as `users.info` says, and (for anyone else, whose role a
 * garage may map by user group) the user groups they are in, from `usergroups.list`; both asked
 * with the bot's token of that workspace after the ack. A user's facts are kept per team and
 * user, a team's groups per team, for FACTS_TTL_MS, so a burst of commands asks Slack once. A
 * failed lookup gives no facts, or no groups (the worker then decides without them: a driver
 * unless the garage maps otherwise), and is not kept.
 */
import type { SlackFacts } from '../../lib/contracts/envelope.ts'
import type { Logger } from '../../lib/log.ts'

export const FACTS_TTL_MS = 60_000
/** Entries kept at most; the oldest go first. */
const MAX_KEPT = 10_000

/** The part of Bolt's WebClient the lookup uses. */
export type SlackLookups = {
  users: { info: (args: { user: string }) => Promise<{ user?: { is_admin?: boolean; is_owner?: boolean } }> }
  usergroups: {
    list: (args: { include_users: boolean }) => Promise<{ usergroups?: { id?: string; users?: string[] }[] }>
  }
}

export type FactsLookup = (
  client: SlackLookups,
  teamId: string,
  userId: string,
) => Promise<SlackFacts | undefined>

/** A map whose entries are kept for a while, the lookup itself (so callers at once share one call). */
function keeper<T>(ttlMs: number, clock: () => number) {
  const kept = new Map<string, { at: number; value: Promise<T> }>()
  return (key: string, ask: () => Promise<T>, keep: (value: T) => boolean): Promise<T> => {
    const hit = kept.get(key)
    if (hit && clock() - hit.at < ttlMs) return hit.value
    const value = ask()
    kept.delete(key)
    kept.set(key, { at: clock(), value })
    if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value!)
    value.then((v) => {
      if (!keep(v) && kept.get(key)?.value === value) kept.delete(key)
    })
    return value
  }
}

const GROUP_ID = /^[A-Z0-9]{1,30}$/

export function factsLookup(log: Logger, ttlMs = FACTS_TTL_MS, clock = () => performance.now()): FactsLookup {
  const users = keeper<{ admin: boolean; owner: boolean } | undefined>(ttlMs, clock)
  const groups = keeper<{ id: string; users: string[] }[] | undefined>(ttlMs, clock)
  const failed = (what: string, teamId: string) => (err: unknown) => {
    log.warn({ err: (err as Error).message, team: teamId }, `${what} failed; the command goes without it`)
    return undefined
  }
  return async (client, teamId, userId) => {
    const user = await users(
      `${teamId}:${userId}`,
      () =>
        client.users
          .info({ user: userId })
          .then((r) => ({ admin: r.user?.is_admin === true, owner: r.user?.is_owner === true }))
          .catch(failed('users.info', teamId)),
      (v) => v !== undefined,
    )
    if (!user) return undefined
    // An owner or admin is a manager whatever their groups: no need to ask.
    if (user.admin || user.owner) return user
    const all = await groups(
      teamId,
      () =>
        client.usergroups
          .list({ include_users: true })
          .then((r) =>
            (r.usergroups ?? [])
              .filter(
                (g): g is { id: string; users?: string[] } => typeof g.id === 'string' && GROUP_ID.test(g.id),
              )
              .map((g) => ({ id: g.id, users: g.users ?? [] })),
          )
          .catch(failed('usergroups.list', teamId)),
      (v) => v !== undefined,
    )
    if (!all) return user
    return {
      ...user,
      groups: all
        .filter((g) => g.users.includes(userId))
        .map((g) => g.id)
        .slice(0, 250),
    }
  }
}
