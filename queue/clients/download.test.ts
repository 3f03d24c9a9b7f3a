import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseConfig } from '../../lib/config.ts'
import { DownloadRefused, downloadAttachment } from './download.ts'

type Seen = { path: string; auth: string | null }
const seen: Seen[] = []
const otherSeen: Seen[] = []
const photo = new Uint8Array(4096).map((_, i) => i & 255)
let host: ReturnType<typeof Bun.serve>
let other: ReturnType<typeof Bun.serve>
/** A raw HTTP peer that declares 50 MB and sends a few bytes (Bun.serve would correct the header). */
let liar: import('bun').TCPSocketListener<undefined>

beforeAll(() => {
  liar = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      data(socket) {
        socket.write(
          `HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`,
        )
        socket.write(photo)
      },
    },
  })
  other = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => {
      otherSeen.push({ path: new URL(req.url).pathname, auth: req.headers.get('authorization') })
      return new Response(photo)
    },
  })
  host = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (req) => {
      const path = new URL(req.url).pathname
      seen.push({ path, auth: req.headers.get('authorization') })
      if (path === '/photo.jpg') return new Response(photo)
      if (path === '/hop') return Response.redirect('/photo.jpg', 302)
      if (path === '/away') return Response.redirect(`http://127.0.0.1:${other.port}/photo.jpg`, 302)
      if (path === '/gone') return new Response('expired', { status: 404 })
      if (path === '/endless') {
        // 1 MB chunks with no Content-Length, forever: only the cap stops it.
        const chunk = new Uint8Array(1024 * 1024)
        return new Response(new ReadableStream({ pull: (c) => c.enqueue(chunk) }))
      }
      if (path === '/slow') {
        return new Response(
          new ReadableStream({
            async start(c) {
              c.enqueue(new Uint8Array(10))
              await Bun.sleep(5_000)
              c.close()
            },
          }),
        )
      }
      if (path === '/slack-file') {
        return req.headers.get('authorization') === 'Bearer xoxb-test-token'
          ? new Response(photo)
          : new Response('<html>login</html>', { headers: { 'content-type': 'text/html' } })
      }
      return new Response('no', { status: 500 })
    },
  })
})
afterAll(() => {
  host.stop(true)
  other.stop(true)
  liar.stop(true)
})

const config = (extra: Record<string, string> = {}) =>
  parseConfig({
    DISCORD_FILE_HOSTS: `127.0.0.1:${host.port}`,
    SLACK_FILE_HOSTS: `127.0.0.1:${host.port}`,
    IMAGE_MAX_BYTES: String(20 * 1024 * 1024),
    DOWNLOAD_TIMEOUT_MS: '800',
    ...extra,
  })
const url = (path: string, port = host.port) => `http://127.0.0.1:${port}${path}`

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(DownloadRefused)
    return (error as Error).message
  }
  throw new Error('expected the download to be refused')
}

describe('downloading attachments', () => {
  test('an allowed host gives the bytes; a same-host redirect is followed', async () => {
    const opts = { platform: 'discord' as const, config: config(), filename: 'car.jpg' }
    expect(await downloadAttachment(url('/photo.jpg'), opts)).toEqual(photo)
    expect(await downloadAttachment(url('/hop'), opts)).toEqual(photo)
    expect(seen.filter((s) => s.path === '/photo.jpg').every((s) => s.auth === null)).toBe(true)
  })

  test('a host that is not allowed is never contacted', async () => {
    const before = otherSeen.length
    const message = await refusal(
      downloadAttachment(url('/photo.jpg', other.port), {
        platform: 'discord',
        config: config(),
        filename: 'car.jpg',
      }),
    )
    expect(message).toBe(
      `car.jpg: 127.0.0.1:${other.port} is not one of this platform's file hosts, so it was not downloaded`,
    )
    expect(otherSeen.length).toBe(before)
    const https = await refusal(
      downloadAttachment('http://cdn.discordapp.com/x.jpg', {
        platform: 'discord',
        config: parseConfig({}),
        filename: 'x.jpg',
      }),
    )
    expect(https).toBe('x.jpg: only https downloads are allowed')
  })

  test('a redirect to another host is refused without following it', async () => {
    const before = otherSeen.length
    const message = await refusal(
      downloadAttachment(url('/away'), { platform: 'discord', config: config(), filename: 'car.jpg' }),
    )
    expect(message).toBe(
      `car.jpg: the file host redirected to another host (127.0.0.1:${other.port}), so it was not downloaded`,
    )
    expect(otherSeen.length).toBe(before)
  })

  test('the size cap holds for a declared size and while streaming a body without one', async () => {
    const opts = { platform: 'discord' as const, config: config(), filename: 'big.jpg' }
    const declared = { ...opts, config: config({ DISCORD_FILE_HOSTS: `127.0.0.1:${liar.port}` }) }
    expect(await refusal(downloadAttachment(url('/x.jpg', liar.port), declared))).toBe(
      'big.jpg: the file is 50 MB, over the limit of 20 MB',
    )
    const started = performance.now()
    expect(await refusal(downloadAttachment(url('/endless'), opts))).toBe(
      'big.jpg: the file is over the limit of 20 MB',
    )
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  test('a slow body hits the time limit', async () => {
    const started = performance.now()
    const message = await refusal(
      downloadAttachment(url('/slow'), { platform: 'discord', config: config(), filename: 'slow.jpg' }),
    )
    expect(message).toBe('slow.jpg: the download took longer than 1 s')
    expect(performance.now() - started).toBeLessThan(3_000)
  })

  test('an expired link says so', async () => {
    const message = await refusal(
      downloadAttachment(url('/gone'), { platform: 'discord', config: config(), filename: 'old.jpg' }),
    )
    expect(message).toBe('old.jpg: the file is no longer available (its link may have expired)')
  })

  test('Slack files need the bot token from the config, sent only to Slack hosts', async () => {
    const before = seen.length
    const message = await refusal(
      downloadAttachment(url('/slack-file'), { platform: 'slack', config: config(), filename: 'dash.png' }),
    )
    expect(message).toBe(
      'dash.png: Slack files need the bot token (SLACK_BOT_TOKEN), which this worker does not have',
    )
    expect(seen.length).toBe(before)
    const withToken = config({ SLACK_BOT_TOKEN: 'xoxb-test-token' })
    expect(
      await downloadAttachment(url('/slack-file'), {
        platform: 'slack',
        config: withToken,
        filename: 'dash.png',
      }),
    ).toEqual(photo)
    expect(seen.at(-1)).toEqual({ path: '/slack-file', auth: 'Bearer xoxb-test-token' })
    const wrong = config({ SLACK_BOT_TOKEN: 'xoxb-wrong' })
    expect(
      await refusal(
        downloadAttachment(url('/slack-file'), { platform: 'slack', config: wrong, filename: 'dash.png' }),
      ),
    ).toBe('dash.png: Slack did not accept the bot token for this file')
    // A Discord download never carries the Slack token.
    await downloadAttachment(url('/photo.jpg'), {
      platform: 'discord',
      config: withToken,
      filename: 'car.jpg',
    })
    expect(seen.at(-1)?.auth).toBeNull()
  })
})
