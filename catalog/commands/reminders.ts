import type { Command } from '../command.ts'

const reminders = {
  name: 'reminders',
  description: 'What falls due soon, most urgent first',
  role: 'viewer',
  subcommands: [
    {
      name: 'list',
      description: 'Every maintenance item of the garage (or a car), most urgent first',
      example: '/reminders list car:corolla',
      options: [{ name: 'car', type: 'car', description: 'The car (default every car)' }],
    },
  ],
} as const satisfies Command

export default reminders
