import { describe, expect, test } from 'bun:test'
import { cleanUpAfterAll, Garage, request } from '../testing.ts'

cleanUpAfterAll()

const hook = { url: 'https://hooks.example.com/car', events: ['record.created', 'issue.opened'], channel: 'C1' }
const outcome = (number: number, event: string, attempt: number, ok: boolean) => ({
  number,
  event_id: event,
  event_type: 'record.created',
  attempt,
  ok,
  ...(ok ? { http_status: 200 } : { http_status: 500, error: 'HTTP 500' }),
  pause_after_hours: 72,
})

describe('webhooks', () => {
  test('added with a secret given once, listed without it, numbered per garage, removed; another garage sees none', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    const added = await request(g.app, 'POST', '/webhooks', { body: hook, headers: { 'x-actor': 'local:1 Ann', 'idempotency-key': 'k1' } })
    expect(added.status).toBe(201)
    expect(added.body.secret).toMatch(/^whsec_[0-9a-f]{64}$/)
    expect(added.body.webhook).toMatchObject({ number: 1, url: hook.url, events: hook.events, status: 'active', created_by: 'Ann' })
    // the same key answers the same webhook, not a second one
    const again = await request(g.app, 'POST', '/webhooks', { body: hook, headers: { 'idempotency-key': 'k1' } })
    expect(again.body.webhook.number).toBe(1)
    expect(g.count('webhooks')).toBe(1)
    const list = await g.ok('GET', '/webhooks')
    expect(list.webhooks).toHaveLength(1)
    expect(JSON.stringify(list)).not.toContain(added.body.secret)
    expect((await g.ok('GET', '/webhooks', undefined, 'local:b')).webhooks).toEqual([])
    expect((await g.call('POST', '/webhooks/remove', { number: 1 }, 'local:b')).status).toBe(404)
    expect((await g.call('GET', '/webhooks/target?number=1&event=e1', undefined, 'local:b')).status).toBe(404)
    const all = await g.ok('POST', '/webhooks', { url: 'https://b.example.com/', events: ['all'] })
    expect(all.webhook.number).toBe(2)
    expect((await g.ok('GET', '/webhooks/active')).webhooks).toEqual([
      { number: 1, events: ['record.created', 'issue.opened'] },
      { number: 2, events: ['record.created', 'record.changed', 'reminder.urgency_changed', 'issue.opened', 'issue.closed'] },
    ])
    await g.ok('POST', '/webhooks/remove', { number: 1 })
    expect((await g.ok('GET', '/webhooks')).webhooks.map((w: { number: number }) => w.number)).toEqual([2])
    expect((await g.call('POST', '/webhooks/remove', { number: 1 })).status).toBe(404)
    // a number is never given twice
    expect((await g.ok('POST', '/webhooks', hook)).webhook.number).toBe(3)
  })

  test('a bad address or event is a 422 and stores nothing; the same address twice is refused', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    expect((await g.call('POST', '/webhooks', { url: 'ftp://x.example.com/a', events: ['all'] })).status).toBe(422)
    expect((await g.call('POST', '/webhooks', { url: 'https://x.example.com/a', events: ['record.deleted'] })).status).toBe(422)
    expect((await g.call('POST', '/webhooks', { url: 'https://x.example.com/a', events: [] })).status).toBe(422)
    expect(g.count('webhooks')).toBe(0)
    await g.ok('POST', '/webhooks', hook)
    const twice = await g.call('POST', '/webhooks', hook)
    expect(twice.status).toBe(422)
    expect(twice.body.error.message).toContain('#1')
    expect(g.count('webhooks')).toBe(1)
  })

  test('outcomes are logged once per attempt; a streak of failures for 72 hours pauses it once; a success clears it', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.ok('POST', '/webhooks', hook)
    expect((await g.ok('GET', '/webhooks/target?number=1&event=e1')).delivered).toBe(false)
    expect(await g.ok('POST', '/webhooks/outcome', outcome(1, 'e1', 1, false))).toMatchObject({ status: 'active', paused_now: false })
    await g.ok('POST', '/webhooks/outcome', outcome(1, 'e1', 1, false))
    expect(g.count('webhook_deliveries')).toBe(1)
    await g.ok('POST', '/webhooks/outcome', outcome(1, 'e1', 2, true))
    expect((await g.ok('GET', '/webhooks/target?number=1&event=e1')).delivered).toBe(true)
    expect((await g.ok('GET', '/webhooks')).webhooks[0]).toMatchObject({ failures: 0, failing_since: null })
    const log = await g.ok('GET', '/webhooks/log?number=1')
    expect(log.deliveries.map((d: { attempt: number; ok: boolean }) => [d.attempt, d.ok])).toEqual([[2, true], [1, false]])

    await g.ok('POST', '/webhooks/outcome', outcome(1, 'e2', 1, false))
    g.at('2026-05-04T16:00:00Z') // 71 hours on
    expect((await g.ok('POST', '/webhooks/outcome', outcome(1, 'e3', 1, false))).paused_now).toBe(false)
    g.at('2026-05-04T17:00:00Z')
    const paused = await g.ok('POST', '/webhooks/outcome', outcome(1, 'e4', 1, false))
    expect(paused).toMatchObject({ status: 'paused', paused_now: true, failing_since: '2026-05-01T17:00:00.000Z', notify_channel: 'C1' })
    expect((await g.ok('POST', '/webhooks/outcome', outcome(1, 'e5', 1, false))).paused_now).toBe(false)
    expect((await g.ok('GET', '/webhooks/active')).webhooks).toEqual([])
    expect((await g.ok('GET', '/webhooks')).webhooks[0]).toMatchObject({ status: 'paused', failures: 4 })
    const resumed = await g.ok('POST', '/webhooks/resume', { number: 1 })
    expect(resumed).toMatchObject({ status: 'active', failures: 0, failing_since: null })
  })

  test('deleting the garage deletes its webhooks and their log', async () => {
    const g = new Garage('2026-05-01T17:00:00Z')
    await g.ok('POST', '/webhooks', hook)
    await g.ok('POST', '/webhooks', { ...hook, url: 'https://other.example.com/' }, 'local:b')
    await g.ok('POST', '/webhooks/outcome', outcome(1, 'e1', 1, true))
    const deleted = await request(g.app, 'DELETE', '/tenant', { headers: { 'idempotency-key': 'del-1' } })
    expect(deleted.status).toBe(200)
    expect(deleted.body.kinds).toContainEqual({ kind: 'webhooks', count: 1 })
    expect(g.count('webhooks', "tenant = 'local:a'")).toBe(0)
    expect(g.count('webhook_deliveries', "tenant = 'local:a'")).toBe(0)
    expect(g.count('webhooks', "tenant = 'local:b'")).toBe(1)
  })
})
