/**
 * A big garage exports whole: 20,000 fill-ups and 20,000 odometer readings (written straight
 * into the items database, as years of use would leave them) come out of /garage export page by
 * page, every row in the zip once and in order, and another garage's rows never. (How little
 * memory the export takes is measured by the bench's `export` part.)
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { unzipSync } from 'fflate'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { seedRecords } from '../../test/records.ts'
import { type Stack, startStack } from '../../test/stack.ts'

const GARAGE = 'local:export-big'
const OTHER = 'local:export-big-other'
const ROWS = 20_000
let stack: Stack

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'issues', 'quotes', 'images'] })
  await stack.say('/car add golf odometer:"5000 km"', GARAGE)
  await stack.say('/car add secret odometer:"5000 km"', OTHER)
  const db = new Database(join(stack.dataDir, 'items.sqlite'))
  db.exec('PRAGMA busy_timeout = 5000')
  const car = (tenant: string) => (db.query('SELECT id FROM cars WHERE tenant = ?').get(tenant) as { id: number }).id
  seedRecords(db, GARAGE, car(GARAGE), { pairs: ROWS, first: 1_000, from: '1990-01-01' })
  seedRecords(db, OTHER, car(OTHER), { pairs: 50, first: 1_000, from: '1990-01-01' })
  db.close()
}, 60_000)

afterAll(async () => {
  await stack?.close()
})

async function zipOf(reply: Reply): Promise<Record<string, Uint8Array>> {
  const res = await fetch(`${stack.url('images')}/files/${reply.file!.id}`, { headers: stack.headers(GARAGE) })
  return unzipSync(new Uint8Array(await res.arrayBuffer()))
}

test('json: every one of 20,000 fill-ups and readings arrives once, in order', async () => {
  const reply = await stack.command('garage.export', {}, { tenant: GARAGE })
  expect(reply.tone).toBe('ok')
  const zip = await zipOf(reply)
  const manifest = JSON.parse(new TextDecoder().decode(zip['manifest.json']))
  expect(manifest.counts.fuel_fillups).toBe(ROWS)
  // the car's own reading from /car add, and the seeded ones
  expect(manifest.counts.odometer_readings).toBe(ROWS + 1)
  const fills = JSON.parse(new TextDecoder().decode(zip['fuel_fillups.json'])) as { number: number; cost_minor: number }[]
  expect(fills).toHaveLength(ROWS)
  expect(fills.map((f) => f.number)).toEqual(Array.from({ length: ROWS }, (_, i) => 1_000 + i))
  expect(fills.at(-1)!.cost_minor).toBe(5000 + ROWS - 1)
  expect(new TextDecoder().decode(zip['cars.json'])).not.toContain('secret')
}, 60_000)

test('csv: the same 20,000 rows, one line each', async () => {
  const reply = await stack.command('garage.export', { format: 'csv' }, { tenant: GARAGE })
  const rows = parse(new TextDecoder().decode((await zipOf(reply))['fuel_fillups.csv']), { columns: true }) as { number: string }[]
  expect(rows).toHaveLength(ROWS)
  expect(new Set(rows.map((r) => r.number)).size).toBe(ROWS)
}, 60_000)
