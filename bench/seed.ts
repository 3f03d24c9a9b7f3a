/** A large garage for the benches that need one, written straight into the items database. */
import { Database } from 'bun:sqlite'
import { join } from 'node:path'
import { seedRecords } from '../test/records.ts'

/**
 * Writes `records` records to a car straight into the items database (half fill-ups, half
 * odometer readings, a day apart from 1900 on): the garage of 100,000 records the export and
 * backup aims speak of, made in a second rather than through a hundred thousand requests.
 */
export function seedGarage(dataDir: string, tenant: string, carId: number, records: number) {
  const db = new Database(join(dataDir, 'items.sqlite'))
  db.exec('PRAGMA busy_timeout = 5000')
  seedRecords(db, tenant, carId, { pairs: records / 2, first: 1_000, from: '1900-01-01' })
  // Into the database file now, so no later request of the bench pays for checkpointing the seed.
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  db.close()
}
