/**
 * Bounded photo intake through the queue: a photo dropped where no rule files it is not
 * downloaded (the file host records every request), /photo remove by number or code prefix,
 * and /car remove taking the car's photos (and its issues' photos) with it.
 */
import { commandJobId } from '../../lib/contracts/queues.ts'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { type FileHost, startFileHost } from '../../test/file-host.ts'
import { startStack, type Stack } from '../../test/stack.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'

let stack: Stack
let files: FileHost
const T = 'discord:300400500'
const OTHER = 'discord:300400501'
const actor = { platform: 'discord' as const, userId: '42', name: 'Ann' }

beforeAll(async () => {
  files = startFileHost()
  stack = await startStack({
    // quotes too: /car remove asks every service what goes with the car.
    services: ['items', 'issues', 'images', 'quotes'],
    env: { DISCORD_FILE_HOSTS: files.host },
  })
  for (const tenant of [T, OTHER]) {
    for (const nickname of ['corolla', 'civic']) {
      expect((await stack.command('car.add', { nickname }, { tenant })).tone).toBe('ok')
    }
  }
})
afterAll(async () => {
  await stack?.close()
  files?.stop()
})

let seq = 0
async function serve(seed: number) {
  const path = `/attachments/${++seq}/IMG_${seed}.jpg`
  files.served.set(path, await makeJpeg(320, 240, { seed }))
  return {
    path,
    file: {
      url: files.urlOf(path),
      filename: `IMG_${seed}.jpg`,
      size: files.served.get(path)!.byteLength,
    },
  }
}

const drop = (payload: Record<string, unknown>, tenant = T) =>
  stack.command('photo.attach', { text: '', channelId: '800', ...payload }, { tenant, actor })

const gallery = async (tenant: string, query = '') => {
  const res = await fetch(`${stack.url('images')}/images${query}`, { headers: stack.headers(tenant) })
  return (await res.json()) as { photos: { id: number; sha256: string; car: string | null }[]; total: number }
}

/** The command job of an envelope once it has completed. */
async function waitForJob(envelopeId: string) {
  const deadline = Date.now() + 10_000
  for (;;) {
    const job = await stack.dispatcher.queue.getJob(commandJobId(envelopeId))
    if (job && (await job.isCompleted())) return job
    if (Date.now() > deadline) throw new Error(`job ${envelopeId} did not complete`)
    await Bun.sleep(20)
  }
}

const numberOf = (reply: Reply) => Number(reply.fields?.find((f) => f.name === 'Photo')?.value)

describe('photo intake is bounded', () => {
  test('a photo in an unrelated channel with no car or issue named is not downloaded nor stored', async () => {
    const before = (await gallery(T)).total
    const { path, file } = await serve(101)
    const id = await stack.dispatch(
      'photo.attach',
      { files: [file], text: 'my holiday, look', channelId: '801' },
      { tenant: T, actor },
    )
    // Nobody waits on an answer to a drop: the job ends without one (nothing posted in the channel).
    const job = await waitForJob(id)
    expect(job.returnvalue).toEqual({ outcome: 'silent' })
    expect(stack.repliesTo(id)).toEqual([])
    expect(files.requests).not.toContain(path)
    expect((await gallery(T)).total).toBe(before)
  })

  test("taken: a car named beside it, the bot's thread, the channel's default car", async () => {
    const named = await serve(102)
    expect((await drop({ files: [named.file], text: 'civic dent' })).title).toBe('Added a photo to civic')
    expect(files.requests).toContain(named.path)

    const threaded = await serve(103)
    const inThread = await drop({ files: [threaded.file], threadId: '5', threadRef: 'car:corolla' })
    expect(inThread.title).toBe('Added a photo to corolla')
    expect(files.requests).toContain(threaded.path)

    const set = await stack.dispatch(
      'garage.settings',
      { photo_channel_car: 'civic' },
      { tenant: T, replyTo: { platform: 'discord', channelId: '802' } },
    )
    expect((await stack.platformReply('discord', set)).tone).toBe('ok')
    const inChannel = await serve(104)
    expect((await drop({ files: [inChannel.file], channelId: '802' })).title).toBe('Added a photo to civic')
    expect(files.requests).toContain(inChannel.path)
  })
})

describe('/photo remove', () => {
  test('by number: the link goes, then the files once no garage links the photo', async () => {
    const { file } = await serve(110)
    const added = await drop({ files: [file], text: 'corolla' })
    const id = numberOf(added)
    expect(id).toBeGreaterThan(0)
    const sha = added.image!.sha256
    // The same bytes in another garage: removing ours leaves theirs and the files.
    const theirs = await drop({ files: [file], text: 'corolla' }, OTHER)
    expect(theirs.tone).toBe('ok')

    const removed = await stack.command('photo.remove', { photo: String(id) }, { tenant: T })
    expect(removed.tone).toBe('ok')
    expect(removed.title).toBe(`Removed photo ${id}`)
    expect(removed.text).toBe('IMG_110.jpg is no longer part of corolla.')
    expect((await gallery(T)).photos.some((p) => p.sha256 === sha)).toBe(false)
    const stillTheirs = await fetch(`${stack.url('images')}/images/${sha}/256`, {
      headers: stack.headers(OTHER),
    })
    expect(stillTheirs.status).toBe(200)

    const again = await stack.command('photo.remove', { photo: String(id) }, { tenant: T })
    expect(again.tone).toBe('error')
    expect(again.text).toBe(`no photo ${id} in this garage`)

    // Another garage cannot remove ours, nor see that it exists.
    const foreignId = numberOf(theirs)
    const foreign = await stack.command('photo.remove', { photo: String(foreignId) }, { tenant: T })
    expect(foreign.text).toBe(`no photo ${foreignId} in this garage`)

    const byCode = await stack.command('photo.remove', { photo: sha.slice(0, 8) }, { tenant: OTHER })
    expect(byCode.text).toBe('IMG_110.jpg is no longer part of corolla. Its file is deleted.')
    const gone = await fetch(`${stack.url('images')}/images/${sha}/256`, { headers: stack.headers(OTHER) })
    expect(gone.status).toBe(404)
  })

  test('a value that is neither a number nor a code is answered, nothing sent', async () => {
    const r = await stack.command('photo.remove', { photo: 'the red one' }, { tenant: T })
    expect(r.tone).toBe('error')
    expect(r.text).toContain("photo: give the photo's number")
  })
})

describe('/car remove', () => {
  test("removing a car removes its photos and its issues' photos", async () => {
    const tenant = 'discord:300400502'
    expect((await stack.command('car.add', { nickname: 'golf' }, { tenant })).tone).toBe('ok')
    const a = await drop({ files: [(await serve(120)).file], text: 'golf' }, tenant)
    const b = await drop({ files: [(await serve(121)).file], text: 'golf' }, tenant)
    expect([a.tone, b.tone]).toEqual(['ok', 'ok'])
    expect((await stack.command('issue.log', { car: 'golf', title: 'Rattle' }, { tenant })).tone).toBe('ok')
    const onIssue = await drop({ files: [(await serve(122)).file], text: '#1 the rattle' }, tenant)
    expect(onIssue.title).toBe('Added a photo to issue #1 Rattle (golf)')
    expect((await gallery(tenant)).total).toBe(3)

    const preview = await stack.command('car.remove', { car: 'golf' }, { tenant })
    expect(preview.tone).toBe('warn')
    expect(preview.text).toContain('• photos: 3 photos')
    expect((await gallery(tenant)).total).toBe(3)

    const removed = await stack.command('car.remove', { car: 'golf', confirm: true }, { tenant })
    expect(removed.tone).toBe('ok')
    expect(removed.text).toContain('• issues: 1 issue (#1)\n')
    expect(removed.text).toContain('• photos: 3 photos')
    expect((await gallery(tenant)).total).toBe(0)
    const thumb = await fetch(`${stack.url('images')}/images/${a.image!.sha256}/256`, {
      headers: stack.headers(tenant),
    })
    expect(thumb.status).toBe(404)
  })
})
