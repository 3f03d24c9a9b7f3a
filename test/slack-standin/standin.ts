/**
 * A local Slack for tests: the Web API methods Car Manager uses under `/api/<method>`,
 * `response_url` endpoints, a file host for `url_private`, the upload URLs of the external
 * upload flow and a Socket Mode WebSocket, on one Bun.serve at port 0, with a record of every
 * request. It behaves like Slack where an app can get it wrong:
 * - every Web API call must carry the bot token (`Authorization: Bearer` or `token=`), else
 *   `{ ok: false, error: 'not_authed' | 'invalid_auth' }`; `apps.connections.open` wants the
 *   app-level token instead;
 * - a `response_url` takes at most five posts within 30 minutes (then 404 `used_url` /
 *   `expired_url`);
 * - `url_private` answers only with the bot token (or the token the file was shared to);
 *   without it Slack redirects to its sign-in page, and so does the stand-in;
 * - `rateLimit()` makes the next calls of a method (or `response_url`) answer 429 with
 *   Retry-After;
 * - `chat.postMessage` in a channel listed in `notInChannel` fails with `not_in_channel`;
 * - OAuth v2: `approveInstall` plays the installer approving the app on Slack's authorize page
 *   (the client id and the state must be there) and gives the redirect with a one-time `code`;
 *   `oauth.v2.access` trades it (with the client id and secret) for a bot token of that team.
 *   Every bot token belongs to one team, which `auth.test` names, and each recorded Web API call
 *   keeps the token it used and its team (`token`, `team`).
 *
 * Test helpers act as Slack does towards the app: signed `sendCommand`, `sendEvent`,
 * `dropPhoto`, `pressButton`, `submitView`, `urlVerification`, and the same payloads over
 * Socket Mode with `socketSend`; `waitFor(predicate, timeout)` bounds every wait.
 */
import { createHmac, randomBytes } from 'node:crypto'
import type { Server, ServerWebSocket } from 'bun'
import { arrival, type RecordedBase } from '../recorded.ts'
import { Wakeup } from '../wait.ts'

export type RecordedRequest = RecordedBase & {
  /** Parsed body: form fields (JSON-looking values decoded) or JSON; raw bytes are in `bytes`. */
  body: any
  bytes?: Uint8Array
  /** Web API calls: the token the call carried, and the team that token belongs to (if any). */
  token?: string
  team?: string
}

export type PostedMessage = {
  method: 'chat.postMessage' | 'chat.postEphemeral' | 'chat.update' | 'files.completeUploadExternal'
  channel: string
  ts: string
  thread_ts?: string
  user?: string
  text?: string
  blocks?: any[]
  /** Earlier versions when the message was updated. */
  history: { text?: string; blocks?: any[] }[]
}

export type StandinFile = {
  id: string
  name: string
  title: string
  mimetype: string
  filetype: string
  size: number
  url_private: string
  url_private_download: string
  permalink: string
  /** Uploaded by the app (external upload flow) rather than by a user. */
  uploaded: boolean
  /** Shared to these channels by completeUploadExternal. */
  channels: string[]
}

type StoredFile = StandinFile & { bytes: Uint8Array; token?: string; complete: boolean }

type ResponseUrlState = { id: string; created: number; posts: any[] }

type SocketData = { connectionId: number }

export type StandinOptions = {
  botToken?: string
  signingSecret?: string
  appToken?: string
  /** The team auth.test reports (default T0STANDIN). */
  teamId?: string
  /** The app's OAuth client id and secret (default random). */
  clientId?: string
  clientSecret?: string
  /** Clock for response_url expiry (tests move time forward). */
  now?: () => number
}

const json = (value: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  })

/** Form values that look like JSON (blocks, files, view) are decoded, as Slack does. */
function decodeFormValue(value: string): unknown {
  if (/^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value)
    } catch {
      return value
    }
  }
  return value
}

const random = (n = 8) => randomBytes(n).toString('hex')

/** `v0=` + hex HMAC-SHA256 of `v0:<ts>:<body>` under the signing secret. */
export function slackSignature(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`
}

export type SignedOptions = {
  /** Seconds since the epoch sent as X-Slack-Request-Timestamp (default now). */
  timestamp?: number
  /** Use this signature instead of the right one (forgery tests). */
  signature?: string
  /** Sign with this secret instead of the stand-in's. */
  secret?: string
}

export type SentRequest = { status: number; body: string; ms: number }

export type CommandInput = {
  command: string
  text?: string
  teamId: string
  userId?: string
  userName?: string
  channelId?: string
  channelName?: string
}

export type MessageInput = {
  teamId: string
  channel: string
  user?: string
  text?: string
  ts?: string
  thread_ts?: string
  files?: StandinFile[]
  subtype?: string
  channelType?: 'channel' | 'group' | 'im'
  eventId?: string
  botId?: string
}

export class SlackStandin {
  readonly botToken: string
  readonly signingSecret: string
  readonly appToken: string
  readonly teamId: string
  readonly clientId: string
  readonly clientSecret: string
  readonly botUserId = 'U0CARBOT'
  readonly botId = 'B0CARBOT'
  readonly appId = 'A0CARMGR'
  readonly requests: RecordedRequest[] = []
  readonly messages: PostedMessage[] = []
  readonly views: { trigger_id: string; view: any; id: string }[] = []
  /** Slow Slack: a Web API method (or `response_url`) answers after this many ms. */
  readonly latency = new Map<string, number>()
  /** Channels chat.postMessage refuses with not_in_channel. */
  readonly notInChannel = new Set<string>()
  /** Envelopes sent over Socket Mode and the acks received for them. */
  readonly socketAcks = new Map<string, any>()
  /**
   * What `users.info` says about a user: workspace admin, owner. A user not set here is answered
   * as `defaultUser` (one of the workspace's owners, like the person who installed the app).
   */
  readonly users = new Map<string, { admin: boolean; owner: boolean }>()
  defaultUser = { admin: true, owner: true }
  /** The workspace's user groups for `usergroups.list`: group id (`S…`) → its members' user ids. */
  readonly userGroups = new Map<string, string[]>()
  private readonly files = new Map<string, StoredFile>()
  /** Bot token → its team: the stand-in's own, and every one `oauth.v2.access` gave. */
  private readonly teamsByToken = new Map<string, string>()
  /** Unused OAuth codes → the team that approved the install. */
  private readonly codes = new Map<string, string>()
  private readonly responseUrls = new Map<string, ResponseUrlState>()
  private readonly rateLimits = new Map<string, { times: number; retryAfter: number }>()
  private readonly sockets = new Set<ServerWebSocket<SocketData>>()
  private readonly socketWaiters = new Map<string, (ack: any) => void>()
  private readonly wakeup = new Wakeup()
  private readonly now: () => number
  private server?: Server<SocketData>
  private seq = 0
  private connections = 0

  constructor(options: StandinOptions = {}) {
    this.botToken = options.botToken ?? `xoxb-standin-${random()}`
    this.signingSecret = options.signingSecret ?? random(16)
    this.appToken = options.appToken ?? `xapp-1-standin-${random()}`
    this.teamId = options.teamId ?? 'T0STANDIN'
    this.clientId = options.clientId ?? `${Date.now()}.${Math.floor(Math.random() * 1e12)}`
    this.clientSecret = options.clientSecret ?? random(16)
    this.teamsByToken.set(this.botToken, this.teamId)
    this.now = options.now ?? Date.now
  }

  start(port = 0): this {
    this.server = Bun.serve<SocketData>({
      hostname: '127.0.0.1',
      port,
      fetch: (request, server) => this.handle(request, server),
      websocket: {
        open: (ws) => {
          this.sockets.add(ws)
          ws.send(
            JSON.stringify({
              type: 'hello',
              num_connections: this.sockets.size,
              debug_info: { host: 'standin', approximate_connection_time: 18060 },
              connection_info: { app_id: this.appId },
            }),
          )
          this.changed()
        },
        message: (_ws, message) => {
          let parsed: any
          try {
            parsed = JSON.parse(String(message))
          } catch {
            return
          }
          if (typeof parsed?.envelope_id !== 'string') return
          this.socketAcks.set(parsed.envelope_id, parsed.payload ?? {})
          this.socketWaiters.get(parsed.envelope_id)?.(parsed.payload ?? {})
          this.changed()
        },
        close: (ws) => {
          this.sockets.delete(ws)
          this.changed()
        },
      },
    })
    return this
  }

  get url(): string {
    if (!this.server) throw new Error('stand-in not started')
    return `http://127.0.0.1:${this.server.port}`
  }

  /** The Web API base for `clientOptions.slackApiUrl` / SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.url}/api/`
  }

  /** Host (with port) of the file host, for SLACK_FILE_HOSTS. */
  get fileHost(): string {
    return `127.0.0.1:${this.server!.port}`
  }

  get socketConnections(): number {
    return this.sockets.size
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.close(1001, 'stand-in closing')
    this.server?.stop(true)
    this.server = undefined
  }

  // ---------------------------------------------------------------- test controls

  /** The next `times` calls of `target` (a Web API method, `response_url` or `upload`) answer 429. */
  rateLimit(target: string, times = 1, retryAfterSec = 1): void {
    this.rateLimits.set(target, { times, retryAfter: retryAfterSec })
  }

  /** A fresh response_url. */
  responseUrl(): string {
    const id = `R${++this.seq}${random(4)}`
    this.responseUrls.set(id, { id, created: this.now(), posts: [] })
    return `${this.url}/response/${id}`
  }

  /** What the app posted to a response_url. */
  responses(url: string): any[] {
    const id = url.split('/').pop() ?? ''
    return this.responseUrls.get(id)?.posts ?? []
  }

  /** Web API calls of one method, in order. */
  calls(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === `/api/${method}`)
  }

  /** Bot tokens `oauth.v2.access` gave, by team. */
  installedTokens(teamId: string): string[] {
    return [...this.teamsByToken]
      .filter(([t, team]) => team === teamId && t !== this.botToken)
      .map(([t]) => t)
  }

  /**
   * A member of `teamId` approves the install on Slack's authorize page, `authorizeUrl` (where
   * the app's /slack/install sent them): the URL must carry the app's client id, the `commands`
   * scope and a state. Answers the app's redirect URL with a one-time `code` and that state.
   */
  approveInstall(authorizeUrl: string, teamId: string, redirectUrl: string): string {
    const url = new URL(authorizeUrl)
    if (url.pathname !== '/oauth/v2/authorize') throw new Error(`not Slack's authorize page: ${url.pathname}`)
    if (url.searchParams.get('client_id') !== this.clientId)
      throw new Error('authorize URL with a wrong client_id')
    if (!(url.searchParams.get('scope') ?? '').split(',').includes('commands'))
      throw new Error('authorize URL without the commands scope')
    const state = url.searchParams.get('state')
    if (!state) throw new Error('authorize URL without a state')
    const code = `code-${random()}`
    this.codes.set(code, teamId)
    const back = new URL(redirectUrl)
    back.searchParams.set('code', code)
    back.searchParams.set('state', state)
    return back.href
  }

  /** Messages in a channel (and thread). */
  channelMessages(channel: string, threadTs?: string): PostedMessage[] {
    return this.messages.filter(
      (m) => m.channel === channel && (threadTs === undefined || m.thread_ts === threadTs),
    )
  }

  /** A file a user shared (for photo drops); `token` restricts it to another bot token. */
  addFile(input: {
    name: string
    bytes: Uint8Array
    mimetype?: string
    token?: string
    teamId?: string
  }): StandinFile {
    const id = `F${(++this.seq).toString().padStart(8, '0')}`
    const team = input.teamId ?? this.teamId
    const file: StoredFile = {
      id,
      name: input.name,
      title: input.name,
      mimetype: input.mimetype ?? 'image/jpeg',
      filetype: input.name.split('.').pop()?.toLowerCase() ?? 'binary',
      size: input.bytes.byteLength,
      url_private: `${this.url}/files-pri/${team}-${id}/${encodeURIComponent(input.name)}`,
      url_private_download: `${this.url}/files-pri/${team}-${id}/download/${encodeURIComponent(input.name)}`,
      permalink: `${this.url}/files/${this.botUserId}/${id}/${encodeURIComponent(input.name)}`,
      uploaded: false,
      channels: [],
      bytes: input.bytes,
      complete: true,
      ...(input.token ? { token: input.token } : {}),
    }
    this.files.set(id, file)
    return this.publicFile(file)
  }

  /** A stored file (uploaded by the app or added by a test) with its bytes. */
  file(id: string): (StandinFile & { bytes: Uint8Array }) | undefined {
    const f = this.files.get(id)
    return f ? { ...this.publicFile(f), bytes: f.bytes } : undefined
  }

  /** Files the app uploaded through the external upload flow. */
  uploadedFiles(): (StandinFile & { bytes: Uint8Array })[] {
    return [...this.files.values()]
      .filter((f) => f.uploaded && f.complete)
      .map((f) => ({ ...this.publicFile(f), bytes: f.bytes }))
  }

  /** Resolves once `check` returns something other than undefined/false, or rejects after `timeoutMs`. */
  async waitFor<T>(
    check: () => T | undefined | false | null,
    timeoutMs = 5_000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = check()
      if (value !== undefined && value !== false && value !== null) return value
      if (Date.now() > deadline)
        throw new Error(`stand-in: timed out after ${timeoutMs} ms waiting for ${what}`)
      await this.wakeup.nap(25)
    }
  }

  // ---------------------------------------------------------------- Slack → app (HTTP)

  /** POSTs a body to the app's request URL signed as Slack signs it. */
  async signedPost(
    appUrl: string,
    body: string,
    contentType: string,
    options: SignedOptions = {},
  ): Promise<SentRequest> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
    const signature =
      options.signature ?? slackSignature(options.secret ?? this.signingSecret, timestamp, body)
    const started = performance.now()
    const response = await fetch(appUrl, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature,
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      },
      body,
      signal: AbortSignal.timeout(10_000),
    })
    const text = await response.text()
    return { status: response.status, body: text, ms: performance.now() - started }
  }

  /** The form fields Slack sends for a slash command (HTTP) — the Socket Mode payload is the same object. */
  commandPayload(input: CommandInput): Record<string, string> & { response_url: string; trigger_id: string } {
    return {
      token: 'deprecated-verification-token',
      team_id: input.teamId,
      team_domain: input.teamId.toLowerCase(),
      channel_id: input.channelId ?? 'C0GARAGE',
      channel_name: input.channelName ?? 'garage',
      user_id: input.userId ?? 'U0ALICE',
      user_name: input.userName ?? 'alice',
      command: input.command,
      text: input.text ?? '',
      api_app_id: this.appId,
      is_enterprise_install: 'false',
      response_url: this.responseUrl(),
      trigger_id: `${Date.now()}.${++this.seq}.${random(8)}`,
    }
  }

  /** Sends a signed slash command; answers the HTTP result and the response_url it carried. */
  async sendCommand(appUrl: string, input: CommandInput, options: SignedOptions = {}) {
    const fields = this.commandPayload(input)
    const result = await this.signedPost(
      appUrl,
      new URLSearchParams(fields).toString(),
      'application/x-www-form-urlencoded',
      options,
    )
    return { ...result, responseUrl: fields.response_url, triggerId: fields.trigger_id }
  }

  /** The `event_callback` body of a channel message (with files: subtype file_share). */
  messageEvent(input: MessageInput): any {
    const ts = input.ts ?? this.nextTs()
    const event: any = {
      type: 'message',
      channel: input.channel,
      user: input.user ?? 'U0ALICE',
      text: input.text ?? '',
      ts,
      event_ts: ts,
      channel_type: input.channelType ?? 'channel',
    }
    if (input.files) {
      event.subtype = input.subtype ?? 'file_share'
      event.files = input.files
      event.upload = false
      event.display_as_bot = false
    } else if (input.subtype) event.subtype = input.subtype
    if (input.thread_ts) event.thread_ts = input.thread_ts
    if (input.botId) event.bot_id = input.botId
    return {
      token: 'deprecated-verification-token',
      team_id: input.teamId,
      api_app_id: this.appId,
      event,
      type: 'event_callback',
      event_id: input.eventId ?? `Ev${(++this.seq).toString().padStart(8, '0')}${random(2).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: input.teamId,
          user_id: this.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${random(6)}`,
    }
  }

  async sendEvent(appUrl: string, body: any, options: SignedOptions = {}): Promise<SentRequest> {
    return this.signedPost(appUrl, JSON.stringify(body), 'application/json', options)
  }

  /** A user drops files in a channel (or a thread): a signed `message` event with `files`. */
  async dropPhoto(appUrl: string, input: MessageInput, options: SignedOptions = {}) {
    const body = this.messageEvent(input)
    const result = await this.sendEvent(appUrl, body, options)
    return { ...result, eventId: body.event_id as string, ts: body.event.ts as string }
  }

  async urlVerification(
    appUrl: string,
    challenge: string,
    options: SignedOptions = {},
  ): Promise<SentRequest> {
    return this.sendEvent(
      appUrl,
      { token: 'deprecated-verification-token', challenge, type: 'url_verification' },
      options,
    )
  }

  /** The `block_actions` payload of a button press on a message. */
  blockActionsPayload(input: {
    teamId: string
    actionId: string
    value?: string
    userId?: string
    /** The presser's user name (default alice). */
    userName?: string
    channelId?: string
    messageTs?: string
  }): any {
    const actionTs = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`
    return {
      type: 'block_actions',
      user: {
        id: input.userId ?? 'U0ALICE',
        username: input.userName ?? 'alice',
        name: input.userName ?? 'alice',
        team_id: input.teamId,
      },
      api_app_id: this.appId,
      token: 'deprecated-verification-token',
      container: {
        type: 'message',
        message_ts: input.messageTs ?? this.nextTs(),
        channel_id: input.channelId ?? 'C0GARAGE',
        is_ephemeral: false,
      },
      trigger_id: `${Date.now()}.${this.seq}.${random(8)}`,
      team: { id: input.teamId, domain: input.teamId.toLowerCase() },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: input.channelId ?? 'C0GARAGE', name: 'garage' },
      message: { type: 'message', ts: input.messageTs ?? this.nextTs(), text: 'reminder', blocks: [] },
      state: { values: {} },
      response_url: this.responseUrl(),
      actions: [
        {
          action_id: input.actionId,
          block_id: 'actions',
          text: { type: 'plain_text', text: 'button', emoji: true },
          value: input.value ?? input.actionId,
          type: 'button',
          action_ts: actionTs,
        },
      ],
    }
  }

  /** A user presses a button: a signed interactivity request (`payload=<json>`). */
  async pressButton(
    appUrl: string,
    input: Parameters<SlackStandin['blockActionsPayload']>[0],
    options: SignedOptions = {},
  ) {
    return this.postPayload(appUrl, this.blockActionsPayload(input), options)
  }

  /** The `view_submission` payload of a modal the app opened (from `views`), with typed values per block. */
  viewSubmissionPayload(input: {
    teamId: string
    view: any
    values: Record<string, string>
    userId?: string
  }): any {
    const values: Record<string, Record<string, any>> = {}
    for (const block of input.view.blocks ?? []) {
      if (block.type !== 'input') continue
      const actionId = block.element?.action_id ?? block.block_id
      const value = input.values[block.block_id]
      values[block.block_id] = {
        [actionId]: { type: 'plain_text_input', value: value === undefined ? null : value },
      }
    }
    return {
      type: 'view_submission',
      team: { id: input.teamId, domain: input.teamId.toLowerCase() },
      user: { id: input.userId ?? 'U0ALICE', username: 'alice', name: 'alice', team_id: input.teamId },
      api_app_id: this.appId,
      token: 'deprecated-verification-token',
      trigger_id: `${Date.now()}.${++this.seq}.${random(8)}`,
      view: { ...input.view, team_id: input.teamId, state: { values }, hash: random(6) },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    }
  }

  async submitView(
    appUrl: string,
    input: Parameters<SlackStandin['viewSubmissionPayload']>[0],
    options: SignedOptions = {},
  ) {
    return this.postPayload(appUrl, this.viewSubmissionPayload(input), options)
  }

  /** An interactivity request as Slack sends it: the payload as JSON in a signed `payload=` form. */
  private async postPayload<P>(appUrl: string, payload: P, options: SignedOptions) {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
    return { ...(await this.signedPost(appUrl, body, 'application/x-www-form-urlencoded', options)), payload }
  }

  // ---------------------------------------------------------------- Slack → app (Socket Mode)

  /** Waits until an app holds a Socket Mode connection. */
  async waitForSocket(timeoutMs = 5_000): Promise<void> {
    await this.waitFor(() => this.sockets.size > 0, timeoutMs, 'a Socket Mode connection')
  }

  /**
   * Sends an envelope over Socket Mode (`slash_commands`, `interactive` or `events_api`) and
   * resolves with the app's ack payload.
   */
  async socketSend(
    type: 'slash_commands' | 'interactive' | 'events_api',
    payload: any,
    timeoutMs = 5_000,
  ): Promise<{ ack: any; ms: number; envelopeId: string }> {
    const ws = [...this.sockets].pop()
    if (!ws) throw new Error('stand-in: no Socket Mode connection')
    const envelopeId = `${random(4)}-${random(2)}-${random(2)}-${random(2)}-${random(6)}`
    const started = performance.now()
    const acked = new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socketWaiters.delete(envelopeId)
        reject(new Error(`stand-in: no ack for ${type} envelope within ${timeoutMs} ms`))
      }, timeoutMs)
      this.socketWaiters.set(envelopeId, (ack) => {
        clearTimeout(timer)
        this.socketWaiters.delete(envelopeId)
        resolve(ack)
      })
    })
    ws.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: 0,
        retry_reason: '',
      }),
    )
    const ack = await acked
    return { ack, ms: performance.now() - started, envelopeId }
  }

  // ---------------------------------------------------------------- the server

  private changed() {
    this.wakeup.wake()
  }

  private nextTs(): string {
    const now = this.now()
    return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000 + (++this.seq % 1000)).padStart(6, '0')}`
  }

  private publicFile(f: StoredFile): StandinFile {
    const { bytes: _b, token: _t, complete: _c, ...rest } = f
    return rest
  }

  private limited(target: string): Response | undefined {
    const limit = this.rateLimits.get(target)
    if (!limit || limit.times <= 0) return undefined
    limit.times -= 1
    return json({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(limit.retryAfter) })
  }

  private async handle(request: Request, server: Server<SocketData>): Promise<Response | undefined> {
    const url = new URL(request.url)
    const record: RecordedRequest = arrival(request, url)
    this.requests.push(record)
    if (url.pathname === '/socket') {
      const ticket = url.searchParams.get('ticket') ?? ''
      if (!this.tickets.delete(ticket)) {
        record.status = 401
        return new Response('invalid ticket', { status: 401 })
      }
      record.status = 101
      if (server.upgrade(request, { data: { connectionId: ++this.connections } })) return undefined
      return new Response('upgrade failed', { status: 400 })
    }
    const response = await this.route(request, url, record).catch((error) => {
      return json({ ok: false, error: 'internal_error', detail: String(error) }, 500)
    })
    record.status = response.status
    this.changed()
    return response
  }

  private readonly tickets = new Set<string>()

  private async readBody(request: Request, record: RecordedRequest): Promise<Record<string, any>> {
    const type = request.headers.get('content-type') ?? ''
    if (type.startsWith('application/json')) {
      const text = await request.text()
      record.body = text ? JSON.parse(text) : {}
    } else if (type.startsWith('application/x-www-form-urlencoded')) {
      const params = new URLSearchParams(await request.text())
      const body: Record<string, unknown> = {}
      for (const [k, v] of params) body[k] = decodeFormValue(v)
      record.body = body
    } else if (type.startsWith('multipart/form-data')) {
      const form = await request.formData()
      const body: Record<string, unknown> = {}
      for (const [k, v] of form) {
        if (typeof v === 'string') body[k] = decodeFormValue(v)
        else {
          record.bytes = new Uint8Array(await v.arrayBuffer())
          body[k] = { filename: v.name, size: v.size }
        }
      }
      record.body = body
    } else {
      record.bytes = new Uint8Array(await request.arrayBuffer())
      record.body = {}
    }
    return record.body
  }

  private async route(request: Request, url: URL, record: RecordedRequest): Promise<Response> {
    const path = url.pathname
    if (path.startsWith('/api/')) return this.webApi(path.slice(5), request, url, record)
    if (path.startsWith('/response/')) return this.responseUrlPost(path.slice(10), request, record)
    if (path.startsWith('/upload/')) return this.upload(path.slice(8), request, record)
    if (path.startsWith('/files-pri/')) return this.serveFile(path, request)
    if (path === '/signin')
      return new Response('<!DOCTYPE html><html><body>Sign in to Slack</body></html>', {
        headers: { 'content-type': 'text/html; charset=utf-8' },
      })
    return new Response('not found', { status: 404 })
  }

  private async responseUrlPost(id: string, request: Request, record: RecordedRequest): Promise<Response> {
    const state = this.responseUrls.get(id)
    await this.readBody(request, record)
    if (request.method !== 'POST') return new Response('method_not_allowed', { status: 405 })
    const slow = this.latency.get('response_url')
    if (slow) await Bun.sleep(slow)
    const limited = this.limited('response_url')
    if (limited) return limited
    if (!state) return new Response('no_such_url', { status: 404 })
    if (this.now() - state.created > 30 * 60_000) return new Response('expired_url', { status: 404 })
    if (state.posts.length >= 5) return new Response('used_url', { status: 404 })
    if (typeof record.body?.text !== 'string' && !Array.isArray(record.body?.blocks))
      return new Response('no_text', { status: 400 })
    state.posts.push(record.body)
    return new Response('ok', { headers: { 'content-type': 'text/html' } })
  }

  private async upload(fileId: string, request: Request, record: RecordedRequest): Promise<Response> {
    await this.readBody(request, record)
    const limited = this.limited('upload')
    if (limited) return limited
    const file = this.files.get(fileId)
    if (!file || !file.uploaded) return new Response('invalid upload', { status: 404 })
    if (!record.bytes) return new Response('no file data', { status: 400 })
    file.bytes = record.bytes
    file.size = record.bytes.byteLength
    return new Response(`OK - ${record.bytes.byteLength}`, { headers: { 'content-type': 'text/plain' } })
  }

  private serveFile(path: string, request: Request): Response {
    const m = /^\/files-pri\/[^/]+-(F[0-9]+)\//.exec(path)
    const file = m ? this.files.get(m[1]!) : undefined
    const auth = request.headers.get('authorization') ?? ''
    const expected = file?.token ?? this.botToken
    if (!file || !file.complete || auth !== `Bearer ${expected}`) {
      // Slack answers an unauthenticated url_private with its sign-in page.
      return new Response(null, {
        status: 302,
        headers: { location: `${this.url}/signin?redir=${encodeURIComponent(path)}` },
      })
    }
    return new Response(file.bytes, {
      headers: { 'content-type': file.mimetype, 'content-length': String(file.size) },
    })
  }

  private tokenOf(request: Request, body: Record<string, any>): string | undefined {
    const auth = request.headers.get('authorization')
    if (auth?.startsWith('Bearer ')) return auth.slice(7)
    return typeof body.token === 'string' ? body.token : undefined
  }

  /** `oauth.v2.access`: the client's id and secret (form or Basic) and an unused code → a bot token. */
  private oauthAccess(request: Request, body: Record<string, any>): Response {
    let id = body.client_id
    let secret = body.client_secret
    const basic = request.headers.get('authorization')
    if (basic?.startsWith('Basic '))
      [id, secret] = Buffer.from(basic.slice(6), 'base64').toString().split(':')
    if (id !== this.clientId || secret !== this.clientSecret)
      return json({ ok: false, error: 'invalid_client_id' })
    const team = this.codes.get(String(body.code))
    if (!team) return json({ ok: false, error: 'invalid_code' })
    this.codes.delete(String(body.code))
    const token = `xoxb-${team.toLowerCase()}-${random()}`
    this.teamsByToken.set(token, team)
    return json({
      ok: true,
      app_id: this.appId,
      authed_user: { id: 'U0INSTALLER' },
      scope: 'commands,chat:write',
      token_type: 'bot',
      access_token: token,
      bot_user_id: this.botUserId,
      team: { id: team, name: `Team ${team}` },
      enterprise: null,
      is_enterprise_install: false,
    })
  }

  private async webApi(
    method: string,
    request: Request,
    url: URL,
    record: RecordedRequest,
  ): Promise<Response> {
    const body = { ...Object.fromEntries(url.searchParams), ...(await this.readBody(request, record)) }
    const slow = this.latency.get(method)
    if (slow) await Bun.sleep(slow)
    const limited = this.limited(method)
    if (limited) return limited
    const token = this.tokenOf(request, body)
    if (token) {
      record.token = token
      const team = this.teamsByToken.get(token)
      if (team) record.team = team
    }
    if (method === 'oauth.v2.access') return this.oauthAccess(request, body)
    if (method === 'apps.connections.open') {
      if (!token) return json({ ok: false, error: 'not_authed' })
      if (token !== this.appToken) return json({ ok: false, error: 'invalid_auth' })
      const ticket = random(12)
      this.tickets.add(ticket)
      return json({ ok: true, url: `ws://127.0.0.1:${this.server!.port}/socket?ticket=${ticket}` })
    }
    if (!token) return json({ ok: false, error: 'not_authed' })
    const team = this.teamsByToken.get(token)
    if (!team) return json({ ok: false, error: 'invalid_auth' })
    switch (method) {
      case 'auth.test':
        return json({
          ok: true,
          url: `${this.url}/`,
          team: 'Stand-in',
          user: 'car-manager',
          team_id: team,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        })
      case 'chat.postMessage': {
        if (!body.channel) return json({ ok: false, error: 'channel_not_found' })
        if (!body.text && !body.blocks) return json({ ok: false, error: 'no_text' })
        if (this.notInChannel.has(body.channel)) return json({ ok: false, error: 'not_in_channel' })
        const ts = this.nextTs()
        const message: PostedMessage = {
          method: 'chat.postMessage',
          channel: body.channel,
          ts,
          text: body.text,
          blocks: body.blocks,
          history: [],
          ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}),
        }
        this.messages.push(message)
        return json({
          ok: true,
          channel: body.channel,
          ts,
          message: { type: 'message', text: body.text, blocks: body.blocks, ts, bot_id: this.botId },
        })
      }
      case 'chat.postEphemeral': {
        if (!body.channel) return json({ ok: false, error: 'channel_not_found' })
        if (!body.user) return json({ ok: false, error: 'user_not_in_channel' })
        const ts = this.nextTs()
        this.messages.push({
          method: 'chat.postEphemeral',
          channel: body.channel,
          ts,
          user: body.user,
          text: body.text,
          blocks: body.blocks,
          history: [],
          ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}),
        })
        return json({ ok: true, message_ts: ts })
      }
      case 'chat.update': {
        const message = this.messages.find(
          (m) => m.method === 'chat.postMessage' && m.channel === body.channel && m.ts === body.ts,
        )
        if (!message) return json({ ok: false, error: 'message_not_found' })
        message.history.push({ text: message.text, blocks: message.blocks })
        message.text = body.text
        message.blocks = body.blocks
        return json({ ok: true, channel: body.channel, ts: body.ts, text: body.text })
      }
      case 'views.open': {
        if (!body.trigger_id) return json({ ok: false, error: 'invalid_trigger_id' })
        const view = typeof body.view === 'string' ? JSON.parse(body.view) : body.view
        if (!view || view.type !== 'modal') return json({ ok: false, error: 'invalid_arguments' })
        const id = `V${(++this.seq).toString().padStart(8, '0')}`
        this.views.push({ trigger_id: body.trigger_id, view: { ...view, id }, id })
        return json({ ok: true, view: { ...view, id } })
      }
      case 'files.getUploadURLExternal': {
        const length = Number(body.length)
        if (!body.filename || !Number.isInteger(length) || length < 1)
          return json({ ok: false, error: 'invalid_arguments' })
        const id = `F${(++this.seq).toString().padStart(8, '0')}`
        const name = String(body.filename)
        this.files.set(id, {
          id,
          name,
          title: name,
          mimetype: name.endsWith('.png')
            ? 'image/png'
            : name.endsWith('.zip')
              ? 'application/zip'
              : 'image/jpeg',
          filetype: name.split('.').pop() ?? 'jpg',
          size: length,
          url_private: `${this.url}/files-pri/${this.teamId}-${id}/${encodeURIComponent(name)}`,
          url_private_download: `${this.url}/files-pri/${this.teamId}-${id}/download/${encodeURIComponent(name)}`,
          permalink: `${this.url}/files/${this.botUserId}/${id}/${encodeURIComponent(name)}`,
          uploaded: true,
          channels: [],
          bytes: new Uint8Array(),
          complete: false,
        })
        return json({ ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id })
      }
      case 'files.completeUploadExternal': {
        const list = Array.isArray(body.files) ? body.files : []
        if (list.length === 0) return json({ ok: false, error: 'invalid_arguments' })
        const done: { id: string; title: string }[] = []
        for (const entry of list) {
          const file = this.files.get(entry?.id)
          if (!file || !file.uploaded || file.bytes.byteLength === 0)
            return json({ ok: false, error: 'file_not_found' })
          file.complete = true
          if (entry.title) file.title = String(entry.title)
          if (body.channel_id) {
            file.channels.push(String(body.channel_id))
            this.messages.push({
              method: 'files.completeUploadExternal',
              channel: String(body.channel_id),
              ts: this.nextTs(),
              text: body.initial_comment,
              blocks: body.blocks,
              history: [],
              ...(body.thread_ts ? { thread_ts: String(body.thread_ts) } : {}),
            })
          }
          done.push({ id: file.id, title: file.title })
        }
        return json({ ok: true, files: done })
      }
      case 'conversations.open': {
        // The app's direct message with one member (im:write): D + the user id, the same each time.
        const users = String(body.users ?? '')
          .split(',')
          .filter(Boolean)
        if (users.length !== 1 || !/^[UW][A-Z0-9]+$/.test(users[0]!))
          return json({ ok: false, error: 'users_not_found' })
        return json({ ok: true, channel: { id: `D${users[0]!.slice(1)}` } })
      }
      case 'files.info': {
        const file = this.files.get(String(body.file ?? ''))
        if (!file || !file.complete) return json({ ok: false, error: 'file_not_found' })
        return json({ ok: true, file: this.publicFile(file) })
      }
      case 'users.info': {
        const id = String(body.user ?? '')
        if (!/^[UW][A-Z0-9]{1,30}$/.test(id)) return json({ ok: false, error: 'user_not_found' })
        const u = this.users.get(id) ?? this.defaultUser
        return json({
          ok: true,
          user: {
            id,
            team_id: this.teamId,
            name: id.toLowerCase(),
            deleted: false,
            is_admin: u.admin || u.owner,
            is_owner: u.owner,
            is_primary_owner: false,
            is_restricted: false,
            is_ultra_restricted: false,
            is_bot: false,
            updated: 1700000000,
          },
        })
      }
      case 'usergroups.list': {
        const include = body.include_users === true || body.include_users === 'true'
        return json({
          ok: true,
          usergroups: [...this.userGroups.entries()].map(([id, users]) => ({
            id,
            team_id: this.teamId,
            is_usergroup: true,
            name: id.toLowerCase(),
            handle: id.toLowerCase(),
            date_delete: 0,
            ...(include ? { users, user_count: users.length } : { user_count: users.length }),
          })),
        })
      }
      default:
        return json({ ok: false, error: 'unknown_method' })
    }
  }
}

export function startStandin(options: StandinOptions = {}): SlackStandin {
  return new SlackStandin(options).start()
}
