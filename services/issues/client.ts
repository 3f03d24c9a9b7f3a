/**
 * The issues service as job handlers call it: an Eden treaty client typed from the app, with
 * the service token, X-Tenant and (on writes) Idempotency-Key from the handler context.
 */
import { treaty } from '@elysiajs/eden'
import { type HandlerContext, ServiceUnavailable, unwrap } from '../../queue/handler.ts'
import type { IssuesApp } from './app.ts'

export function issuesClient(ctx: HandlerContext, opts: { write?: boolean; key?: string } = {}) {
  return treaty<IssuesApp>(ctx.serviceUrl('issues'), {
    headers: ctx.serviceHeaders({ write: opts.write ?? false, ...(opts.key ? { key: opts.key } : {}) }),
    parseDate: false,
  })
}

type EdenResult<T> = { data: T | null; error: { status: unknown; value: unknown } | null; status: number }

/** Data on 2xx, UserError (the service's message) on 4xx, ServiceUnavailable otherwise. */
export async function callIssues<T>(
  request: Promise<EdenResult<T>>,
): Promise<Exclude<T, { error: unknown }>> {
  let result: EdenResult<T>
  try {
    result = await request
  } catch {
    throw new ServiceUnavailable('issues')
  }
  return unwrap('issues', result) as Exclude<T, { error: unknown }>
}
