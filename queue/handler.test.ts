/**
 * plainJson (the treaty onResponse hook the service clients use) gives handlers exactly what
 * Eden's own parse gives with `parseDate: false`, for every kind of answer a service sends.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { treaty } from '@elysiajs/eden'
import { Elysia, t } from 'elysia'
import { plainJson } from './handler.ts'

const body = {
  id: 7,
  nickname: 'corolla',
  purchase_date: '2019-03-01',
  created_at: '2026-05-10T12:00:00.000Z',
  odometer: { value: 52_000.5, label: '52,000.5 km', read_on: '2026-05-10' },
  readings: [{ read_on: 'Mon May 11 2026 10:00:00 GMT+0000 (UTC)', text: '1e3' }],
  flags: [true, false, null],
  empty: '',
  numeric: '42',
}

const app = new Elysia()
  .get('/car', () => body)
  .get('/missing', ({ status }) =>
    status(404, { error: { code: 'not_found', message: 'no car "x"', field: 'car' } }),
  )
  .get('/text', () => new Response('plain words', { headers: { 'content-type': 'text/plain' } }))
  .get('/null', () => new Response('null', { headers: { 'content-type': 'application/json' } }))
  .get('/broken', () => new Response('{"a":', { headers: { 'content-type': 'application/json' } }))
  .post('/echo', ({ body }) => body, { body: t.Object({ n: t.Number() }) })

let server: ReturnType<typeof Bun.serve>
let url: string

beforeAll(() => {
  server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (r) => app.handle(r) })
  url = `http://127.0.0.1:${server.port}`
})

afterAll(() => server.stop(true))

const clients = () => ({
  eden: treaty<typeof app>(url, { parseDate: false }),
  hooked: treaty<typeof app>(url, { parseDate: false, onResponse: plainJson }),
})

describe('plainJson', () => {
  test('a 2xx JSON body: the same data as Eden, date-like and numeric strings left as strings', async () => {
    const { eden, hooked } = clients()
    const [a, b] = await Promise.all([eden.car.get(), hooked.car.get()])
    expect(b.status).toBe(200)
    expect(b.error).toBeNull()
    expect(b.data).toEqual(a.data as typeof body)
    expect(b.data).toEqual(body)
    expect(typeof b.data?.created_at).toBe('string')
  })

  test('a 4xx: data null and the parsed error body, as Eden gives it', async () => {
    const { eden, hooked } = clients()
    const [a, b] = await Promise.all([eden.missing.get(), hooked.missing.get()])
    expect(b.status).toBe(404)
    expect(b.data).toBeNull()
    expect(b.error?.status).toBe(404)
    expect(b.error?.value).toEqual(a.error?.value as never)
    expect(b.error?.value).toEqual({
      error: { code: 'not_found', message: 'no car "x"', field: 'car' },
    } as never)
  })

  test('a 422 from a schema refusal and a 2xx POST echo', async () => {
    const { eden, hooked } = clients()
    const bad = await hooked.echo.post({ n: 'x' as unknown as number })
    const badEden = await eden.echo.post({ n: 'x' as unknown as number })
    expect(bad.status).toBe(422)
    expect(bad.data).toBeNull()
    expect(bad.error?.value).toEqual(badEden.error?.value as never)
    const ok = await hooked.echo.post({ n: 3 })
    expect(ok.data).toEqual({ n: 3 })
  })

  test('other content types and a null body fall through to Eden', async () => {
    const { eden, hooked } = clients()
    expect((await hooked.text.get()).data as unknown).toEqual((await eden.text.get()).data as unknown)
    expect((await hooked.text.get()).data as unknown).toBe('plain words')
    const n = await hooked.null.get()
    expect(n.data).toBeNull()
    expect(n.error).toBeNull()
  })

  test('a malformed JSON body fails the call as it did without the hook', async () => {
    const { eden, hooked } = clients()
    await expect(eden.broken.get()).rejects.toThrow()
    await expect(hooked.broken.get()).rejects.toThrow()
  })
})
