import type { Command } from '../command.ts'

/** What a quote says besides its shop and total: given when it is added, changed by /quote edit. */
const details = [
  { name: 'parts', type: 'money', description: 'Parts part of the total', min: 0 },
  { name: 'labor', type: 'money', description: 'Labour part of the total', min: 0 },
  { name: 'valid_until', type: 'date', description: 'Last day the quote is valid (YYYY-MM-DD)' },
  { name: 'notes', type: 'string', description: 'Anything else (warranty, parts brand…)', maxLength: 1000 },
] as const

const quote = {
  name: 'quote',
  description: 'Shop quotes for an issue, compared and accepted; estimates; the tip of the day',
  role: 'driver',
  subcommands: [
    {
      name: 'add',
      description: "Record a shop's quote for an issue",
      example:
        '/quote add issue:12 shop:"Joe\'s Garage" amount:640 parts:420 labor:220 valid_until:2026-12-15',
      options: [
        { name: 'issue', type: 'issue', required: true, description: 'The issue the quote is for, e.g. 12' },
        { name: 'shop', type: 'string', required: true, description: 'The shop that quoted', maxLength: 100 },
        { name: 'amount', type: 'money', description: 'Total quoted (default parts + labor)', min: 0 },
        ...details,
      ],
    },
    {
      name: 'list',
      role: 'viewer',
      description: 'Compare the quotes of an issue side by side',
      example: '/quote list issue:12',
      options: [{ name: 'issue', type: 'issue', required: true, description: 'The issue, e.g. 12' }],
    },
    {
      name: 'accept',
      role: 'manager',
      description: "Accept a quote: the issue goes in progress and the work's record carries its amount",
      example: '/quote accept id:3',
      options: [
        {
          name: 'id',
          type: 'integer',
          required: true,
          description: 'The quote number shown by /quote list',
          min: 1,
        },
      ],
    },
    {
      name: 'edit',
      // a driver their own, a manager anyone's (queue/roles.ts ownedRecord)
      role: 'driver',
      description: "Correct a quote's fields (an accepted quote keeps its amount); with Undo",
      example: '/quote edit number:3 amount:600 notes:"includes rotors"',
      options: [
        {
          name: 'number',
          type: 'integer',
          required: true,
          description: 'The quote number shown by /quote list',
          min: 1,
        },
        { name: 'shop', type: 'string', description: 'The shop that quoted', maxLength: 100 },
        { name: 'amount', type: 'money', description: 'Total quoted', min: 0 },
        ...details,
      ],
    },
    {
      name: 'remove',
      // a driver their own, a manager anyone's (queue/roles.ts ownedRecord)
      role: 'driver',
      description: 'Remove a quote (not an accepted one); with Undo',
      example: '/quote remove number:3',
      options: [
        {
          name: 'number',
          type: 'integer',
          required: true,
          description: 'The quote number shown by /quote list',
          min: 1,
        },
      ],
    },
    {
      name: 'estimate',
      role: 'viewer',
      description: "Estimate a job: hours × rate + parts + tax, or a catalog job's typical hours",
      example: '/quote estimate hours:1.5 rate:120 parts:80 tax:8.25%',
      options: [
        { name: 'rate', type: 'money', required: true, description: 'Hourly labour rate', min: 0 },
        {
          name: 'job',
          type: 'string',
          description: 'A common job, e.g. "Brake pads, front" (see /quote jobs)',
          maxLength: 100,
        },
        {
          name: 'hours',
          type: 'number',
          description: "Labour hours (default: the job's hours)",
          min: 0.1,
          max: 200,
        },
        { name: 'parts', type: 'money', description: 'Parts cost', min: 0 },
        { name: 'tax', type: 'percent', description: 'Sales tax, e.g. 8.25%', max: 50 },
      ],
    },
    {
      name: 'jobs',
      role: { read: 'viewer', change: 'manager' },
      description: "The catalog of common jobs and their labour hours; set this garage's own hours for one",
      example: '/quote jobs job:"Brake pads, front" hours:2',
      options: [
        { name: 'job', type: 'string', description: 'A job of the catalog to set hours for', maxLength: 100 },
        {
          name: 'hours',
          type: 'number',
          description: "This garage's labour hours for that job",
          min: 0.1,
          max: 200,
        },
      ],
    },
    { name: 'tip', role: 'viewer', description: 'The car-care tip of the day', options: [] },
  ],
} as const satisfies Command

export default quote
