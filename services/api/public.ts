/**
 * The public API, `/api/v1`: a garage's cars, readings, maintenance items with their due points
 * and urgency, fuel, charging, service records, expenses and issues; a driver or manager key may
 * post an odometer reading or a fill-up; Home Assistant summaries; the calendar feeds (by their
 * secret link, no key). The garage is the key's, never the request's. Every answer is the items
 * or issues service's own figures and labels, in the car's units and the garage's formats.
 * Auth runs before the body is read: a missing, wrong or revoked key is 401 and nothing else; a
 * viewer key writing is 403; then the key's rate limit (429 with Retry-After).
 */
import type { Database } from 'bun:sqlite'
import { Elysia, t } from 'elysia'
import type { Config } from '../../lib/config.ts'
import { garageToday } from '../../lib/domain/dates.ts'
import { InvalidValue } from '../../lib/domain/invalid.ts'
import type { Logger } from '../../lib/log.ts'
import type { CarView } from '../items/cars/model.ts'
import type { RenewalView } from '../items/expenses/model.ts'
import type { ItemView } from '../items/maintenance/model.ts'
import type { SettingsView } from '../items/settings/model.ts'
import { callerMistake, HttpError } from '../lib/http.ts'
import { feedEvents, icsOf } from './calendar.ts'
import { feedOf, type KeyHolder, keyHolder, touchKey } from './keys.ts'
import { CarParams, CarSummary, FillupPost, GarageSummary, IssuesQuery, PageQuery, ReadingPost } from './model.ts'
import type { PeerCall } from './peers.ts'
import { KeyBuckets } from './rate.ts'
import { carSummary } from './summary.ts'
import { readDistance, readMoney, readVolume } from './values.ts'

export const PUBLIC_PREFIX = '/api/v1'

/** A quantity sent without a unit (a JSON number, "52900") is in the car's own unit, as the API documents. */
const inUnit = <U extends string>(q: { value: number; unit: U | null; text: string }, unit: U) =>
  q.unit === null ? { value: q.value, unit, text: `${q.text} ${unit}` } : q

const json = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  Response.json({ error: { code, message } }, { status, headers })

/** Paths of the public API that need no key: its OpenAPI page and document, and the calendar feeds (their token is the secret). */
const keyless = (path: string) =>
  path === `${PUBLIC_PREFIX}/openapi` || path === `${PUBLIC_PREFIX}/openapi/json` || path.startsWith(`${PUBLIC_PREFIX}/calendar/`)

const page = `<!doctype html>
<html>
  <head>
    <title>Car Manager API</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <script id="api-reference" data-url="openapi/json"></script>
    <script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@latest/dist/browser/standalone.min.js" crossorigin></script>
  </body>
</html>`

type Deps = { db: Database; call: PeerCall; now: () => Date; config: Config; log: Logger }

export function publicApp({ db, call, now, config, log }: Deps) {
  const holders = new WeakMap<Request, KeyHolder>()
  const buckets = new KeyBuckets(config.API_RATE_PER_MINUTE, config.API_RATE_BURST)
  const holderOf = (request: Request): KeyHolder => {
    const h = holders.get(request)
    if (!h) throw new HttpError(401, 'unauthorized', 'missing, wrong or revoked API key')
    return h
  }
  const settingsOf = (tenant: string) => call<SettingsView>('items', 'GET', '/settings', { tenant })
  /** The car a path names, by nickname or id, in the key's garage (404 otherwise). */
  const carOf = (tenant: string, car: string) =>
    call<CarView>('items', 'GET', `/cars/${encodeURIComponent(car)}`, { tenant })
  const writeOf = (request: Request, h: KeyHolder) => {
    const key = request.headers.get('idempotency-key') ?? undefined
    if (key !== undefined && (key.length === 0 || key.length > 200))
      throw new HttpError(400, 'bad_idempotency_key', 'Idempotency-Key must be 1-200 characters')
    return { tenant: h.tenant, idempotencyKey: key, actor: `api:key-${h.id} ${encodeURIComponent(`API key ${h.name}`)}` }
  }
  let cachedDoc: object | undefined
  // The finished app, for its own OpenAPI document (its type refers to itself otherwise).
  // biome-ignore lint/suspicious/noExplicitAny: the generator takes any Elysia instance
  let self: any

  const app = new Elysia({ name: 'api-public', normalize: false })
    .error({ HttpError })
    .onError(({ code, error, set, request }) => {
      if (error instanceof HttpError) {
        set.status = error.status
        return { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } }
      }
      if (error instanceof InvalidValue) {
        set.status = 422
        return { error: { code: 'invalid', message: error.message, field: error.field } }
      }
      const mistake = callerMistake(code, error, set)
      if (mistake) return mistake
      const status = typeof code === 'number' ? code : (error as { status?: number }).status
      if (status !== undefined && status >= 400 && status < 500 && !(code === 'VALIDATION' && error.type === 'response')) {
        set.status = status
        return { error: { code: 'invalid', message: String((error as Error).message ?? error) } }
      }
      // A calendar link's path is its secret: the log names the route, not the token.
      const path = new URL(request.url).pathname.replace(/\/calendar\/[^/]*$/, '/calendar/[redacted]')
      log.error({ err: error, route: `${request.method} ${path}` }, 'unhandled error')
      set.status = 500
      return { error: { code: 'internal', message: 'internal error' } }
    })
    .onRequest(({ request }) => {
      const path = new URL(request.url).pathname
      if (keyless(path)) return
      const h = keyHolder(db, request.headers.get('authorization'))
      if (!h) return json(401, 'unauthorized', 'missing, wrong or revoked API key')
      if (request.method !== 'GET' && request.method !== 'HEAD' && h.role === 'viewer')
        return json(403, 'forbidden', `the key ${h.name} is a viewer key: it reads, it does not write`)
      const wait = buckets.take(h.id)
      if (wait > 0)
        return json(429, 'rate_limited', `too many requests with this key; retry in ${wait} s`, { 'retry-after': String(wait) })
      touchKey(db, h.id, now())
      holders.set(request, h)
    })
    .get(`${PUBLIC_PREFIX}/openapi`, () => new Response(page, { headers: { 'content-type': 'text/html; charset=utf8' } }), {
      detail: { hide: true },
    })
    .get(
      `${PUBLIC_PREFIX}/openapi/json`,
      async () => {
        if (cachedDoc) return cachedDoc
        const { toOpenAPISchema } = await import('@elysiajs/openapi')
        const { paths, components } = toOpenAPISchema(self, undefined, undefined, undefined, '3.1.2')
        cachedDoc = {
          openapi: '3.1.2',
          info: { title: 'Car Manager API', version: '1' },
          servers: [{ url: config.API_PUBLIC_URL }],
          components: {
            ...components,
            securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from /garage apikey create' } },
          },
          security: [{ apiKey: [] }],
          paths,
        }
        return cachedDoc
      },
      { detail: { hide: true } },
    )
    .get(`${PUBLIC_PREFIX}/cars`, ({ request }) => call('items', 'GET', '/cars', { tenant: holderOf(request).tenant }), {
      detail: { summary: "The garage's cars with their odometer" },
    })
    .get(`${PUBLIC_PREFIX}/cars/:car`, ({ request, params }) => carOf(holderOf(request).tenant, params.car), {
      params: CarParams,
      detail: { summary: 'One car, by nickname or id' },
    })
    .get(
      `${PUBLIC_PREFIX}/cars/:car/readings`,
      ({ request, params, query }) =>
        call('items', 'GET', '/readings', { tenant: holderOf(request).tenant, query: { car: params.car, ...query } }),
      { params: CarParams, query: PageQuery, detail: { summary: "A car's odometer readings, newest first" } },
    )
    .post(
      `${PUBLIC_PREFIX}/cars/:car/readings`,
      async ({ request, params, body, set }) => {
        const w = writeOf(request, holderOf(request))
        const [settings, car] = await Promise.all([settingsOf(w.tenant), carOf(w.tenant, params.car)])
        const reading = inUnit(readDistance('odometer', body.odometer, settings.numbers), car.odometer_unit)
        const answer = await call('items', 'POST', `/cars/${encodeURIComponent(params.car)}/readings`, {
          ...w,
          body: {
            reading,
            ...(body.date !== undefined ? { date: body.date } : {}),
            ...(body.confirm !== undefined ? { confirm: body.confirm } : {}),
          },
        })
        set.status = 201
        return answer
      },
      {
        params: CarParams,
        body: ReadingPost,
        detail: { summary: 'Record an odometer reading (a tracker reporting the odometer); driver or manager keys' },
      },
    )
    .get(
      `${PUBLIC_PREFIX}/cars/:car/items`,
      ({ request, params }) => call('items', 'GET', '/items', { tenant: holderOf(request).tenant, query: { car: params.car } }),
      { params: CarParams, detail: { summary: "A car's maintenance items with their due points, urgency and what is left" } },
    )
    .get(
      `${PUBLIC_PREFIX}/items`,
      ({ request }) => call('items', 'GET', '/items', { tenant: holderOf(request).tenant }),
      { detail: { summary: "Every car's maintenance items with their due points and urgency" } },
    )
    .get(
      `${PUBLIC_PREFIX}/cars/:car/fillups`,
      ({ request, params, query }) =>
        call('items', 'GET', '/fillups', { tenant: holderOf(request).tenant, query: { car: params.car, ...query } }),
      { params: CarParams, query: PageQuery, detail: { summary: "A car's fill-ups with their economy, newest first" } },
    )
    .post(
      `${PUBLIC_PREFIX}/cars/:car/fillups`,
      async ({ request, params, body, set }) => {
        const w = writeOf(request, holderOf(request))
        const [settings, car] = await Promise.all([settingsOf(w.tenant), carOf(w.tenant, params.car)])
        const { volume, cost, odometer, ...rest } = body
        const answer = await call('items', 'POST', '/fillups', {
          ...w,
          body: {
            car: params.car,
            volume: inUnit(readVolume('volume', volume, settings.numbers), car.volume_unit),
            ...(cost !== undefined ? { cost: readMoney('cost', cost, settings.numbers) } : {}),
            ...(odometer !== undefined
              ? { odometer: inUnit(readDistance('odometer', odometer, settings.numbers), car.odometer_unit) }
              : {}),
            ...rest,
          },
        })
        set.status = 201
        return answer
      },
      { params: CarParams, body: FillupPost, detail: { summary: 'Log a fill-up; driver or manager keys' } },
    )
    .get(
      `${PUBLIC_PREFIX}/cars/:car/charges`,
      ({ request, params, query }) =>
        call('items', 'GET', '/charges', { tenant: holderOf(request).tenant, query: { car: params.car, ...query } }),
      { params: CarParams, query: PageQuery, detail: { summary: "A car's charging sessions, newest first" } },
    )
    .get(
      `${PUBLIC_PREFIX}/cars/:car/records`,
      ({ request, params, query }) =>
        call('items', 'GET', '/records', { tenant: holderOf(request).tenant, query: { car: params.car, ...query } }),
      { params: CarParams, query: PageQuery, detail: { summary: "A car's service records, newest first" } },
    )
    .get(
      `${PUBLIC_PREFIX}/cars/:car/expenses`,
      ({ request, params, query }) =>
        call('items', 'GET', '/expenses', { tenant: holderOf(request).tenant, query: { car: params.car, ...query } }),
      { params: CarParams, query: PageQuery, detail: { summary: "A car's expenses (insurance, tax, parking…), newest first" } },
    )
    .get(
      `${PUBLIC_PREFIX}/issues`,
      async ({ request, query }) => {
        const { tenant } = holderOf(request)
        const car = query.car === undefined ? undefined : (await carOf(tenant, query.car)).id
        return call('issues', 'GET', '/issues', {
          tenant,
          query: { car, ...(query.status === 'closed' ? { status: 'resolved' } : {}), all: query.status === 'all' || query.status === 'closed' ? 'yes' : undefined },
        })
      },
      { query: IssuesQuery, detail: { summary: "The garage's issues (open ones unless status says)" } },
    )
    .get(
      `${PUBLIC_PREFIX}/cars/:car/summary`,
      async ({ request, params }) => {
        const { tenant } = holderOf(request)
        const [car, settings] = await Promise.all([carOf(tenant, params.car), settingsOf(tenant)])
        return carSummary(call, tenant, car, settings, now())
      },
      { params: CarParams, response: { 200: CarSummary }, detail: { summary: 'One car for a Home Assistant REST sensor' } },
    )
    .get(
      `${PUBLIC_PREFIX}/summary`,
      async ({ request }) => {
        const { tenant } = holderOf(request)
        const [cars, settings] = await Promise.all([
          call<{ cars: CarView[] }>('items', 'GET', '/cars', { tenant }),
          settingsOf(tenant),
        ])
        const at = now()
        const list = []
        for (const car of cars.cars) list.push(await carSummary(call, tenant, car, settings, at))
        return { month: garageToday(at, settings.timezone).slice(0, 7), cars: list }
      },
      { response: { 200: GarageSummary }, detail: { summary: 'Every car of the garage for Home Assistant' } },
    )
    .get(
      `${PUBLIC_PREFIX}/calendar/:file`,
      async ({ params }) => {
        const token = params.file.endsWith('.ics') ? params.file.slice(0, -4) : params.file
        const feed = feedOf(db, token)
        if (!feed) throw new HttpError(404, 'not_found', 'no such calendar (it may have been revoked)')
        const { tenant } = feed
        // The feed keeps its car by id (a renamed car keeps its link); its nickname is today's.
        const one = feed.car === null ? undefined : (await carOf(tenant, feed.car)).nickname
        let cars: string[] | undefined
        if (feed.mine) {
          const prefs = await call<{ cars: string[] }>('items', 'GET', '/members/prefs', { tenant, query: { user: feed.user_id } })
          cars = one ? prefs.cars.filter((c) => c.toLowerCase() === one.toLowerCase()) : prefs.cars
        } else if (one) cars = [one]
        const scopes = cars === undefined ? [undefined] : cars
        const items: ItemView[] = []
        const renewals: RenewalView[] = []
        for (const car of scopes) {
          const q = car === undefined ? {} : { car }
          const [i, r] = await Promise.all([
            call<{ items: ItemView[] }>('items', 'GET', '/items', { tenant, query: q }),
            call<{ renewals: RenewalView[] }>('items', 'GET', '/renewals', { tenant, query: q }),
          ])
          items.push(...i.items)
          renewals.push(...r.renewals)
        }
        const garageId = (Bun.CryptoHasher.hash('sha256', tenant, 'hex') as string).slice(0, 16)
        const name = `Car Manager${one ? `: ${one}` : ''}${feed.mine ? ' (my cars)' : ''}`
        return new Response(icsOf(name, feedEvents(garageId, items, renewals), now()), {
          headers: { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'private, max-age=300' },
        })
      },
      {
        params: t.Object({ file: t.String({ minLength: 1, maxLength: 300 }) }),
        detail: { summary: 'A calendar feed (iCalendar), by the secret link /garage calendar gives' },
      },
    )
  self = app
  return app
}
