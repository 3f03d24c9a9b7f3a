/**
 * Help generated from the catalog: `/garage help` lists every command on one line each,
 * `/garage help car` shows each subcommand with its options (type, required mark, bounds)
 * and its example. Grammar errors reuse the usage lines.
 */
import type { Reply } from '../lib/contracts/envelope.ts'
import { clip } from '../lib/domain/text.ts'
import { commands as catalogCommands, findCommand } from './catalog.ts'
import type { Command, Option, Subcommand } from './command.ts'
import { TYPE_HINTS } from './values.ts'

/** `/car add <nickname> [make] [model] …`: required options positional, the rest by name. */
export function usage(command: Command, sub: Subcommand): string {
  const parts = sub.options.map((o) => (o.required ? `<${o.name}>` : `[${o.name}:…]`))
  return [`/${command.name} ${sub.name}`, ...parts].join(' ')
}

/** One line describing an option: name, required mark, type and bounds, description. */
export function optionLine(o: Option): string {
  const kind = o.choices ? `one of ${o.choices.join(', ')}` : TYPE_HINTS[o.type]
  const bounds: string[] = []
  if (o.min !== undefined && o.max !== undefined) bounds.push(`${o.min}-${o.max}`)
  else if (o.min !== undefined) bounds.push(`at least ${o.min}`)
  else if (o.max !== undefined) bounds.push(`at most ${o.max}`)
  if (o.maxLength !== undefined) bounds.push(`up to ${o.maxLength} characters`)
  const tail = bounds.length > 0 ? `, ${bounds.join(', ')}` : ''
  return `• ${o.name}${o.required ? ' (required)' : ''} — ${kind}${tail}: ${o.description}`
}

/** Every command, one line each. */
export function commandList(list: readonly Command[] = catalogCommands): string {
  return [
    ...list.map((c) => `/${c.name} — ${c.description} (${c.subcommands.map((s) => s.name).join(', ')})`),
    'Details of one command: /garage help <command>, e.g. /garage help car',
  ].join('\n')
}

/** The usage line of each subcommand of a command (shown with grammar errors). */
export function subcommandHelp(command: Command): string {
  return [...command.subcommands.map((s) => usage(command, s)), `More: /garage help ${command.name}`].join(
    '\n',
  )
}

const HOW_TO =
  'Required values come first, in order; the others are name:value. Put values with spaces in quotes, e.g. odometer:"52,000 mi".'

export type HelpResult = { ok: true; reply: Reply } | { ok: false; reply: Reply }

/** The help Reply: all commands, or one command in detail. Unknown command → an error listing the commands. */
export function helpReply(commandName?: string, list: readonly Command[] = catalogCommands): HelpResult {
  if (!commandName || commandName.trim() === '') {
    return {
      ok: true,
      reply: {
        tone: 'ok',
        title: 'Car Manager commands',
        text: clip(commandList(list), 4000),
        ephemeral: true,
      },
    }
  }
  const command = findCommand(commandName.trim(), list)
  if (!command) {
    return {
      ok: false,
      reply: {
        tone: 'error',
        text: clip(
          `command: there is no command "${commandName.trim()}"; commands: ${list.map((c) => c.name).join(', ')}\n\n${commandList(list)}`,
          4000,
        ),
        ephemeral: true,
      },
    }
  }
  return {
    ok: true,
    reply: {
      tone: 'ok',
      title: clip(`/${command.name} — ${command.description}`, 256),
      text: HOW_TO,
      fields: command.subcommands.slice(0, 25).map((sub) => ({
        name: clip(`${usage(command, sub)}`, 256),
        value: fieldHelp(sub.description, sub.options.map(optionLine), sub.example),
      })),
      ephemeral: true,
    },
  }
}

/** Discord's limit for an embed field's value, which a subcommand's help fills. */
const FIELD_MAX = 1024

/**
 * A subcommand's help: its description, one line per option and its example. When that is
 * longer than a field takes, the option lines are cut (the last one ends in …), never the
 * example, which shows how the command is typed.
 */
function fieldHelp(description: string, options: string[], example: string | undefined): string {
  const tail = example ? `\ne.g. ${example}` : ''
  const room = FIELD_MAX - description.length - tail.length - 1
  const lines = options.join('\n')
  return `${description}${lines ? `\n${clip(lines, Math.max(room, 0))}` : ''}${tail}`.slice(0, FIELD_MAX)
}
