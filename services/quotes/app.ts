/**
 * Routes of the quotes service: shop quotes per issue and their comparison, estimates from
 * hours and rates or a catalog of common jobs (hours overridable per garage), and the tip of the
 * day. It is the non-critical service: when it is down only /quote is unavailable. Every route
 * but /health needs the service token and X-Tenant; writes replay their first answer for a
 * repeated Idempotency-Key.
 */
import { garageToday } from '../../lib/domain/dates.ts'
import { type ServiceDeps, serviceApp } from '../lib/app.ts'
import { estimate, listJobs, overrideJob } from './estimates.ts'
import { quotesExportRoutes } from './export.ts'
import { quotesImportRoutes } from './imports.ts'
import { quotesTenantDeleteRoutes } from './tenant-delete.ts'
import { migrations } from './migrations.ts'
import {
  AcceptBody,
  ByBody,
  ChangeParams,
  Estimate,
  EstimateBody,
  IssueParams,
  Job,
  JobList,
  JobOverride,
  LoggedBy,
  LoggedQuery,
  NumberParams,
  Quote,
  QuoteAccepted,
  QuoteChange,
  QuoteChangeList,
  QuoteChangesQuery,
  QuoteComparison,
  QuoteCreate,
  QuoteCreated,
  QuoteEdit,
  QuoteListQuery,
  QuoteQuery,
  QuotesRemove,
  QuotesRemoved,
  RecordLink,
  Tip,
  TipQuery,
} from './model.ts'
import {
  acceptedFor,
  acceptQuote,
  changeName,
  compareQuotes,
  createQuote,
  editQuote,
  formatOf,
  getQuote,
  linkRecord,
  listChanges,
  loggedBy,
  removeIssueQuotes,
  removeQuote,
  undoQuoteChange,
} from './service.ts'
import { tipOfTheDay } from './tips.ts'

export function createApp(deps: ServiceDeps) {
  const { app: base, db, now, once, finish } = serviceApp('quotes', deps, migrations)
  /** The garage's today as the caller gave it, else the service's UTC date. */
  const today = (given: string | undefined) => given ?? garageToday(now(), 'UTC')

  const app = base
    .use(quotesExportRoutes(db))
    .use(quotesTenantDeleteRoutes(db, once))
    .use(quotesImportRoutes(db, once))
    .post(
      '/quotes',
      ({ body, tenant, idempotencyKey, set, headers }) =>
        once(
          { tenant, idempotencyKey, set },
          'POST /quotes',
          (t) => createQuote(db, t, { ...body, today: today(body.today) }, now(), formatOf(headers)),
          201,
        ),
      {
        body: QuoteCreate,
        response: { 201: QuoteCreated, 200: QuoteCreated },
        detail: { summary: "Record a shop's quote for an issue (the caller has checked the issue exists)" },
      },
    )
    .get('/logged', ({ query, tenant }) => loggedBy(db, tenant, query), {
      query: LoggedQuery,
      response: LoggedBy,
      detail: { summary: "Who added a quote or made a change of one (their platform user id), or null; for a driver's \"only your own\"" },
    })
    .post(
      '/quotes/remove',
      ({ body, tenant, idempotencyKey, set }) =>
        body.preview
          ? removeIssueQuotes(db, tenant, body.issues, true)
          : once({ tenant, idempotencyKey, set }, 'POST /quotes/remove', (t) =>
              removeIssueQuotes(db, t, body.issues, false),
            ),
      {
        body: QuotesRemove,
        response: QuotesRemoved,
        detail: { summary: "Remove the quotes of these issues (a removed car's); preview: only say which" },
      },
    )
    .get('/quotes', ({ query, tenant }) => compareQuotes(db, tenant, query.issue, today(query.today)), {
      query: QuoteListQuery,
      response: QuoteComparison,
      detail: { summary: "An issue's quotes compared: cheapest marked, expired marked, spread" },
    })
    .get(
      '/quotes/:number',
      ({ params, query, tenant }) => getQuote(db, tenant, params.number, today(query.today)),
      {
        params: NumberParams,
        query: QuoteQuery,
        response: Quote,
      },
    )
    .post(
      '/quotes/:number/accept',
      ({ params, body, tenant, idempotencyKey, set, headers }) =>
        once({ tenant, idempotencyKey, set }, `POST /quotes/${params.number}/accept`, (t) =>
          acceptQuote(db, t, params.number, { ...body, today: today(body.today) }, now(), formatOf(headers)),
        ),
      {
        params: NumberParams,
        body: AcceptBody,
        response: QuoteAccepted,
        detail: { summary: 'Accept a quote: once per issue; 409 otherwise' },
      },
    )
    .post(
      '/quotes/:number/edit',
      ({ params, body, tenant, idempotencyKey, set, headers }) =>
        once({ tenant, idempotencyKey, set }, `POST /quotes/${params.number}/edit`, (t) =>
          editQuote(db, t, params.number, { ...body, today: today(body.today) }, now(), formatOf(headers)),
        ),
      {
        params: NumberParams,
        body: QuoteEdit,
        response: QuoteChange,
        detail: { summary: "Correct a quote's fields; an accepted quote keeps its figures (409)" },
      },
    )
    .post(
      '/quotes/:number/remove',
      ({ params, body, tenant, idempotencyKey, set, headers }) =>
        once({ tenant, idempotencyKey, set }, `POST /quotes/${params.number}/remove`, (t) =>
          removeQuote(db, t, params.number, { ...body, today: today(body.today) }, now(), formatOf(headers)),
        ),
      {
        params: NumberParams,
        body: ByBody,
        response: QuoteChange,
        detail: { summary: 'Remove a quote (kept in its change for its Undo); an accepted one is a 409' },
      },
    )
    .get('/changes', ({ query, tenant, headers }) => listChanges(db, tenant, query, formatOf(headers)), {
      query: QuoteChangesQuery,
      response: QuoteChangeList,
      detail: { summary: "The garage's changes of its quotes, newest first, a page at a time (#Q<id>)" },
    })
    .post(
      '/changes/:change/undo',
      ({ params, body, tenant, idempotencyKey, set, headers }) =>
        once({ tenant, idempotencyKey, set }, `POST /changes/${params.change}/undo`, (t) =>
          undoQuoteChange(
            db,
            t,
            params.change,
            { ...body, today: today(body.today) },
            now(),
            formatOf(headers),
            changeName,
          ),
        ),
      {
        params: ChangeParams,
        body: ByBody,
        response: QuoteChange,
        detail: {
          summary:
            "Undo an edit or a removal of a quote (#Q<change>, its Undo button's change too), once, while it is the quote's latest change",
        },
      },
    )
    .get('/issues/:issue/accepted', ({ params, tenant }) => acceptedFor(db, tenant, params.issue), {
      params: IssueParams,
      response: Quote,
      detail: {
        summary: 'The accepted quote of an issue (404 when none): the amount its service record carries',
      },
    })
    .post(
      '/issues/:issue/accepted/record',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /issues/${params.issue}/accepted/record`, (t) =>
          linkRecord(db, t, params.issue, body.recordId),
        ),
      {
        params: IssueParams,
        body: RecordLink,
        response: Quote,
        detail: { summary: "Link the service record that logged the accepted quote's work" },
      },
    )
    .post('/estimate', ({ body, tenant }) => estimate(db, tenant, body), {
      body: EstimateBody,
      response: Estimate,
      detail: { summary: 'Itemised estimate: hours × rate + parts + tax' },
    })
    .get('/jobs', ({ tenant }) => ({ jobs: listJobs(db, tenant) }), {
      response: JobList,
      detail: { summary: "The catalog of common jobs with this garage's labour hours" },
    })
    .put(
      '/jobs',
      ({ body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, 'PUT /jobs', (t) =>
          overrideJob(db, t, body.job, body.hours, now()),
        ),
      {
        body: JobOverride,
        response: Job,
        detail: { summary: "Override a catalog job's labour hours for this garage" },
      },
    )
    .get(
      '/tip',
      ({ query, tenant, headers }) =>
        tipOfTheDay(tenant, today(query.date), { text: query.focus, topic: query.topic }, formatOf(headers).numbers),
      {
        query: TipQuery,
        response: Tip,
        detail: {
          summary: 'The tip of the day for this garage (stable for the day, made relevant by focus/topic)',
        },
      },
    )

  return finish(app)
}

export type QuotesApp = ReturnType<typeof createApp>
