/**
 * A Slack photo the app kept in the images service's files (bots/slack/files.ts): the worker reads
 * it by its id, in its own garage only; a file gone (kept a day at most) or another garage's is
 * refused saying to drop it again; a file the app could not download is refused with the app's
 * reason; the images service down is a retry, not a refusal.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { parseConfig } from '../../lib/config.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { ServiceUnavailable } from '../handler.ts'
import { attachmentBytes, DownloadRefused } from './download.ts'

let stack: Stack
const A = 'slack:TKEPT1'
const B = 'slack:TKEPT2'

beforeAll(async () => {
  stack = await startStack({ services: ['images'], worker: false, collect: false })
})
afterAll(async () => {
  await stack?.close()
})

async function keep(tenant: string, bytes: Uint8Array): Promise<string> {
  const res = await fetch(`${stack.url('images')}/files?name=dash.jpg&type=image/jpeg`, {
    method: 'POST',
    headers: { ...stack.headers(tenant), 'idempotency-key': `k-${tenant}` },
    body: bytes,
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { id: string }).id
}

const opts = (tenant: string, config = stack.config) =>
  ({ platform: 'slack', config, filename: 'dash.jpg', tenant }) as const
const file = (stored?: string, refused?: string) => ({
  url: 'https://files.slack.com/files-pri/T-F1/dash.jpg',
  filename: 'dash.jpg',
  ...(stored ? { stored } : {}),
  ...(refused ? { refused } : {}),
})

test('the kept bytes, in their garage only; gone or refused files say why', async () => {
  const bytes = new Uint8Array([0xff, 0xd8, 1, 2, 3, 4, 0xff, 0xd9])
  const id = await keep(A, bytes)
  expect(await attachmentBytes(file(id), opts(A))).toEqual(bytes)
  // another garage's id answers like one that is gone
  await expect(attachmentBytes(file(id), opts(B))).rejects.toThrow(
    'dash.jpg: the photo is no longer kept (a day at most); drop it again',
  )
  await expect(attachmentBytes(file('0'.repeat(32)), opts(A))).rejects.toBeInstanceOf(DownloadRefused)
  // what the app could not download: its reason, and no download here
  await expect(
    attachmentBytes(file(undefined, 'Slack did not accept the bot token for this file'), opts(A)),
  ).rejects.toThrow('dash.jpg: Slack did not accept the bot token for this file')
  // over the size limit as read
  const small = parseConfig({
    SERVICE_TOKEN: stack.token,
    IMAGES_URL: stack.url('images'),
    IMAGE_MAX_BYTES: '4',
    LOG_LEVEL: 'silent',
  })
  await expect(attachmentBytes(file(id), opts(A, small))).rejects.toThrow('over the limit')
})

test('the images service down: a retry (ServiceUnavailable), not a refusal', async () => {
  const down = parseConfig({
    SERVICE_TOKEN: stack.token,
    IMAGES_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: 'silent',
  })
  await expect(attachmentBytes(file('1'.repeat(32)), opts(A, down))).rejects.toBeInstanceOf(
    ServiceUnavailable,
  )
})
