/**
 * The worker's chat attachments, at once (platform URLs expire) and safely (lib/download.ts:
 * only from the platform's file hosts, redirects only on the same host, size cap and time limit).
 *
 * A Slack file is not downloaded here: a Slack workspace's files need that workspace's bot token,
 * which only the Slack app holds (an OAuth-installed workspace's is in its own store). The Slack
 * app downloads a dropped photo itself with the right token, keeps it a short while in the images
 * service's files (`POST /files`, this garage's only) and puts its id in the job (`stored`), or
 * why it could not (`refused`); the worker takes the bytes from there (`attachmentBytes`). A
 * Slack file a job names only by its URL (a job queued by an app from before) is downloaded with
 * SLACK_BOT_TOKEN, as it used to be, when this worker has it.
 */
import type { Config } from '../../lib/config.ts'
import type { Platform } from '../../lib/contracts/envelope.ts'
import { DownloadRefused, fetchAttachment, hostAllowed, hostList, readBody } from '../../lib/download.ts'
import { ServiceUnavailable } from '../handler.ts'

export { DownloadRefused, hostAllowed }

/**
 * The terminal chat is its own file host: it serves a file the local user named on loopback, at
 * a random URL on a port of its own, while the command waits (bots/local/index.ts). The worker
 * never reads a path for a job.
 */
const LOCAL_FILE_HOSTS = '127.0.0.1:*'

function allowedHosts(platform: Platform, config: Config): string[] {
  return hostList(
    platform === 'discord'
      ? config.DISCORD_FILE_HOSTS
      : platform === 'slack'
        ? config.SLACK_FILE_HOSTS
        : LOCAL_FILE_HOSTS,
  )
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
  if (platform === 'slack' && !config.SLACK_BOT_TOKEN) {
    throw new DownloadRefused(
      `${filename}: Slack files need the bot token (SLACK_BOT_TOKEN), which this worker does not have`,
    )
  }
  return fetchAttachment(raw, {
    hosts,
    filename,
    maxBytes: options.maxBytes ?? config.IMAGE_MAX_BYTES,
    timeoutMs: options.timeoutMs ?? config.DOWNLOAD_TIMEOUT_MS,
    ...(platform === 'slack' ? { slackToken: config.SLACK_BOT_TOKEN } : {}),
  })
}

/** A file of a job: its URL, or (Slack) the id the app kept it under, or why the app could not. */
export type JobFile = { url: string; filename: string; stored?: string; refused?: string }

/**
 * A job's file's bytes: from the images service's files when the bot kept it there (`stored`),
 * refused as the bot said (`refused`), else downloaded from its URL. DownloadRefused says why not;
 * ServiceUnavailable when the images service cannot be reached (the job is retried).
 */
export async function attachmentBytes(
  file: JobFile,
  options: DownloadOptions & { tenant: string; what?: 'photo' | 'file'; again?: string },
): Promise<Uint8Array> {
  const { config, filename } = options
  // how the answers name the file and what the user does again ("drop it again")
  const what = options.what ?? 'photo'
  const again = options.again ?? 'drop it again'
  const maxBytes = options.maxBytes ?? config.IMAGE_MAX_BYTES
  if (file.refused) throw new DownloadRefused(`${filename}: ${file.refused}`)
  if (!file.stored) return downloadAttachment(file.url, options)
  let res: Response
  try {
    res = await fetch(`${config.IMAGES_URL.replace(/\/$/, '')}/files/${file.stored}`, {
      headers: { authorization: `Bearer ${config.SERVICE_TOKEN ?? ''}`, 'x-tenant': options.tenant },
      signal: AbortSignal.timeout(options.timeoutMs ?? config.DOWNLOAD_TIMEOUT_MS),
    })
  } catch {
    // the images service is down: the job is retried, as for any service call
    throw new ServiceUnavailable('images')
  }
  if (res.status === 404) {
    await res.body?.cancel().catch(() => {})
    throw new DownloadRefused(
      `${filename}: the ${what} is no longer kept (a day at most); ${again}`,
    )
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => {})
    if (res.status >= 500) throw new ServiceUnavailable('images')
    throw new DownloadRefused(
      `${filename}: the ${what} kept for the worker could not be read (${res.status}); ${again}`,
    )
  }
  return readBody(res, { filename, maxBytes })
}
