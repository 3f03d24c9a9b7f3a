/**
 * The API process's parts without the rest of the stack: the calendar text (escaping, folding
 * at 75 octets, CRLF, read back by ical.js), quantities read per number format, each key's
 * token bucket (429 with Retry-After, then through again), keys and feeds kept only as digests
 * (the SQLite file and its idempotency answers hold no usable key, yet a retried create answers
 * the same key), and the logs carrying no key or feed token.
 */
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ICAL from 'ical.js'
import { parseConfig } from '../../lib/config.ts'
import { InvalidValue } from '../../lib/domain/invalid.ts'
import { createLogger } from '../../lib/log.ts'
import { createApp } from './app.ts'
import { escapeText, fold, icsOf } from './calendar.ts'
import { KeyBuckets } from './rate.ts'
import { readDistance, readVolume } from './values.ts'

const TOKEN = 'api-parts-service-token-0123456789'
const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('the calendar text', () => {
  test('escapes, folds at 75 octets without splitting a character, ends lines in CRLF; ical.js reads it back', () => {
    expect(escapeText('a, b; c\\d\ne')).toBe('a\\, b\\; c\\\\d\\ne')
    const long = `SUMMARY:${'é'.repeat(60)}`
    const folded = fold(long)
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75)
    expect(folded.replace(/\r\n /g, '')).toBe(long)
    const text = icsOf(
      'Car Manager',
      [
        { uid: 'item-1@g.car-manager', date: '2026-06-01', summary: 'golf: Oil change, filter; due', description: `long ${'x'.repeat(200)}\nsecond line` },
      ],
      new Date('2026-05-10T12:00:00Z'),
    )
    expect(text.endsWith('\r\n')).toBe(true)
    expect(text.replace(/\r\n/g, '')).not.toContain('\n')
    const cal = new ICAL.Component(ICAL.parse(text))
    const event = new ICAL.Event(cal.getFirstSubcomponent('vevent')!)
    expect(event.summary).toBe('golf: Oil change, filter; due')
    expect(event.description).toBe(`long ${'x'.repeat(200)}\nsecond line`)
    expect(event.startDate.toString()).toBe('2026-06-01')
    expect(event.startDate.isDate).toBe(true)
    expect(event.endDate.toString()).toBe('2026-06-02')
    expect(event.uid).toBe('item-1@g.car-manager')
    expect(cal.getFirstSubcomponent('vevent')!.getFirstPropertyValue('dtstamp')!.toString()).toBe('2026-05-10T12:00:00Z')
  })
})

describe('quantities as the chat reads them', () => {
  test('a two-way number is taken only where the garage format settles it', () => {
    expect(readDistance('odometer', '52,000 mi', '1,234.5')).toEqual({ value: 52_000, unit: 'mi', text: '52,000 mi' })
    expect(readDistance('odometer', '83.000 km', '1.234,5').value).toBe(83_000)
    expect(readDistance('odometer', '83 000 km', '1,234.5').value).toBe(83_000)
    expect(() => readDistance('odometer', '83.000', '1,234.5')).toThrow(InvalidValue)
    expect(() => readDistance('odometer', '83,000', '1.234,5')).toThrow(/reads two ways/)
    expect(readDistance('odometer', 52_900, '1.234,5')).toEqual({ value: 52_900, unit: null, text: '52.900' })
    expect(readVolume('volume', '11,2 L', '1.234,5')).toEqual({ value: 11.2, unit: 'L', text: '11,2 L' })
    expect(() => readVolume('volume', '0 L', '1,234.5')).toThrow(/nothing/)
    try {
      readDistance('odometer', '5 furlongs', '1,234.5')
      throw new Error('not refused')
    } catch (e) {
      expect((e as InvalidValue).field).toBe('odometer')
    }
  })
})

describe('rate limit', () => {
  test('a bucket lets `burst` through, then says how long to wait, and refills evenly', () => {
    let now = 0
    const buckets = new KeyBuckets(60, 3, () => now)
    expect([buckets.take(1), buckets.take(1), buckets.take(1)]).toEqual([0, 0, 0])
    expect(buckets.take(1)).toBe(1)
    expect(buckets.take(2)).toBe(0) // another key has its own bucket
    now += 1000
    expect(buckets.take(1)).toBe(0)
    expect(buckets.take(1)).toBeGreaterThan(0)
  })
})

async function boot(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cm-api-parts-'))
  dirs.push(dataDir)
  const lines: string[] = []
  const log = createLogger('api', 'trace', { write: (l) => void lines.push(l) })
  // The peers answer an empty object: the keys need no peer, and a feed's code meets a broken answer (logged).
  const empty = () => Response.json({})
  const app = createApp({
    dataDir,
    token: TOKEN,
    config: parseConfig(env),
    log,
    peers: { items: empty, issues: empty },
  })
  const internal = (method: string, path: string, body: unknown, key = 'k-1') =>
    app.handle(
      new Request(`http://localhost${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'x-tenant': 'local:parts', 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      }),
    )
  return { app, dataDir, lines, internal }
}

describe('keys and feeds at rest', () => {
  test('only digests are stored; a retried create answers the same key; a key over its rate is 429', async () => {
    const { app, dataDir, lines, internal } = await boot({ API_RATE_PER_MINUTE: '1', API_RATE_BURST: '2' })
    const first = (await (await internal('POST', '/keys', { name: 'ha', role: 'viewer', created_by: 'Ann' })).json()) as { key: string }
    const again = (await (await internal('POST', '/keys', { name: 'ha', role: 'viewer', created_by: 'Ann' })).json()) as { key: string }
    expect(first.key).toStartWith('cmk_')
    expect(again.key).toBe(first.key)
    const feed = (await (await internal('POST', '/calendars', { user_id: 'ann', mine: true }, 'k-2')).json()) as { token: string }
    expect(feed.token).toStartWith('cal_')
    const list = await (await app.handle(new Request('http://localhost/keys', { headers: { authorization: `Bearer ${TOKEN}`, 'x-tenant': 'local:parts' } }))).text()
    expect(list).toContain('"name":"ha"')
    expect(list).not.toContain(first.key)
    const get = () => app.handle(new Request('http://localhost/api/v1/cars', { headers: { authorization: `Bearer ${first.key}` } }))
    // the key is let through twice, then refused by its bucket
    expect((await get()).status).toBe(200)
    expect((await get()).status).toBe(200)
    const limited = await get()
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited')
    // the feed meets an answer without its member's cars: a 500, logged without the token
    expect((await app.handle(new Request(`http://localhost/api/v1/calendar/${feed.token}.ics`))).status).toBe(500)
    expect(lines.some((l) => l.includes('/api/v1/calendar/[redacted]'))).toBe(true)
    await app.stop()
    const stored = readdirSync(dataDir)
      .filter((f) => f.startsWith('api.sqlite'))
      .map((f) => readFileSync(join(dataDir, f)).toString('latin1'))
      .join('')
    expect(stored.length).toBeGreaterThan(0)
    for (const secret of [first.key, feed.token, first.key.slice(4), feed.token.slice(4)]) expect(stored).not.toContain(secret)
    const logged = lines.join('\n')
    for (const secret of [first.key, feed.token, feed.token.slice(4)]) expect(logged).not.toContain(secret)
  })
})
