/**
 * The handler contract. Each file in `queue/handlers/` (one per command family) default-exports
 * a `HandlerFamily`: job kind → payload schema + `run`. The orchestrator loads them all, checks
 * each job's payload against its kind's schema, and turns whatever `run` returns or throws into
 * exactly one Reply.
 */
import type { TSchema } from '@sinclair/typebox'
import type { Logger } from 'pino'
import type { Envelope, Reply } from '../lib/contracts/envelope.ts'
import type { ServiceName } from '../lib/contracts/services.ts'


export type HandlerContext = {
  envelope: Envelope
  /** Base URL of a service, for an Eden treaty client typed from its app. */
  serviceUrl: (name: ServiceName) => string
  /** Authorization, X-Tenant and (on writes) Idempotency-Key headers for service calls. */
  serviceHeaders: (opts?: { write?: boolean; key?: string }) => Record<string, string>
  /** The injected clock; never call Date.now() in a handler. */
  now: () => Date
  log: Logger
  /** Settings a handler may need (limits, file hosts, tokens for downloads). */
  config: import('../lib/config.ts').Config
  /** True on the job's last attempt: a failure now is final. */
  finalAttempt: boolean
}

export type KindHandler<P = any> = {
  /** Schema of the payload; the job is refused (unrecoverable) when it does not match. */
  schema: TSchema
  run: (payload: P, ctx: HandlerContext) => Promise<Reply>
}

export type HandlerFamily = Record<string, KindHandler>

/** The user's mistake (a 4xx from a service, a bad payload): answered at once, never retried. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}

/** A service that could not be reached or answered 5xx: retried with backoff, then reported. */
export class ServiceUnavailable extends Error {
  constructor(readonly service: ServiceName) {
    super(`the ${service} service is unavailable`)
  }
}

export type EdenResult<T> = {
  data: T | null
  error: { status: unknown; value: unknown } | null
  status: number
}

/** Unwraps an Eden treaty result: data on 2xx, UserError on 4xx, ServiceUnavailable otherwise. */
export function unwrap<T>(service: ServiceName, result: EdenResult<T>): T {
  if (!result.error && result.status >= 200 && result.status < 300) return result.data as T
  const status = typeof result.error?.status === 'number' ? result.error.status : result.status
  if (status >= 400 && status < 500) {
    const body = result.error?.value as { error?: { message?: string; field?: string } } | undefined
    throw new UserError(
      body?.error?.message ?? `the ${service} service refused the request (${status})`,
      body?.error?.field,
    )
  }
  throw new ServiceUnavailable(service)
}

/**
 * An Eden treaty `onResponse` hook that parses a 2xx JSON body with a plain `JSON.parse`.
 * Eden's own parse passes a reviver (a JavaScript call for every value, there to turn date-like
 * strings into Dates, which `parseDate: false` switches off anyway): about ten times the cost
 * of the parse, some 10 µs of the worker's CPU per service call. Anything else (an error
 * status, another content type, a `null` body) returns null and Eden parses it as before.
 */
export async function plainJson(response: Response): Promise<unknown> {
  if (!response.ok || !response.headers.get('content-type')?.startsWith('application/json')) return null
  return response.json()
}

/**
 * Awaits an Eden treaty call of a service: data on 2xx, UserError on 4xx, ServiceUnavailable
 * when it cannot be reached (fetch itself failed) or fails (5xx).
 */
export async function callService<T>(
  service: ServiceName,
  request: Promise<EdenResult<T>>,
): Promise<Exclude<T, { error: unknown } | Response>> {
  let result: EdenResult<T>
  try {
    result = await request
  } catch {
    throw new ServiceUnavailable(service)
  }
  return unwrap(service, result) as Exclude<T, { error: unknown } | Response>
}
