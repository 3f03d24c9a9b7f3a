/**
 * Units and their conversions, each factor defined here once. Inside the figures everything is
 * kilometres and litres; a value is converted at the edge, from and to the unit a person reads.
 */

/** Exact by definition (international yard and pound agreement, 1959). */
export const KM_PER_MI = 1.609344
/** US liquid gallon, exactly 231 cubic inches. */
export const LITRES_PER_US_GALLON = 3.785411784
/** Imperial gallon, exactly (Weights and Measures Act 1985). */
export const LITRES_PER_IMP_GALLON = 4.54609

export type Units = 'metric' | 'imperial'
export type DistanceUnit = 'km' | 'mi'
export type VolumeUnit = 'L' | 'gal' | 'impgal'
export type EconomyUnit = 'L/100km' | 'km/L' | 'mpg' | 'impmpg'

/** The distance unit of a garage's units. */
export const distanceUnitOf = (units: Units): DistanceUnit => (units === 'imperial' ? 'mi' : 'km')

export const toKm = (value: number, unit: DistanceUnit) => (unit === 'mi' ? value * KM_PER_MI : value)
export const fromKm = (km: number, unit: DistanceUnit) => (unit === 'mi' ? km / KM_PER_MI : km)

/**
 * What a meter counts: a distance (km, mi) or engine hours (h), for a tractor, a boat, a
 * generator or a track motorbike run on an hour meter. Hours never convert to a distance.
 */
export type MeterUnit = DistanceUnit | 'h'

/** Hours and a distance are different meters: a value in one cannot be stored in the other. */
export const sameMeter = (a: MeterUnit, b: MeterUnit) => (a === 'h') === (b === 'h')

/** A meter value in another unit of the same meter (see `sameMeter`), kept to a thousandth. */
export function convertMeter(value: number, from: MeterUnit, to: MeterUnit): number {
  if (from === 'h' || to === 'h') {
    if (from !== to) throw new RangeError(`${from} and ${to} are different meters`)
    return value
  }
  return convertDistance(value, from, to)
}

/**
 * The distance unit the figures (which count in km) take a meter's values in: an hour counts as
 * a km would, so an hour-meter car's economy, cost per km and projections come out per hour.
 */
export const figuresUnit = (unit: MeterUnit): DistanceUnit => (unit === 'h' ? 'km' : unit)

/** A distance in another unit, kept to a metre (or a thousandth of a mile). */
export function convertDistance(value: number, from: DistanceUnit, to: DistanceUnit): number {
  if (from === to) return value
  return Math.round(fromKm(toKm(value, from), to) * 1000) / 1000
}

export const LITRES_PER: Readonly<Record<VolumeUnit, number>> = {
  L: 1,
  gal: LITRES_PER_US_GALLON,
  impgal: LITRES_PER_IMP_GALLON,
}
export const toLitres = (value: number, unit: VolumeUnit) => value * LITRES_PER[unit]
export const fromLitres = (litres: number, unit: VolumeUnit) => litres / LITRES_PER[unit]

/** Any economy unit to km per litre (the one internal measure; higher is better). */
export function toKmPerLitre(value: number, unit: EconomyUnit): number {
  switch (unit) {
    case 'L/100km':
      return 100 / value
    case 'km/L':
      return value
    case 'mpg':
      return (value * KM_PER_MI) / LITRES_PER_US_GALLON
    case 'impmpg':
      return (value * KM_PER_MI) / LITRES_PER_IMP_GALLON
  }
}

export function fromKmPerLitre(kmPerLitre: number, unit: EconomyUnit): number {
  switch (unit) {
    case 'L/100km':
      return 100 / kmPerLitre
    case 'km/L':
      return kmPerLitre
    case 'mpg':
      return (kmPerLitre * LITRES_PER_US_GALLON) / KM_PER_MI
    case 'impmpg':
      return (kmPerLitre * LITRES_PER_IMP_GALLON) / KM_PER_MI
  }
}

/** A car's units: set when it is added (typed values, `units:` or the garage's), changed with /car edit. */
export type CarUnits = { distance: DistanceUnit; volume: VolumeUnit; economy: EconomyUnit }
export type UnitSet = 'metric' | 'imperial' | 'uk'
export const UNIT_SETS: Readonly<Record<UnitSet, CarUnits>> = {
  metric: { distance: 'km', volume: 'L', economy: 'L/100km' },
  imperial: { distance: 'mi', volume: 'gal', economy: 'mpg' },
  uk: { distance: 'mi', volume: 'impgal', economy: 'impmpg' },
}

/** The volume a car whose volume unit was never set reads in: gallons for a mi car, litres for a km one. */
export const volumeUnitFor = (distance: DistanceUnit): VolumeUnit => (distance === 'mi' ? 'gal' : 'L')

/** The economy that goes with a car's volume (and distance) unit. */
export function economyUnitFor(volume: VolumeUnit, distance: DistanceUnit): EconomyUnit {
  if (volume === 'gal') return 'mpg'
  if (volume === 'impgal') return 'impmpg'
  return distance === 'mi' ? 'mpg' : 'L/100km'
}

/** A car's units from its row: a unit never set follows the ones that are. */
export function carUnits(
  distance: DistanceUnit,
  volume: VolumeUnit | null,
  economy: EconomyUnit | null,
): CarUnits {
  const v = volume ?? volumeUnitFor(distance)
  return { distance, volume: v, economy: economy ?? economyUnitFor(v, distance) }
}

/** "L/100 km", "mpg", "mpg (UK)": an economy unit as a reply shows it. */
export const ECONOMY_LABEL: Readonly<Record<EconomyUnit, string>> = {
  'L/100km': 'L/100 km',
  'km/L': 'km/L',
  mpg: 'mpg',
  impmpg: 'mpg (UK)',
}

/** How a car's electricity use is shown: energy per distance (kWh/100km, Wh/mi) or distance per energy (mi/kWh, km/kWh). */
export type EnergyUnit = 'kWh/100km' | 'km/kWh' | 'mi/kWh' | 'Wh/mi'
export const ENERGY_UNITS: readonly EnergyUnit[] = ['kWh/100km', 'km/kWh', 'mi/kWh', 'Wh/mi']

/** The energy unit that goes with a car's distance unit: mi/kWh for a mi car, kWh/100km for a km one. */
export const energyUnitFor = (distance: DistanceUnit): EnergyUnit => (distance === 'mi' ? 'mi/kWh' : 'kWh/100km')

/** Km per kWh (the one internal measure; higher is better) in a unit a person reads. */
export function fromKmPerKwh(kmPerKwh: number, unit: EnergyUnit): number {
  switch (unit) {
    case 'kWh/100km':
      return 100 / kmPerKwh
    case 'km/kWh':
      return kmPerKwh
    case 'mi/kWh':
      return kmPerKwh / KM_PER_MI
    case 'Wh/mi':
      return (1000 * KM_PER_MI) / kmPerKwh
  }
}

/** "kWh/100 km", "mi/kWh": an energy unit as a reply shows it. */
export const ENERGY_LABEL: Readonly<Record<EnergyUnit, string>> = {
  'kWh/100km': 'kWh/100 km',
  'km/kWh': 'km/kWh',
  'mi/kWh': 'mi/kWh',
  'Wh/mi': 'Wh/mi',
}
