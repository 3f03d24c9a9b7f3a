/**
 * A stand-in for a chat platform's file host (Discord's CDN) on loopback: serves the bytes put
 * in `served` at their path and records every path asked for, so a test can tell which files
 * the worker downloaded. `urlOf(path)` is the attachment URL a platform would send.
 */
export type FileHost = {
  served: Map<string, Uint8Array>
  requests: string[]
  /** `host:port`, for DISCORD_FILE_HOSTS. */
  host: string
  urlOf: (path: string) => string
  stop: () => void
}

export function startFileHost(): FileHost {
  const served = new Map<string, Uint8Array>()
  const requests: string[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => {
      const path = new URL(req.url).pathname
      requests.push(path)
      const body = served.get(path)
      return body ? new Response(body) : new Response('gone', { status: 404 })
    },
  })
  const host = `127.0.0.1:${server.port}`
  return { served, requests, host, urlOf: (path) => `http://${host}${path}`, stop: () => server.stop(true) }
}
