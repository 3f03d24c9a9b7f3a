/**
 * The quotes service: shop quotes per issue and their comparison, estimates from hours and
 * rates or a catalog of common jobs (hours overridable per garage), and the tip of the day.
 * It is the non-critical service: when it is down only /quote is unavailable.
 */
import { join } from 'node:path'
import { t } from 'elysia'
import type { Config } from '../../lib/config.ts'
import { openDatabase } from '../lib/db.ts'
import { idempotent, releaseOnStop, serviceBase, tenantOf } from '../lib/http.ts'
import { migrations } from './migrations.ts'
import {
  AcceptBody,
  Day,
  EstimateBody,
  JobOverride,
  QuoteCreate,
  QuoteListQuery,
  RecordLink,
  TipQuery,
} from './model.ts'
import {
  acceptedFor,
  acceptQuote,
  compareQuotes,
  createQuote,
  estimate,
  getQuote,
  linkRecord,
  listJobs,
  overrideJob,
  tipOfTheDay,
  utcDay,
} from './service.ts'

const NumberParam = t.Object({ number: t.Numeric({ minimum: 1 }) })
const IssueParam = t.Object({ issue: t.Numeric({ minimum: 1 }) })

export function createApp(deps: { dataDir: string; token: string; now?: () => Date; config?: Config }) {
  const db = openDatabase(
    deps.dataDir === ':memory:' ? ':memory:' : join(deps.dataDir, 'quotes.sqlite'),
    migrations,
  )
  const now = deps.now ?? (() => new Date())
  const ready = () => {
    try {
      db.query('SELECT 1').get()
      return true
    } catch {
      return false
    }
  }

  const app = serviceBase({ name: 'quotes', token: deps.token, ready })
    .derive({ as: 'scoped' }, ({ headers }) => ({ idempotencyKey: headers['idempotency-key'] }))
    .post(
      '/quotes',
      ({ headers, body, set, idempotencyKey }) => {
        const tenant = tenantOf(headers)
        return idempotent(db, tenant, idempotencyKey, 'POST /quotes', set, () => ({
          status: 201,
          body: createQuote(db, tenant, { ...body, today: body.today ?? utcDay(now()) }, now()),
        }))
      },
      {
        body: QuoteCreate,
        detail: { summary: "Record a shop's quote for an issue (the caller has checked the issue exists)" },
      },
    )
    .get(
      '/quotes',
      ({ headers, query }) => compareQuotes(db, tenantOf(headers), query.issue, query.today ?? utcDay(now())),
      {
        query: QuoteListQuery,
        detail: { summary: "An issue's quotes compared: cheapest marked, expired marked, spread" },
      },
    )
    .get(
      '/quotes/:number',
      ({ headers, params, query }) =>
        getQuote(db, tenantOf(headers), params.number, query.today ?? utcDay(now())),
      {
        params: NumberParam,
        query: t.Object({ today: t.Optional(Day) }),
      },
    )
    .post(
      '/quotes/:number/accept',
      ({ headers, params, body, set, idempotencyKey }) => {
        const tenant = tenantOf(headers)
        return idempotent(db, tenant, idempotencyKey, `POST /quotes/${params.number}/accept`, set, () => ({
          body: acceptQuote(
            db,
            tenant,
            params.number,
            { by: body.by, today: body.today ?? utcDay(now()) },
            now(),
          ),
        }))
      },
      {
        params: NumberParam,
        body: AcceptBody,
        detail: { summary: 'Accept a quote: once per issue; 409 otherwise' },
      },
    )
    .get(
      '/issues/:issue/accepted',
      ({ headers, params }) => acceptedFor(db, tenantOf(headers), params.issue),
      {
        params: IssueParam,
        detail: {
          summary: 'The accepted quote of an issue (404 when none): the amount its service record carries',
        },
      },
    )
    .post(
      '/issues/:issue/accepted/record',
      ({ headers, params, body, set, idempotencyKey }) => {
        const tenant = tenantOf(headers)
        return idempotent(
          db,
          tenant,
          idempotencyKey,
          `POST /issues/${params.issue}/accepted/record`,
          set,
          () => ({
            body: linkRecord(db, tenant, params.issue, body.recordId),
          }),
        )
      },
      {
        params: IssueParam,
        body: RecordLink,
        detail: { summary: "Link the service record that logged the accepted quote's work" },
      },
    )
    .post('/estimate', ({ headers, body }) => estimate(db, tenantOf(headers), body), {
      body: EstimateBody,
      detail: { summary: 'Itemised estimate: hours × rate + parts + tax' },
    })
    .get('/jobs', ({ headers }) => ({ jobs: listJobs(db, tenantOf(headers)) }), {
      detail: { summary: "The catalog of common jobs with this garage's labour hours" },
    })
    .put(
      '/jobs',
      ({ headers, body, set, idempotencyKey }) => {
        const tenant = tenantOf(headers)
        return idempotent(db, tenant, idempotencyKey, 'PUT /jobs', set, () => ({
          body: overrideJob(db, tenant, body.job, body.hours, now()),
        }))
      },
      { body: JobOverride, detail: { summary: "Override a catalog job's labour hours for this garage" } },
    )
    .get(
      '/tip',
      ({ headers, query }) =>
        tipOfTheDay(tenantOf(headers), query.date ?? utcDay(now()), {
          text: query.focus,
          topic: query.topic,
        }),
      {
        query: TipQuery,
        detail: {
          summary: 'The tip of the day for this garage (stable for the day, made relevant by focus/topic)',
        },
      },
    )

  return releaseOnStop(app, () => db.close())
}

export type QuotesApp = ReturnType<typeof createApp>
