/**
 * The reminder tick at scale: an items database with 100,000 cars × 3 maintenance items (bulk
 * inserted in one transaction; 1,000 garages in ten timezones, two readings per car so every
 * distance item is projected), then the claim through the items app's real route.
 *
 * Measured in a child process that holds only the items app and its database, as the items
 * service would: the first ticks that catch up on fresh data (every item evaluated once), the
 * claim with nothing to announce (median of several runs; aim < 300 ms), the process RSS, and
 * the SQLite query plan of the claim query (it must search an index, not scan the table).
 *
 * `bun bench/reminder-tick.ts` prints the figures; `bun run bench` calls the default export.
 * `--quick` uses 20,000 cars; `--cars=N` any number.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { childFigures, median, round, type Row } from './lib.ts'

const TOKEN = 'bench-reminder-token-0123456789'
const TIMEZONES = [
  'UTC',
  'America/Chicago',
  'America/New_York',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Paris',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Sydney',
]
const CARS_PER_GARAGE = 100
const AT = new Date('2026-06-15T16:00:00Z')
const TODAY = '2026-06-15'

type Figures = {
  cars: number
  items: number
  buildMs: number
  catchUpTicks: number
  catchUpMs: number
  idleClaimMs: number[]
  idleExamined: number
  idleAnnounced: number
  rssMb: number
  plan: string[]
  usesIndex: boolean
}

/** Builds the database and measures, in this process. */
export async function measure(cars: number): Promise<Figures> {
  const { createApp } = await import('../services/items/app.ts')
  const { CLAIM_SQL } = await import('../services/items/reminders/sql.ts')
  const { addDays, latestDateOnEarth } = await import('../lib/domain/dates.ts')
  const dir = mkdtempSync(join(tmpdir(), 'bench-reminders-'))
  try {
    const app = createApp({ dataDir: dir, token: TOKEN, now: () => AT })
    const db = app.decorator.db
    const started = performance.now()
    const iso = AT.toISOString()
    db.transaction(() => {
      const tenant = db.query(
        `INSERT INTO tenants (id, units, currency, timezone, reminder_channel, reminder_hour, urgent_days, urgent_km, very_urgent_days, very_urgent_km, created_at)
         VALUES (?, 'imperial', 'USD', ?, ?, 9, 30, 800, 7, 160, ?)`,
      )
      const car = db.query(
        `INSERT INTO cars (tenant, nickname, nickname_key, odometer, odometer_unit, odometer_text, created_at) VALUES (?, ?, ?, ?, 'mi', ?, ?) RETURNING id`,
      )
      const reading = db.query(
        `INSERT INTO odometer_readings (tenant, car_id, value, text, typed_unit, source, read_on, created_at) VALUES (?, ?, ?, ?, 'mi', ?, ?, ?)`,
      )
      const item = db.query(
        `INSERT INTO maintenance_items (tenant, car_id, name, name_key, months, distance, distance_text, fixed, last_date, last_odometer,
           due_date, due_odometer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
      )
      const schedules = [
        { name: 'Oil change', months: 6, distance: 5000 },
        { name: 'Tyre rotation', months: 12, distance: 7500 },
        { name: 'Brake fluid', months: 24, distance: null },
      ]
      for (let i = 0; i < cars; i++) {
        const g = Math.floor(i / CARS_PER_GARAGE)
        const t = `local:g${g}`
        if (i % CARS_PER_GARAGE === 0) tenant.run(t, TIMEZONES[g % TIMEZONES.length]!, `channel-${g}`, iso)
        // 20-50 mi a day over the last 60 days.
        const perDay = 20 + (i % 31)
        const now = 40_000 + (i % 997) * 10
        const then = now - perDay * 60
        const id = (car.get(t, `car${i}`, `car${i}`, then, `${then} mi`, iso) as { id: number }).id
        reading.run(t, id, then, `${then} mi`, 'car', addDays(TODAY, -60), iso)
        reading.run(t, id, now, `${now} mi`, 'reading', TODAY, iso)
        // Last done 0-40 days ago, so nothing is urgent yet (the tick has nothing to announce).
        const ago = i % 41
        const lastDate = addDays(TODAY, -ago)
        const lastOdo = now - perDay * ago
        for (const s of schedules) {
          const [y, m, d] = lastDate.split('-').map(Number) as [number, number, number]
          const due = new Date(Date.UTC(y, m - 1 + s.months, d)).toISOString().slice(0, 10)
          item.run(
            t,
            id,
            s.name,
            s.name.toLowerCase(),
            s.months,
            s.distance,
            s.distance ? `${s.distance} mi` : null,
            lastDate,
            lastOdo,
            due,
            s.distance ? lastOdo + s.distance : null,
            iso,
          )
        }
      }
    })()
    const buildMs = performance.now() - started

    const claim = async () => {
      const t0 = performance.now()
      const res = await app.handle(
        new Request('http://localhost/reminders/claim', {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ at: iso }),
        }),
      )
      const body = (await res.json()) as { announcements: unknown[]; examined: number }
      if (res.status !== 200) throw new Error(`claim answered ${res.status}: ${JSON.stringify(body)}`)
      return { ms: performance.now() - t0, examined: body.examined, announced: body.announcements.length }
    }

    // Fresh data: every item is looked at once (10,000 per tick) and gets its next check date.
    let catchUpTicks = 0
    let catchUpMs = 0
    for (;;) {
      const r = await claim()
      catchUpTicks++
      catchUpMs += r.ms
      if (r.examined < 10_000 || catchUpTicks > 1000) break
    }
    const idle: { ms: number; examined: number; announced: number }[] = []
    for (let i = 0; i < 7; i++) idle.push(await claim())
    Bun.gc(true)
    const plan = (
      db.query(`EXPLAIN QUERY PLAN ${CLAIM_SQL}`).all(latestDateOnEarth(AT), 10_000) as { detail: string }[]
    ).map((r) => r.detail)
    const usesIndex =
      plan.some((p) => p.includes('USING INDEX maintenance_items_check')) &&
      !plan.some((p) => /^SCAN i\b/.test(p))
    const figures: Figures = {
      cars,
      items: cars * 3,
      buildMs,
      catchUpTicks,
      catchUpMs,
      idleClaimMs: idle.map((r) => r.ms),
      idleExamined: Math.max(...idle.map((r) => r.examined)),
      idleAnnounced: idle.reduce((n, r) => n + r.announced, 0),
      rssMb: process.memoryUsage().rss / 1024 / 1024,
      plan,
      usesIndex,
    }
    await app.stop()
    return figures
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function rows(f: Figures): Row[] {
  const section = 'reminder tick'
  const idle = median(f.idleClaimMs)
  return [
    {
      section,
      name: `build ${f.cars.toLocaleString('en-US')} cars × 3 items (one transaction)`,
      value: round(f.buildMs / 1000),
      unit: 's',
    },
    {
      section,
      name: 'catch-up on fresh data (every item once)',
      value: round(f.catchUpMs),
      unit: 'ms',
      note: `${f.catchUpTicks} ticks of ≤10,000 items`,
    },
    {
      section,
      name: 'claim with nothing to announce (median of 7)',
      value: round(idle),
      unit: 'ms',
      aim: '< 300 ms',
      met: idle < 300 && f.idleAnnounced === 0,
      note: `examined ${f.idleExamined} items; announced ${f.idleAnnounced}`,
    },
    { section, name: 'items service RSS (app + database)', value: round(f.rssMb), unit: 'MB' },
    {
      section,
      name: 'claim query served from an index',
      value: f.usesIndex ? 1 : 0,
      unit: 'bool',
      aim: 'index',
      met: f.usesIndex,
      note: f.plan.join(' | '),
    },
  ]
}

/** For `bun run bench`: measures in a child process (its RSS is the app's alone) and returns rows. */
export default async function reminderTick(opts: { quick?: boolean } = {}): Promise<Row[]> {
  const figures = await childFigures<Figures>(
    ['bun', import.meta.path, '--json', ...(opts.quick ? ['--quick'] : [])],
    'bench/reminder-tick.ts',
    2000,
  )
  for (const line of figures.plan) console.log(`  claim plan: ${line}`)
  return rows(figures)
}

if (import.meta.main) {
  const argv = process.argv.slice(2)
  const cars = Number(
    argv.find((a) => a.startsWith('--cars='))?.split('=')[1] ?? (argv.includes('--quick') ? 20_000 : 100_000),
  )
  if (!Number.isInteger(cars) || cars < 1) {
    console.error('bench/reminder-tick.ts: --cars must be a positive whole number')
    process.exit(2)
  }
  const f = await measure(cars)
  if (argv.includes('--json')) console.log(JSON.stringify(f))
  else {
    console.log('EXPLAIN QUERY PLAN of the claim query:')
    for (const line of f.plan) console.log(`  ${line}`)
    for (const r of rows(f))
      console.log(
        `${r.name}: ${r.value} ${r.unit}${r.aim ? ` (aim ${r.aim}: ${r.met ? 'met' : 'MISSED'})` : ''}${r.note ? ` — ${r.note}` : ''}`,
      )
  }
}
