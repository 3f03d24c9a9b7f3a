/**
 * The terminal chat's files (platform `local`): downloaded only from the chat's own loopback
 * host, on whatever port it took; the platforms' jobs still never reach loopback, and a local
 * job reaches nothing but loopback.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { parseConfig } from '../../lib/config.ts'
import { DownloadRefused, downloadAttachment, hostAllowed } from './download.ts'

const photo = new Uint8Array(2048).map((_, i) => (i * 7) & 255)
let chatHost: ReturnType<typeof Bun.serve>
const config = parseConfig({
  SERVICE_TOKEN: 'x'.repeat(32),
  IMAGE_MAX_BYTES: '1000000',
  SLACK_BOT_TOKEN: 'xoxb-test',
})

beforeAll(() => {
  chatHost = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response(photo) })
})
afterAll(() => {
  chatHost.stop(true)
})

const url = () => `http://127.0.0.1:${chatHost.port}/files/token/golf.png`
const get = (raw: string, platform: 'local' | 'discord' | 'slack') =>
  downloadAttachment(raw, { platform, config, filename: 'golf.png' })

test("a local job downloads from the chat's loopback host, on any port", async () => {
  expect(await get(url(), 'local')).toEqual(photo)
  expect(hostAllowed(new URL('http://127.0.0.1:4567/x'), ['127.0.0.1:*'])).toBe(true)
  expect(hostAllowed(new URL('http://127.0.0.1/x'), ['127.0.0.1:*'])).toBe(true)
  expect(hostAllowed(new URL('http://127.0.0.2:4567/x'), ['127.0.0.1:*'])).toBe(false)
})

test('a local job reaches no other host, and a platform job never the chat', async () => {
  for (const raw of [
    'https://cdn.discordapp.com/a/golf.png',
    'https://example.com/golf.png',
    `http://localhost:${chatHost.port}/x`,
  ]) {
    const refused = await get(raw, 'local').catch((e) => e)
    expect(refused).toBeInstanceOf(DownloadRefused)
    expect((refused as Error).message).toContain("is not one of this platform's file hosts")
  }
  for (const platform of ['discord', 'slack'] as const) {
    const refused = await get(url(), platform).catch((e) => e)
    expect(refused).toBeInstanceOf(DownloadRefused)
    expect((refused as Error).message).toContain(
      `127.0.0.1:${chatHost.port} is not one of this platform's file hosts`,
    )
  }
})
