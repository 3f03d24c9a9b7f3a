import { FUEL_TYPES } from '../../lib/domain/figures.ts'
import type { Command } from '../command.ts'

const volume = { name: 'volume', type: 'volume', description: 'Fuel put in, e.g. "11.2 gal" or "42 L"' } as const

/** What a fill-up records besides its car and volume: the same when it is logged and when it is corrected. */
const details = [
  { name: 'cost', type: 'money', description: 'What it cost in all, in the garage currency (or give price_per)', min: 0 },
  {
    name: 'price_per',
    type: 'string',
    description: 'Price per unit, e.g. "1.899/L" or "$3.45/gal"; the total is worked out (or checked)',
    maxLength: 100,
  },
  {
    name: 'fuel',
    type: 'string',
    choices: FUEL_TYPES,
    description: 'What was bought: petrol_91/95/98, diesel, e10, e85, lpg, cng or adblue',
  },
  { name: 'station', type: 'string', description: 'Where, e.g. "Shell Main St"', maxLength: 200 },
  { name: 'odometer', type: 'distance', description: 'Odometer at the pump, e.g. "53,480 mi"' },
  { name: 'full', type: 'boolean', description: 'yes (default) if filled to the top; no for a partial fill-up' },
  { name: 'missed', type: 'boolean', description: 'yes if a fill-up before this one was not logged' },
  { name: 'date', type: 'date', description: 'When (YYYY-MM-DD; default today)' },
  {
    name: 'confirm',
    type: 'boolean',
    description: 'yes to accept an unusual odometer (lower, or far above the last) or a fill-up over 150 L',
  },
] as const

const number = {
  name: 'number',
  type: 'integer',
  required: true,
  description: 'The fill-up number (#N in /fuel list)',
  min: 1,
} as const

const fuel = {
  name: 'fuel',
  description: 'Fuel fill-ups and economy',
  role: 'driver',
  subcommands: [
    {
      name: 'log',
      description: 'Log a fill-up',
      example: '/fuel log car:corolla volume:"11.2 gal" price_per:"$3.45/gal" fuel:petrol_95 odometer:"53,480 mi"',
      options: [{ name: 'car', type: 'car', required: true, description: 'The car' }, { ...volume, required: true }, ...details],
    },
    {
      name: 'list',
      role: 'viewer',
      description: 'Fill-ups of a car with their fuel, station and economy, newest first',
      example: '/fuel list car:corolla',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { name: 'limit', type: 'integer', description: 'How many (default 10)', min: 1, max: 50 },
        { name: 'page', type: 'integer', description: 'Which page, newest first (default 1)', min: 1 },
      ],
    },
    {
      name: 'edit',
      description: 'Correct a fill-up: the options given replace what it had',
      example: '/fuel edit number:3 volume:"11.4 gal"',
      options: [number, { name: 'car', type: 'car', description: 'Move it to another car' }, volume, ...details],
    },
    {
      name: 'remove',
      description: 'Remove a fill-up with the odometer reading it made',
      example: '/fuel remove number:3',
      options: [number],
    },
  ],
} as const satisfies Command

export default fuel
