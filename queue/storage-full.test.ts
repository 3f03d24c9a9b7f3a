/**
 * A service's 507 (its disk is full) reaches the user as a final answer, the storage-full text,
 * never "… is unavailable, retrying": through `unwrap` and `callService` with fake and real
 * answers.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { treaty } from '@elysiajs/eden'
import { Elysia } from 'elysia'
import {
  callService,
  edenOptions,
  STORAGE_FULL_TEXT,
  ServiceUnavailable,
  StorageFull,
  UserError,
  unwrap,
} from './handler.ts'

const fullBody = {
  error: { code: 'storage_full', message: "the items service's storage is full; nothing was saved" },
}

describe('unwrap', () => {
  test('507 is StorageFull: a final UserError with the storage-full text, not ServiceUnavailable', () => {
    let thrown: unknown
    try {
      unwrap('items', { data: null, error: { status: 507, value: fullBody }, status: 507 })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(StorageFull)
    // The orchestrator answers a UserError at once and never retries it.
    expect(thrown).toBeInstanceOf(UserError)
    expect(thrown).not.toBeInstanceOf(ServiceUnavailable)
    expect((thrown as StorageFull).message).toBe(
      "The garage's storage is full; nothing was saved. Tell whoever runs Car Manager.",
    )
    expect((thrown as StorageFull).message).toBe(STORAGE_FULL_TEXT)
    expect((thrown as StorageFull).service).toBe('items')
  })

  test('other 5xx stay ServiceUnavailable', () => {
    for (const status of [500, 502, 503, 504]) {
      expect(() => unwrap('items', { data: null, error: { status, value: {} }, status })).toThrow(
        ServiceUnavailable,
      )
    }
  })
})

describe('callService against a service answering 507', () => {
  const app = new Elysia().post('/cars', ({ set }) => {
    set.status = 507
    return fullBody
  })
  let server: ReturnType<typeof Bun.serve>
  beforeAll(() => {
    server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: (r) => app.handle(r) })
  })
  afterAll(() => server.stop(true))

  test('the Eden call throws StorageFull', async () => {
    const client = treaty<typeof app>(`http://127.0.0.1:${server.port}`, edenOptions({}))
    const call = callService('items', client.cars.post())
    await expect(call).rejects.toBeInstanceOf(StorageFull)
    await expect(callService('items', client.cars.post())).rejects.toThrow(STORAGE_FULL_TEXT)
  })
})
