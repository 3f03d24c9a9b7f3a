import type { Command } from '../command.ts'

const photo = {
  name: 'photo',
  description: 'File a photo on a car or an issue',
  subcommands: [
    {
      name: 'add',
      description: 'Add a photo to a car or an issue',
      example: '/photo add car:corolla file:<attachment>   or   /photo add issue:12 file:<attachment>',
      options: [
        { name: 'file', type: 'attachment', required: true, description: 'The photo (JPEG, PNG, WebP or GIF)' },
        { name: 'car', type: 'car', description: 'The car it shows' },
        { name: 'issue', type: 'issue', description: 'The issue it belongs to, e.g. 12' },
      ],
    },
  ],
} as const satisfies Command

export default photo
