/**
 * Years of records written straight into an items database, as long use would leave them: a
 * fill-up and an odometer reading a day, the odometer 10 km further each day. The large-export
 * test and the benches' garage of 100,000 records (bench/seed.ts) are made with it.
 */
import type { Database } from 'bun:sqlite'

/**
 * Writes `pairs` fill-ups and as many readings to a car in one transaction, numbered from
 * `first`, dated a day apart from `from` (YYYY-MM-DD).
 */
export function seedRecords(
  db: Database,
  tenant: string,
  carId: number,
  o: { pairs: number; first: number; from: string },
): void {
  const fill = db.prepare(
    `INSERT INTO fuel_fillups (tenant, car_id, litres, volume_text, cost_minor, currency, cost_text, odometer, odometer_text, full, missed, filled_on, created_at, number)
     VALUES (?, ?, 40, '40 L', ?, 'EUR', ?, ?, ?, 1, 0, ?, '2026-01-01T00:00:00.000Z', ?)`,
  )
  const reading = db.prepare(
    `INSERT INTO odometer_readings (tenant, car_id, value, text, source, read_on, created_at, number)
     VALUES (?, ?, ?, ?, 'reading', ?, '2026-01-01T00:00:00.000Z', ?)`,
  )
  const start = Date.parse(`${o.from}T00:00:00Z`)
  db.transaction(() => {
    for (let i = 0; i < o.pairs; i++) {
      const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10)
      const km = 10_000 + i * 10
      fill.run(tenant, carId, 5000 + i, `${50 + i / 100}`, km, `${km} km`, day, o.first + i)
      reading.run(tenant, carId, km, `${km} km`, day, o.first + i)
    }
  })()
  fill.finalize()
  reading.finalize()
}
