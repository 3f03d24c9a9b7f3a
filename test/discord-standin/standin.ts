/**
 * A local Discord for tests: REST under `/api/v10`, the gateway WebSocket, a file host for
 * attachments and a record of every request, on one Bun.serve at port 0. It behaves like
 * Discord where a bot can get it wrong:
 * - an interaction's initial response is refused after 3 s (10062 Unknown interaction) and
 *   a second one with 40060 (already acknowledged);
 * - the interaction webhook (edit @original, follow-ups) expires 15 minutes after the
 *   interaction (50027 Invalid Webhook Token);
 * - a channel message with `enforce_nonce` and a nonce already used in that channel by the same
 *   author answers the first message instead of creating another;
 * - `failNext()` makes matching requests answer 429 with Retry-After, or a 5xx;
 * - sharded: `GET /gateway/bot` recommends `shards` (default 1), a session IDENTIFYs with
 *   `shard: [id, count]`, and a guild's events (READY's list, GUILD_CREATE, interactions,
 *   messages) reach only the sessions of its shard `(guild_id >> 22) % count`; DMs reach shard 0;
 *   with `requiredShards`, a session of fewer shards is closed with 4011 Sharding required.
 *
 * Test helpers act as a user would: `sendCommand`, `pressButton`, `submitModal`,
 * `autocomplete`, `dropPhoto`, and `waitFor(predicate, timeout)`.
 */
import type { Server, ServerWebSocket } from 'bun'
import { arrival, type RecordedBase } from '../recorded.ts'
import { Wakeup } from '../wait.ts'

const DISCORD_EPOCH = 1420070400000n
const LOADING = 128

export type Snowflake = string

/** A snowflake whose timestamp is `at` (Discord ids carry their creation time). */
export function snowflake(at = Date.now(), increment = 0): Snowflake {
  return (((BigInt(Math.floor(at)) - DISCORD_EPOCH) << 22n) | BigInt(increment & 0xfff)).toString()
}

export function snowflakeTime(id: Snowflake): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH)
}

/** The shard Discord sends a guild's events to, out of `count`. */
export function shardOf(guildId: Snowflake, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count))
}

export type StandinChannel = { id: Snowflake; name: string; type?: number; parentId?: Snowflake }
export type StandinGuild = {
  id: Snowflake
  name: string
  channels: StandinChannel[]
  /** Server roles besides @everyone (whose id is the guild's). */
  roles?: { id: Snowflake; name: string }[]
}

/** Discord's guild owner in the stand-in's guilds (`owner_id`): the default user, alice. */
export const GUILD_OWNER = '1400000000000000001'
/** The permissions of @everyone in the stand-in's guilds (no Administrator, no Manage Server). */
export const EVERYONE_PERMISSIONS = '2248473465835073'
/** Every permission bit Discord defines today: what Discord computes for a guild's owner. */
export const ALL_PERMISSIONS = String((1n << 51n) - 1n)
/** A member's server roles and computed permissions in the channel (set with `setMember`). */
export type StandinMember = { roles?: Snowflake[]; permissions?: string }
export type StandinUser = { id: Snowflake; username: string; global_name?: string; bot?: boolean }

export type RecordedFile = {
  field: string
  filename: string
  contentType: string
  size: number
  bytes: Uint8Array
}

export type RecordedRequest = RecordedBase & {
  /** Path below `/api/v10`, e.g. `/channels/123/messages`. */
  path: string
  /** The JSON body, or the `payload_json` part of a multipart body. */
  body: any
  files: RecordedFile[]
}

export type StoredMessage = {
  id: Snowflake
  channel_id: Snowflake
  guild_id?: Snowflake
  author: StandinUser
  content: string
  embeds: any[]
  components: any[]
  attachments: any[]
  flags: number
  nonce?: string | number
  message_reference?: any
  timestamp: string
  edited_timestamp: string | null
  type: number
  tts: boolean
  mention_everyone: boolean
  mentions: any[]
  mention_roles: any[]
  pinned: boolean
  webhook_id?: Snowflake
  application_id?: Snowflake
  interaction_id?: Snowflake
}

export type InteractionRecord = {
  id: Snowflake
  token: string
  /** 2 chat input, 3 component, 4 autocomplete, 5 modal submit. */
  type: number
  guildId?: Snowflake
  channelId: Snowflake
  userId: Snowflake
  createdAt: number
  payload: any
  /** The accepted initial response (callback), with when it arrived. */
  initial?: { type: number; data: any; at: number }
  /** Every callback attempt, accepted or refused. */
  callbacks: { type: number; status: number; at: number }[]
  /** The original response message (after a deferral or a reply), as last edited. */
  original?: StoredMessage
  originalEdits: number
  originalDeleted: boolean
  followups: StoredMessage[]
}

export type Fault = {
  method?: string
  path: RegExp | string
  status: number
  /** Seconds, for 429. */
  retryAfter?: number
  /** How many matching requests fail (default 1). */
  times?: number
  /** Discord error code in the body (5xx bodies have none). */
  code?: number
}

export type OptionInput =
  | string
  | number
  | boolean
  | { attachment: { filename: string; bytes: Uint8Array; contentType?: string } }
  | { channel: Snowflake }
  | { role: Snowflake }

type FileEntry = { bytes: Uint8Array; contentType: string; filename: string }
type Socket = ServerWebSocket<{ id: number }>
type Session = { ws: Socket; seq: number; identified: boolean; sessionId: string; shard: [number, number] }

const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json', ...headers } })

const discordError = (status: number, code: number, message: string) => json({ message, code }, status)

const OPTION_TYPE_BY_JS = { string: 3, number: 10, boolean: 5 } as const

export class DiscordStandin {
  readonly token: string
  readonly applicationId: Snowflake
  readonly botUser: StandinUser
  readonly guilds: StandinGuild[]
  readonly requests: RecordedRequest[] = []
  readonly interactions = new Map<Snowflake, InteractionRecord>()
  readonly messages = new Map<Snowflake, StoredMessage>()
  /** Application commands from the last bulk overwrite: `global` or a guild id. */
  readonly commands = new Map<string, any[]>()
  /** Gateway connections opened so far (a restarted bot opens another). */
  identifies = 0
  /** The `shard: [id, count]` of every IDENTIFY so far, in order ([0, 1] when it sent none). */
  readonly identifiedShards: [number, number][] = []
  /** The shard count `GET /gateway/bot` recommends. */
  readonly recommendedShards: number
  /** `session_start_limit.max_concurrency`: how many shards may identify at once (Discord: 1, large bots 16). */
  readonly maxConcurrency: number
  /** The fewest shards Discord accepts (it closes a session of fewer with 4011); 1 = any. */
  readonly requiredShards: number
  /** Called after every REST request is answered (serve.ts prints them). */
  onRequest?: (request: RecordedRequest) => void
  /** Called when a bot identifies on the gateway. */
  onIdentify?: () => void
  /** HELLO's heartbeat interval (Discord's is about 41 s). */
  heartbeatIntervalMs = 41_250
  /** Heartbeats answered so far. */
  heartbeats = 0
  /** How long an interaction may wait for its initial response. */
  responseDeadlineMs = 3_000
  private server!: Server<{ id: number }>
  private readonly sessions = new Map<number, Session>()
  private readonly files = new Map<string, FileEntry>()
  private readonly faults: (Fault & { left: number })[] = []
  private readonly channels = new Map<
    Snowflake,
    { guildId?: Snowflake; name: string; type: number; parentId?: Snowflake }
  >()
  private readonly nonces = new Map<string, Snowflake>()
  private readonly wakeup = new Wakeup()
  private counter = 0
  private socketIds = 0
  readonly users = new Map<Snowflake, StandinUser>()
  private readonly members = new Map<string, StandinMember>()
  /** The DM channel the bot opened with each user (POST /users/@me/channels). */
  readonly dmChannels = new Map<Snowflake, Snowflake>()

  constructor(
    opts: {
      token?: string
      applicationId?: Snowflake
      guilds?: StandinGuild[]
      users?: StandinUser[]
      shards?: number
      maxConcurrency?: number
      requiredShards?: number
    } = {},
  ) {
    this.recommendedShards = opts.shards ?? 1
    this.maxConcurrency = opts.maxConcurrency ?? 1
    this.requiredShards = opts.requiredShards ?? 1
    this.applicationId = opts.applicationId ?? '1100000000000000001'
    this.token = opts.token ?? `standin.${crypto.randomUUID().replaceAll('-', '')}`
    this.botUser = { id: this.applicationId, username: 'Car Manager', bot: true }
    this.guilds = opts.guilds ?? [
      {
        id: '1200000000000000001',
        name: 'Garage A',
        channels: [{ id: '1300000000000000001', name: 'garage' }],
      },
      {
        id: '1200000000000000002',
        name: 'Garage B',
        channels: [{ id: '1300000000000000002', name: 'garage' }],
      },
    ]
    for (const g of this.guilds)
      for (const c of g.channels)
        this.channels.set(c.id, {
          guildId: g.id,
          name: c.name,
          type: c.type ?? 0,
          ...(c.parentId ? { parentId: c.parentId } : {}),
        })
    for (const u of opts.users ?? [{ id: '1400000000000000001', username: 'alice', global_name: 'Alice' }])
      this.users.set(u.id, u)
  }

  /** Starts listening on a free loopback port. */
  start(port = 0): this {
    this.server = Bun.serve<{ id: number }, never>({
      hostname: '127.0.0.1',
      port,
      fetch: (request, server) => {
        if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
          if (server.upgrade(request, { data: { id: ++this.socketIds } })) return undefined
          return new Response('upgrade failed', { status: 400 })
        }
        return this.handle(request)
      },
      websocket: {
        open: (ws) => this.onOpen(ws),
        message: (ws, message) => this.onMessage(ws, message),
        close: (ws) => {
          this.sessions.delete(ws.data.id)
        },
      },
    })
    return this
  }

  get port(): number {
    return this.server.port!
  }
  /** REST base as discord.js wants it (`rest.api`): `http://127.0.0.1:PORT/api`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`
  }
  /** Host (host:port) that serves attachments, for DISCORD_FILE_HOSTS. */
  get fileHost(): string {
    return `127.0.0.1:${this.port}`
  }
  /** Connected, identified gateway sessions. */
  get connected(): number {
    return [...this.sessions.values()].filter((s) => s.identified).length
  }

  async close(): Promise<void> {
    for (const s of this.sessions.values()) s.ws.close(1001, 'stand-in closing')
    this.sessions.clear()
    this.server?.stop(true)
  }

  /** Slow REST: matching requests are answered after `ms` (every one, until removed). */
  readonly delays: { method?: string; path: RegExp | string; ms: number }[] = []

  /** Discord honours a message nonce only for a few minutes: forgets the nonces seen so far. */
  forgetNonces(): void {
    this.nonces.clear()
  }

  /** Makes the next matching REST request(s) fail (429 with Retry-After, 500, 503 …). */
  failNext(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 })
  }

  /** Requests recorded so far that match a method and a path (string = exact, RegExp = test). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    )
  }

  /** Messages of a channel, oldest first. */
  channelMessages(channelId: Snowflake): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId && !m.interaction_id)
  }

  /** Polls `predicate` until it returns a truthy value (returned), or throws after `timeoutMs`. */
  async waitFor<T>(
    predicate: () => T | undefined | null | false | Promise<T | undefined | null | false>,
    timeoutMs = 5_000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = await predicate()
      if (value) return value
      if (Date.now() > deadline) throw new Error(`stand-in: ${what} not met within ${timeoutMs} ms`)
      await this.wakeup.nap(20)
    }
  }

  /** Serves bytes from the stand-in's file host; returns their URL. */
  addFile(
    filename: string,
    bytes: Uint8Array,
    contentType = 'application/octet-stream',
    channelId = '0',
  ): string {
    const path = `/attachments/${channelId}/${this.nextId()}/${encodeURIComponent(filename)}`
    this.files.set(path, { bytes, contentType, filename })
    return `http://${this.fileHost}${path}`
  }

  /** Bytes of a file served by the stand-in (e.g. a thumbnail the bot uploaded). */
  fileBytes(url: string): Uint8Array | undefined {
    return this.files.get(new URL(url).pathname)?.bytes
  }

  // ---------------------------------------------------------------- user actions

  /** The bot removed from a guild (GUILD_DELETE without `unavailable`, as Discord sends a removal). */
  removeFromGuild(guildId: Snowflake): void {
    this.dispatch('GUILD_DELETE', { id: guildId }, guildId)
  }

  /** Discord closes the sessions of a shard with a gateway close code (4004 after a token reset …). */
  closeShard(shardId: number, code: number, reason = 'closed by the stand-in'): void {
    for (const s of this.sessions.values())
      if (s.identified && s.shard[0] === shardId) s.ws.close(code, reason)
  }

  /** The bot added (back) to one of the stand-in's guilds: GUILD_CREATE with the guild. */
  addToGuild(guildId: Snowflake): void {
    const g = this.guilds.find((x) => x.id === guildId)
    if (!g) throw new Error(`the stand-in has no guild ${guildId}`)
    this.dispatch('GUILD_CREATE', this.guildObject(g), g.id)
  }

  /**
   * What a user is in a guild from now on: their server roles and their computed permissions
   * (as Discord sends them in an interaction's `member`). Without it a member has no roles and the
   * permissions of @everyone, and the guild's owner has every permission.
   */
  setMember(guildId: Snowflake, userId: Snowflake, member: StandinMember): void {
    this.members.set(`${guildId}:${userId}`, member)
  }

  private memberOf(guildId: Snowflake, userId: Snowflake): { roles: Snowflake[]; permissions: string } {
    const m = this.members.get(`${guildId}:${userId}`)
    return {
      roles: m?.roles ?? [],
      permissions: m?.permissions ?? (userId === GUILD_OWNER ? ALL_PERMISSIONS : EVERYONE_PERMISSIONS),
    }
  }

  /** A user runs `/<name> <sub> options…` in a guild's first channel (or `opts.channelId`). */
  sendCommand(
    guildId: Snowflake | null,
    name: string,
    sub: string | null,
    options: Record<string, OptionInput> = {},
    opts: { channelId?: Snowflake; userId?: Snowflake; ageMs?: number } = {},
  ): InteractionRecord {
    const registered = this.findCommand(guildId, name)
    const subDef = sub ? registered?.options?.find((o: any) => o.name === sub && o.type === 1) : registered
    const resolved: any = {}
    const opts2 = Object.entries(options).map(([optName, value]) =>
      this.optionPayload(subDef, optName, value, resolved, guildId),
    )
    const data: any = {
      id: registered?.id ?? this.nextId(),
      name,
      type: 1,
      ...(guildId && registered?.guild_id ? { guild_id: guildId } : {}),
      options: sub ? [{ type: 1, name: sub, options: opts2 }] : opts2,
      ...(Object.keys(resolved).length ? { resolved } : {}),
    }
    return this.dispatchInteraction(2, guildId, data, opts)
  }

  /** A user presses a button (custom_id) on a message the bot posted (or a made-up one). */
  pressButton(
    guildId: Snowflake | null,
    customId: string,
    opts: { channelId?: Snowflake; userId?: Snowflake; message?: StoredMessage } = {},
  ): InteractionRecord {
    const channelId = opts.channelId ?? opts.message?.channel_id ?? this.defaultChannel(guildId)
    const message =
      opts.message ??
      this.makeMessage(channelId, this.botUser, { content: '', components: [] }, guildId ?? undefined)
    return this.dispatchInteraction(
      2 + 1,
      guildId,
      { custom_id: customId, component_type: 2 },
      { ...opts, channelId, message },
    )
  }

  /** A user submits a modal the bot showed (values by text input custom_id). */
  submitModal(
    guildId: Snowflake | null,
    customId: string,
    values: Record<string, string>,
    opts: { channelId?: Snowflake; userId?: Snowflake } = {},
  ): InteractionRecord {
    const components = Object.entries(values).map(([id, value]) => ({
      type: 1,
      components: [{ type: 4, custom_id: id, value }],
    }))
    return this.dispatchInteraction(5, guildId, { custom_id: customId, components }, opts)
  }

  /**
   * A user types in an autocompleted option: resolves with the choices the bot answered and
   * how long it took, or `null` when it did not answer within the deadline.
   */
  async autocomplete(
    guildId: Snowflake | null,
    name: string,
    sub: string | null,
    options: Record<string, string | number>,
    focused: string,
    opts: { channelId?: Snowflake; userId?: Snowflake } = {},
  ): Promise<{ choices: { name: string; value: string | number }[]; ms: number } | null> {
    const registered = this.findCommand(guildId, name)
    const subDef = sub ? registered?.options?.find((o: any) => o.name === sub && o.type === 1) : registered
    const opts2 = Object.entries(options).map(([optName, value]) => {
      const def = subDef?.options?.find((o: any) => o.name === optName)
      return { name: optName, type: def?.type ?? 3, value, ...(optName === focused ? { focused: true } : {}) }
    })
    const data = {
      id: registered?.id ?? this.nextId(),
      name,
      type: 1,
      options: sub ? [{ type: 1, name: sub, options: opts2 }] : opts2,
    }
    const record = this.dispatchInteraction(4, guildId, data, opts)
    try {
      const initial = await this.waitFor(
        () => record.initial,
        this.responseDeadlineMs + 200,
        'autocomplete answer',
      )
      return { choices: initial.data?.choices ?? [], ms: initial.at - record.createdAt }
    } catch {
      return null
    }
  }

  /** A user posts a message with files in a channel (or thread); the bot gets MESSAGE_CREATE. */
  dropPhoto(
    guildId: Snowflake,
    channelId: Snowflake,
    message: {
      content?: string
      files: { filename: string; bytes: Uint8Array; contentType?: string }[]
      userId?: Snowflake
      bot?: boolean
    },
  ): StoredMessage {
    const author = message.bot
      ? { id: '1500000000000000009', username: 'other-bot', bot: true }
      : this.user(message.userId)
    const attachments = message.files.map((f) => this.attachment(f, channelId))
    const stored = this.makeMessage(
      channelId,
      author,
      { content: message.content ?? '', attachments },
      guildId,
    )
    this.dispatch(
      'MESSAGE_CREATE',
      { ...stored, member: { roles: this.memberOf(guildId, author.id).roles, joined_at: stored.timestamp } },
      guildId,
    )
    return stored
  }

  /** Opens a thread on a message (as a user would), dispatching THREAD_CREATE; its id is the message id. */
  startThread(guildId: Snowflake, parentId: Snowflake, messageId: Snowflake, name = 'thread'): Snowflake {
    this.openThread(guildId, parentId, messageId, name)
    return messageId
  }

  // ---------------------------------------------------------------- internals

  private notify() {
    this.wakeup.wake()
  }

  /** Serves a file from the file host and answers its attachment object. */
  private attachment(
    f: { filename: string; bytes: Uint8Array; contentType?: string },
    channelId?: Snowflake,
  ) {
    const id = this.nextId()
    const url = this.addFile(f.filename, f.bytes, f.contentType ?? 'application/octet-stream', channelId)
    return {
      id,
      filename: f.filename,
      size: f.bytes.byteLength,
      url,
      proxy_url: url,
      ...(f.contentType ? { content_type: f.contentType } : {}),
    }
  }

  private nextId(at = Date.now()): Snowflake {
    return snowflake(at, ++this.counter)
  }

  private user(id?: Snowflake): StandinUser {
    if (id && this.users.has(id)) return this.users.get(id)!
    if (id) {
      const u = { id, username: `user${id.slice(-4)}` }
      this.users.set(id, u)
      return u
    }
    return this.users.values().next().value!
  }

  private defaultChannel(guildId: Snowflake | null): Snowflake {
    if (!guildId) return '1310000000000000000'
    const g = this.guilds.find((x) => x.id === guildId)
    if (!g?.channels[0]) throw new Error(`stand-in: no guild ${guildId} with a channel`)
    return g.channels[0].id
  }

  private findCommand(guildId: Snowflake | null, name: string): any | undefined {
    return (
      (guildId ? this.commands.get(guildId)?.find((c) => c.name === name) : undefined) ??
      this.commands.get('global')?.find((c) => c.name === name)
    )
  }

  private optionPayload(
    subDef: any,
    name: string,
    value: OptionInput,
    resolved: any,
    guildId: Snowflake | null,
  ) {
    const def = subDef?.options?.find((o: any) => o.name === name)
    if (typeof value === 'object' && 'attachment' in value) {
      const attachment = this.attachment(value.attachment)
      resolved.attachments = { ...resolved.attachments, [attachment.id]: attachment }
      return { name, type: 11, value: attachment.id }
    }
    if (typeof value === 'object' && 'role' in value) {
      const role = this.guilds.find((g) => g.id === guildId)?.roles?.find((r) => r.id === value.role)
      resolved.roles = {
        ...resolved.roles,
        [value.role]: {
          id: value.role,
          name: role?.name ?? 'role',
          color: 0,
          hoist: false,
          position: 1,
          permissions: '0',
          managed: false,
          mentionable: false,
          flags: 0,
        },
      }
      return { name, type: 8, value: value.role }
    }
    if (typeof value === 'object' && 'channel' in value) {
      const ch = this.channels.get(value.channel)
      resolved.channels = {
        ...resolved.channels,
        [value.channel]: {
          id: value.channel,
          name: ch?.name ?? 'channel',
          type: ch?.type ?? 0,
          permissions: '0',
          ...(guildId ? { guild_id: guildId } : {}),
        },
      }
      return { name, type: 7, value: value.channel }
    }
    const jsType =
      typeof value === 'number'
        ? Number.isInteger(value) && def?.type !== 10
          ? 4
          : 10
        : OPTION_TYPE_BY_JS[typeof value as 'string']
    return { name, type: def?.type ?? jsType, value }
  }

  private channelObject(channelId: Snowflake, guildId?: Snowflake): any {
    const ch = this.channels.get(channelId)
    if (!ch)
      return {
        id: channelId,
        type: guildId ? 0 : 1,
        ...(guildId ? { guild_id: guildId, name: 'channel' } : { recipients: [] }),
      }
    return {
      id: channelId,
      type: ch.type,
      name: ch.name,
      ...(ch.guildId ? { guild_id: ch.guildId } : {}),
      ...(ch.parentId ? { parent_id: ch.parentId } : {}),
      ...(ch.type === 11
        ? {
            thread_metadata: {
              archived: false,
              auto_archive_duration: 1440,
              archive_timestamp: new Date().toISOString(),
              locked: false,
            },
          }
        : {}),
      permissions: '2248473465835073',
    }
  }

  private dispatchInteraction(
    type: number,
    guildId: Snowflake | null,
    data: any,
    opts: { channelId?: Snowflake; userId?: Snowflake; ageMs?: number; message?: StoredMessage },
  ): InteractionRecord {
    const createdAt = Date.now() - (opts.ageMs ?? 0)
    const id = this.nextId(createdAt)
    const token = `itk.${crypto.randomUUID().replaceAll('-', '')}${crypto.randomUUID().replaceAll('-', '')}`
    const channelId = opts.channelId ?? this.defaultChannel(guildId)
    const user = this.user(opts.userId)
    const payload: any = {
      id,
      application_id: this.applicationId,
      type,
      token,
      version: 1,
      data,
      channel_id: channelId,
      channel: this.channelObject(channelId, guildId ?? undefined),
      app_permissions: '2248473465835073',
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: guildId ? { '0': guildId } : { '1': user.id },
      context: guildId ? 0 : 1,
      attachment_size_limit: 10 * 1024 * 1024,
      ...(guildId
        ? {
            guild_id: guildId,
            guild_locale: 'en-US',
            member: {
              user,
              ...this.memberOf(guildId, user.id),
              joined_at: new Date(0).toISOString(),
              deaf: false,
              mute: false,
              flags: 0,
            },
          }
        : { user }),
      ...(opts.message ? { message: opts.message } : {}),
    }
    const record: InteractionRecord = {
      id,
      token,
      type,
      ...(guildId ? { guildId } : {}),
      channelId,
      userId: user.id,
      createdAt,
      payload,
      callbacks: [],
      originalEdits: 0,
      originalDeleted: false,
      followups: [],
    }
    this.interactions.set(id, record)
    this.dispatch('INTERACTION_CREATE', payload, guildId ?? undefined)
    return record
  }

  private makeMessage(
    channelId: Snowflake,
    author: StandinUser,
    body: {
      content?: string
      embeds?: any[]
      components?: any[]
      attachments?: any[]
      flags?: number
      nonce?: any
      message_reference?: any
      allowed_mentions?: { parse?: string[]; users?: string[] }
    },
    guildId?: Snowflake,
    extra: Partial<StoredMessage> = {},
  ): StoredMessage {
    const id = this.nextId()
    const message: StoredMessage = {
      id,
      channel_id: channelId,
      ...(guildId ? { guild_id: guildId } : {}),
      author,
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      components: body.components ?? [],
      attachments: body.attachments ?? [],
      flags: body.flags ?? 0,
      ...(body.nonce !== undefined ? { nonce: body.nonce } : {}),
      ...(body.message_reference ? { message_reference: body.message_reference } : {}),
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      type: body.message_reference ? 19 : 0,
      tts: false,
      mention_everyone: false,
      // Whom Discord notifies: the users mentioned in the content (never in an embed) that
      // allowed_mentions lets through (all of them without it).
      mentions: mentionedUsers(body.content ?? '', body.allowed_mentions).map((uid) => ({ id: uid })),
      mention_roles: [],
      pinned: false,
      ...extra,
    }
    this.messages.set(id, message)
    return message
  }

  /** Attachments the bot uploaded: stored on the file host, described as Discord does. */
  private storeUploads(channelId: Snowflake, body: any, files: RecordedFile[]): any[] | undefined {
    if (!files.length && !body?.attachments) return undefined
    const described: any[] = body?.attachments ?? files.map((_, i) => ({ id: i }))
    const out: any[] = []
    for (const a of described) {
      const file = files.find((f) => f.field === `files[${a.id}]`) ?? files[Number(a.id)]
      if (!file) {
        // An attachment kept from before (an edit that lists an existing attachment by id).
        out.push(a)
        continue
      }
      const filename = a.filename ?? file.filename
      const url = this.addFile(filename, file.bytes, file.contentType, channelId)
      out.push({
        id: this.nextId(),
        filename,
        size: file.size,
        url,
        proxy_url: url,
        content_type: file.contentType,
      })
    }
    return out
  }

  private checkFault(method: string, path: string): Response | undefined {
    const idx = this.faults.findIndex(
      (f) =>
        (!f.method || f.method === method) &&
        (typeof f.path === 'string' ? path === f.path : f.path.test(path)),
    )
    if (idx < 0) return undefined
    const f = this.faults[idx]!
    if (--f.left <= 0) this.faults.splice(idx, 1)
    if (f.status === 429) {
      const after = f.retryAfter ?? 1
      return json(
        { message: 'You are being rate limited.', retry_after: after, global: false, code: f.code ?? 0 },
        429,
        {
          'retry-after': String(after),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(after),
          'x-ratelimit-bucket': 'standin-bucket',
          'x-ratelimit-scope': 'user',
        },
      )
    }
    if (f.status >= 500) return new Response('upstream error', { status: f.status })
    return discordError(f.status, f.code ?? 0, `stand-in fault ${f.status}`)
  }

  private async readBody(request: Request): Promise<{ body: any; files: RecordedFile[] }> {
    const type = request.headers.get('content-type') ?? ''
    if (type.startsWith('multipart/form-data')) {
      const form = await request.formData()
      const files: RecordedFile[] = []
      let body: any = {}
      for (const [field, value] of form.entries()) {
        if (field === 'payload_json') body = JSON.parse(String(value))
        else if (typeof value !== 'string') {
          const bytes = new Uint8Array(await value.arrayBuffer())
          files.push({
            field,
            filename: value.name,
            contentType: value.type || 'application/octet-stream',
            size: bytes.byteLength,
            bytes,
          })
        }
      }
      return { body, files }
    }
    const text = await request.text()
    if (!text) return { body: undefined, files: [] }
    try {
      return { body: JSON.parse(text), files: [] }
    } catch {
      return { body: text, files: [] }
    }
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    if (request.method === 'GET' && url.pathname.startsWith('/attachments/')) {
      const file = this.files.get(url.pathname)
      if (!file) return new Response('not found', { status: 404 })
      return new Response(file.bytes, {
        headers: { 'content-type': file.contentType, 'content-length': String(file.bytes.byteLength) },
      })
    }
    if (!url.pathname.startsWith('/api/v10/')) return discordError(404, 0, '404: Not Found')
    const path = decodeURIComponent(url.pathname.slice('/api/v10'.length))
    const { body, files } = await this.readBody(request)
    const record: RecordedRequest = { ...arrival(request, url, path), body, files }
    const { headers } = record
    this.requests.push(record)
    const delay = this.delays.find(
      (d) =>
        (!d.method || d.method === request.method) &&
        (typeof d.path === 'string' ? path === d.path : d.path.test(path)),
    )
    if (delay) await Bun.sleep(delay.ms)
    let response: Response
    try {
      response =
        this.checkFault(request.method, path) ?? this.route(request.method, path, headers, body, files, url)
    } catch (error) {
      response = discordError(500, 0, `stand-in error: ${(error as Error).message}`)
    }
    record.status = response.status
    this.onRequest?.(record)
    this.notify()
    return response
  }

  private authorized(headers: Record<string, string>): boolean {
    return headers.authorization === `Bot ${this.token}`
  }

  private route(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: any,
    files: RecordedFile[],
    url: URL,
  ): Response {
    let m: RegExpMatchArray | null
    // Interaction callbacks and webhooks authenticate with the interaction token in the path.
    if (method === 'POST' && (m = path.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/)))
      return this.callback(m[1]!, m[2]!, body, files, url)
    if ((m = path.match(/^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(@original|\d+))?$/)))
      return this.webhook(method, m[1]!, m[2]!, m[3], body, files)

    if (!this.authorized(headers)) return discordError(401, 0, '401: Unauthorized')
    if (method === 'GET' && path === '/gateway/bot')
      return json({
        url: `ws://127.0.0.1:${this.port}`,
        shards: this.recommendedShards,
        session_start_limit: {
          total: 1000,
          remaining: 999,
          reset_after: 14_400_000,
          max_concurrency: this.maxConcurrency,
        },
      })
    if (method === 'GET' && path === '/users/@me')
      return json({ ...this.botUser, discriminator: '0', avatar: null })
    // The bot opens a DM with a user: one DM channel per user, the same one again on every call.
    if (method === 'POST' && path === '/users/@me/channels') {
      const user = String(body?.recipient_id ?? '')
      if (!/^\d{1,25}$/.test(user)) return discordError(400, 50035, 'Invalid Form Body')
      const id = this.dmChannels.get(user) ?? this.nextId()
      this.dmChannels.set(user, id)
      this.channels.set(id, { name: `dm-${user}`, type: 1 })
      return json({ id, type: 1, recipients: [{ id: user, username: this.users.get(user)?.username ?? 'user' }] })
    }
    if ((m = path.match(/^\/applications\/(\d+)\/(?:guilds\/(\d+)\/)?commands$/))) {
      if (m[1] !== this.applicationId) return discordError(403, 50001, 'Missing Access')
      const scope = m[2] ?? 'global'
      if (method === 'GET') return json(this.commands.get(scope) ?? [])
      if (method === 'PUT') {
        if (!Array.isArray(body)) return discordError(400, 50035, 'Invalid Form Body')
        const saved = body.map((c: any) => ({
          ...c,
          id: this.nextId(),
          application_id: this.applicationId,
          version: this.nextId(),
          ...(m![2] ? { guild_id: m![2] } : {}),
        }))
        this.commands.set(scope, saved)
        return json(saved)
      }
    }
    if (method === 'GET' && (m = path.match(/^\/channels\/(\d+)$/))) {
      const ch = this.channels.get(m[1]!)
      if (!ch) return discordError(404, 10003, 'Unknown Channel')
      return json(this.channelObject(m[1]!, ch.guildId))
    }
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/messages$/)))
      return this.channelPost(m[1]!, body, files)
    if (method === 'POST' && (m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)\/threads$/))) {
      const parent = this.channels.get(m[1]!)
      if (!parent) return discordError(404, 10003, 'Unknown Channel')
      if (parent.type === 11) return discordError(400, 50024, 'Cannot execute action on this channel type')
      if (!this.messages.has(m[2]!)) return discordError(404, 10008, 'Unknown Message')
      if (this.channels.has(m[2]!))
        return discordError(400, 160004, 'A thread has already been created for this message')
      return json(this.openThread(parent.guildId!, m[1]!, m[2]!, String(body?.name ?? 'thread')), 201)
    }
    if (method === 'GET' && (m = path.match(/^\/channels\/(\d+)\/messages\/(\d+)$/))) {
      const msg = this.messages.get(m[2]!)
      if (!msg || msg.channel_id !== m[1]) return discordError(404, 10008, 'Unknown Message')
      return json(msg)
    }
    return discordError(404, 0, `404: Not Found (stand-in has no ${method} ${path})`)
  }

  private openThread(guildId: Snowflake, parentId: Snowflake, messageId: Snowflake, name: string): any {
    this.channels.set(messageId, { guildId, name, type: 11, parentId })
    const thread = {
      ...this.channelObject(messageId, guildId),
      owner_id: this.botUser.id,
      message_count: 0,
      member_count: 1,
      rate_limit_per_user: 0,
      newly_created: true,
    }
    this.dispatch('THREAD_CREATE', thread, guildId)
    return thread
  }

  private callback(id: Snowflake, token: string, body: any, files: RecordedFile[], url: URL): Response {
    const rec = this.interactions.get(id)
    if (!rec || rec.token !== token) return discordError(404, 10062, 'Unknown interaction')
    const at = Date.now()
    const type = Number(body?.type)
    if (rec.initial) {
      rec.callbacks.push({ type, status: 400, at })
      return discordError(400, 40060, 'Interaction has already been acknowledged.')
    }
    if (at - rec.createdAt > this.responseDeadlineMs) {
      rec.callbacks.push({ type, status: 404, at })
      return discordError(404, 10062, 'Unknown interaction')
    }
    const allowed: Record<number, number[]> = { 2: [4, 5, 9], 3: [4, 5, 6, 7, 9], 4: [8], 5: [4, 5, 6, 7] }
    if (!allowed[rec.type]?.includes(type)) {
      rec.callbacks.push({ type, status: 400, at })
      return discordError(
        400,
        50035,
        `Invalid Form Body (callback type ${type} for interaction type ${rec.type})`,
      )
    }
    rec.callbacks.push({ type, status: 204, at })
    rec.initial = { type, data: body?.data, at }
    const data = body?.data ?? {}
    if (type === 4 || type === 5) {
      rec.original = this.makeMessage(
        rec.channelId,
        this.botUser,
        {
          content: data.content ?? '',
          embeds: data.embeds ?? [],
          components: data.components ?? [],
          attachments: this.storeUploads(rec.channelId, data, files) ?? [],
          flags: (data.flags ?? 0) | (type === 5 ? LOADING : 0),
        },
        rec.guildId,
        { webhook_id: this.applicationId, application_id: this.applicationId, interaction_id: rec.id },
      )
    }
    if (url.searchParams.get('with_response') === 'true')
      return json({
        interaction: { id: rec.id, type: rec.type },
        resource: rec.original ? { type, message: rec.original } : { type },
      })
    return new Response(null, { status: 204 })
  }

  private webhook(
    method: string,
    appId: Snowflake,
    token: string,
    target: string | undefined,
    body: any,
    files: RecordedFile[],
  ): Response {
    const rec = [...this.interactions.values()].find((r) => r.token === token)
    if (appId !== this.applicationId || !rec) return discordError(404, 10015, 'Unknown Webhook')
    if (Date.now() - rec.createdAt > 15 * 60_000) return discordError(401, 50027, 'Invalid Webhook Token')
    if (!target) {
      if (method !== 'POST') return discordError(405, 0, '405: Method Not Allowed')
      if (!rec.initial) return discordError(400, 10015, 'Unknown Webhook')
      const msg = this.makeMessage(
        rec.channelId,
        this.botUser,
        {
          ...body,
          attachments: this.storeUploads(rec.channelId, body, files) ?? [],
          flags: body?.flags ?? 0,
        },
        rec.guildId,
        { webhook_id: this.applicationId, application_id: this.applicationId, interaction_id: rec.id },
      )
      rec.followups.push(msg)
      return json(msg)
    }
    const message =
      target === '@original'
        ? rec.originalDeleted
          ? undefined
          : rec.original
        : rec.followups.find((f) => f.id === target)
    if (!message) return discordError(404, 10008, 'Unknown Message')
    if (method === 'GET') return json(message)
    if (method === 'DELETE') {
      if (target === '@original') rec.originalDeleted = true
      this.messages.delete(message.id)
      return new Response(null, { status: 204 })
    }
    if (method !== 'PATCH') return discordError(405, 0, '405: Method Not Allowed')
    if (body?.content !== undefined) message.content = body.content ?? ''
    if (body?.embeds !== undefined) message.embeds = body.embeds ?? []
    if (body?.components !== undefined) message.components = body.components ?? []
    const uploads = this.storeUploads(rec.channelId, body, files)
    if (uploads) message.attachments = uploads
    message.flags &= ~LOADING
    message.edited_timestamp = new Date().toISOString()
    if (target === '@original') rec.originalEdits++
    return json(message)
  }

  private channelPost(channelId: Snowflake, body: any, files: RecordedFile[]): Response {
    const ch = this.channels.get(channelId)
    if (!ch) return discordError(404, 10003, 'Unknown Channel')
    if (!body || typeof body !== 'object') return discordError(400, 50006, 'Cannot send an empty message')
    if (!body.content && !body.embeds?.length && !files.length && !body.components?.length)
      return discordError(400, 50006, 'Cannot send an empty message')
    if (body.nonce !== undefined && typeof body.nonce === 'string' && body.nonce.length > 25)
      return discordError(400, 50035, 'Invalid Form Body (nonce: must be 25 or fewer in length)')
    const nonceKey = body.nonce !== undefined ? `${channelId}|${this.botUser.id}|${body.nonce}` : undefined
    if (body.enforce_nonce && nonceKey && this.nonces.has(nonceKey)) {
      const existing = this.messages.get(this.nonces.get(nonceKey)!)
      if (existing) return json(existing)
    }
    const message = this.makeMessage(
      channelId,
      this.botUser,
      {
        content: body.content,
        embeds: body.embeds,
        components: body.components,
        attachments: this.storeUploads(channelId, body, files) ?? [],
        flags: body.flags ?? 0,
        nonce: body.nonce,
        message_reference: body.message_reference,
      },
      ch.guildId,
    )
    if (nonceKey) this.nonces.set(nonceKey, message.id)
    this.dispatch('MESSAGE_CREATE', message, ch.guildId)
    return json(message)
  }

  // ---------------------------------------------------------------- gateway

  /** Sends an event to the identified sessions of the guild's shard (a DM's: shard 0). */
  private dispatch(t: string, d: unknown, guildId: Snowflake | undefined): void {
    for (const s of this.sessions.values()) {
      if (!s.identified) continue
      const [id, count] = s.shard
      if (id !== (guildId === undefined ? 0 : shardOf(guildId, count))) continue
      s.ws.send(JSON.stringify({ op: 0, t, s: ++s.seq, d }))
    }
  }

  private onOpen(ws: Socket): void {
    this.sessions.set(ws.data.id, {
      ws,
      seq: 0,
      identified: false,
      sessionId: crypto.randomUUID().replaceAll('-', ''),
      shard: [0, 1],
    })
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs }, s: null, t: null }))
  }

  private onMessage(ws: Socket, raw: string | Buffer): void {
    const session = this.sessions.get(ws.data.id)
    if (!session) return
    let packet: any
    try {
      packet = JSON.parse(String(raw))
    } catch {
      ws.close(4002, 'Decode error')
      return
    }
    switch (packet.op) {
      case 1:
        this.heartbeats++
        ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }))
        return
      case 2: {
        const token = String(packet.d?.token ?? '').replace(/^Bot /, '')
        if (token !== this.token) {
          ws.close(4004, 'Authentication failed.')
          return
        }
        const intents = Number(packet.d?.intents ?? 0)
        const [shardId, shardCount] = packet.d?.shard ?? [0, 1]
        if (shardCount < this.requiredShards) {
          ws.close(4011, 'Sharding required.')
          return
        }
        session.shard = [shardId, shardCount]
        session.identified = true
        this.identifies++
        this.identifiedShards.push([shardId, shardCount])
        const guilds = this.guilds.filter((g) => shardOf(g.id, shardCount) === shardId)
        const send = (t: string, d: unknown) => ws.send(JSON.stringify({ op: 0, t, s: ++session.seq, d }))
        send('READY', {
          v: 10,
          user: { ...this.botUser, discriminator: '0', avatar: null, verified: true, flags: 0 },
          guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
          session_id: session.sessionId,
          resume_gateway_url: `ws://127.0.0.1:${this.port}`,
          application: { id: this.applicationId, flags: 0 },
          private_channels: [],
          shard: session.shard,
          intents,
        })
        for (const g of guilds) send('GUILD_CREATE', this.guildObject(g))
        this.onIdentify?.()
        this.notify()
        return
      }
      case 6:
        // Sessions are not kept across connections: the client must identify again.
        ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }))
        return
      default:
        return
    }
  }

  private guildObject(g: StandinGuild): any {
    const joined = new Date(0).toISOString()
    return {
      id: g.id,
      name: g.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: '1400000000000000001',
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [
        {
          id: g.id,
          name: '@everyone',
          color: 0,
          hoist: false,
          position: 0,
          permissions: EVERYONE_PERMISSIONS,
          managed: false,
          mentionable: false,
          flags: 0,
        },
        ...(g.roles ?? []).map((r, i) => ({
          id: r.id,
          name: r.name,
          color: 0,
          hoist: false,
          position: i + 1,
          permissions: '0',
          managed: false,
          mentionable: false,
          flags: 0,
        })),
      ],
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      joined_at: joined,
      large: false,
      unavailable: false,
      member_count: 2,
      voice_states: [],
      members: [
        {
          user: { ...this.botUser, discriminator: '0', avatar: null },
          roles: [],
          joined_at: joined,
          deaf: false,
          mute: false,
          flags: 0,
        },
      ],
      channels: g.channels.map((c) => this.channelObject(c.id, g.id)),
      threads: [...this.channels.entries()]
        .filter(([, c]) => c.guildId === g.id && c.type === 11)
        .map(([id]) => this.channelObject(id, g.id)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: 'en-US',
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
    }
  }
}

export function startStandin(opts: ConstructorParameters<typeof DiscordStandin>[0] = {}): DiscordStandin {
  return new DiscordStandin(opts).start()
}

/** The user ids a message's content mentions that its allowed_mentions lets notify. */
function mentionedUsers(content: string, allowed?: { parse?: string[]; users?: string[] }): string[] {
  const ids = [...content.matchAll(/<@!?([0-9]+)>/g)].map((m) => m[1]!)
  const ok = (uid: string) => !allowed || allowed.parse?.includes('users') || (allowed.users ?? []).includes(uid)
  return [...new Set(ids)].filter(ok)
}
