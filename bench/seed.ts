/** A large garage for the benches that need one, written straight into the items database. */
import { Database } from 'bun:sqlite'
import { join } from 'node:path'

/**
 * Writes `records` records to a car straight into the items database (half fill-ups, half
 * odometer readings, a day apart from 1900 on): the garage of 100,000 records the export and
 * backup aims speak of, made in a second rather than through a hundred thousand requests.
 */
export function seedRecords(dataDir: string, tenant: string, carId: number, records: number) {
  const db = new Database(join(dataDir, 'items.sqlite'))
  db.exec('PRAGMA busy_timeout = 5000')
  const fill = db.prepare(
    `INSERT INTO fuel_fillups (tenant, car_id, litres, volume_text, cost_minor, currency, cost_text, odometer, odometer_text, full, missed, filled_on, created_at, number)
     VALUES (?, ?, 40, '40 L', ?, 'EUR', ?, ?, ?, 1, 0, ?, '2026-01-01T00:00:00.000Z', ?)`,
  )
  const reading = db.prepare(
    `INSERT INTO odometer_readings (tenant, car_id, value, text, source, read_on, created_at, number)
     VALUES (?, ?, ?, ?, 'reading', ?, '2026-01-01T00:00:00.000Z', ?)`,
  )
  db.transaction(() => {
    for (let i = 0; i < records / 2; i++) {
      const day = new Date(Date.UTC(1900, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)
      const km = 10_000 + i * 10
      fill.run(tenant, carId, 5000 + i, `${50 + i / 100}`, km, `${km} km`, day, 1_000 + i)
      reading.run(tenant, carId, km, `${km} km`, day, 1_000 + i)
    }
  })()
  // Into the database file now, so no later request of the bench pays for checkpointing the seed.
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  db.close()
}
