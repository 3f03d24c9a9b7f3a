import { EXPENSE_KINDS, RENEWAL_FORMS } from '../../lib/domain/figures.ts'
import type { Command } from '../command.ts'

const kind = {
  name: 'kind',
  type: 'string',
  choices: EXPENSE_KINDS,
  description: 'insurance, registration, tax, inspection, parking, toll, loan, lease, wash, fine or other',
} as const

/** What an expense holds besides its car and kind: the same when it is logged and when it is corrected. */
const details = [
  { name: 'date', type: 'date', description: 'When it was paid (YYYY-MM-DD; default today)' },
  { name: 'odometer', type: 'distance', description: 'Odometer at the time, e.g. "53,200 mi"' },
  { name: 'notes', type: 'string', description: 'Notes, e.g. the insurer or the policy', maxLength: 1000 },
] as const

const every = {
  name: 'every',
  type: 'string',
  choices: RENEWAL_FORMS,
  description: 'It renews every 12m (1y), 6m, 3m or 1m: reminded before the next is due',
} as const

const number = {
  name: 'number',
  type: 'integer',
  required: true,
  description: 'The expense number (#N in /expense list)',
  min: 1,
} as const

const expense = {
  name: 'expense',
  description: 'What a car costs besides fuel and service: insurance, tax, tolls …; recurring ones are reminded',
  role: 'driver',
  subcommands: [
    {
      name: 'log',
      description: 'Log an expense; with every: it renews and is reminded like a maintenance item',
      example: '/expense log car:golf kind:insurance cost:1200 every:12m notes:"ACME policy 123"',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { ...kind, required: true },
        { name: 'cost', type: 'money', required: true, description: 'What it cost, in the garage currency', min: 0 },
        ...details,
        every,
      ],
    },
    {
      name: 'list',
      description: 'Expenses of a car (or all cars), newest first',
      example: '/expense list car:golf kind:insurance',
      role: 'viewer',
      options: [
        { name: 'car', type: 'car', description: 'The car (default every car)' },
        { ...kind, description: 'Only this kind (default every kind)' },
        { name: 'page', type: 'integer', description: 'Which page, newest first (default 1)', min: 1 },
      ],
    },
    {
      name: 'edit',
      description: 'Correct an expense: the options given replace what it had',
      example: '/expense edit number:3 cost:1250',
      // a driver their own, a manager anyone's (queue/roles.ts ownedRecord)
      role: 'driver',
      options: [
        number,
        { name: 'car', type: 'car', description: 'Move it to another car' },
        kind,
        { name: 'cost', type: 'money', description: 'What it cost, in the garage currency', min: 0 },
        ...details,
        { ...every, choices: [...RENEWAL_FORMS, 'none'], description: 'It renews every 12m (1y), 6m, 3m or 1m; none: it does not' },
      ],
    },
    {
      name: 'remove',
      description: 'Remove an expense; a renewal it started goes back to the payment before it',
      example: '/expense remove number:3',
      // a driver their own, a manager anyone's (queue/roles.ts ownedRecord)
      role: 'driver',
      options: [number],
    },
  ],
} as const satisfies Command

export default expense
