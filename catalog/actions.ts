/**
 * Button ids. A Reply action id is `<kind>:<arg>` (pressing it dispatches that kind with
 * payload `{ arg }`), or `form:<formName>:<arg>` (pressing it opens the form of
 * catalog/forms.ts, whose submit dispatches the form's kind). Split at the first ':'.
 */
import type { Role } from '../lib/contracts/envelope.ts'

const KIND = /^[a-z]+(\.[a-z_]+)+$/

/**
 * The role each button's kind needs (the kinds that are no catalog subcommand; a subcommand's
 * button needs what the subcommand does, catalog/roles.ts). A kind not listed needs DEFAULT_ROLE.
 */
export const ACTION_ROLES: Readonly<Record<string, Role>> = {
  // a reminder's Done and Snooze, and Log another of a service record
  'item.done': 'driver',
  'item.snooze': 'driver',
  'item.take': 'driver',
  'service.log_again': 'driver',
  // a photo dropped in a channel, and its "which car?" buttons
  'photo.attach': 'driver',
  'photo.file': 'driver',
  // Undo of a change: the items service undoes only the presser's own unless they manage (queue/roles.ts)
  'garage.undo_change': 'driver',
  // Undo of a comment's or a quote's change: a driver their own (queue/roles.ts ownedRecord)
  'issue.undo_comment': 'driver',
  'quote.undo_change': 'driver',
  // Undo of a manager's action, and accepting a quote
  'car.undo_archive': 'manager',
  'quote.accept_btn': 'manager',
  // an import's preview (Import, Cancel) and the Undo of an import (queue/handlers/shared/import.ts)
  'garage.import_confirm': 'manager',
  'garage.import_cancel': 'manager',
  'garage.import_undo': 'manager',
  // /car add's Add starter items: it adds maintenance items, as /item preset does
  'item.starter': 'manager',
}

export type ParsedAction =
  | { type: 'kind'; kind: string; arg: string }
  | { type: 'form'; form: string; arg: string }

/** Parses an action id; undefined when it is neither shape. */
export function parseActionId(id: string): ParsedAction | undefined {
  const colon = id.indexOf(':')
  const head = colon < 0 ? id : id.slice(0, colon)
  const rest = colon < 0 ? '' : id.slice(colon + 1)
  if (head === 'form') {
    const second = rest.indexOf(':')
    const form = second < 0 ? rest : rest.slice(0, second)
    const arg = second < 0 ? '' : rest.slice(second + 1)
    if (!/^[a-z][a-z0-9_]*$/.test(form)) return undefined
    return { type: 'form', form, arg }
  }
  if (!KIND.test(head)) return undefined
  return { type: 'kind', kind: head, arg: rest }
}

/** Builds an action id, for handlers. */
export const actionId = (kind: string, arg: string | number) => `${kind}:${arg}`
export const formActionId = (form: string, arg: string | number) => `form:${form}:${arg}`
