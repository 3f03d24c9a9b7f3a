/**
 * The API process's own clients of the items and issues services: plain HTTP with the service
 * token, X-Tenant from the key (never from the request), X-Actor naming the key, and the
 * client's Idempotency-Key on writes. A refusal of the service (4xx) is answered as it is; a
 * service that cannot be reached or fails is 503 `unavailable`. It never opens their databases.
 */
import { HttpError } from '../lib/http.ts'

export type PeerName = 'items' | 'issues'

/** How a request reaches a peer service: over HTTP by default, or in-process (tests hand the apps). */
export type Peers = Record<PeerName, (request: Request) => Promise<Response> | Response>

export function httpPeers(urls: Record<PeerName, string>): Peers {
  const via = (base: string) => (request: Request) => {
    const url = new URL(request.url)
    return fetch(`${base.replace(/\/$/, '')}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(15_000),
    })
  }
  return { items: via(urls.items), issues: via(urls.issues) }
}

export type Call = {
  tenant: string
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  idempotencyKey?: string
  actor?: string
}

export function peerCaller(peers: Peers, token: string) {
  return async function call<T>(service: PeerName, method: string, path: string, c: Call): Promise<T> {
    const query = new URLSearchParams()
    for (const [k, v] of Object.entries(c.query ?? {})) if (v !== undefined) query.set(k, String(v))
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': c.tenant }
    if (c.body !== undefined) headers['content-type'] = 'application/json'
    if (c.idempotencyKey) headers['idempotency-key'] = c.idempotencyKey
    if (c.actor) headers['x-actor'] = c.actor
    let res: Response
    try {
      res = await peers[service](
        new Request(`http://${service}${path}${query.size ? `?${query}` : ''}`, {
          method,
          headers,
          body: c.body === undefined ? undefined : JSON.stringify(c.body),
        }),
      )
    } catch {
      throw new HttpError(503, 'unavailable', `the ${service} service is unavailable; try again later`)
    }
    const body = (await res.json().catch(() => null)) as
      | { error?: { code?: string; message?: string; field?: string } }
      | null
    if (res.ok) return body as T
    if (res.status >= 400 && res.status < 500 && res.status !== 401) {
      const e = body?.error
      throw new HttpError(res.status, e?.code ?? 'refused', e?.message ?? `refused (${res.status})`, e?.field)
    }
    if (res.status === 507) throw new HttpError(507, 'storage_full', "the garage's storage is full; nothing was saved")
    throw new HttpError(503, 'unavailable', `the ${service} service is unavailable; try again later`)
  }
}
export type PeerCall = ReturnType<typeof peerCaller>
