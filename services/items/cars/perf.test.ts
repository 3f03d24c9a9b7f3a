/**
 * The car read and list routes stay cheap (bench: `bun run bench --only=http`): the statements
 * each route runs, their query plans (an index range each, no sort, no scan), and that the
 * shortcuts (reading_count kept by triggers, the current odometer from the top of an index)
 * answer what the plain definitions over odometer_readings answer, whatever readings arrive.
 */
import { Database, type Statement } from 'bun:sqlite'
import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { migrate } from '../../lib/db.ts'
import type { ItemsApp } from '../app.ts'
import { migrations } from '../migrations.ts'
import { READING_SQL } from '../readings/sql.ts'
import { boot, cleanUpAfterAll, request } from '../testing.ts'
import { CAR_SQL } from './sql.ts'

const TENANT = 'local:perf'
let clock = new Date('2026-05-10T12:00:00Z')
let app: ItemsApp

const fresh = (dir?: string): ItemsApp => boot(() => clock, dir).app

async function call(method: string, path: string, body?: unknown, on: ItemsApp = app) {
  return request(on, method, path, { tenant: TENANT, body })
}

const db = (a: ItemsApp = app) => a.decorator.db

/** A garage like the bench's: three cars, corolla with 60 readings after the one it was added with. */
async function seed() {
  for (const nickname of ['corolla', 'civic', 'golf']) {
    const res = await call('POST', '/cars', { nickname, odometer: { value: 52_000, unit: 'km' } })
    expect(res.status).toBe(201)
  }
  for (let i = 1; i <= 60; i++) {
    const res = await call('POST', '/cars/corolla/readings', { reading: { value: 52_000 + i * 1_200 } })
    expect(res.status).toBe(201)
  }
}

beforeEach(() => {
  clock = new Date('2026-05-10T12:00:00Z')
  app = fresh()
})
afterEach(async () => {
  await app.stop()
})
cleanUpAfterAll()

describe('statements per request', () => {
  /**
   * Logs the SQL of every statement run on this database from now on, while `logging.on`
   * (statements are wrapped as they are prepared; bun:sqlite gives each its own methods).
   */
  function statementLog(d: Database) {
    const logging = { on: false, sql: [] as string[] }
    const wrapped = new WeakSet<Statement>()
    const wrap = (statement: Statement, sql: string) => {
      if (wrapped.has(statement)) return statement
      wrapped.add(statement)
      const methods = statement as unknown as Record<string, (...args: unknown[]) => unknown>
      for (const name of ['get', 'all', 'values', 'run', 'iterate']) {
        const original = methods[name]!.bind(statement)
        methods[name] = (...args: unknown[]) => {
          if (logging.on) logging.sql.push(sql.trim().split(/\s+/).slice(0, 3).join(' '))
          return original(...args)
        }
      }
      return statement
    }
    const prepare = d.prepare.bind(d)
    const query = d.query.bind(d)
    d.prepare = ((sql: string, ...rest: never[]) => wrap(prepare(sql, ...rest), sql)) as typeof d.prepare
    d.query = ((sql: string) => wrap(query(sql), sql)) as typeof d.query
    return async (run: () => Promise<unknown>): Promise<string[]> => {
      logging.sql = []
      logging.on = true
      try {
        await run()
      } finally {
        logging.on = false
      }
      return logging.sql
    }
  }

  test('GET /cars is one statement; GET /cars/:car two reads in one transaction', async () => {
    const executed = statementLog(db())
    await seed()
    const list = await executed(async () => expect((await call('GET', '/cars')).status).toBe(200))
    expect(list).toEqual(['SELECT c.id, c.nickname,'])
    const read = await executed(async () => expect((await call('GET', '/cars/corolla')).status).toBe(200))
    expect(read).toEqual(['BEGIN', 'SELECT c.id, c.nickname,', 'SELECT id, value,', 'COMMIT'])
    const prefix = await executed(async () => expect((await call('GET', '/cars?q=co')).status).toBe(200))
    expect(prefix).toHaveLength(1)
  })
})

describe('query plans', () => {
  function plan(sql: string, ...args: (string | number)[]): string[] {
    return (
      db()
        .query(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...args) as { detail: string }[]
    ).map((r) => r.detail)
  }
  /** No sort, no full scan, no automatic index: each table reached through an index. */
  function expectIndexed(lines: string[]) {
    for (const line of lines) {
      expect(line).not.toMatch(/TEMP B-TREE|^SCAN|AUTOMATIC/)
    }
  }

  test('the car read: the car by its key, the current reading from the top of (car_id, value, read_on)', async () => {
    await seed()
    const detail = plan(CAR_SQL.detailByName, TENANT, 'corolla')
    expectIndexed(detail)
    expect(detail).toContain('SEARCH c USING INDEX sqlite_autoindex_cars_1 (tenant=? AND nickname_key=?)')
    expect(detail).toContain(
      'SEARCH odometer_readings USING COVERING INDEX odometer_readings_car_top (car_id=?)',
    )
    expect(detail).toContain('SEARCH o USING INTEGER PRIMARY KEY (rowid=?) LEFT-JOIN')
    const byId = plan(CAR_SQL.detailById, TENANT, 1)
    expectIndexed(byId)
    expect(byId).toContain('SEARCH c USING INTEGER PRIMARY KEY (rowid=?)')
  })

  test('the latest readings: one range of the covering date index, no table lookup', async () => {
    await seed()
    const lines = plan(CAR_SQL.latestReadings, 1, TENANT)
    expectIndexed(lines)
    expect(lines).toEqual([
      'SEARCH odometer_readings USING COVERING INDEX odometer_readings_car_history (car_id=?)',
    ])
  })

  test('the list and the autocomplete: a range of (tenant, nickname_key), one index step per car', async () => {
    await seed()
    for (const lines of [
      plan(CAR_SQL.list, TENANT),
      plan(CAR_SQL.listByPrefix, TENANT, 'co', 'co\u{10FFFF}'),
    ]) {
      expectIndexed(lines)
      expect(lines[0]).toMatch(/^SEARCH c USING INDEX sqlite_autoindex_cars_1 \(tenant=\?/)
      expect(lines).toContain(
        'SEARCH odometer_readings USING COVERING INDEX odometer_readings_car_top (car_id=?)',
      )
    }
    expect(plan(CAR_SQL.listByPrefix, TENANT, 'co', 'co\u{10FFFF}')[0]).toBe(
      'SEARCH c USING INDEX sqlite_autoindex_cars_1 (tenant=? AND nickname_key>? AND nickname_key<?)',
    )
  })

  test("a new reading's checks and a correction's deletes: index ranges, never every reading", async () => {
    await seed()
    expect(plan(READING_SQL.prior, 1, TENANT, '2026-05-10')).toEqual([
      'SEARCH odometer_readings USING INDEX odometer_readings_car_top (car_id=?)',
    ])
    const later = plan(READING_SQL.later, 1, TENANT, '2026-05-10')
    // a sort of the readings after the date only (usually none)
    expect(later[0]).toBe(
      'SEARCH odometer_readings USING COVERING INDEX odometer_readings_car_history (car_id=? AND read_on>?)',
    )
    expect(plan(READING_SQL.removeHigherBefore, 1, TENANT, 60_000, '2026-05-10')).toEqual([
      'SEARCH odometer_readings USING INDEX odometer_readings_car_top (car_id=? AND value>?)',
    ])
    expect(plan(READING_SQL.removeLowerAfter, 1, TENANT, '2026-05-10', 60_000)).toEqual([
      'SEARCH odometer_readings USING COVERING INDEX odometer_readings_car_history (car_id=? AND read_on>?)',
    ])
  })
})

describe('the shortcuts answer what the plain definitions answer', () => {
  /** The car as the plain queries define it, straight from the table (no index shortcuts). */
  function plain(carId: number) {
    const d = db()
    const count = (
      d.query('SELECT count(*) AS n FROM odometer_readings NOT INDEXED WHERE car_id = ?').get(carId) as {
        n: number
      }
    ).n
    const current = d
      .query(
        'SELECT id FROM odometer_readings NOT INDEXED WHERE car_id = ? ORDER BY value DESC, read_on DESC, id DESC LIMIT 1',
      )
      .get(carId) as { id: number } | null
    const latest = (
      d
        .query(
          'SELECT id FROM odometer_readings NOT INDEXED WHERE car_id = ? ORDER BY read_on DESC, id DESC LIMIT 10',
        )
        .all(carId) as { id: number }[]
    ).map((r) => r.id)
    return { count, current: current?.id ?? null, latest }
  }

  test('after any mix of readings, corrections, fill-ups, edits and removals', async () => {
    // a few repeated values, so ties (same value on several dates) are common
    const value = fc.oneof(fc.integer({ min: 0, max: 200_000 }), fc.constantFrom(5_000, 10_000))
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('reading' as const),
        car: fc.constantFrom('a', 'b'),
        value,
        unit: fc.constantFrom('km', 'mi', undefined),
        daysAgo: fc.integer({ min: 0, max: 40 }),
        confirm: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('fillup' as const),
        car: fc.constantFrom('a', 'b'),
        value,
        daysAgo: fc.integer({ min: 0, max: 40 }),
        confirm: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('edit' as const),
        car: fc.constantFrom('a', 'b'),
        value,
        confirm: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('remove' as const), car: fc.constantFrom('a', 'b') }),
    )
    const day = (daysAgo: number) =>
      new Date(clock.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10)
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        await app.stop()
        app = fresh()
        for (const car of ['a', 'b']) {
          await call('POST', '/cars', {
            nickname: car,
            odometer: { value: 1_000, unit: car === 'a' ? 'km' : 'mi' },
          })
        }
        for (const s of steps) {
          if (s.kind === 'reading') {
            const reading = s.unit ? { value: s.value, unit: s.unit } : { value: s.value }
            await call('POST', `/cars/${s.car}/readings`, {
              reading,
              date: day(s.daysAgo),
              confirm: s.confirm,
            })
          } else if (s.kind === 'fillup') {
            await call('POST', '/fillups', {
              car: s.car,
              volume: { value: 40 },
              odometer: { value: s.value },
              date: day(s.daysAgo),
              confirm: s.confirm,
            })
          } else if (s.kind === 'edit') {
            await call('PATCH', `/cars/${s.car}`, { odometer: { value: s.value }, confirm: s.confirm })
          } else {
            await call('DELETE', `/cars/${s.car}?confirm=yes`)
            await call('POST', '/cars', { nickname: s.car })
          }
        }
        const list = (await call('GET', '/cars')).body.cars
        for (const car of ['a', 'b']) {
          const shown = await call('GET', `/cars/${car}`)
          expect(shown.status).toBe(200)
          const want = plain(shown.body.id)
          expect(shown.body.reading_count).toBe(want.count)
          expect(shown.body.odometer?.id ?? null).toBe(want.current)
          expect(shown.body.readings.map((r: { id: number }) => r.id)).toEqual(want.latest)
          // the list shows the same current odometer as the car's own page
          expect(list.find((c: { nickname: string }) => c.nickname === car).odometer).toEqual(
            shown.body.odometer,
          )
        }
      }),
      { numRuns: 40 },
    )
  })

  test('a database from before migration 4 gets each car its reading count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'items-perf-old-'))
    const old = new Database(join(dir, 'items.sqlite'), { create: true, strict: true })
    migrate(old, migrations.slice(0, 3))
    old.exec(`INSERT INTO cars (id, tenant, nickname, nickname_key, odometer_unit, created_at) VALUES
      (1, '${TENANT}', 'old', 'old', 'km', '2026-01-01T00:00:00Z'), (2, '${TENANT}', 'none', 'none', 'km', '2026-01-01T00:00:00Z')`)
    for (let i = 0; i < 7; i++) {
      old
        .query(
          `INSERT INTO odometer_readings (tenant, car_id, value, text, source, read_on, created_at)
           VALUES (?, 1, ?, ?, 'reading', '2026-01-0' || ?, '2026-01-01T00:00:00Z')`,
        )
        .run(TENANT, 1000 + i, `${1000 + i} km`, String(i + 1))
    }
    old.close()
    const upgraded = fresh(dir)
    try {
      const shown = await call('GET', '/cars/old', undefined, upgraded)
      expect(shown.body).toMatchObject({ reading_count: 7, odometer: { value: 1006, read_on: '2026-01-07' } })
      expect(shown.body.readings).toHaveLength(7)
      expect((await call('GET', '/cars/none', undefined, upgraded)).body).toMatchObject({
        reading_count: 0,
        odometer: null,
        readings: [],
      })
    } finally {
      await upgraded.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
