/**
 * The tip of the day writes its numbers in the number format the caller sends (X-Numbers):
 * only the numbers change, the sentence's own commas and full stops stay.
 */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addDays } from '../../lib/domain/dates.ts'
import { createApp } from './app.ts'

const token = 'quotes-test-token-0123456789'
const dir = mkdtempSync(join(tmpdir(), 'cm-quote-tips-'))
const app = createApp({ dataDir: dir, token, now: () => new Date('2026-11-20T15:00:00Z') })
afterAll(async () => {
  await app.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** The tips of 60 days on `topic`, in format `numbers` (none: the default). */
async function tips(topic: string, numbers?: string): Promise<Set<string>> {
  const seen = new Set<string>()
  for (let d = 0; d < 60; d++) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-tenant': 'local:tips' }
    if (numbers) headers['x-numbers'] = numbers
    const res = await app.handle(
      new Request(`http://localhost/tip?date=${addDays('2026-01-01', d)}&topic=${topic}`, { headers }),
    )
    seen.add(((await res.json()) as { tip: { text: string } }).tip.text)
  }
  return seen
}

test("a tip's numbers are the garage's: 5.000-8.000 miles, 12,6 V; its punctuation is kept", async () => {
  const tyres = await tips('tyres', '1.234,5')
  expect(tyres).toContain(
    'Rotate tyres every 5.000-8.000 miles (8.000-13.000 km) so they wear evenly and last longer.',
  )
  const battery = await tips('battery', '1.234,5')
  expect(battery).toContain(
    'A healthy battery reads about 12,6 V with the engine off and 13,7-14,7 V with it running; outside that, have the battery or the alternator checked.',
  )
  expect(await tips('tyres')).toContain(
    'Rotate tyres every 5,000-8,000 miles (8,000-13,000 km) so they wear evenly and last longer.',
  )
})
