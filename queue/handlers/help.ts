/**
 * `garage.help`: the help text generated from the command catalog, answered privately.
 * An unknown command is the user's mistake: the answer lists the commands there are.
 */
import { findSubcommand } from '../../catalog/catalog.ts'
import { type PayloadOf, payloadSchema } from '../../catalog/command.ts'
import garage from '../../catalog/commands/garage.ts'
import { helpReply } from '../../catalog/help.ts'
import type { HandlerFamily } from '../handler.ts'

const help = findSubcommand(garage, 'help')!

export default {
  'garage.help': {
    schema: payloadSchema(help),
    run: async (payload: PayloadOf<typeof garage, 'help'>) => helpReply(payload.command).reply,
  },
} satisfies HandlerFamily
