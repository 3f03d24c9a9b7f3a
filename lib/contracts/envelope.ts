/**
 * The contracts that cross the queue: the job envelope a bot dispatches, the platform-neutral
 * Reply a handler returns, and the reply job a bot's delivery worker consumes. Schemas are
 * the types (`Static<typeof X>`); the worker validates every job again, since queue input is
 * untrusted.
 */
import { type Static, Type as T } from '@sinclair/typebox'

export const TENANT_PATTERN = '^(discord:(dm:)?[0-9]{1,25}|slack:[A-Z0-9]{1,30}|local:[A-Za-z0-9_.-]{1,64})$'

/** `discord:<guild_id>`, `discord:dm:<user_id>`, `slack:<team_id>` or `local:<name>`; only ever from the verified platform event. */
export const Tenant = T.String({ pattern: TENANT_PATTERN })
export type Tenant = Static<typeof Tenant>

export const Platform = T.Union([T.Literal('discord'), T.Literal('slack'), T.Literal('local')])
export type Platform = Static<typeof Platform>

/** What a member may do in a garage (queue/roles.ts decides it; catalog/roles.ts says what each kind needs). */
export const Role = T.Union([T.Literal('viewer'), T.Literal('driver'), T.Literal('manager')])
export type Role = Static<typeof Role>
/** The roles from least to most allowed. */
export const ROLES: readonly Role[] = ['viewer', 'driver', 'manager']

/**
 * What Discord verified about the member with the event: the member's computed permission bit
 * set in that channel (decimal, as Discord sends it; absent on a message event, which carries
 * none) and the ids of the member's server roles.
 */
export const DiscordFacts = T.Object({
  permissions: T.Optional(T.String({ pattern: '^[0-9]{1,40}$' })),
  roles: T.Array(T.String({ pattern: '^[0-9]{1,25}$' }), { maxItems: 250 }),
})
export type DiscordFacts = Static<typeof DiscordFacts>

/** What Slack's `users.info` said about the user (looked up by the bot with its token), and their user groups. */
export const SlackFacts = T.Object({
  admin: T.Boolean(),
  owner: T.Boolean(),
  groups: T.Optional(T.Array(T.String({ pattern: '^[A-Z0-9]{1,30}$' }), { maxItems: 250 })),
})
export type SlackFacts = Static<typeof SlackFacts>

/**
 * Who sent the event. `discord` / `slack` are the platform's verified facts about the member,
 * set by the bot from the event (never from typed text); a job without them (one queued before
 * they existed, or a lookup that failed) is decided with no facts (queue/roles.ts).
 */
export const Actor = T.Object({
  platform: Platform,
  userId: T.String({ minLength: 1, maxLength: 64 }),
  name: T.String({ maxLength: 200 }),
  discord: T.Optional(DiscordFacts),
  slack: T.Optional(SlackFacts),
})
export type Actor = Static<typeof Actor>

/** Where a reply goes. Each platform's delivery worker knows its own shape. */
export const LocalReplyTo = T.Object({
  platform: T.Literal('local'),
  /** The chat session that asked, or for a channel post the channel's name. */
  session: T.String({ minLength: 1 }),
  /** A post to the garage's channel (a reminder): every chat of the garage may show it. */
  channel: T.Optional(T.Boolean()),
})
export const DiscordReplyTo = T.Object({
  platform: T.Literal('discord'),
  /** Channel to fall back to (or to post in, for channel posts without an interaction). */
  channelId: T.String(),
  /** The interaction whose deferred original is edited; absent for plain channel posts. */
  interaction: T.Optional(
    T.Object({ applicationId: T.String(), token: T.String(), createdAt: T.Number() }),
  ),
  /** Message to answer in the thread of / reply to (photo drops). */
  messageId: T.Optional(T.String()),
})
export const SlackReplyTo = T.Object({
  platform: T.Literal('slack'),
  channelId: T.String(),
  /** A slash command's or button's response_url; absent for plain channel posts. */
  responseUrl: T.Optional(T.String()),
  threadTs: T.Optional(T.String()),
  /** User who gets ephemeral answers when there is no response_url. */
  userId: T.Optional(T.String()),
})
export const ReplyTo = T.Union([LocalReplyTo, DiscordReplyTo, SlackReplyTo])
export type ReplyTo = Static<typeof ReplyTo>

/** A job on the `commands` queue. `id` is the platform's interaction or event id and the BullMQ jobId. */
export const Envelope = T.Object({
  /** Letters, digits, `.`, `_` and `-` only (BullMQ job ids may not contain ':'). */
  id: T.String({ pattern: '^[A-Za-z0-9._-]{1,200}$' }),
  kind: T.String({ pattern: '^[a-z]+(\\.[a-z_]+)+$' }),
  tenant: Tenant,
  actor: Actor,
  replyTo: ReplyTo,
  payload: T.Unknown(),
  /** Milliseconds since the epoch when the platform event happened. */
  at: T.Number(),
})
export type Envelope<P = unknown> = Omit<Static<typeof Envelope>, 'payload'> & { payload: P }

export const Tone = T.Union([T.Literal('ok'), T.Literal('warn'), T.Literal('error')])
export type Tone = Static<typeof Tone>

/** A button. `id` (at most 100 characters) names a job kind and its argument, e.g. `item.done:42`. */
export const Action = T.Object({
  id: T.String({ minLength: 1, maxLength: 100 }),
  label: T.String({ minLength: 1, maxLength: 80 }),
  style: T.Optional(T.Union([T.Literal('primary'), T.Literal('secondary'), T.Literal('danger')])),
})
export type Action = Static<typeof Action>

/** A stored photo to show: its sha256 in the images service and the thumbnail size. */
export const ReplyImage = T.Object({
  sha256: T.String({ pattern: '^[0-9a-f]{64}$' }),
  size: T.Union([T.Literal(256), T.Literal(1024)]),
  alt: T.Optional(T.String()),
})

/**
 * A file a Reply carries (an export zip): stored short-lived in the images service
 * (`GET /files/:id`, this tenant's only, kept a day) and fetched by the delivering bot, which
 * attaches it (Discord), uploads it to the asker (Slack) or writes it to a path it prints (the
 * terminal chat). `bytes` lets a bot refuse one too big for its platform before fetching it.
 */
export const ReplyFile = T.Object({
  id: T.String({ pattern: '^[0-9a-f]{32}$' }),
  name: T.String({ minLength: 1, maxLength: 200, pattern: '^[^/\\\\\\x00-\\x1f]+$' }),
  type: T.String({ minLength: 1, maxLength: 100 }),
  bytes: T.Integer({ minimum: 0 }),
})
export type ReplyFile = Static<typeof ReplyFile>

/**
 * What a handler answers; each adapter renders it (Discord embed, Slack Block Kit, plain text).
 * Text is shown as written, except a channel mention `<#channelId>`, which Discord and Slack
 * both render as a link to the channel.
 */
export const Reply = T.Object({
  tone: Tone,
  title: T.Optional(T.String({ maxLength: 256 })),
  text: T.String({ maxLength: 4000 }),
  fields: T.Optional(
    T.Array(T.Object({ name: T.String({ maxLength: 256 }), value: T.String({ maxLength: 1024 }), inline: T.Optional(T.Boolean()) }), { maxItems: 25 }),
  ),
  image: T.Optional(ReplyImage),
  file: T.Optional(ReplyFile),
  actions: T.Optional(T.Array(Action, { maxItems: 5 })),
  /** Only the person who asked sees it (Discord ephemeral, Slack ephemeral). */
  ephemeral: T.Optional(T.Boolean()),
  /**
   * What a conversation started on this message is about, e.g. `issue:12`. The delivery
   * remembers (message id → ref) so a photo dropped in that message's thread is filed there.
   */
  ref: T.Optional(T.String({ pattern: '^(issue|car):[^\\s]{1,64}$' })),
  /**
   * Platform user ids the message is meant to reach (a reminder's drivers). Discord notifies no
   * one for a mention inside an embed, so its delivery puts these in the message content and
   * allows exactly them; Slack notifies for the mentions in the text itself.
   */
  notify: T.Optional(T.Array(T.String({ pattern: '^[A-Za-z0-9]{1,32}$' }), { maxItems: 25 })),
})
export type Reply = Static<typeof Reply>

/** A job on `replies.<platform>`; its jobId is derived from the envelope id so a reply is delivered once. */
export const ReplyJob = T.Object({
  envelopeId: T.String(),
  tenant: Tenant,
  replyTo: ReplyTo,
  reply: Reply,
  /** A progress notice ("… is unavailable, retrying") rather than the final answer. */
  notice: T.Optional(T.Boolean()),
})
export type ReplyJob = Static<typeof ReplyJob>
