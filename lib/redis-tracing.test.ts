import { expect, test } from 'bun:test'
import diagnostics from 'node:diagnostics_channel'
import './redis.ts'

test('a tracing channel says whether anyone listens, so ioredis traces commands only for a subscriber', () => {
  const channel = diagnostics.tracingChannel('car-manager:test')
  expect(channel.hasSubscribers).toBe(false)
  const handlers = { asyncEnd() {} }
  channel.subscribe(handlers)
  expect(channel.hasSubscribers).toBe(true)
  channel.unsubscribe(handlers)
  expect(channel.hasSubscribers).toBe(false)
})
