/**
 * Every interaction the bot gets: slash commands, autocomplete, buttons and modal submits.
 *
 * A command's options are checked by the catalog's grammar (`parseTyped`) first: that is pure
 * and takes well under a millisecond, and lets a mistake be answered privately with Discord's
 * own ephemeral reply, with no public "thinking…" and no job. A valid command is deferred at once (ephemeral
 * when the subcommand is) and dispatched; the answer arrives later through the delivery
 * worker, which edits the deferred original. Nothing here waits on a service before the
 * deferral, so Discord's 3 seconds never depend on Redis or a service.
 */
import {
  ApplicationCommandOptionType,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type Interaction,
  MessageFlags,
  type ModalSubmitInteraction,
  type RepliableInteraction,
  Routes,
} from 'discord.js'
import type { DiscordFacts, Envelope, ReplyTo } from '../../lib/contracts/envelope.ts'
import { clip } from '../../lib/domain/text.ts'
import type { Logger } from '../../lib/log.ts'
import { type DispatchResult, dispatchFailureText } from '../shared/dispatch.ts'
import { envelope } from '../shared/envelope.ts'
import { parseActionId } from '../../catalog/actions.ts'
import { findCommand } from '../../catalog/catalog.ts'
import type { Command } from '../../catalog/command.ts'
import { type Form, parseFormSubmission } from '../../catalog/forms.ts'
import { parseTyped } from '../../catalog/grammar.ts'
import type { Lookup } from './lookup.ts'
import { actorOf, memberRoles, PHOTO_KIND, type PhotoPayload } from './photos.ts'

export type InteractionDeps = {
  dispatcher: { dispatch: (envelope: Envelope) => Promise<DispatchResult> }
  catalog: readonly Command[]
  forms: Record<string, Form>
  lookup: Lookup
  log: Logger
  /** The ref of a thread (bots/shared/threads.ts), for /photo add used inside a thread. */
  threadRef?: (tenant: string, threadId: string) => Promise<string | undefined>
}

/** Discord message content is at most 2000 characters. */
const MESSAGE_MAX = 2000

export function tenantOf(interaction: { guildId: string | null; user: { id: string } }): string {
  return interaction.guildId ? `discord:${interaction.guildId}` : `discord:dm:${interaction.user.id}`
}

/**
 * A channel option naming a channel outside the guild the command came from (Discord's picker
 * only offers the guild's own, but an id can be sent by hand): a garage posts only in its own
 * server. The interaction's resolved channel carries no guild id (and discord.js files it under
 * the interaction's guild), so the channel is looked up over REST; this runs after the deferral.
 */
async function foreignChannel(
  interaction: ChatInputCommandInteraction,
  given: readonly CommandInteractionOption[],
): Promise<string | undefined> {
  if (!interaction.guildId) return undefined
  for (const o of given) {
    if (o.type !== ApplicationCommandOptionType.Channel) continue
    const id = String(o.value)
    const channel = (await interaction.client.rest.get(Routes.channel(id)).catch(() => undefined)) as
      | { guild_id?: string }
      | undefined
    if (channel?.guild_id !== interaction.guildId) {
      return `${o.name}: <#${id}> is not a channel of this server; pick one of this server's channels`
    }
  }
  return undefined
}

/**
 * What Discord verified about the member who acted: their computed permissions in the channel
 * (Administrator or Manage Server make a manager, queue/roles.ts) and their server roles. None in a DM.
 */
export function memberFacts(interaction: RepliableInteraction): DiscordFacts | undefined {
  if (!interaction.inGuild() || !interaction.member) return undefined
  return {
    ...(interaction.memberPermissions
      ? { permissions: interaction.memberPermissions.bitfield.toString() }
      : {}),
    roles: memberRoles(interaction.member, interaction.guildId),
  }
}

function replyToOf(interaction: RepliableInteraction): ReplyTo {
  return {
    platform: 'discord',
    channelId: interaction.channelId ?? '',
    interaction: {
      applicationId: interaction.applicationId,
      token: interaction.token,
      createdAt: interaction.createdTimestamp,
    },
  }
}

/** A private answer to an interaction that has not been acknowledged yet. */
async function privately(interaction: RepliableInteraction, text: string): Promise<void> {
  await interaction.reply({
    content: clip(text, MESSAGE_MAX),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  })
}

async function deferAndDispatch(
  interaction: RepliableInteraction,
  deps: InteractionDeps,
  kind: string,
  payload: unknown | (() => Promise<unknown>),
  ephemeral: boolean,
  /** A check that needs Discord itself (after the deferral); its message refuses the command, no job. */
  refuse?: () => Promise<string | undefined>,
): Promise<void> {
  await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {})
  const refusal = await refuse?.()
  if (refusal) {
    await interaction.editReply({ content: clip(refusal, MESSAGE_MAX), embeds: [], components: [] })
    return
  }
  const job = envelope({
    id: interaction.id,
    kind,
    tenant: tenantOf(interaction),
    actor: actorOf(interaction.user, memberFacts(interaction)),
    replyTo: replyToOf(interaction),
    payload: typeof payload === 'function' ? await (payload as () => Promise<unknown>)() : payload,
    at: interaction.createdTimestamp,
  })
  const result = await deps.dispatcher.dispatch(job)
  if (!result.ok) {
    deps.log.warn({ interaction: interaction.id, kind, reason: result.reason }, 'dispatch refused or failed')
    await interaction.editReply({ content: dispatchFailureText(result), embeds: [], components: [] })
  }
}

/** Option values as Discord delivered them, keyed by name (attachments as the catalog's shape). */
export function optionValues(options: readonly CommandInteractionOption[]): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const o of options) {
    if (o.attachment) {
      values[o.name] = {
        url: o.attachment.url,
        filename: o.attachment.name,
        size: o.attachment.size,
        ...(o.attachment.contentType ? { contentType: o.attachment.contentType } : {}),
      }
    } else if (o.value !== undefined) values[o.name] = o.value
  }
  return values
}

async function onCommand(interaction: ChatInputCommandInteraction, deps: InteractionDeps): Promise<void> {
  const command = findCommand(interaction.commandName, deps.catalog)
  if (!command) {
    await privately(
      interaction,
      `/${interaction.commandName} no longer exists in Car Manager (Discord may still show it for a while). Nothing was done. Try /garage help.`,
    )
    return
  }
  const subName = interaction.options.getSubcommand(false) ?? ''
  const top = interaction.options.data
  const given = top.length === 1 && top[0]?.name === subName ? (top[0]?.options ?? []) : top
  const parsed = parseTyped(command.name, subName, optionValues(given), deps.catalog)
  if (!parsed.ok) {
    await privately(interaction, `${parsed.error}\n\n${parsed.help}`)
    return
  }
  if (parsed.kind === PHOTO_ADD) {
    // The agreed photo job: the attachment is downloaded by the worker like a dropped photo.
    await deferAndDispatch(
      interaction,
      deps,
      PHOTO_KIND,
      () => photoAddPayload(interaction, parsed.payload, deps),
      false,
    )
    return
  }
  await deferAndDispatch(interaction, deps, parsed.kind, parsed.payload, parsed.sub.ephemeral === true, () =>
    foreignChannel(interaction, given),
  )
}

const PHOTO_ADD = 'photo.add'

/** `/photo add file car issue` as a `photo.attach` payload, the job of a dropped photo (photos.ts). */
async function photoAddPayload(
  interaction: ChatInputCommandInteraction,
  values: Record<string, unknown>,
  deps: InteractionDeps,
): Promise<PhotoPayload> {
  const { file, car, issue } = values as { file: PhotoPayload['files'][number]; car?: string; issue?: number }
  const channel = interaction.channel
  const inThread = channel?.isThread() === true
  const payload: PhotoPayload = {
    files: [file],
    text: '',
    channelId: inThread ? (channel.parentId ?? channel.id) : (interaction.channelId ?? ''),
  }
  if (inThread && channel) {
    payload.threadId = channel.id
    const ref = await deps.threadRef?.(tenantOf(interaction), channel.id).catch(() => undefined)
    if (ref) payload.threadRef = ref
  }
  if (car !== undefined || issue !== undefined)
    payload.target = { ...(car !== undefined ? { car } : {}), ...(issue !== undefined ? { issue } : {}) }
  return payload
}

async function onAutocomplete(interaction: AutocompleteInteraction, deps: InteractionDeps): Promise<void> {
  const focused = interaction.options.getFocused(true)
  const command = findCommand(interaction.commandName, deps.catalog)
  const sub = command?.subcommands.find((s) => s.name === interaction.options.getSubcommand(false))
  const option = sub?.options.find((o) => o.name === focused.name)
  const tenant = tenantOf(interaction)
  const typed = String(focused.value ?? '')
  const choices =
    option?.type === 'car'
      ? await deps.lookup.cars(tenant, typed)
      : option?.type === 'issue'
        ? await deps.lookup.issues(tenant, typed)
        : []
  await interaction.respond(choices.slice(0, 25))
}

async function onButton(interaction: ButtonInteraction, deps: InteractionDeps): Promise<void> {
  const action = parseActionId(interaction.customId)
  if (!action) {
    await privately(
      interaction,
      'That button is not known to Car Manager (it may be from an older version). Nothing was done.',
    )
    return
  }
  if (action.type === 'form') {
    const form = deps.forms[action.form]
    if (!form) {
      await privately(
        interaction,
        `That form (${action.form}) is not known to Car Manager any more. Nothing was done.`,
      )
      return
    }
    await interaction.showModal({
      custom_id: interaction.customId,
      title: form.title.slice(0, 45),
      components: form.fields.slice(0, 5).map((f) => ({
        type: 1,
        components: [
          {
            type: 4,
            custom_id: f.name,
            label: f.label.slice(0, 45),
            style: 1,
            required: f.required === true,
            max_length: 200,
          },
        ],
      })),
    })
    return
  }
  await deferAndDispatch(interaction, deps, action.kind, { arg: action.arg }, false)
}

async function onModal(interaction: ModalSubmitInteraction, deps: InteractionDeps): Promise<void> {
  const action = parseActionId(interaction.customId)
  if (action?.type !== 'form') {
    await privately(interaction, 'That form is not known to Car Manager. Nothing was done.')
    return
  }
  const values: Record<string, unknown> = {}
  for (const [name, field] of interaction.fields.fields) if ('value' in field) values[name] = field.value
  const parsed = parseFormSubmission(action.form, action.arg, values, deps.forms)
  if (!parsed.ok) {
    await privately(interaction, `${parsed.error}\nNothing was saved; press the button again to retry.`)
    return
  }
  await deferAndDispatch(interaction, deps, parsed.kind, parsed.payload, false)
}

/** Routes one interaction; never throws (a failure is logged and, when possible, told to the user). */
export async function handleInteraction(interaction: Interaction, deps: InteractionDeps): Promise<void> {
  try {
    if (interaction.isChatInputCommand()) await onCommand(interaction, deps)
    else if (interaction.isAutocomplete()) await onAutocomplete(interaction, deps)
    else if (interaction.isButton()) await onButton(interaction, deps)
    else if (interaction.isModalSubmit()) await onModal(interaction, deps)
    else if (interaction.isRepliable())
      await privately(interaction, 'Car Manager does not handle this kind of interaction.')
  } catch (error) {
    deps.log.error({ err: error, interaction: interaction.id, type: interaction.type }, 'interaction failed')
    if (interaction.isRepliable()) {
      const text = `Something went wrong and this was not done (reference ${interaction.id}). Please try again.`
      const answer = interaction.deferred
        ? interaction.editReply({ content: text, embeds: [], components: [] })
        : interaction.replied
          ? Promise.resolve()
          : privately(interaction, text)
      await Promise.resolve(answer).catch((e) =>
        deps.log.warn({ err: e }, 'could not tell the user about the failure'),
      )
    }
  }
}
