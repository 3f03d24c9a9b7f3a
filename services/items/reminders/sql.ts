import { carUnitSql } from '../shared/car.ts'
/** The reminder claim's candidate query; it must be served by `maintenance_items_check` (see bench/reminder-tick.ts). */
export const CLAIM_SQL = `SELECT i.*, t.timezone, t.reminder_channel, t.reminder_hour, t.urgent_days AS g_urgent_days, t.urgent_km AS g_urgent_km,
  t.very_urgent_days AS g_very_urgent_days, t.very_urgent_km AS g_very_urgent_km, t.number_format, t.date_order, c.nickname, ${carUnitSql('c')} AS odometer_unit, c.archived_on
FROM maintenance_items i JOIN tenants t ON t.id = i.tenant JOIN cars c ON c.id = i.car_id
WHERE i.check_on IS NOT NULL AND i.check_on <= ?
ORDER BY i.check_on LIMIT ?`
