/**
 * How a car's electricity use is shown, as its units say: a km car in kWh/100 km (or km/kWh), a
 * mi car in mi/kWh (or Wh/mi), the first of each its default; a car may choose the other one of
 * its distance unit (`/car edit energy_unit:`). The conversions are lib/domain/units.ts.
 */
import { type DistanceUnit, type EnergyUnit, energyUnitFor } from './units.ts'

/** The energy units a car of each distance unit may show its electricity use in, its default first. */
export const ENERGY_UNITS_OF: Readonly<Record<DistanceUnit, readonly EnergyUnit[]>> = {
  km: ['kWh/100km', 'km/kWh'],
  mi: ['mi/kWh', 'Wh/mi'],
}

/**
 * The energy unit a car shows: the one chosen when it fits the car's distance unit, else the
 * distance unit's own (a chosen unit of the other distance, left from before `units:` changed,
 * is not shown: a mi car never reads kWh/100 km).
 */
export function carEnergyUnit(distance: DistanceUnit, chosen: string | null | undefined): EnergyUnit {
  const fits = ENERGY_UNITS_OF[distance].find((u) => u === chosen)
  return fits ?? energyUnitFor(distance)
}

/** Decimals of a consumption as a reply shows it: "17.5 kWh/100 km", "3.62 mi/kWh", "280 Wh/mi". */
export const energyDigits = (unit: EnergyUnit) => (unit === 'Wh/mi' ? 0 : unit === 'kWh/100km' ? 1 : 2)
