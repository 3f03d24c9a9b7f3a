/**
 * The issues service as job handlers call it: an Eden treaty client typed from the app, with
 * the service token, X-Tenant and (on writes) Idempotency-Key from the handler context.
 */
import { treaty } from '@elysiajs/eden'
import { callService, type EdenResult, type HandlerContext } from '../handler.ts'
import type { IssuesApp } from '../../services/issues/app.ts'

export function issuesClient(ctx: HandlerContext, opts: { write?: boolean; key?: string } = {}) {
  return treaty<IssuesApp>(ctx.serviceUrl('issues'), {
    headers: ctx.serviceHeaders({ write: opts.write ?? false, ...(opts.key ? { key: opts.key } : {}) }),
    parseDate: false,
  })
}

/** Data on 2xx, UserError (the service's message) on 4xx, ServiceUnavailable otherwise. */
/** A call of the issues service: data on 2xx, UserError on 4xx, ServiceUnavailable otherwise. */
export const callIssues = <T>(request: Promise<EdenResult<T>>) => callService('issues', request)
