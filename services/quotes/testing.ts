/** The quotes app as its tests ask it: one request with the token, a tenant, a body and an Idempotency-Key. */
import type { createApp } from './app.ts'

export type QuotesApp = ReturnType<typeof createApp>
export type CallOpts = { tenant?: string; body?: unknown; key?: string }

/** A caller of `app` with `token`, in the garage `tenant` unless a call names another. */
export function quotesCaller(app: QuotesApp, token: string, tenant: string) {
  return async (method: string, path: string, opts: CallOpts = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': opts.tenant ?? tenant }
    if (opts.body !== undefined) headers['content-type'] = 'application/json'
    if (opts.key) headers['idempotency-key'] = opts.key
    const res = await app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      }),
    )
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
    return { status: res.status, body: (await res.json()) as any }
  }
}
