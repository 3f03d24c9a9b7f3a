import type { Command } from '../command.ts'

const title = { name: 'title', type: 'string', description: 'What was done, e.g. Oil and filter', maxLength: 200 } as const

/** What a record holds besides its car and title: the same when it is logged and when it is corrected. */
const details = [
  {
    name: 'items',
    type: 'string',
    description: 'Maintenance items it did, comma-separated, e.g. "Oil change, Cabin filter"',
    maxLength: 1000,
  },
  { name: 'cost', type: 'money', description: 'What it cost, in the garage currency', min: 0 },
  { name: 'odometer', type: 'distance', description: 'Odometer at the time, e.g. "53,200 mi"' },
  { name: 'date', type: 'date', description: 'When (YYYY-MM-DD; default today)' },
  {
    name: 'kind',
    type: 'string',
    choices: ['service', 'repair', 'upgrade'],
    description: 'service (default), repair or upgrade',
  },
  { name: 'notes', type: 'string', description: 'Notes, e.g. the shop', maxLength: 1000 },
  {
    name: 'confirm',
    type: 'boolean',
    description: 'yes to accept an unusual odometer (lower, or far above the last reading)',
  },
] as const

const number = {
  name: 'number',
  type: 'integer',
  required: true,
  description: 'The service record number (#N in /service list)',
  min: 1,
} as const

const service = {
  name: 'service',
  description: 'Service, repair and upgrade records; the items a record names are done',
  role: 'driver',
  subcommands: [
    {
      name: 'log',
      description: 'Log a service, repair or upgrade',
      example:
        '/service log car:corolla title:"Oil and filter" items:"Oil change, Cabin filter" cost:89.90 odometer:"53,200 mi"',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { ...title, required: true },
        ...details,
        {
          name: 'issue',
          type: 'issue',
          description: "The issue this work fixed; with no cost, the record takes its accepted quote's amount",
        },
      ],
    },
    {
      name: 'list',
      role: 'viewer',
      description: 'Service records of a car (or all cars), newest first',
      example: '/service list car:corolla',
      options: [
        { name: 'car', type: 'car', description: 'The car (default every car)' },
        { name: 'limit', type: 'integer', description: 'How many (default 10)', min: 1, max: 50 },
        { name: 'page', type: 'integer', description: 'Which page, newest first (default 1)', min: 1 },
      ],
    },
    {
      name: 'edit',
      description: 'Correct a service record: the options given replace what it had',
      example: '/service edit number:12 cost:94.90',
      options: [number, { name: 'car', type: 'car', description: 'Move it to another car' }, title, ...details],
    },
    {
      name: 'remove',
      description: 'Remove a service record; the items it did go back to when they were due before',
      example: '/service remove number:12',
      options: [number],
    },
  ],
} as const satisfies Command

export default service
