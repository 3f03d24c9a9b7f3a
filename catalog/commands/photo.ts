import type { Command } from '../command.ts'

const photo = {
  name: 'photo',
  description: 'File or remove a photo of a car or an issue',
  role: 'driver',
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
    {
      name: 'remove',
      // a driver their own, a manager anyone's (queue/roles.ts ownedRecord)
      role: 'driver',
      description: "Remove a photo from this garage by its number or the start of its code",
      example: '/photo remove 12',
      options: [
        {
          name: 'photo',
          type: 'string',
          required: true,
          description: 'The photo\'s number (photo 12) or the start of its code (3fa9c2, 6+ characters)',
          maxLength: 64,
        },
      ],
    },
  ],
} as const satisfies Command

export default photo
