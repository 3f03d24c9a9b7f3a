/**
 * What the items service gives to /garage export (services/lib/export.ts): the garage's
 * settings, roles and channel cars, its cars (archived ones too), odometer readings,
 * maintenance items, service records (with the ids of the items each did), fill-ups, expenses
 * and renewals, charges of electric cars, cars' drivers and members' reminder choices. Reminder bookkeeping (announced levels, when to look again) stays out: a garage
 * made from the export works it out again.
 */
import type { Database } from 'bun:sqlite'
import { type ExportKind, exportRoutes } from '../lib/export.ts'

const page = (table: string, extra = '') => ({
  sql: `SELECT *${extra} FROM ${table} WHERE tenant = $tenant AND id > $after ORDER BY id LIMIT $limit`,
  byCar: `SELECT *${extra} FROM ${table} WHERE tenant = $tenant AND car_id = $car AND id > $after ORDER BY id LIMIT $limit`,
  key: 'id',
})

export const ITEMS_EXPORT: Record<string, ExportKind> = {
  settings: {
    sql: 'SELECT * FROM tenants WHERE id = $tenant',
    omit: ['id'],
  },
  garage_roles: { sql: 'SELECT * FROM garage_roles WHERE tenant = $tenant ORDER BY ref' },
  channel_cars: {
    sql: 'SELECT * FROM channel_cars WHERE tenant = $tenant ORDER BY channel_id',
    byCar: 'SELECT * FROM channel_cars WHERE tenant = $tenant AND car_id = $car ORDER BY channel_id',
  },
  cars: {
    sql: 'SELECT * FROM cars WHERE tenant = $tenant AND id > $after ORDER BY id LIMIT $limit',
    byCar: 'SELECT * FROM cars WHERE tenant = $tenant AND id = $car AND id > $after ORDER BY id LIMIT $limit',
    key: 'id',
    omit: ['nickname_key', 'reading_count'],
  },
  odometer_readings: page('odometer_readings'),
  maintenance_items: { ...page('maintenance_items'), omit: ['name_key', 'announced_level', 'check_on'] },
  service_records: {
    ...page(
      'service_records',
      ', (SELECT json_group_array(item_id) FROM service_record_items WHERE record_id = service_records.id) AS item_ids',
    ),
    json: ['item_ids', 'items_before'],
  },
  fuel_fillups: page('fuel_fillups'),
  expenses: page('expenses'),
  expense_renewals: { ...page('expense_renewals'), omit: ['announced_level', 'check_on'] },
  charges: page('charges'),
  car_drivers: {
    sql: 'SELECT * FROM car_drivers WHERE tenant = $tenant ORDER BY car_id, user_id',
    byCar: 'SELECT * FROM car_drivers WHERE tenant = $tenant AND car_id = $car ORDER BY user_id',
  },
  member_prefs: { sql: 'SELECT * FROM member_prefs WHERE tenant = $tenant ORDER BY user_id' },
}

export const itemsExportRoutes = (db: Database) => exportRoutes(db, ITEMS_EXPORT)
