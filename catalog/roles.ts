/**
 * What each job kind needs, read from the one place that declares it: a catalog subcommand's
 * `role` (or its command's), a button kind's entry in ACTION_ROLES (catalog/actions.ts), a form
 * kind's `role` (catalog/forms.ts); anything else needs DEFAULT_ROLE. The worker checks it
 * before the handler runs (queue/roles.ts).
 */
import { ROLES, type Role } from '../lib/contracts/envelope.ts'
import { ACTION_ROLES } from './actions.ts'
import { commands, lookupKind } from './catalog.ts'
import { type Command, DEFAULT_ROLE, type RoleNeed } from './command.ts'
import { type Form, forms } from './forms.ts'

/** True when `role` allows what `need` asks. */
export const allows = (role: Role, need: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(need)

/** True when a payload gives any option, or any of `by` (a `{ read, change }` subcommand then changes). */
const changes = (payload: unknown, by?: readonly string[]): boolean =>
  payload !== null &&
  typeof payload === 'object' &&
  Object.entries(payload).some(([name, v]) => v !== undefined && (!by || by.includes(name)))

const settle = (need: RoleNeed, payload: unknown): Role =>
  typeof need === 'string' ? need : changes(payload, need.by) ? need.change : need.read

/** The role a job of `kind` with `payload` needs. */
export function roleNeeded(
  kind: string,
  payload: unknown,
  list: readonly Command[] = commands,
  registry: Record<string, Form> = forms,
): Role {
  const found = lookupKind(kind, list)
  if (found) return settle(found.sub.role ?? found.command.role ?? DEFAULT_ROLE, payload)
  const action = ACTION_ROLES[kind]
  if (action) return action
  const form = Object.values(registry).find((f) => f.kind === kind)
  return form?.role ?? DEFAULT_ROLE
}
