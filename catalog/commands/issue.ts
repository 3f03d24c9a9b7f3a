import type { Command } from '../command.ts'

const issue = {
  name: 'issue',
  description: 'Problems with a car: log, follow, comment and close them',
  role: 'driver',
  subcommands: [
    {
      name: 'log',
      description: 'Open an issue on a car',
      example: '/issue log car:corolla title:"Grinding when braking" severity:high details:"front left, worse when cold"',
      options: [
        { name: 'car', type: 'car', required: true, description: 'The car' },
        { name: 'title', type: 'string', required: true, description: 'What is wrong, in a few words', maxLength: 200 },
        {
          name: 'severity',
          type: 'string',
          choices: ['low', 'medium', 'high', 'critical'],
          description: 'How bad it is (default medium)',
        },
        { name: 'details', type: 'string', description: 'More about it', maxLength: 4000 },
      ],
    },
    {
      name: 'list',
      role: 'viewer',
      description: 'Open issues, most severe first',
      example: '/issue list car:corolla',
      options: [
        { name: 'car', type: 'car', description: 'Only this car' },
        {
          name: 'status',
          type: 'string',
          choices: ['open', 'in_progress', 'waiting_parts', 'resolved', 'wont_fix'],
          description: 'Only issues with this status',
        },
        { name: 'all', type: 'boolean', description: 'yes to include closed issues' },
      ],
    },
    {
      name: 'show',
      role: 'viewer',
      description: 'An issue with its history, comments, photos and quotes',
      example: '/issue show number:12',
      options: [{ name: 'number', type: 'issue', required: true, description: 'The issue number, e.g. 12' }],
    },
    {
      name: 'comment',
      description: 'Add a comment to an issue',
      example: '/issue comment number:12 text:"Pads are down to 2 mm"',
      options: [
        { name: 'number', type: 'issue', required: true, description: 'The issue number' },
        { name: 'text', type: 'string', required: true, description: 'The comment', maxLength: 4000 },
      ],
    },
    {
      name: 'comment_edit',
      // a driver their own, a manager anyone's (queue/roles.ts ownedRecord)
      role: 'driver',
      description: 'Correct a comment, by its number shown in /issue show (#C3); with Undo',
      example: '/issue comment_edit number:C3 text:"Pads are down to 3 mm"',
      options: [
        { name: 'number', type: 'string', required: true, description: 'The comment number, e.g. C3 (or 3)', maxLength: 12 },
        { name: 'text', type: 'string', required: true, description: 'The new text of the comment', maxLength: 4000 },
      ],
    },
    {
      name: 'comment_remove',
      // a driver their own, a manager anyone's (queue/roles.ts ownedRecord)
      role: 'driver',
      description: 'Remove a comment, by its number shown in /issue show (#C3); with Undo',
      example: '/issue comment_remove number:C3',
      options: [
        { name: 'number', type: 'string', required: true, description: 'The comment number, e.g. C3 (or 3)', maxLength: 12 },
      ],
    },
    {
      name: 'status',
      // a driver their own, a manager anyone's (queue/roles.ts ownedRecord)
      role: 'driver',
      description: 'Change the status of an issue',
      example: '/issue status number:12 status:waiting_parts',
      options: [
        { name: 'number', type: 'issue', required: true, description: 'The issue number' },
        {
          name: 'status',
          type: 'string',
          required: true,
          choices: ['open', 'in_progress', 'waiting_parts', 'resolved', 'wont_fix'],
          description: 'The new status',
        },
        { name: 'note', type: 'string', description: 'Why (kept as a comment)', maxLength: 4000 },
      ],
    },
    {
      name: 'close',
      // a driver their own, a manager anyone's (queue/roles.ts ownedRecord)
      role: 'driver',
      description: 'Close an issue with its resolution and the service record that fixed it',
      example: '/issue close number:12 resolution:"Replaced front pads" record:42',
      options: [
        { name: 'number', type: 'issue', required: true, description: 'The issue number' },
        { name: 'resolution', type: 'string', required: true, description: 'What fixed it', maxLength: 4000 },
        { name: 'record', type: 'integer', description: 'The service record that fixed it (its number)', min: 1 },
        { name: 'wont_fix', type: 'boolean', description: 'yes to close it as won\'t fix' },
      ],
    },
  ],
} as const satisfies Command

export default issue
