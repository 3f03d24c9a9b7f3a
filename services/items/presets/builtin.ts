/**
 * The built-in starter sets, one per fuel type. Each distance is a round number per unit (15,000
 * km is 10,000 mi, not 9,321), so a mi car gets the intervals a mi owner's manual would say.
 */
import type { DistanceUnit } from '../shared/model.ts'

type Builtin = { name: string; months?: number; distance?: Record<DistanceUnit, number> }

const d = (km: number, mi: number): Record<DistanceUnit, number> => ({ km, mi })

const oil: Builtin = { name: 'Oil and filter', months: 12, distance: d(15_000, 10_000) }
const tyres: Builtin = { name: 'Tyre rotation', distance: d(10_000, 6_000) }
const brakeFluid: Builtin = { name: 'Brake fluid', months: 24 }
const coolant: Builtin = { name: 'Coolant', months: 48 }
const engineAir: Builtin = { name: 'Engine air filter', distance: d(30_000, 20_000) }
const cabinAir: Builtin = { name: 'Cabin air filter', months: 12 }
const sparkPlugs: Builtin = { name: 'Spark plugs', distance: d(60_000, 40_000) }
const timingBelt: Builtin = { name: 'Timing belt', months: 60, distance: d(100_000, 60_000) }
const inspection: Builtin = { name: 'Inspection', months: 12 }

const petrol = [oil, tyres, brakeFluid, coolant, engineAir, cabinAir, sparkPlugs, timingBelt, inspection]

/** The starter sets by name; a hybrid has the petrol engine's items. */
export const BUILTIN_SETS: Readonly<Record<string, readonly Builtin[]>> = {
  petrol,
  diesel: petrol.filter((i) => i !== sparkPlugs),
  ev: [tyres, brakeFluid, cabinAir, { name: 'Battery coolant', months: 60 }, inspection],
  hybrid: petrol,
}

/** The starter set of a car by what it runs on (`powertrain`, else its `fuels`); petrol when unknown. */
export function starterSet(car: { powertrain: string | null; fuels: string | null }): string {
  if (car.powertrain === 'ev') return 'ev'
  if (car.powertrain === 'hybrid' || car.powertrain === 'phev') return 'hybrid'
  // the first of its tanks is the main one (cars/service.ts)
  return car.fuels?.split(',')[0] === 'diesel' ? 'diesel' : 'petrol'
}
