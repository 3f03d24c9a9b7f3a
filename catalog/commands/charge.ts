import type { Command } from '../command.ts'

/** What a charge records besides its car and energy: the same when it is logged and when it is corrected. */
const details = [
  {
    name: 'cost',
    type: 'money',
    description: 'What it cost in all, in the garage currency (or give price_per)',
    min: 0,
  },
  {
    name: 'price_per',
    type: 'string',
    description: 'Price per kWh, e.g. "0.30/kWh"; the total is worked out (or checked)',
    maxLength: 100,
  },
  { name: 'soc', type: 'string', description: 'Battery before and after, e.g. "20-80%"', maxLength: 40 },
  { name: 'odometer', type: 'distance', description: 'Odometer when charging, e.g. "12,400 km"' },
  {
    name: 'where',
    type: 'string',
    choices: ['home', 'public', 'fast'],
    description: 'home, public or fast (a rapid charger)',
  },
  { name: 'date', type: 'date', description: 'When (YYYY-MM-DD; default today)' },
] as const

const energy = {
  name: 'energy',
  type: 'string',
  description: 'Energy put in, e.g. "42 kWh"',
  maxLength: 100,
} as const

const number = {
  name: 'number',
  type: 'integer',
  required: true,
  description: 'The charge number (#N in /charge list)',
  min: 1,
} as const

const charge = {
  name: 'charge',
  description: 'Charging of electric and plug-in hybrid cars, and their consumption',
  role: 'driver',
  subcommands: [
    {
      name: 'log',
      description: 'Log a charge',
      example:
        '/charge log car:leaf energy:"42 kWh" price_per:"0.30/kWh" soc:"20-80%" odometer:"12,400 km" where:home',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { ...energy, required: true },
        ...details,
      ],
    },
    {
      name: 'list',
      role: 'viewer',
      description: 'Charges of a car with their consumption, newest first',
      example: '/charge list car:leaf',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { name: 'page', type: 'integer', description: 'Which page, newest first (default 1)', min: 1 },
      ],
    },
    {
      name: 'edit',
      description: 'Correct a charge: the options given replace what it had',
      example: '/charge edit number:3 energy:"40 kWh"',
      options: [
        number,
        { name: 'car', type: 'car', description: 'Move it to another car' },
        energy,
        ...details,
      ],
    },
    {
      name: 'remove',
      description: 'Remove a charge',
      example: '/charge remove number:3',
      options: [number],
    },
  ],
} as const satisfies Command

export default charge
