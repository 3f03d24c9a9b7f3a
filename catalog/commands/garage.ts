import type { Command } from '../command.ts'

const garage = {
  name: 'garage',
  description: 'Help, the settings and the history of this garage',
  role: 'viewer',
  subcommands: [
    {
      name: 'help',
      description: 'What Car Manager can do, or the details of one command',
      ephemeral: true,
      example: '/garage help car',
      options: [{ name: 'command', type: 'string', description: 'A command, e.g. car' }],
    },
    {
      name: 'settings',
      role: { read: 'viewer', change: 'manager' },
      description: 'Show or change the garage settings',
      ephemeral: true,
      example: '/garage settings units:imperial currency:USD timezone:America/Chicago reminder_hour:9 dates:MM/DD/YYYY',
      options: [
        { name: 'units', type: 'string', choices: ['metric', 'imperial'], description: 'Distances in km and litres, or miles and gallons' },
        {
          name: 'numbers',
          type: 'string',
          choices: ['1,234.5', '1.234,5', '1 234,5'],
          description: 'How this garage writes numbers: decides whether 83.000 means 83 or 83,000',
        },
        {
          name: 'dates',
          type: 'string',
          choices: ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY'],
          description: 'How this garage writes dates: decides whether 03/04/2026 is 3 April or 4 March',
        },
        { name: 'currency', type: 'string', description: 'ISO currency code, e.g. USD, EUR, JPY', maxLength: 3 },
        { name: 'timezone', type: 'string', description: 'IANA timezone, e.g. America/Chicago', maxLength: 64 },
        { name: 'reminder_channel', type: 'channel', description: 'Channel where reminders are posted; off stops them' },
        { name: 'reminder_hour', type: 'integer', description: 'Local hour (0-23) after which reminders are posted', min: 0, max: 23 },
        {
          name: 'digest',
          type: 'string',
          choices: ['weekly', 'monthly', 'off'],
          description: 'A digest in the reminder channel: weekly, monthly or off (default)',
        },
        { name: 'urgent', type: 'threshold', description: 'When an item becomes urgent, e.g. "30 d, 500 mi"' },
        { name: 'very_urgent', type: 'threshold', description: 'When an item becomes very urgent, e.g. "7 d, 100 mi"' },
        { name: 'photo_channel_car', type: 'car', description: 'Car that photos dropped in this channel belong to' },
      ],
    },
    {
      name: 'undo',
      role: 'driver',
      description: 'Undo your last change (a record, a comment, a quote), or one change /garage history names',
      example: '/garage undo change:Q5',
      options: [
        {
          name: 'change',
          type: 'string',
          description: 'The change as /garage history names it: 12 (records), I3 (issues), Q5 (quotes); default your last',
          maxLength: 20,
        },
      ],
    },
    {
      name: 'history',
      description: 'Who changed what in this garage (records, issues, comments, quotes), newest first',
      example: '/garage history car:corolla',
      options: [
        { name: 'car', type: 'car', description: 'Only this car (default every car)' },
        { name: 'issue', type: 'issue', description: 'Only this issue: its changes, comments and quotes' },
        { name: 'page', type: 'integer', description: 'Which page, newest first (default 1)', min: 1 },
      ],
    },
    {
      name: 'roles',
      description: 'Who may do what: show it, or make a role or user group viewers, drivers or managers',
      role: { read: 'viewer', change: 'manager' },
      example: '/garage roles',
      options: [
        {
          name: 'role',
          type: 'role',
          description: 'A server role (Discord) or user group (Slack); @everyone for all members',
        },
        {
          name: 'level',
          type: 'string',
          choices: ['viewer', 'driver', 'manager', 'none'],
          description: 'What its members may do: viewer reads, driver logs, manager does all; none forgets it',
        },
      ],
    },
    {
      name: 'chart',
      role: 'viewer',
      description: "The garage's cars side by side in a chart",
      example: '/garage chart metric:cost period:12m',
      options: [
        {
          name: 'metric',
          type: 'string',
          required: true,
          choices: ['economy', 'cost', 'distance', 'cost_per_distance'],
          description: 'economy, cost per month, distance per month, or cost per distance',
        },
        { name: 'period', type: 'period', description: 'Period up to today, e.g. 12m or 5y (default: all fill-ups; 12m for costs)' },
      ],
    },
    {
      name: 'report',
      role: 'manager',
      description: "A PDF of a year's costs per car and kind (for taxes and fleets)",
      example: '/garage report year:2025',
      options: [{ name: 'year', type: 'integer', description: 'The year (default this year)', min: 1886 }],
    },
    {
      name: 'export',
      role: 'manager',
      description: "Everything of this garage (or one car) as a zip, sent only to you",
      ephemeral: true,
      example: '/garage export format:csv',
      options: [
        { name: 'car', type: 'car', description: 'Only this car (default every car)' },
        {
          name: 'format',
          type: 'string',
          choices: ['json', 'csv', 'lubelogger'],
          description: 'json (the whole garage, for /garage import), csv (a file per kind) or lubelogger (its CSV import)',
        },
        { name: 'photos', type: 'boolean', description: 'yes to add the photos (originals) to the zip' },
      ],
    },
    {
      name: 'import',
      role: 'manager',
      description: 'From Fuelly, LubeLogger, aCar, Fuelio, Drivvo, Hammond, Spritmonitor or any CSV; previewed first',
      example: '/garage import file:<attachment> map:"Old Golf=golf,Civic=new"',
      options: [
        {
          name: 'file',
          type: 'attachment',
          required: true,
          description: 'The export: a CSV or a zip of CSVs (at most 20 MB)',
        },
        {
          name: 'map',
          type: 'string',
          description: 'Cars: "Old Golf=golf,Civic=new"; columns of another CSV: "date=Datum,odometer=KM,volume=Liter"',
          maxLength: 1000,
        },
        { name: 'car', type: 'car', description: 'The car of a file that names none (LubeLogger, Spritmonitor)' },
      ],
    },
    {
      name: 'me',
      role: 'viewer',
      description: 'Your own settings here: where the reminders of the cars you drive reach you',
      ephemeral: true,
      example: '/garage me reminders:dm',
      options: [
        {
          name: 'reminders',
          type: 'string',
          choices: ['dm', 'channel'],
          description: 'dm: also send me the reminders of the cars I drive privately; channel: only in the channel',
        },
      ],
    },
    {
      name: 'webhook',
      role: 'manager',
      description: "Post this garage's events (records, reminders, issues) to other tools, signed",
      ephemeral: true,
      example: '/garage webhook add url:https://example.com/hook events:record.created,issue.opened',
      options: [
        {
          name: 'action',
          type: 'string',
          required: true,
          choices: ['add', 'list', 'remove', 'resume', 'log'],
          description: 'add, list, remove, resume (a paused one) or log (its deliveries)',
        },
        { name: 'url', type: 'string', description: 'add: the https address to post to', maxLength: 2000 },
        {
          name: 'events',
          type: 'string',
          description: 'add: record.created, record.changed, reminder.urgency_changed, issue.opened, issue.closed or all',
          maxLength: 200,
        },
        { name: 'id', type: 'integer', description: 'remove, resume, log: the webhook number (#1)', min: 1, max: 1_000_000_000 },
      ],
    },
    {
      name: 'apikey',
      role: 'manager',
      description: 'API keys for other tools (Home Assistant, trackers)',
      ephemeral: true,
      example: '/garage apikey create name:home-assistant role:viewer',
      options: [
        { name: 'action', type: 'string', choices: ['create', 'list', 'revoke'], description: 'create a key (shown once), list them (default) or revoke one' },
        { name: 'name', type: 'string', description: 'The key\'s name, e.g. home-assistant', maxLength: 64 },
        { name: 'role', type: 'string', choices: ['viewer', 'driver', 'manager'], description: 'viewer reads; driver also posts readings and fill-ups (default viewer)' },
      ],
    },
    {
      name: 'calendar',
      role: 'viewer',
      description: 'A private calendar link (webcal) of the due dates and renewals, for your calendar app',
      ephemeral: true,
      example: '/garage calendar mine:yes',
      options: [
        { name: 'car', type: 'car', description: 'Only this car (default every car)' },
        { name: 'mine', type: 'boolean', description: 'yes: only the cars you drive' },
        { name: 'revoke', type: 'boolean', description: 'yes: stop your calendar link working' },
      ],
    },
    {
      name: 'delete',
      role: 'manager',
      description: 'Delete this garage and everything in it (without confirm: what would go)',
      example: '/garage delete confirm:yes',
      options: [{ name: 'confirm', type: 'boolean', description: 'yes to delete everything now; it cannot be undone' }],
    },
  ],
} as const satisfies Command

export default garage
