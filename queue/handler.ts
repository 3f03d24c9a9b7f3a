/**
 * The handler contract. Each file in `queue/handlers/` (one per catalog command, named after
 * it) default-exports a `HandlerFamily`: job kind → payload schema + `run`, its catalog
 * subcommands bound with `handlers(command, { … })`. The orchestrator loads them all, checks
 * each job's payload against its kind's schema, and turns whatever `run` returns or throws into
 * exactly one Reply.
 */
import { treaty } from '@elysiajs/eden'
import type { TSchema } from '@sinclair/typebox'
import type { Elysia } from 'elysia'
import type { Logger } from '../lib/log.ts'
import { type Command, type PayloadOf, payloadSchema } from '../catalog/command.ts'
import type { Envelope, Reply } from '../lib/contracts/envelope.ts'
import type { ServiceName } from '../lib/contracts/services.ts'
import type { WebhookEventType } from '../lib/contracts/queues.ts'

export type HandlerContext = {
  envelope: Envelope
  /** Base URL of a service, for an Eden treaty client typed from its app. */
  serviceUrl: (name: ServiceName) => string
  /** Authorization, X-Tenant and (on writes) Idempotency-Key headers for service calls. */
  serviceHeaders: (opts?: CallOptions) => Record<string, string>
  /** The injected clock; never call Date.now() in a handler. */
  now: () => Date
  log: Logger
  /** Settings a handler may need (limits, file hosts, tokens for downloads). */
  config: import('../lib/config.ts').Config
  /** True on the job's last attempt: a failure now is final. */
  finalAttempt: boolean
  /**
   * Declares an event for the garage's webhooks (queue/handlers/shared/webhook-events.ts); the
   * orchestrator publishes what a run emitted once it succeeded, and drops it when it throws.
   */
  emit?: (type: WebhookEventType, data: Record<string, unknown>) => void
  /** The garage's stamps of what workers cache across jobs (see `Stamps`). */
  stamps: Stamps
}

/** What a worker may cache across jobs, per garage: the photos (each car's newest photo). */
export type StampTag = 'photos'

/**
 * A garage's stamp of a tag names the current state of what the tag covers: a cache entry made
 * under one stamp is good while `read` still answers that stamp. A job that may change what a
 * tag covers `touch`es it (before its calls), and the orchestrator gives the garage a new stamp
 * when the job ends, whatever its outcome; every worker process then reads the new stamp.
 */
export type Stamps = {
  read: (tag: StampTag) => Promise<string>
  touch: (tag: StampTag) => void
}

/** Stamps for a context without Redis (tests calling a handler directly): nothing is ever cached. */
export const uncachedStamps: Stamps = {
  read: async () => crypto.randomUUID(),
  touch: () => {},
}

export type KindHandler<P = any> = {
  /** Schema of the payload; the job is refused (unrecoverable) when it does not match. */
  schema: TSchema
  /**
   * The answer, or null for nothing to say: only for an event nobody waits on an answer to (a
   * photo dropped in a channel that no rule files). A job someone waits on (an interaction, a
   * slash command's response_url) is always answered.
   */
  run: (payload: P, ctx: HandlerContext) => Promise<Reply | null>
}

export type HandlerFamily = Record<string, KindHandler>

/** The run of each subcommand of a catalog command, its payload typed from the catalog. */
export type SubcommandRuns<C extends Command> = {
  [S in C['subcommands'][number]['name']]: (payload: PayloadOf<C, S>, ctx: HandlerContext) => Promise<Reply>
}

/**
 * Binds a catalog command to the runs of its subcommands: kinds `<command>.<sub>`, each with the
 * payload schema the catalog derives. A run for a subcommand the catalog does not have is a load
 * error (it throws), like a subcommand without a run is a type error.
 *
 *     export default handlers(fuel, { log: async (p, ctx) => …, list: async (p, ctx) => … })
 */
export function handlers<const C extends Command>(command: C, runs: SubcommandRuns<C>): HandlerFamily {
  const family: HandlerFamily = {}
  for (const [name, run] of Object.entries(runs) as [string, KindHandler['run']][]) {
    const sub = command.subcommands.find((s) => s.name === name)
    if (!sub) throw new Error(`the ${command.name} catalog has no subcommand ${name}`)
    family[`${command.name}.${name}`] = { schema: payloadSchema(sub), run }
  }
  return family
}

/** The user's mistake (a 4xx from a service, a bad payload): answered at once, never retried. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    /** The service's code of the refusal (e.g. `already_logged`) and the record it names, when a service refused. */
    readonly refusal?: { code: string; ref?: number },
  ) {
    super(message)
  }
}

/** What the user is told when a service's disk is full. */
export const STORAGE_FULL_TEXT =
  "The garage's storage is full; nothing was saved. Tell whoever runs Car Manager."

/**
 * A service answered 507: its disk is full and the write stored nothing. Retrying cannot help
 * until someone makes room, so it is a final answer like a UserError (which it extends, so the
 * orchestrator answers it at once and never retries it), never "unavailable".
 */
export class StorageFull extends UserError {
  constructor(readonly service: ServiceName) {
    super(STORAGE_FULL_TEXT)
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

/**
 * Unwraps an Eden treaty result: data on 2xx, UserError on 4xx, StorageFull on 507 (the
 * service's disk is full), ServiceUnavailable otherwise.
 */
export function unwrap<T>(service: ServiceName, result: EdenResult<T>): T {
  if (!result.error && result.status >= 200 && result.status < 300) return result.data as T
  const status = typeof result.error?.status === 'number' ? result.error.status : result.status
  if (status >= 400 && status < 500) {
    const body = result.error?.value as
      | { error?: { code?: string; message?: string; field?: string; ref?: number } }
      | undefined
    const e = body?.error
    throw new UserError(
      e?.message ?? `the ${service} service refused the request (${status})`,
      e?.field,
      e?.code ? { code: e.code, ...(typeof e.ref === 'number' ? { ref: e.ref } : {}) } : undefined,
    )
  }
  if (status === 507) throw new StorageFull(service)
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

/** What a service call sends besides the job's headers: a write's Idempotency-Key (default the envelope id). */
export type CallOptions = { write?: boolean; key?: string }

/**
 * The Eden treaty options of every service client. `parseDate: false`: Eden would otherwise turn
 * every date-like string ("2026-05-10") into a Date behind the types' back; `plainJson` parses
 * 2xx bodies without Eden's reviver.
 */
export function edenOptions(headers: Record<string, string>) {
  return { headers, parseDate: false, onResponse: plainJson }
}

/**
 * The client of a service for job handlers (one per service, in queue/clients/): an Eden treaty
 * client typed from the service's app, with the job's headers; `{ write: true }` adds the
 * Idempotency-Key.
 */
export const serviceClient =
  <App extends Elysia<any, any, any, any, any, any, any>>(service: ServiceName) =>
  (ctx: HandlerContext, opts: CallOptions = {}) =>
    treaty<App>(ctx.serviceUrl(service), edenOptions(ctx.serviceHeaders(opts)))

/**
 * Awaits an Eden treaty call of a service: data on 2xx, UserError on 4xx, StorageFull on 507,
 * ServiceUnavailable when it cannot be reached (fetch itself failed) or fails (other 5xx).
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
