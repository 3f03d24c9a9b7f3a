import { CAR_TEXT_LIMITS as MAX, FIRST_CAR_YEAR } from '../../lib/domain/car.ts'
import type { Command } from '../command.ts'

/** What a car runs on and how its electricity use is shown: the same when it is added and when it is changed. */
const powertrain = {
  name: 'powertrain',
  type: 'string',
  choices: ['combustion', 'hybrid', 'phev', 'ev'],
  description: 'combustion, hybrid, phev (plug-in hybrid) or ev (electric)',
} as const
const fuels = {
  name: 'fuels',
  type: 'string',
  description: 'What it runs on, e.g. "petrol" or "lpg,petrol" (two tanks kept apart); none: learn it',
  maxLength: 100,
} as const
const energyUnit = {
  name: 'energy_unit',
  type: 'string',
  choices: ['kWh/100km', 'km/kWh', 'mi/kWh', 'Wh/mi'],
  description: 'Electricity use shown in: kWh/100km or km/kWh (km car), mi/kWh or Wh/mi (mi car)',
} as const

const car = {
  name: 'car',
  description: 'Add, show, edit and remove the cars of this garage',
  role: 'manager',
  subcommands: [
    {
      name: 'add',
      description: 'Add a car to the garage',
      example: '/car add corolla make:Toyota model:Corolla year:2018 odometer:"52,000 mi" plate:AB-123',
      options: [
        { name: 'nickname', type: 'string', required: true, description: 'Short name for the car (letters, digits, - and _; no spaces)', maxLength: MAX.nickname },
        { name: 'make', type: 'string', description: 'Maker, e.g. Toyota', maxLength: MAX.make },
        { name: 'model', type: 'string', description: 'Model, e.g. Corolla', maxLength: MAX.model },
        { name: 'year', type: 'integer', description: 'Model year (up to two years ahead)', min: FIRST_CAR_YEAR },
        { name: 'odometer', type: 'distance', description: 'Current odometer, e.g. "52,000 mi" or "83 000 km"' },
        { name: 'plate', type: 'string', description: 'Licence plate', maxLength: MAX.plate },
        { name: 'vin', type: 'string', description: 'Vehicle identification number (17 characters)', maxLength: MAX.vin },
        { name: 'purchase_date', type: 'date', description: 'Date bought (YYYY-MM-DD)' },
        { name: 'purchase_price', type: 'money', description: 'Price paid, in the garage currency', min: 0 },
        { name: 'units', type: 'string', choices: ['metric', 'imperial', 'uk'], description: 'metric, imperial or uk; default: the odometer\'s, else the garage\'s' },
        { name: 'economy_unit', type: 'string', choices: ['L/100km', 'km/L', 'mpg', 'impmpg'], description: 'Economy shown in, if not its units\' own' },
        { name: 'meter', type: 'string', choices: ['distance', 'hours'], description: 'hours for an hour meter (tractor, boat): readings and items in h' },
        powertrain,
        fuels,
        energyUnit,
        { name: 'confirm', type: 'boolean', description: 'yes to accept a VIN whose check digit does not match' },
      ],
    },
    {
      name: 'list',
      role: 'viewer',
      description: 'List the cars of the garage',
      options: [{ name: 'archived', type: 'boolean', description: 'yes to list archived (sold or scrapped) cars too' }],
    },
    {
      name: 'show',
      role: 'viewer',
      description: 'Show a car with its odometer history',
      example: '/car show corolla',
      options: [{ name: 'car', type: 'car', required: true, description: 'The car' }],
    },
    {
      name: 'edit',
      description: 'Change a car\'s details',
      example: '/car edit corolla odometer:"53,100 mi"',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { name: 'nickname', type: 'string', description: 'New nickname', maxLength: MAX.nickname },
        { name: 'make', type: 'string', description: 'Maker', maxLength: MAX.make },
        { name: 'model', type: 'string', description: 'Model', maxLength: MAX.model },
        { name: 'year', type: 'integer', description: 'Model year (up to two years ahead)', min: FIRST_CAR_YEAR },
        { name: 'odometer', type: 'distance', description: 'Odometer reading' },
        { name: 'plate', type: 'string', description: 'Licence plate', maxLength: MAX.plate },
        { name: 'vin', type: 'string', description: 'VIN (17 characters)', maxLength: MAX.vin },
        { name: 'purchase_date', type: 'date', description: 'Date bought (YYYY-MM-DD)' },
        { name: 'purchase_price', type: 'money', description: 'Price paid', min: 0 },
        { name: 'units', type: 'string', choices: ['metric', 'imperial', 'uk'], description: 'metric, imperial or uk; nothing stored is converted' },
        { name: 'economy_unit', type: 'string', choices: ['L/100km', 'km/L', 'mpg', 'impmpg'], description: 'Economy shown in, if not its units\' own' },
        fuels,
        powertrain,
        energyUnit,
        { name: 'meter', type: 'string', choices: ['distance', 'hours'], description: 'distance, or hours for an hour meter; only while the car has no readings' },
        {
          name: 'loan',
          type: 'string',
          description: 'Its loan, e.g. "15000 at 4.9% over 60m from 2025-03-01"; none removes it',
          maxLength: 100,
        },
        {
          name: 'value',
          type: 'string',
          description: 'What it is worth, e.g. "24500 on 2025-12-01" (default today)',
          maxLength: 100,
        },
        { name: 'confirm', type: 'boolean', description: 'yes to lower the odometer or accept an unusual VIN' },
      ],
    },
    {
      name: 'odometer',
      role: 'driver',
      description: 'Record an odometer reading',
      example: '/car odometer corolla reading:"53,400 mi"',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { name: 'reading', type: 'distance', required: true, description: 'The odometer now, e.g. "53,400 mi"' },
        { name: 'date', type: 'date', description: 'When it was read (default today)' },
        { name: 'confirm', type: 'boolean', description: 'yes to record a reading lower than the last one, or far above it' },
        {
          name: 'number',
          type: 'integer',
          description: 'Correct reading #N (as its reply showed it) to this value and date instead of adding one',
          min: 1,
        },
      ],
    },
    {
      name: 'readings',
      role: 'viewer',
      description: "A car's odometer readings with their numbers, newest first",
      example: '/car readings corolla',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { name: 'page', type: 'integer', description: 'Which page, newest first (default 1)', min: 1 },
      ],
    },
    {
      name: 'reading_remove',
      role: 'driver',
      description: 'Remove odometer reading #N (one typed, not one a fill-up or service made)',
      example: '/car reading_remove number:3',
      options: [
        {
          name: 'number',
          type: 'integer',
          required: true,
          description: 'The reading number (#N in /car readings)',
          min: 1,
        },
      ],
    },
    {
      name: 'archive',
      description: 'Archive a sold or scrapped car: its history stays, its reminders stop',
      example: '/car archive corolla date:2026-05-01 price:9500 odometer:"98,000 mi"',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { name: 'date', type: 'date', description: 'When it was sold or scrapped (default today)' },
        { name: 'price', type: 'money', description: 'What it sold for, in the garage currency', min: 0 },
        { name: 'odometer', type: 'distance', description: 'Odometer when it left, e.g. "98,000 mi"' },
      ],
    },
    {
      name: 'unarchive',
      description: 'Bring an archived car back into use',
      example: '/car unarchive corolla',
      options: [{ name: 'car', type: 'car', required: true, description: 'The car' }],
    },
    {
      name: 'remove',
      description: 'Remove a car with its readings, maintenance items, records and fill-ups',
      example: '/car remove corolla confirm:yes',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { name: 'confirm', type: 'boolean', description: 'yes to really remove it' },
      ],
    },
    {
      name: 'photos',
      role: 'viewer',
      description: 'Show the photos of a car',
      options: [{ name: 'car', type: 'car', required: true, description: 'The car' }],
    },
    {
      name: 'stats',
      role: 'viewer',
      description: 'Fuel economy over time and running costs of a car',
      options: [{ name: 'car', type: 'car', required: true, description: 'The car' }],
    },
    {
      name: 'chart',
      role: 'viewer',
      description: 'A chart of a car: fuel economy, cost per month, distance or cost per distance',
      example: '/car chart corolla metric:economy period:12m',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        {
          name: 'metric',
          type: 'string',
          required: true,
          choices: ['economy', 'cost', 'distance', 'cost_per_distance'],
          description: 'economy per fill-up, cost per month by kind, distance, or cost per distance',
        },
        { name: 'period', type: 'period', description: 'Period up to today, e.g. 12m or 5y (default: all fill-ups; 12m for costs)' },
      ],
    },
    {
      name: 'report',
      role: 'viewer',
      description: "A car's history as a PDF: records, costs, fuel by year, issues and photos",
      example: '/car report corolla',
      options: [{ name: 'car', type: 'car', required: true, description: 'The car' }],
    },
    {
      name: 'drivers',
      // anyone sees a car's drivers; adding or removing one needs a manager
      role: { read: 'viewer', change: 'manager', by: ['add', 'remove'] },
      description: "Show a car's drivers, or add or remove one (reminders of the car mention them)",
      example: '/car drivers corolla add:@Ann',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { name: 'add', type: 'string', description: 'A member to add as a driver: mention them, e.g. @Ann', maxLength: 200 },
        { name: 'remove', type: 'string', description: 'A driver to remove: mention them, e.g. @Ann', maxLength: 200 },
      ],
    },
  ],
} as const satisfies Command

export default car
