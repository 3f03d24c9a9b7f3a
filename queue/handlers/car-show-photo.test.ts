import { afterAll, beforeAll, expect, test } from 'bun:test'
import { bullPrefix } from '../../lib/contracts/queues.ts'
import { workerConnection } from '../../lib/redis.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { type FileHost, startFileHost } from '../../test/file-host.ts'
import { startStack, type Stack } from '../../test/stack.ts'
import { jobStamps } from '../stamps.ts'

let stack: Stack
let files: FileHost
beforeAll(async () => {
  files = startFileHost()
  stack = await startStack({ services: ['items', 'issues', 'images'], env: { DISCORD_FILE_HOSTS: files.host } })
})
afterAll(async () => {
  await stack?.close()
  files?.stop()
})

const actor = { platform: 'discord' as const, userId: '42', name: 'Ann' }
let seq = 0
/** A photo dropped in a channel with the car's name beside it, as the Discord bot sends it. */
async function drop(tenant: string, car: string, seed: number) {
  const path = `/attachments/${++seq}/IMG_${seed}.jpg`
  files.served.set(path, await makeJpeg(320, 240, { seed }))
  const reply = await stack.command(
    'photo.attach',
    { text: car, channelId: '700', files: [{ url: files.urlOf(path), filename: `IMG_${seed}.jpg`, size: files.served.get(path)!.byteLength }] },
    { tenant, actor },
  )
  expect(reply.tone).toBe('ok')
  return reply.image!.sha256
}

test('/car show shows the newest photo of the car, and still answers when the photo service is down', async () => {
  const tenant = 'discord:700100'
  expect((await stack.command('car.add', { nickname: 'corolla' }, { tenant })).tone).toBe('ok')

  const noPhoto = await stack.command('car.show', { car: 'corolla' }, { tenant })
  expect(noPhoto.image).toBeUndefined()

  // Asked once without a photo, then photos come: the answer is not the one kept from before.
  await drop(tenant, 'corolla', 1)
  const newest = await drop(tenant, 'corolla', 2)
  const shown = await stack.command('car.show', { car: 'corolla' }, { tenant })
  expect(shown.image?.sha256).toBe(newest)
  expect(shown.image?.size).toBe(256)

  // Another garage's car of the same name shows no photo of this one.
  await stack.command('car.add', { nickname: 'corolla' }, { tenant: 'discord:700200' })
  const other = await stack.command('car.show', { car: 'corolla' }, { tenant: 'discord:700200' })
  expect(other.image).toBeUndefined()

  // The newest photo removed, the one before it is the car's photo again.
  const removed = await stack.command('photo.remove', { photo: newest.slice(0, 8) }, { tenant })
  expect(removed.tone).toBe('ok')
  const older = await stack.command('car.show', { car: 'corolla' }, { tenant })
  expect(older.image?.sha256).not.toBe(newest)
  expect(older.image?.sha256).toBeDefined()

  await stack.stopService('images')
  const withoutImages = await stack.command('car.show', { car: 'corolla' }, { tenant })
  expect(withoutImages.tone).toBe('ok')
  await stack.startService('images')
}, 30_000)

test("a car's photo kept by a worker is asked for again once another worker's job renews the garage's stamp", async () => {
  const tenant = 'discord:700300'
  expect((await stack.command('car.add', { nickname: 'golf' }, { tenant })).tone).toBe('ok')
  const first = await drop(tenant, 'golf', 11)
  expect((await stack.command('car.show', { car: 'golf' }, { tenant })).image?.sha256).toBe(first)

  // A photo stored without passing through a worker's images client (nothing in the product
  // does this) is not seen while the garage's stamp stands: the answer comes from the cache.
  const bytes = await makeJpeg(320, 240, { seed: 12 })
  const cars = (await (await fetch(`${stack.url('items')}/cars`, { headers: stack.headers(tenant) })).json()) as {
    cars: { id: number }[]
  }
  const up = await fetch(`${stack.url('images')}/images?car_id=${cars.cars[0]!.id}&car=golf&uploader=u1`, {
    method: 'POST',
    headers: { ...stack.headers(tenant), 'content-type': 'application/octet-stream', 'idempotency-key': 'direct-12' },
    body: bytes,
  })
  expect(up.status).toBeLessThan(300)
  const direct = ((await up.json()) as { photo: { sha256: string } }).photo.sha256
  expect((await stack.command('car.show', { car: 'golf' }, { tenant })).image?.sha256).toBe(first)

  // Another worker process's job that touched the garage's photos renews the stamp in Redis,
  // the only state two workers share: this worker then asks the images service again.
  const redis = workerConnection(stack.config.REDIS_URL!)
  try {
    const elsewhere = jobStamps(redis, bullPrefix(stack.config.QUEUE_PREFIX), tenant)
    elsewhere.touch('photos')
    await elsewhere.renew()
  } finally {
    redis.disconnect()
  }
  expect((await stack.command('car.show', { car: 'golf' }, { tenant })).image?.sha256).toBe(direct)
}, 30_000)
