/**
 * Photos end to end through the queue: a local file host stands in for Discord's CDN, the stack
 * runs items, issues and images, and jobs are dispatched exactly as the Discord bot does.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { type FileHost, startFileHost } from '../../test/file-host.ts'
import { startStack, type Stack } from '../../test/stack.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'

let stack: Stack
let files: FileHost
const T = 'discord:100200300'
const OTHER = 'discord:999888777'
const discordActor = { platform: 'discord' as const, userId: '42', name: 'Ann' }

beforeAll(async () => {
  files = startFileHost()
  stack = await startStack({
    services: ['items', 'issues', 'images'],
    env: { DISCORD_FILE_HOSTS: files.host },
  })
  for (const tenant of [T, OTHER]) {
    for (const nickname of ['corolla', 'civic']) {
      const r = await stack.command('car.add', { nickname }, { tenant })
      expect(r.tone).toBe('ok')
    }
  }
})
afterAll(async () => {
  await stack?.close()
  files?.stop()
})

let seq = 0
async function serve(seed: number, w = 640, h = 480) {
  const path = `/attachments/${++seq}/IMG_${seed}.jpg`
  files.served.set(path, await makeJpeg(w, h, { seed }))
  return {
    url: files.urlOf(path),
    filename: `IMG_${seed}.jpg`,
    size: files.served.get(path)!.byteLength,
  }
}

const drop = (payload: Record<string, unknown>, tenant = T) =>
  stack.command('photo.attach', { text: '', channelId: '700', ...payload }, { tenant, actor: discordActor })

async function settingsInChannel(tenant: string, payload: unknown, channelId: string): Promise<Reply> {
  const id = await stack.dispatch('garage.settings', payload, {
    tenant,
    replyTo: { platform: 'discord', channelId },
  })
  return stack.platformReply('discord', id)
}

async function thumb(tenant: string, sha: string, size = 256) {
  return fetch(`${stack.url('images')}/images/${sha}/${size}`, { headers: stack.headers(tenant) })
}

describe('photos through the queue', () => {
  test('a photo dropped with "corolla" lands on the Corolla with its thumbnail in the reply', async () => {
    const reply = await drop({ files: [await serve(1)], text: 'new scratch on the Corolla door' })
    expect(reply.tone).toBe('ok')
    expect(reply.title).toBe('Added a photo to corolla')
    expect(reply.ref).toBe('car:corolla')
    expect(reply.image?.size).toBe(256)
    const res = await thumb(T, reply.image!.sha256)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/jpeg')
    // Another garage cannot fetch it by hash.
    expect((await thumb(OTHER, reply.image!.sha256)).status).toBe(404)
  })

  test('the same photo twice is stored once', async () => {
    const file = await serve(2)
    const first = await drop({ files: [file], text: 'civic' })
    const again = await drop({ files: [file], text: 'civic' })
    expect(first.title).toBe('Added a photo to civic')
    expect(again.title).toBe('Already on civic')
    expect(again.image?.sha256).toBe(first.image!.sha256)
    const gallery = await stack.command('car.photos', { car: 'civic' }, { tenant: T })
    expect(gallery.title).toBe('civic: 1 photo')
  })

  test("a photo in an issue's thread lands on the issue, and /issue show shows it", async () => {
    const opened = await stack.command(
      'issue.log',
      { car: 'corolla', title: 'Cracked windshield', severity: 'high' },
      { tenant: T },
    )
    expect(opened.ref).toBe('issue:1')
    const reply = await drop({ files: [await serve(3)], threadRef: 'issue:1', threadId: '800' })
    expect(reply.title).toBe('Added a photo to issue #1 Cracked windshield (corolla)')
    expect(reply.ref).toBe('issue:1')
    const shown = await stack.command('issue.show', { number: 1 }, { tenant: T })
    expect(shown.image?.sha256).toBe(reply.image!.sha256)
    expect(shown.fields?.find((f) => f.name === 'Photos')?.value).toBe('1')
    const byHash = await drop({ files: [await serve(4)], text: 'see #1 again' })
    expect(byHash.ref).toBe('issue:1')
  })

  test("the channel's default car, then buttons when nothing says where it goes", async () => {
    const set = await settingsInChannel(T, { photo_channel_car: 'civic' }, '701')
    expect(set.tone).toBe('ok')
    const byChannel = await drop({ files: [await serve(5)], channelId: '701' })
    expect(byChannel.title).toBe('Added a photo to civic')

    // In the bot's own thread whose car is gone since, nothing says which car: buttons.
    const unclear = await drop({
      files: [await serve(6)],
      text: 'look at this',
      channelId: '702',
      threadId: '9001',
      threadRef: 'car:sold-last-year',
    })
    expect(unclear.tone).toBe('warn')
    expect(unclear.title).toBe('Which car is this?')
    const ids = unclear.actions?.map((a) => a.id) ?? []
    expect(ids).toHaveLength(2)
    for (const id of ids) {
      expect(id.length).toBeLessThanOrEqual(100)
      expect(id).toMatch(/^photo\.file:\d+\|(corolla|civic)$/)
    }
    const corollaButton = ids.find((id) => id.endsWith('|corolla'))!
    const filed = await stack.command(
      'photo.file',
      { arg: corollaButton.slice('photo.file:'.length) },
      { tenant: T },
    )
    expect(filed.title).toBe('Filed on corolla')
    expect(filed.image?.sha256).toBe(unclear.image!.sha256)
    // The same button pressed in another garage finds nothing.
    const foreign = await stack.command(
      'photo.file',
      { arg: corollaButton.slice('photo.file:'.length) },
      { tenant: OTHER },
    )
    expect(foreign.tone).toBe('error')
    const gallery = await stack.command('car.photos', { car: 'corolla' }, { tenant: T })
    expect(gallery.image?.sha256).toBe(filed.image!.sha256)
    expect(gallery.image?.size).toBe(1024)
  })

  test('/photo add with an issue, and bad files get a clear answer', async () => {
    const added = await stack.command(
      'photo.add',
      { file: await serve(7), issue: 1 },
      { tenant: T, actor: discordActor },
    )
    expect(added.ref).toBe('issue:1')
    const elsewhere = await stack.command(
      'photo.add',
      { file: { url: 'https://evil.example.com/x.jpg', filename: 'x.jpg', size: 10 }, car: 'corolla' },
      { tenant: T, actor: discordActor },
    )
    expect(elsewhere.tone).toBe('error')
    expect(elsewhere.text).toContain("evil.example.com is not one of this platform's file hosts")
    const textPath = `/attachments/text/car.jpg`
    files.served.set(textPath, new TextEncoder().encode('just some text\n'.repeat(10)))
    const text = await drop({
      files: [{ url: files.urlOf(textPath), filename: 'car.jpg', size: 150 }],
      text: 'corolla',
    })
    expect(text.tone).toBe('error')
    expect(text.text).toContain('"car.jpg" is a text file, not a photo')
    const unknownCar = await stack.command(
      'photo.add',
      { file: await serve(8), car: 'beetle' },
      { tenant: T, actor: discordActor },
    )
    expect(unknownCar.tone).toBe('error')
    expect(unknownCar.text).toContain('no car "beetle" in this garage')
    const otherIssue = await stack.command(
      'photo.add',
      { file: await serve(9), issue: 1 },
      { tenant: OTHER, actor: discordActor },
    )
    expect(otherIssue.tone).toBe('error')
    expect(otherIssue.text).toBe('no issue #1 in this garage')
  })
})
