/** The API process's internal routes (keys, calendar feeds) as job handlers call them (see `serviceClient` and `callService` in queue/handler.ts). */
import { callService, type EdenResult, serviceClient } from '../handler.ts'
import type { ApiApp } from '../../services/api/app.ts'

export const apiClient = serviceClient<ApiApp>('api')

/** A call of the API process: data on 2xx, UserError on 4xx, ServiceUnavailable otherwise. */
export const callApi = <T>(request: Promise<EdenResult<T>>) => callService('api', request)
