import type { Command } from '../command.ts'

const item = {
  name: 'item',
  description: 'Maintenance items: what a car needs and when (by months, distance or both)',
  role: 'manager',
  subcommands: [
    {
      name: 'add',
      description: 'Add a maintenance item to a car',
      example: '/item add car:corolla name:"Oil change" months:6 distance:"5,000 mi" last_date:2026-05-01',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        {
          name: 'name',
          type: 'string',
          required: true,
          description: 'What to do, e.g. Oil change (no commas)',
          maxLength: 60,
        },
        { name: 'months', type: 'integer', description: 'Due every this many months', min: 1, max: 600 },
        { name: 'distance', type: 'distance', description: 'Due every this distance, e.g. "5,000 mi"' },
        { name: 'last_date', type: 'date', description: 'When it was last done (YYYY-MM-DD; default today)' },
        {
          name: 'last_odometer',
          type: 'distance',
          description: 'Odometer when it was last done (default the current one)',
        },
        {
          name: 'fixed',
          type: 'boolean',
          description: 'yes: count the next due from the previous due point, not from when done',
        },
        { name: 'notes', type: 'string', description: 'Notes, e.g. the oil grade', maxLength: 500 },
        {
          name: 'urgent',
          type: 'threshold',
          description: 'Urgent this early for this item, e.g. "14 d, 300 mi"',
        },
        {
          name: 'very_urgent',
          type: 'threshold',
          description: 'Very urgent this early for this item, e.g. "3 d, 50 mi"',
        },
      ],
    },
    {
      name: 'list',
      role: 'viewer',
      description: 'The maintenance items of a car (or all cars) with their next due and urgency',
      example: '/item list car:corolla',
      options: [{ name: 'car', type: 'car', description: 'The car (default every car)' }],
    },
    {
      name: 'edit',
      description: 'Change a maintenance item',
      example: '/item edit car:corolla item:"Oil change" months:12',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        {
          name: 'item',
          type: 'string',
          required: true,
          description: 'The item to change, by its name',
          maxLength: 60,
        },
        { name: 'name', type: 'string', description: 'New name', maxLength: 60 },
        { name: 'months', type: 'integer', description: 'Due every this many months', min: 1, max: 600 },
        { name: 'distance', type: 'distance', description: 'Due every this distance' },
        { name: 'last_date', type: 'date', description: 'When it was last done (YYYY-MM-DD)' },
        { name: 'last_odometer', type: 'distance', description: 'Odometer when it was last done' },
        { name: 'fixed', type: 'boolean', description: 'yes: count from the previous due point' },
        { name: 'notes', type: 'string', description: 'Notes', maxLength: 500 },
        { name: 'urgent', type: 'threshold', description: 'Urgent this early for this item' },
        { name: 'very_urgent', type: 'threshold', description: 'Very urgent this early for this item' },
      ],
    },
    {
      name: 'remove',
      description: 'Remove a maintenance item',
      example: '/item remove car:corolla item:"Oil change"',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        {
          name: 'item',
          type: 'string',
          required: true,
          description: 'The item to remove, by its name',
          maxLength: 60,
        },
      ],
    },
    {
      name: 'preset',
      role: { read: 'viewer', change: 'manager', by: ['name'] },
      description: 'Give a car a set of maintenance items; without name: list the sets',
      example: '/item preset car:corolla name:petrol',
      options: [
        { name: 'car', type: 'car', description: 'The car (listing: distances in its unit)' },
        {
          name: 'name',
          type: 'string',
          description: 'The set: petrol, diesel, ev, hybrid or one the garage saved',
          maxLength: 60,
        },
      ],
    },
    {
      name: 'preset_save',
      description: "Save a car's maintenance items as a set of the garage's own",
      example: '/item preset_save name:family from:corolla',
      options: [
        { name: 'name', type: 'string', required: true, description: 'Name of the set', maxLength: 60 },
        { name: 'from', type: 'car', required: true, description: 'The car whose items make the set' },
        { name: 'replace', type: 'boolean', description: "yes: replace the garage's set of that name" },
      ],
    },
    {
      name: 'preset_remove',
      description: "Remove a set of the garage's own",
      example: '/item preset_remove name:family',
      options: [
        { name: 'name', type: 'string', required: true, description: 'Name of the set', maxLength: 60 },
      ],
    },
  ],
} as const satisfies Command

export default item
