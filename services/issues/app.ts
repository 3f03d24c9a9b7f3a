/**
 * Routes of the issues service. Every route but /health needs the service token and X-Tenant;
 * writes replay their first answer for a repeated Idempotency-Key.
 */
import { join } from 'node:path'
import type { Config } from '../../lib/config.ts'
import { openDatabase } from '../lib/db.ts'
import { idempotent, releaseOnStop, serviceBase, tenantOf } from '../lib/http.ts'
import { migrations } from './migrations.ts'
import {
  CommentCreate,
  Issue,
  IssueClose,
  IssueCreate,
  IssueList,
  IssueQuery,
  NumberParams,
  PhotoLink,
  QuoteLink,
  StatusChange,
} from './model.ts'
import * as issues from './service.ts'

export function createApp(deps: { dataDir: string; token: string; now?: () => Date; config?: Config }) {
  const db = openDatabase(join(deps.dataDir, 'issues.sqlite'), migrations)
  const now = deps.now ?? (() => new Date())
  const ready = () => {
    try {
      return db.query('SELECT 1 AS ok').get() !== null
    } catch {
      return false
    }
  }
  const write = <R>(
    headers: Record<string, string | undefined>,
    route: string,
    set: { status?: number | string },
    run: (tenant: string) => R,
    status = 200,
  ) => {
    const tenant = tenantOf(headers)
    return idempotent(db, tenant, headers['idempotency-key'], route, set, () => ({
      status,
      body: run(tenant),
    }))
  }

  const app = serviceBase({ name: 'issues', token: deps.token, ready })
    .post(
      '/issues',
      ({ body, headers, set }) =>
        write(headers, 'POST /issues', set, (tenant) => issues.createIssue(db, tenant, body, now()), 201),
      { body: IssueCreate, response: { 201: Issue, 200: Issue } },
    )
    .get('/issues', ({ query, headers }) => issues.listIssues(db, tenantOf(headers), query), {
      query: IssueQuery,
      response: IssueList,
    })
    .get('/issues/:number', ({ params, headers }) => issues.getIssue(db, tenantOf(headers), params.number), {
      params: NumberParams,
      response: Issue,
    })
    .post(
      '/issues/:number/comments',
      ({ params, body, headers, set }) =>
        write(headers, `POST /issues/${params.number}/comments`, set, (tenant) =>
          issues.addComment(db, tenant, params.number, body, now()),
        ),
      { params: NumberParams, body: CommentCreate, response: Issue },
    )
    .post(
      '/issues/:number/status',
      ({ params, body, headers, set }) =>
        write(headers, `POST /issues/${params.number}/status`, set, (tenant) =>
          issues.changeStatus(db, tenant, params.number, body, now()),
        ),
      { params: NumberParams, body: StatusChange, response: Issue },
    )
    .post(
      '/issues/:number/close',
      ({ params, body, headers, set }) =>
        write(headers, `POST /issues/${params.number}/close`, set, (tenant) =>
          issues.closeIssue(db, tenant, params.number, body, now()),
        ),
      { params: NumberParams, body: IssueClose, response: Issue },
    )
    .post(
      '/issues/:number/photos',
      ({ params, body, headers, set }) =>
        write(headers, `POST /issues/${params.number}/photos`, set, (tenant) =>
          issues.linkPhoto(db, tenant, params.number, body, now()),
        ),
      { params: NumberParams, body: PhotoLink, response: Issue },
    )
    .post(
      '/issues/:number/quotes',
      ({ params, body, headers, set }) =>
        write(headers, `POST /issues/${params.number}/quotes`, set, (tenant) =>
          issues.linkQuote(db, tenant, params.number, body, now()),
        ),
      { params: NumberParams, body: QuoteLink, response: Issue },
    )

  return releaseOnStop(app, () => db.close())
}

export type IssuesApp = ReturnType<typeof createApp>
