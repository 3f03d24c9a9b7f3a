/** What a service record and a fill-up both log: a cost in the garage currency and an odometer. */
import type { MeterUnit } from './model.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import type { NumberFormat } from '../../../lib/domain/numbers.ts'

/** The cost and odometer columns of service_records and fuel_fillups (odometer in the car's unit). */
export type LoggedColumns = {
  cost_minor: number | null
  currency: string | null
  cost_text: string | null
  odometer: number | null
  odometer_text: string | null
}

/** The values of those columns, in that order, for a typed cost (or none) and an odometer (or none). */
export const loggedColumns = (
  cost: { minor: number; text: string } | null,
  currency: string,
  odometer: { value: number; text: string } | null,
) => [
  cost?.minor ?? null,
  cost ? currency : null,
  cost?.text ?? null,
  odometer?.value ?? null,
  odometer?.text ?? null,
]

/** The cost and odometer as shown (`CostAndOdometer`): labels in the garage's number format, and the raw values beside them. */
export function costAndOdometer(row: LoggedColumns, unit: MeterUnit, numbers: NumberFormat) {
  return {
    cost: row.cost_minor === null || row.currency === null ? null : formatMoney(row.cost_minor, row.currency, 0, numbers),
    cost_minor: row.cost_minor,
    currency: row.currency,
    odometer: row.odometer_text,
    odometer_value: row.odometer,
    odometer_unit: unit,
  }
}
