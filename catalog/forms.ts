/**
 * Forms (Discord modals, Slack views) opened by a `form:<name>:<arg>` button. Each has a title,
 * the job kind its submit dispatches, and typed fields parsed with the value parsers of
 * values.ts, so a submitted form becomes `{ kind, payload: { arg, ...values } }` like any command.
 * The maintenance family adds `log_service` here.
 */
import type { Role } from '../lib/contracts/envelope.ts'
import type { Option, OptionType } from './command.ts'
import { parseValue } from './values.ts'

export type FormField = {
  /** lower_snake_case; the payload key. */
  name: string
  /** Shown above the input (Discord allows 45 characters). */
  label: string
  type: OptionType
  required?: boolean
}

export type Form = {
  /** Shown at the top of the modal (at most 45 characters). */
  title: string
  /** Job kind dispatched on submit, with payload `{ arg, ...values }`. */
  kind: string
  /** At most 5 (Discord's limit for a modal). */
  fields: FormField[]
  /** The role submitting it needs (checked by the worker on the kind it dispatches; DEFAULT_ROLE when not given). */
  role?: Role
}

export const forms: Record<string, Form> = {
  // maintenance: the Log service button of a reminder (arg = the item id)
  log_service: {
    title: 'Log service',
    kind: 'item.log',
    role: 'driver',
    fields: [
      { name: 'cost', label: 'Cost (garage currency)', type: 'money' },
      { name: 'odometer', label: 'Odometer, e.g. 53,200 mi', type: 'distance' },
      { name: 'date', label: 'Date (YYYY-MM-DD, default today)', type: 'date' },
    ],
  },
  // expenses: the Log payment button of a renewal's reminder (arg = the number of the expense it renews)
  log_payment: {
    title: 'Log payment',
    kind: 'expense.pay',
    role: 'driver',
    fields: [
      { name: 'cost', label: "This time's amount (garage currency)", type: 'money', required: true },
      { name: 'date', label: 'Paid on (default today)', type: 'date' },
      { name: 'notes', label: 'Notes, e.g. the insurer', type: 'string' },
    ],
  },
  // an import's preview: which car of the garage each car of the file goes to (arg = the pending import's id)
  import_map: {
    title: 'Map cars',
    kind: 'garage.import_map',
    role: 'manager',
    fields: [{ name: 'map', label: 'e.g. Honda Civic=civic, Golf=new', type: 'string', required: true }],
  },
}

export type FormResult =
  | { ok: true; kind: string; payload: Record<string, unknown> }
  | { ok: false; error: string; field?: string }

/**
 * Parses submitted values (text; empty means not given) of a form into the job to dispatch.
 * Every error names the field.
 */
export function parseFormSubmission(
  formName: string,
  arg: string,
  values: Record<string, unknown>,
  registry: Record<string, Form> = forms,
): FormResult {
  const form = registry[formName]
  if (!form) return { ok: false, error: `unknown form "${formName}"` }
  const payload: Record<string, unknown> = { arg }
  const problems: string[] = []
  let field: string | undefined
  for (const name of Object.keys(values)) {
    if (!form.fields.some((f) => f.name === name)) {
      problems.push(`${name}: the form ${formName} has no such field`)
      field ??= name
    }
  }
  for (const f of form.fields) {
    const raw = values[f.name]
    if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
      if (f.required) {
        problems.push(`${f.name}: required; fill in ${f.label}`)
        field ??= f.name
      }
      continue
    }
    const option: Option = {
      name: f.name,
      type: f.type,
      description: f.label,
      ...(f.type === 'money' ? { min: 0 } : {}),
    }
    const result = parseValue(option, raw)
    if (result.ok) payload[f.name] = result.value
    else {
      problems.push(result.error)
      field ??= f.name
    }
  }
  if (problems.length > 0)
    return field
      ? { ok: false, error: problems.join('\n'), field }
      : { ok: false, error: problems.join('\n') }
  return { ok: true, kind: form.kind, payload }
}
