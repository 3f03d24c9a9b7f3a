/**
 * Routes of the issues service. Every route but /health needs the service token and X-Tenant;
 * writes replay their first answer for a repeated Idempotency-Key.
 */
import { type ServiceDeps, serviceApp } from '../lib/app.ts'
import { issuesExportRoutes } from './export.ts'
import { issuesImportRoutes } from './imports.ts'
import { issuesTenantDeleteRoutes } from './tenant-delete.ts'
import { migrations } from './migrations.ts'
import {
  ActorOnly,
  CarIssues,
  CarParams,
  ChangeList,
  ChangeParams,
  ChangesQuery,
  CommentChange,
  CommentCreate,
  CommentEdit,
  CommentParams,
  EntryParams,
  Issue,
  IssueClose,
  IssueCreate,
  IssueList,
  IssueQuery,
  LoggedBy,
  LoggedQuery,
  NumberParams,
  PhotoLink,
  QuoteLink,
  StatusChange,
} from './model.ts'
import * as issues from './service.ts'

export function createApp(deps: ServiceDeps) {
  const { app: base, db, now, once, finish } = serviceApp('issues', deps, migrations)

  const app = base
    .use(issuesExportRoutes(db))
    .use(issuesTenantDeleteRoutes(db, once))
    .use(issuesImportRoutes(db, once))
    .post(
      '/issues',
      ({ body, tenant, idempotencyKey, set }) =>
        once(
          { tenant, idempotencyKey, set },
          'POST /issues',
          (t) => issues.createIssue(db, t, body, now()),
          201,
        ),
      { body: IssueCreate, response: { 201: Issue, 200: Issue } },
    )
    .get('/issues', ({ query, tenant }) => issues.listIssues(db, tenant, query), {
      query: IssueQuery,
      response: IssueList,
    })
    .get('/issues/:number', ({ params, tenant }) => issues.getIssue(db, tenant, params.number), {
      params: NumberParams,
      response: Issue,
    })
    .post(
      '/issues/:number/comments',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /issues/${params.number}/comments`, (t) =>
          issues.addComment(db, t, params.number, body, now()),
        ),
      { params: NumberParams, body: CommentCreate, response: Issue },
    )
    .post(
      '/issues/:number/status',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /issues/${params.number}/status`, (t) =>
          issues.changeStatus(db, t, params.number, body, now()),
        ),
      { params: NumberParams, body: StatusChange, response: Issue },
    )
    .post(
      '/issues/:number/close',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /issues/${params.number}/close`, (t) =>
          issues.closeIssue(db, t, params.number, body, now()),
        ),
      { params: NumberParams, body: IssueClose, response: Issue },
    )
    .post(
      '/issues/:number/photos',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /issues/${params.number}/photos`, (t) =>
          issues.linkPhoto(db, t, params.number, body, now()),
        ),
      { params: NumberParams, body: PhotoLink, response: Issue },
    )
    .post(
      '/issues/:number/quotes',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /issues/${params.number}/quotes`, (t) =>
          issues.linkQuote(db, t, params.number, body, now()),
        ),
      { params: NumberParams, body: QuoteLink, response: Issue },
    )
    // Comments by their number in the garage (#C3); each change answers its id, for its Undo.
    .post(
      '/comments/:number/edit',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /comments/${params.number}/edit`, (t) =>
          issues.editComment(db, t, params.number, body, now()),
        ),
      { params: CommentParams, body: CommentEdit, response: CommentChange },
    )
    .post(
      '/comments/:number/remove',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /comments/${params.number}/remove`, (t) =>
          issues.removeComment(db, t, params.number, body, now()),
        ),
      { params: CommentParams, body: ActorOnly, response: CommentChange },
    )
    .post(
      '/comment-changes/:change/undo',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /comment-changes/${params.change}/undo`, (t) =>
          issues.undoCommentChange(db, t, params.change, body, now()),
        ),
      { params: ChangeParams, body: ActorOnly, response: CommentChange },
    )
    .post(
      '/issues/:number/quotes/remove',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /issues/${params.number}/quotes/remove`, (t) =>
          issues.unlinkQuote(db, t, params.number, body, now()),
        ),
      { params: NumberParams, body: QuoteLink, response: Issue },
    )
    // Who opened an issue, wrote a comment or made a change, for a driver's "only your own" (queue/roles.ts).
    .get('/logged', ({ query, tenant }) => issues.loggedBy(db, tenant, query), {
      query: LoggedQuery,
      response: LoggedBy,
      detail: { summary: 'Who opened an issue, wrote a comment or made a change (their platform user id), or null' },
    })
    // The garage's history of its issues (/garage history), and the undo of one of its entries (#I12).
    .get('/changes', ({ query, tenant }) => issues.listChanges(db, tenant, query), {
      query: ChangesQuery,
      response: ChangeList,
    })
    .post(
      '/changes/:id/undo',
      ({ params, body, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `POST /changes/${params.id}/undo`, (t) =>
          issues.undoEntry(db, t, params.id, body, now()),
        ),
      { params: EntryParams, body: ActorOnly, response: CommentChange },
    )
    // A car's issues, for its removal (the worker removes the car in items last).
    .get('/cars/:car/issues', ({ params, tenant }) => issues.carIssues(db, tenant, params.car), {
      params: CarParams,
      response: CarIssues,
    })
    .delete(
      '/cars/:car/issues',
      ({ params, tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, `DELETE /cars/${params.car}/issues`, (t) =>
          issues.removeCarIssues(db, t, params.car),
        ),
      { params: CarParams, response: CarIssues },
    )

  return finish(app)
}

export type IssuesApp = ReturnType<typeof createApp>
