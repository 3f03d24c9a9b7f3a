/**
 * Button ids. A Reply action id is `<kind>:<arg>` (pressing it dispatches that kind with
 * payload `{ arg }`), or `form:<formName>:<arg>` (pressing it opens the form of
 * catalog/forms.ts, whose submit dispatches the form's kind). Split at the first ':'.
 */
const KIND = /^[a-z]+(\.[a-z_]+)+$/

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
