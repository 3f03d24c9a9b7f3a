/**
 * Builds the Bolt app: the bot token, the Web API at SLACK_API_URL, and one of two receivers:
 * - HTTP (default): `/slack/events` on SLACK_PORT for commands, events and interactivity, with
 *   Slack's request signatures verified (Bolt refuses a bad signature and a timestamp more than
 *   five minutes old with 401; this receiver also refuses one more than five minutes in the
 *   future), `url_verification` answered, and `/health` and `/ready` beside it;
 * - Socket Mode when SLACK_APP_TOKEN is set: a WebSocket from `apps.connections.open` on the same
 *   Web API base; `/health` and `/ready` still listen on SLACK_PORT.
 * With SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (and the installation store
 * from bots/slack/installations.ts) the receiver also serves Bolt's OAuth v2 install: `/slack/install`
 * sends the installer to Slack's authorize page (beside SLACK_API_URL's `/api/`) with a signed
 * state (and its cookie), `/slack/oauth_redirect` checks that state, trades the code at
 * `oauth.v2.access` and keeps the workspace's installation; every request is then authorized with
 * its own workspace's bot token. SLACK_BOT_TOKEN, when also set, keeps serving its own workspace.
 * Listener kinds register through one `register(app, ctx)` per folder.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { App, type CustomRoute, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt'
import type { Logger as SlackLogger } from '@slack/logger'
import type { Config } from '../../lib/config.ts'
import type { Logger } from '../../lib/log.ts'
import { register as registerActions } from './actions/index.ts'
import { register as registerCommands } from './commands/index.ts'
import type { SlackContext } from './context.ts'
import { register as registerEvents } from './events/index.ts'
import { register as registerViews } from './views/index.ts'
import { registerUninstall } from './uninstall.ts'
import { garagePresence } from '../shared/garage-presence.ts'
import type { SqliteInstallationStore } from './installations.ts'
import { BOT_SCOPES, REDIRECT_PATH } from './manifest.ts'

export const EVENTS_PATH = '/slack/events'
export const INSTALL_PATH = '/slack/install'
/** Slack's replay window, both ways. */
export const MAX_SKEW_SECONDS = 5 * 60

const LEVELS: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
}

/** Bolt's logger interface on top of the process's logger (lib/log.ts). */
export function boltLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'bolt' })
  let level = LEVELS[log.level] ?? LogLevel.INFO
  const text = (msg: unknown[]) =>
    msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ')
  return {
    debug: (...msg) => child.debug(text(msg)),
    info: (...msg) => child.info(text(msg)),
    warn: (...msg) => child.warn(text(msg)),
    error: (...msg) => child.error(text(msg)),
    setLevel: (l) => {
      level = l
    },
    getLevel: () => level,
    setName: () => {},
  }
}

export type SlackAppOptions = {
  config: Config
  ctx: SlackContext
  log: Logger
  /** Whether the queue (Redis) answers; for /ready. */
  queueReady: () => Promise<boolean>
  /** Port to listen on (default SLACK_PORT; 0 = any free port). */
  port?: number
  /** The workspaces installed through OAuth; given when OAuth installs are on (oauthEnabled). */
  installations?: SqliteInstallationStore
}

/** Whether the settings turn OAuth installs (many workspaces) on. */
export const oauthEnabled = (config: Config) =>
  Boolean(config.SLACK_CLIENT_ID && config.SLACK_CLIENT_SECRET && config.SLACK_STATE_SECRET)

export type SlackApp = {
  app: App
  mode: 'http' | 'socket'
  /** Verifies the token (auth.test), registers listeners and listens. */
  start: () => Promise<{ port: number; botUserId?: string }>
  stop: () => Promise<void>
}

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/**
 * Refuses a request whose X-Slack-Request-Timestamp is more than five minutes in the future
 * (Bolt checks only the past) before Bolt sees it.
 */
export function futureTimestampGuard(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  nowMs: () => number = Date.now,
) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers['x-slack-request-timestamp']
    const ts = Number(Array.isArray(header) ? header[0] : header)
    if (req.method === 'POST' && Number.isFinite(ts) && ts - Math.floor(nowMs() / 1000) > MAX_SKEW_SECONDS) {
      req.resume()
      res.writeHead(401)
      res.end()
      return
    }
    listener(req, res)
  }
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { config, ctx, log } = options
  const token = config.SLACK_BOT_TOKEN
  const store = options.installations
  if (oauthEnabled(config) !== Boolean(store))
    throw new Error('OAuth installs need both the SLACK_CLIENT_* settings and the installation store')
  if (!token && !store) throw new Error('SLACK_BOT_TOKEN is missing')
  const clientOptions = { slackApiUrl: config.SLACK_API_URL, retryConfig: { retries: 2, factor: 1.5 } }
  const oauth = store
    ? {
        clientId: config.SLACK_CLIENT_ID!,
        clientSecret: config.SLACK_CLIENT_SECRET!,
        stateSecret: config.SLACK_STATE_SECRET!,
        scopes: BOT_SCOPES.map(([scope]) => scope),
        installationStore: store,
        ...(config.SLACK_PUBLIC_URL
          ? { redirectUri: `${config.SLACK_PUBLIC_URL.replace(/\/$/, '')}${REDIRECT_PATH}` }
          : {}),
      }
    : {}
  const installerOptions = {
    installPath: INSTALL_PATH,
    redirectUriPath: REDIRECT_PATH,
    directInstall: true,
    authorizationUrl: new URL('../oauth/v2/authorize', config.SLACK_API_URL).href,
    clientOptions,
  }
  const port = options.port ?? config.SLACK_PORT
  const logger = boltLogger(log)
  let initialized = false

  const customRoutes: CustomRoute[] = [
    { path: '/health', method: ['GET'], handler: (_req, res) => send(res, 200, { ok: true }) },
    {
      path: '/ready',
      method: ['GET'],
      handler: (_req, res) => {
        options
          .queueReady()
          .catch(() => false)
          .then((queue) => {
            const ready = initialized && queue
            send(res, ready ? 200 : 503, { ok: ready, slack: initialized, queue })
          })
      },
    },
  ]

  const mode: SlackApp['mode'] = config.SLACK_APP_TOKEN ? 'socket' : 'http'
  let receiver: HTTPReceiver | SocketModeReceiver
  if (mode === 'socket') {
    receiver = new SocketModeReceiver({
      appToken: config.SLACK_APP_TOKEN!,
      logger,
      customRoutes,
      ...oauth,
      // The socket-mode client's own Web API client (apps.connections.open) takes these options.
      installerOptions: store ? { ...installerOptions, port } : { port, clientOptions },
    })
  } else {
    if (!config.SLACK_SIGNING_SECRET) throw new Error('SLACK_SIGNING_SECRET is missing')
    const http = new HTTPReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET,
      endpoints: EVENTS_PATH,
      port,
      customRoutes,
      logger,
      signatureVerification: true,
      processBeforeResponse: false,
      ...oauth,
      ...(store ? { installerOptions } : {}),
    })
    http.requestListener = futureTimestampGuard(http.requestListener)
    receiver = http
  }

  const app = new App({
    // With OAuth, Bolt authorizes each request with its workspace's installation instead.
    ...(store ? {} : { token }),
    receiver,
    logger,
    deferInitialization: true,
    clientOptions,
  })
  app.error(async (error) => {
    log.error({ err: error }, 'unhandled Bolt error')
  })
  registerCommands(app, ctx)
  registerActions(app, ctx)
  registerEvents(app, ctx)
  registerViews(app, ctx)
  registerUninstall(
    app,
    garagePresence({ itemsUrl: config.ITEMS_URL, serviceToken: config.SERVICE_TOKEN ?? '', log }),
    store
      ? (teamId) => store.deleteInstallation({ teamId, enterpriseId: undefined, isEnterpriseInstall: false })
      : undefined,
  )

  return {
    app,
    mode,
    start: async () => {
      await app.init()
      // SLACK_BOT_TOKEN's workspace (checked with auth.test); with OAuth it is kept as an installation.
      const auth = token ? await app.client.auth.test({ token }) : undefined
      if (store && token && auth?.team_id)
        await store.keepSingle({ teamId: auth.team_id, botUserId: auth.user_id, botId: auth.bot_id, token })
      initialized = true
      if (mode === 'http') {
        const server = (await app.start(port)) as Server
        return { port: (server.address() as AddressInfo).port, botUserId: auth?.user_id }
      }
      await app.start()
      const httpServer = (receiver as unknown as { httpServer?: Server }).httpServer
      if (httpServer && !httpServer.listening)
        await new Promise((resolve) => httpServer.once('listening', resolve))
      return {
        port: httpServer ? (httpServer.address() as AddressInfo).port : port,
        botUserId: auth?.user_id,
      }
    },
    stop: async () => {
      initialized = false
      await app.stop().catch((err: unknown) => log.warn({ err }, 'stopping the Slack receiver'))
    },
  }
}
