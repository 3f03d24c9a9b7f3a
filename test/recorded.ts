/** What the Discord and Slack stand-ins keep of each request they answer, for tests to read. */
export type RecordedBase = {
  method: string
  path: string
  query: Record<string, string>
  headers: Record<string, string>
  body: any
  /** 0 until the request is answered. */
  status: number
  at: number
}

/** The record of a request as it arrives (`path` as the stand-in names it; no body yet). */
export function arrival(request: Request, url: URL, path = url.pathname): RecordedBase {
  return {
    method: request.method,
    path,
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(request.headers),
    body: undefined,
    status: 0,
    at: Date.now(),
  }
}
