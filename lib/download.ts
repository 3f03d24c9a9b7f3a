/**
 * A chat attachment downloaded safely, for whichever process holds the platform's credentials
 * (the worker for Discord and the terminal chat, the Slack app for Slack files, with the token of
 * the workspace the file is in): only from the given file hosts, redirects followed by hand and
 * only on the same host, the size cap enforced while the bytes arrive, a time limit over the
 * whole download.
 */
import { type CappedRead, megabytes, readCapped } from './bytes.ts'

export class DownloadRefused extends Error {}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])
const MAX_HOPS = 3

/** A comma-separated list of hosts (a setting) as entries for `hostAllowed`. */
export const hostList = (csv: string): string[] =>
  csv
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)

/**
 * Whether a URL's host is one of the entries (`host` matches the default port only, `host:port`
 * exactly, `host:*` any port).
 */
export function hostAllowed(url: URL, hosts: string[]): boolean {
  const host = url.host.toLowerCase()
  const name = url.hostname.toLowerCase()
  return hosts.some((entry) => {
    if (entry.endsWith(':*')) return entry.slice(0, -2) === name
    return entry.includes(':') ? entry === host : entry === name && url.port === ''
  })
}

function checkUrl(raw: string, hosts: string[], filename: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new DownloadRefused(`${filename}: the file's address is not a URL`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new DownloadRefused(`${filename}: only https downloads are allowed`)
  }
  if (!hostAllowed(url, hosts)) {
    throw new DownloadRefused(
      `${filename}: ${url.host} is not one of this platform's file hosts, so it was not downloaded`,
    )
  }
  return url
}

export type FetchOptions = {
  /** The platform's file hosts (`hostList` of its setting). */
  hosts: string[]
  filename: string
  maxBytes: number
  timeoutMs: number
  /** A Slack file: fetched with this bot token, and Slack's sign-in page is a refusal. */
  slackToken?: string
}

/** The file's bytes, or DownloadRefused saying why not (host, redirect, size, time, token, status). */
export async function fetchAttachment(raw: string, options: FetchOptions): Promise<Uint8Array> {
  const { hosts, filename, maxBytes, timeoutMs, slackToken } = options
  const slack = slackToken !== undefined
  if (hosts.length === 0)
    throw new DownloadRefused(`${filename}: files from this platform cannot be downloaded here`)
  const headers: Record<string, string> = { 'user-agent': 'car-manager' }
  if (slack) headers.authorization = `Bearer ${slackToken}`
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  const tooSlow = () =>
    new DownloadRefused(`${filename}: the download took longer than ${Math.round(timeoutMs / 1000)} s`)
  try {
    let url = checkUrl(raw, hosts, filename)
    const firstHost = url.host
    let res: Response | undefined
    for (let hop = 0; ; hop++) {
      try {
        res = await fetch(url, { headers, redirect: 'manual', signal: controller.signal })
      } catch (error) {
        if (controller.signal.aborted) throw tooSlow()
        throw new DownloadRefused(`${filename}: the download failed (${(error as Error).message})`)
      }
      if (res.status < 300 || res.status >= 400) break
      const location = res.headers.get('location')
      await res.body?.cancel().catch(() => {})
      if (!location) throw new DownloadRefused(`${filename}: the file host redirected without a location`)
      if (hop + 1 >= MAX_HOPS) throw new DownloadRefused(`${filename}: too many redirects`)
      const next = new URL(location, url)
      if (next.host !== firstHost) {
        throw new DownloadRefused(
          `${filename}: the file host redirected to another host (${next.host}), so it was not downloaded`,
        )
      }
      url = checkUrl(next.href, hosts, filename)
    }
    if (res.status === 401 || res.status === 403) {
      throw new DownloadRefused(
        `${filename}: the file host refused the download (${res.status})${slack ? '; the Slack app may lack the files:read scope' : ''}`,
      )
    }
    if (res.status === 404 || res.status === 410)
      throw new DownloadRefused(`${filename}: the file is no longer available (its link may have expired)`)
    if (res.status !== 200) throw new DownloadRefused(`${filename}: the file host answered ${res.status}`)
    // Slack answers an HTML login page with 200 when the token is not accepted.
    if (slack && (res.headers.get('content-type') ?? '').startsWith('text/html')) {
      throw new DownloadRefused(`${filename}: Slack did not accept the bot token for this file`)
    }
    return await readBody(res, { filename, maxBytes, aborted: () => controller.signal.aborted, tooSlow })
  } finally {
    clearTimeout(timer)
    if (!controller.signal.aborted) controller.abort()
  }
}

/** A response's body up to `maxBytes` (DownloadRefused past it, or when empty or broken off). */
export async function readBody(
  res: Response,
  opts: { filename: string; maxBytes: number; aborted?: () => boolean; tooSlow?: () => Error },
): Promise<Uint8Array> {
  const { filename, maxBytes } = opts
  const declared = Number(res.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {})
    throw new DownloadRefused(
      `${filename}: the file is ${megabytes(declared)}, over the limit of ${megabytes(maxBytes)}`,
    )
  }
  if (!res.body) throw new DownloadRefused(`${filename}: the file is empty`)
  let read: CappedRead
  try {
    read = await readCapped(res.body, maxBytes)
  } catch (error) {
    if (opts.aborted?.() && opts.tooSlow) throw opts.tooSlow()
    throw new DownloadRefused(`${filename}: the download broke off (${(error as Error).message})`)
  }
  if (read.ok) return read.bytes
  throw new DownloadRefused(
    read.why === 'empty'
      ? `${filename}: the file is empty`
      : `${filename}: the file is over the limit of ${megabytes(maxBytes)}`,
  )
}
