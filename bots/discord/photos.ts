/**
 * Photos dropped in a garage channel: a MESSAGE_CREATE in a guild channel (or a thread) with
 * image attachments, not from a bot, becomes a `photo.attach` job whose envelope id is the
 * message id (a redelivered event is not run twice). The bot does not download anything: the
 * worker does, at once, from the allowed hosts only. In a thread, the thread's ref (recorded
 * when the bot posted the thread's first message) tells what the photo belongs to. The answer
 * goes to the message's thread.
 *
 * Which drops are taken is the worker's decision (queue/handlers/photo.ts): whether a channel has
 * a default car lives in the items service's settings, which the bot does not call. The worker
 * resolves the rules (thread ref, a car or #issue named, the channel's default car) before it
 * downloads anything, so a photo no rule files is never downloaded or stored.
 */
import type { APIInteractionGuildMember, GuildMember, Message, User } from 'discord.js'
import type IORedis from 'ioredis'
import type { Actor, DiscordFacts, Envelope } from '../../lib/contracts/envelope.ts'
import type { Logger } from '../../lib/log.ts'
import { type DispatchResult, dispatchFailureText } from '../shared/dispatch.ts'
import { envelope } from '../shared/envelope.ts'
import { threadRefOf } from '../shared/threads.ts'

export const PHOTO_KIND = 'photo.attach'

const IMAGE_NAME = /\.(jpe?g|png|webp|gif|heic|heif|avif|bmp|tiff?)$/i

/** Whether an attachment looks like a photo (declared type or name; the service checks the bytes). */
export const isImage = (a: { contentType?: string | null; name?: string | null }) =>
  (a.contentType ?? '').toLowerCase().startsWith('image/') || IMAGE_NAME.test(a.name ?? '')

/**
 * The envelope's actor for a Discord user: the display name where one is set, and what Discord
 * verified about the member with the event (`facts`, absent outside a server).
 */
export const actorOf = (user: Pick<User, 'id' | 'globalName' | 'username'>, facts?: DiscordFacts): Actor => ({
  platform: 'discord',
  userId: user.id,
  name: user.globalName ?? user.username,
  ...(facts ? { discord: facts } : {}),
})

/**
 * A member's server role ids, @everyone (the guild's own id) left out: discord.js's member when
 * it has the guild (its role cache), or the event's raw member.
 */
export function memberRoles(member: GuildMember | APIInteractionGuildMember, guildId: string): string[] {
  const ids = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()]
  return ids.filter((id) => id !== guildId).slice(0, 250)
}

export type PhotoDeps = {
  dispatcher: { dispatch: (envelope: Envelope) => Promise<DispatchResult> }
  redis: IORedis
  queuePrefix: string
  log: Logger
}

export type PhotoPayload = {
  files: { url: string; filename: string; size: number; contentType?: string }[]
  text: string
  channelId: string
  threadId?: string
  threadRef?: string
  /** Given by `/photo add car: issue:`. */
  target?: { car?: string; issue?: number }
}

/** Builds the photo job of a message, or undefined when the message is not a photo drop. */
export async function photoEnvelope(
  message: Message,
  deps: Pick<PhotoDeps, 'redis' | 'queuePrefix'>,
): Promise<Envelope<PhotoPayload> | undefined> {
  if (message.author.bot || message.webhookId || !message.inGuild()) return undefined
  const files = [...message.attachments.values()].filter(isImage).map((a) => ({
    url: a.url,
    filename: a.name,
    size: a.size,
    ...(a.contentType ? { contentType: a.contentType } : {}),
  }))
  if (files.length === 0) return undefined
  const tenant = `discord:${message.guildId}`
  const channel = message.channel
  const inThread = channel.isThread()
  const payload: PhotoPayload = {
    files,
    text: message.content.slice(0, 2000),
    channelId: inThread ? (channel.parentId ?? channel.id) : channel.id,
  }
  if (inThread) {
    payload.threadId = channel.id
    // Redis down means no ref (the dispatch below then tells the user to retry).
    const ref = await threadRefOf(deps.redis, deps.queuePrefix, tenant, channel.id).catch(() => undefined)
    if (ref) payload.threadRef = ref
  }
  return envelope({
    id: message.id,
    kind: PHOTO_KIND,
    tenant,
    // A message carries the member's roles but not their permissions in the channel.
    actor: actorOf(
      message.author,
      message.member ? { roles: memberRoles(message.member, message.guildId) } : undefined,
    ),
    // In a thread the answer goes to the thread; otherwise a thread is started on the message.
    replyTo: inThread
      ? { platform: 'discord', channelId: channel.id }
      : { platform: 'discord', channelId: channel.id, messageId: message.id },
    payload,
    at: message.createdTimestamp,
  })
}

/** Handles one MESSAGE_CREATE; never throws. */
export async function handleMessage(message: Message, deps: PhotoDeps): Promise<void> {
  try {
    const job = await photoEnvelope(message, deps)
    if (!job) return
    const result = await deps.dispatcher.dispatch(job)
    if (!result.ok) {
      deps.log.warn({ message: message.id, reason: result.reason }, 'photo dispatch refused or failed')
      await message.reply({ content: dispatchFailureText(result), allowedMentions: { parse: [] } })
    }
  } catch (error) {
    deps.log.error({ err: error, message: message.id }, 'photo message failed')
  }
}
