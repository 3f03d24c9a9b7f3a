/** The issues service as job handlers call it (see `serviceClient` and `callService` in queue/handler.ts). */
import { callService, type EdenResult, serviceClient } from '../handler.ts'
import type { IssuesApp } from '../../services/issues/app.ts'

export const issuesClient = serviceClient<IssuesApp>('issues')

/** A call of the issues service: data on 2xx, UserError on 4xx, ServiceUnavailable otherwise. */
export const callIssues = <T>(request: Promise<EdenResult<T>>) => callService('issues', request)
