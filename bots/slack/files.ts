/**
 * A photo dropped in a Slack channel is downloaded here, by the Slack app, because only the app
 * holds the bot token of the workspace the file is in (SLACK_BOT_TOKEN's, or an OAuth-installed
 * workspace's from bots/slack/installations.ts); no token ever goes into a job. The bytes are
 * kept a short while in the images service's files (`POST /files`: this garage's only, a day at
 * most, under an id derived from the event, so a redelivered event keeps them once) and the job
 * names them by that id; the worker reads them from there when it files the photo
 * (queue/clients/download.ts `attachmentBytes`). A file that cannot be downloaded travels as the
 * reason, said in the answer if the worker takes the drop.
 *
 * The worker decides whether a drop is the garage's (a car or #issue named, the bot's thread, a
 * channel's default car) only after this: the app cannot ask the items service. So every image
 * dropped in a channel the app is in is downloaded once (within IMAGE_MAX_BYTES), and one not
 * filed is gone from the images service's files within the day.
 */
import { megabytes } from '../../lib/bytes.ts'
import type { Config } from '../../lib/config.ts'
import { DownloadRefused, fetchAttachment, hostList } from '../../lib/download.ts'
import type { Logger } from '../../lib/log.ts'

/** The id the file is kept under, or why it is not. */
export type KeptFile = { stored: string } | { refused: string }

export type KeepFile = (input: {
  tenant: string
  /** Unique per event and file (the images service derives the file's id from it). */
  key: string
  url: string
  filename: string
  size: number
  contentType?: string
  /** The bot token of the file's workspace (Bolt's `context.botToken`). */
  token: string | undefined
  /** The largest file kept (default IMAGE_MAX_BYTES: a photo's). */
  maxBytes?: number
}) => Promise<KeptFile>

const SAFE_NAME = /[/\\\x00-\x1f]/g
const TYPE = /^[a-z]+\/[a-z0-9.+-]+$/

export function fileKeeper(config: Config, log: Logger): KeepFile {
  const hosts = hostList(config.SLACK_FILE_HOSTS)
  return async ({ tenant, key, url, filename, size, contentType, token, maxBytes = config.IMAGE_MAX_BYTES }) => {
    if (size > maxBytes) return { refused: `${megabytes(size)} is over the limit of ${megabytes(maxBytes)}` }
    if (!token)
      return { refused: 'Slack gave no bot token for this workspace, so the file could not be downloaded' }
    let bytes: Uint8Array
    try {
      bytes = await fetchAttachment(url, {
        hosts,
        filename,
        maxBytes,
        timeoutMs: config.DOWNLOAD_TIMEOUT_MS,
        slackToken: token,
      })
    } catch (error) {
      if (!(error instanceof DownloadRefused)) throw error
      const why = error.message.startsWith(`${filename}: `)
        ? error.message.slice(filename.length + 2)
        : error.message
      return { refused: why }
    }
    const name = filename.replace(SAFE_NAME, '_').slice(0, 200) || 'photo'
    const query = new URLSearchParams({
      name,
      ...(contentType && TYPE.test(contentType) ? { type: contentType } : {}),
    })
    try {
      const res = await fetch(`${config.IMAGES_URL.replace(/\/$/, '')}/files?${query}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${config.SERVICE_TOKEN ?? ''}`,
          'x-tenant': tenant,
          'idempotency-key': key,
          'content-type': 'application/octet-stream',
        },
        body: bytes,
        signal: AbortSignal.timeout(config.DOWNLOAD_TIMEOUT_MS),
      })
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => {})
        throw new Error(`the images service answered ${res.status}`)
      }
      const { id } = (await res.json()) as { id: string }
      return { stored: id }
    } catch (err) {
      log.warn({ err, tenant }, 'a dropped file could not be kept for the worker')
      return {
        refused: 'it could not be kept for filing (the images service did not take it); drop it again',
      }
    }
  }
}
