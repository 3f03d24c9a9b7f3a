import { afterAll, beforeAll, expect, test } from 'bun:test'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { startStack, type Stack } from '../../test/stack.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ services: ['items', 'images'] })
})
afterAll(async () => {
  await stack.close()
})

test('/car show shows the newest photo of the car, and still answers when the photo service is down', async () => {
  const tenant = 'local:showphoto'
  const added = await stack.command('car.add', { nickname: 'corolla' }, { tenant })
  expect(added.tone).toBe('ok')
  const cars = (await (await fetch(`${stack.url('items')}/cars`, { headers: stack.headers(tenant) })).json()) as {
    cars: { id: number }[]
  }
  const carId = cars.cars[0]!.id

  const noPhoto = await stack.command('car.show', { car: 'corolla' }, { tenant })
  expect(noPhoto.image).toBeUndefined()

  const upload = async (seed: number) => {
    const r = await fetch(`${stack.url('images')}/images?car_id=${carId}&car=corolla&uploader=u1`, {
      method: 'POST',
      headers: { ...stack.headers(tenant), 'content-type': 'application/octet-stream', 'idempotency-key': `up-${seed}` },
      body: await makeJpeg(320, 240, { seed }),
    })
    expect(r.status).toBeLessThan(300)
    return ((await r.json()) as { photo: { sha256: string } }).photo.sha256
  }
  await upload(1)
  await Bun.sleep(20)
  const newest = await upload(2)

  const shown = await stack.command('car.show', { car: 'corolla' }, { tenant })
  expect(shown.image?.sha256).toBe(newest)
  expect(shown.image?.size).toBe(256)

  // Another garage's car of the same name shows no photo of this one.
  await stack.command('car.add', { nickname: 'corolla' }, { tenant: 'local:other' })
  const other = await stack.command('car.show', { car: 'corolla' }, { tenant: 'local:other' })
  expect(other.image).toBeUndefined()

  await stack.stopService('images')
  const withoutImages = await stack.command('car.show', { car: 'corolla' }, { tenant })
  expect(withoutImages.tone).toBe('ok')
  expect(withoutImages.image).toBeUndefined()
}, 30_000)
