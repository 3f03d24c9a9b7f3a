import type { Command } from '../command.ts'

const calc = {
  name: 'calc',
  description: 'Fuel economy, trip cost, running costs of a car and loan payments',
  role: 'viewer',
  subcommands: [
    {
      name: 'fuel',
      description: 'Fuel economy of a tank in mpg (US and UK), L/100 km and km/L',
      example: '/calc fuel distance:"412 mi" volume:"11.2 gal"',
      options: [
        { name: 'distance', type: 'distance', required: true, description: 'Distance driven, e.g. "412 mi"' },
        {
          name: 'volume',
          type: 'volume',
          required: true,
          description: 'Fuel used, e.g. "11.2 gal" or "42 L"',
        },
      ],
    },
    {
      name: 'trip',
      description: 'Fuel needed for a trip and what it costs',
      example: '/calc trip distance:"300 km" economy:"6.5 L/100km" price:1.89',
      options: [
        { name: 'distance', type: 'distance', required: true, description: 'Trip distance, e.g. "300 km"' },
        {
          name: 'economy',
          type: 'economy',
          required: true,
          description: 'Fuel economy, e.g. "6.5 L/100km" or "34 mpg"',
        },
        {
          name: 'price',
          type: 'money',
          required: true,
          description: 'Fuel price per litre (metric garage) or gallon (imperial)',
          min: 0,
        },
        {
          name: 'price_per',
          type: 'string',
          choices: ['L', 'gal', 'impgal'],
          description: 'Volume the price is for (default by garage units)',
        },
      ],
    },
    {
      name: 'cost',
      description:
        'A car\'s total cost by kind (fuel, expenses, loan interest, depreciation …), per month and distance',
      example: '/calc cost car:corolla period:12m',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { name: 'period', type: 'period', description: 'Period up to today, e.g. 12m or 90d (default 12m)' },
      ],
    },
    {
      name: 'loan',
      description: 'Monthly payment, total interest and amortisation of a car loan',
      example: '/calc loan amount:18000 rate:6.9% months:60',
      options: [
        { name: 'amount', type: 'money', required: true, description: 'Amount borrowed', min: 0 },
        {
          name: 'rate',
          type: 'percent',
          required: true,
          description: 'Annual interest rate, e.g. 6.9%',
          max: 100,
        },
        {
          name: 'months',
          type: 'integer',
          required: true,
          description: 'Number of monthly payments',
          min: 1,
          max: 600,
        },
      ],
    },
  ],
} as const satisfies Command

export default calc
