/**
 * The API process: the public API (`/api/v1`, services/api/public.ts: keys from chat, the
 * calendar feeds, Home Assistant summaries) and, behind the service token like every service,
 * the routes the worker calls to make, list and revoke keys and calendar feeds. Its SQLite file
 * (`DATA_DIR/api.sqlite`) holds only the keys' and feeds' digests; the garage's data stays in
 * the items and issues services, which it calls with the service token and the key's garage.
 * A request under `/api/v1` goes to the public app; anything else to the internal one.
 */
import { type Config, parseConfig } from '../../lib/config.ts'
import { type ServiceDeps, serviceApp } from '../lib/app.ts'
import { tenantDeleteRoutes } from '../lib/tenant-delete.ts'
import { createFeed, createKey, FEED_PREFIX, KEY_PREFIX, listKeys, revokeFeed, revokeKey, secretOf } from './keys.ts'
import { migrations } from './migrations.ts'
import {
  FeedCreate,
  FeedCreated,
  FeedRevoke,
  FeedRevoked,
  KeyCreate,
  KeyCreated,
  KeyList,
  KeyRevoke,
  KeyRevoked,
} from './model.ts'
import { httpPeers, type Peers, peerCaller } from './peers.ts'
import { PUBLIC_PREFIX, publicApp } from './public.ts'

/** `peers`: how it reaches the items and issues services (default: over HTTP at ITEMS_URL and ISSUES_URL). */
export type ApiDeps = ServiceDeps & { peers?: Peers }

export function internalApp(deps: ApiDeps) {
  const { app: base, db, now, once, finish, log } = serviceApp('api', deps, migrations)
  const app = base
    .use(tenantDeleteRoutes('api', db, once, { api_keys: 'API keys', calendar_feeds: 'calendar feeds' }))
    .post(
      '/keys',
      ({ body, tenant, idempotencyKey, set }) => {
        const { salt, view } = once({ tenant, idempotencyKey, set }, 'POST /keys', (t) => createKey(db, t, body, now(), deps.token), 201)
        return { key: secretOf(KEY_PREFIX, deps.token, salt), view }
      },
      { body: KeyCreate, response: { 201: KeyCreated, 200: KeyCreated }, detail: { summary: 'Make an API key (the answer is the only place the key is shown)' } },
    )
    .get('/keys', ({ tenant }) => listKeys(db, tenant), {
      response: KeyList,
      detail: { summary: "The garage's API keys with their last use" },
    })
    .post(
      '/keys/revoke',
      ({ body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /keys/revoke', (t) => revokeKey(db, t, body.name, now())),
      { body: KeyRevoke, response: KeyRevoked, detail: { summary: 'Revoke an API key by its name' } },
    )
    .post(
      '/calendars',
      ({ body, tenant, idempotencyKey, set }) => {
        const { salt, ...feed } = once({ tenant, idempotencyKey, set }, 'POST /calendars', (t) => createFeed(db, t, body, now(), deps.token), 201)
        return { token: secretOf(FEED_PREFIX, deps.token, salt), ...feed }
      },
      { body: FeedCreate, response: { 201: FeedCreated, 200: FeedCreated }, detail: { summary: "A new calendar feed for a member (their previous one stops)" } },
    )
    .post(
      '/calendars/revoke',
      ({ body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /calendars/revoke', (t) => revokeFeed(db, t, body.user_id, now())),
      { body: FeedRevoke, response: FeedRevoked, detail: { summary: "Revoke a member's calendar feed" } },
    )
  return { app, db, now, log, finish }
}

export function createApp(deps: ApiDeps) {
  const { app: internal, db, now, log, finish } = internalApp(deps)
  const config: Config = deps.config ?? parseConfig({})
  const peers = deps.peers ?? httpPeers({ items: config.ITEMS_URL, issues: config.ISSUES_URL })
  const pub = publicApp({ db, call: peerCaller(peers, deps.token), now, config, log })
  const internalFinished = finish(internal)
  const handle = (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname
    return path === PUBLIC_PREFIX || path.startsWith(`${PUBLIC_PREFIX}/`) ? pub.handle(request) : internal.handle(request)
  }
  return {
    handle,
    fetch: handle,
    /** The internal routes, then the public ones (test/trust reads both). */
    get routes() {
      return [...internal.routes, ...pub.routes]
    },
    decorator: {},
    server: null,
    stop: () => internalFinished.stop(),
    quiet: () => internalFinished.quiet(),
  }
}

/** The internal routes' type, for the worker's Eden client (queue/clients/api.ts). */
export type ApiApp = ReturnType<typeof internalApp>['app']
