/**
 * Downloads a chat attachment for the worker, at once (platform URLs expire) and safely:
 * only from the platform's file hosts (settings), redirects followed by hand and only on the
 * same host, the size cap enforced while the bytes arrive, a time limit over the whole
 * download, and for Slack the bot token from the worker's config (never from job data).
 */
import { type CappedRead, megabytes, readCapped } from '../../lib/bytes.ts'
import type { Config } from '../../lib/config.ts'
import type { Platform } from '../../lib/contracts/envelope.ts'

export class DownloadRefused extends Error {}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])
const MAX_HOPS = 3

/**
 * The terminal chat is its own file host: it serves a file the local user named on loopback, at
 * a random URL on a port of its own, while the command waits (bots/local/index.ts). The worker
 * never reads a path for a job.
 */
const LOCAL_FILE_HOSTS = '127.0.0.1:*'

function allowedHosts(platform: Platform, config: Config): string[] {
  const list =
    platform === 'discord'
      ? config.DISCORD_FILE_HOSTS
      : platform === 'slack'
        ? config.SLACK_FILE_HOSTS
        : LOCAL_FILE_HOSTS
  return list
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
}

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

export type DownloadOptions = {
  platform: Platform
  config: Config
  filename: string
  /** Largest accepted size (default IMAGE_MAX_BYTES). */
  maxBytes?: number
  timeoutMs?: number
}

/** The file's bytes, or DownloadRefused saying why not (host, redirect, size, time, token, status). */
export async function downloadAttachment(raw: string, options: DownloadOptions): Promise<Uint8Array> {
  const { platform, config, filename } = options
  const hosts = allowedHosts(platform, config)
  if (hosts.length === 0)
    throw new DownloadRefused(`${filename}: files from ${platform} cannot be downloaded here`)
  const maxBytes = options.maxBytes ?? config.IMAGE_MAX_BYTES
  const timeoutMs = options.timeoutMs ?? config.DOWNLOAD_TIMEOUT_MS
  const headers: Record<string, string> = { 'user-agent': 'car-manager' }
  if (platform === 'slack') {
    if (!config.SLACK_BOT_TOKEN) {
      throw new DownloadRefused(
        `${filename}: Slack files need the bot token (SLACK_BOT_TOKEN), which this worker does not have`,
      )
    }
    headers.authorization = `Bearer ${config.SLACK_BOT_TOKEN}`
  }
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
        `${filename}: the file host refused the download (${res.status})${platform === 'slack' ? '; the Slack app may lack the files:read scope' : ''}`,
      )
    }
    if (res.status === 404 || res.status === 410)
      throw new DownloadRefused(`${filename}: the file is no longer available (its link may have expired)`)
    if (res.status !== 200) throw new DownloadRefused(`${filename}: the file host answered ${res.status}`)
    // Slack answers an HTML login page with 200 when the token is not accepted.
    if (platform === 'slack' && (res.headers.get('content-type') ?? '').startsWith('text/html')) {
      throw new DownloadRefused(`${filename}: Slack did not accept the bot token for this file`)
    }
    const declared = Number(res.headers.get('content-length') ?? Number.NaN)
    if (declared > maxBytes) {
      await res.body?.cancel().catch(() => {})
      throw new DownloadRefused(`${filename}: the file is ${megabytes(declared)}, over the limit of ${megabytes(maxBytes)}`)
    }
    if (!res.body) throw new DownloadRefused(`${filename}: the file is empty`)
    let read: CappedRead
    try {
      read = await readCapped(res.body, maxBytes)
    } catch (error) {
      if (controller.signal.aborted) throw tooSlow()
      throw new DownloadRefused(`${filename}: the download broke off (${(error as Error).message})`)
    }
    if (read.ok) return read.bytes
    throw new DownloadRefused(
      read.why === 'empty'
        ? `${filename}: the file is empty`
        : `${filename}: the file is over the limit of ${megabytes(maxBytes)}`,
    )
  } finally {
    clearTimeout(timer)
    if (!controller.signal.aborted) controller.abort()
  }
}
