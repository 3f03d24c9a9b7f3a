/**
 * The catalog as Discord application commands: one chat-input command per catalog entry, one
 * subcommand per catalog subcommand. Values Discord has no type for (distances, money, dates …)
 * are string options the catalog parses; `car` and `issue` options are autocompleted from the
 * garage's own data. Bounds and lengths are registered too, but the bot checks every value
 * again: a stale registration or a hand-made request must not get past the catalog.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js'
import type { Command, Option, OptionType } from '../../catalog/command.ts'

type OptionJSON = Record<string, unknown> & {
  type: ApplicationCommandOptionType
  name: string
  description: string
}

/** The Discord option type of each catalog option type. */
export const DISCORD_OPTION_TYPE: Record<OptionType, ApplicationCommandOptionType> = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  number: ApplicationCommandOptionType.Number,
  boolean: ApplicationCommandOptionType.Boolean,
  date: ApplicationCommandOptionType.String,
  distance: ApplicationCommandOptionType.String,
  volume: ApplicationCommandOptionType.String,
  money: ApplicationCommandOptionType.String,
  percent: ApplicationCommandOptionType.String,
  economy: ApplicationCommandOptionType.String,
  threshold: ApplicationCommandOptionType.String,
  period: ApplicationCommandOptionType.String,
  car: ApplicationCommandOptionType.String,
  issue: ApplicationCommandOptionType.Integer,
  channel: ApplicationCommandOptionType.Channel,
  attachment: ApplicationCommandOptionType.Attachment,
  role: ApplicationCommandOptionType.Role,
}

/** Types whose value is looked up in the garage while the user types. */
export const AUTOCOMPLETED: ReadonlySet<OptionType> = new Set(['car', 'issue'])

const NUMERIC: ReadonlySet<ApplicationCommandOptionType> = new Set([
  ApplicationCommandOptionType.Integer,
  ApplicationCommandOptionType.Number,
])

export function optionJSON(o: Option): OptionJSON {
  const type = DISCORD_OPTION_TYPE[o.type]
  const json: OptionJSON = { type, name: o.name, description: o.description, required: o.required === true }
  if (AUTOCOMPLETED.has(o.type)) json.autocomplete = true
  if (o.choices) json.choices = o.choices.map((c) => ({ name: c, value: c }))
  if (NUMERIC.has(type)) {
    if (o.min !== undefined) json.min_value = o.min
    if (o.max !== undefined) json.max_value = o.max
    if (o.type === 'issue' && o.min === undefined) json.min_value = 1
  }
  if (type === ApplicationCommandOptionType.String && o.maxLength !== undefined)
    json.max_length = Math.min(o.maxLength, 6000)
  if (o.type === 'channel') json.channel_types = [ChannelType.GuildText, ChannelType.GuildAnnouncement]
  return json
}

/** One catalog command as a chat-input application command (usable in guilds and the bot's DMs). */
export function commandJSON(c: Command): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return {
    type: ApplicationCommandType.ChatInput,
    name: c.name,
    description: c.description,
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    options: c.subcommands.map((s) => ({
      type: ApplicationCommandOptionType.Subcommand,
      name: s.name,
      description: s.description,
      options: s.options.map(optionJSON),
    })),
  } as RESTPostAPIChatInputApplicationCommandsJSONBody
}

/** The whole catalog, as the body of one bulk overwrite. */
export function catalogJSON(catalog: readonly Command[]): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return catalog.map(commandJSON)
}
