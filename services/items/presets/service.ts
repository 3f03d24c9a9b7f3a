/**
 * Maintenance presets: a named set of items applied to a car at once (each item the car already
 * has, by name, is skipped), the built-in starter sets (builtin.ts) and the garage's own, saved
 * from a car's items. Every write is one transaction, so a refusal stores nothing.
 */
import type { Database } from 'bun:sqlite'
import { convertMeter, distanceUnitOf, sameMeter } from '../../../lib/domain/units.ts'
import { badRequest, conflict, notFound } from '../../lib/http.ts'
import { type CarRow, requireCar } from '../shared/car.ts'
import { formatDistance } from '../shared/distance.ts'
import { ensureTenant, garageAt, shownOf } from '../shared/garage.ts'
import type { MeterUnit } from '../shared/model.ts'
import { checkText } from '../shared/text.ts'
import { findItem, highestReading, itemsOfCar } from '../maintenance/item.ts'
import { addItem } from '../maintenance/service.ts'
import type { ItemView } from '../maintenance/model.ts'
import { BUILTIN_SETS, starterSet } from './builtin.ts'
import type { PresetApply, PresetApplied, PresetItem, PresetSave, PresetView } from './model.ts'

/** An item of a garage's set as stored (JSON): its distance in the unit of the car it was saved from. */
type StoredItem = { name: string; months: number | null; distance: number | null; unit: MeterUnit }
type PresetRow = { name: string; name_key: string; items: string }

const key = (name: string) => name.trim().toLowerCase()

function garageSets(db: Database, tenant: string): PresetRow[] {
  return db
    .query('SELECT name, name_key, items FROM item_presets WHERE tenant = ? ORDER BY name_key')
    .all(tenant) as PresetRow[]
}

/**
 * A set's items with their distances in `unit` (a built-in's round number; a saved one
 * converted); null when the set's distances are on another meter (engine hours and distance).
 */
function itemsIn(name: string, row: PresetRow | undefined, unit: MeterUnit): StoredItem[] | null {
  const builtin = BUILTIN_SETS[name]
  if (builtin) {
    if (unit === 'h') return null
    return builtin.map((i) => ({
      name: i.name,
      months: i.months ?? null,
      distance: i.distance?.[unit] ?? null,
      unit,
    }))
  }
  const stored = JSON.parse(row!.items) as StoredItem[]
  if (stored.some((i) => i.distance !== null && !sameMeter(i.unit, unit))) return null
  return stored.map((i) => ({
    ...i,
    distance: i.distance === null ? null : Math.round(convertMeter(i.distance, i.unit, unit)),
    unit,
  }))
}

function view(
  name: string,
  items: StoredItem[],
  builtin: boolean,
  numbers: Parameters<typeof formatDistance>[2],
): PresetView {
  const shown: PresetItem[] = items.map((i) => ({
    ...i,
    distance_text: i.distance === null ? null : formatDistance(i.distance, i.unit, numbers),
  }))
  return { name, builtin, items: shown }
}

/**
 * Every set, built-in first, with distances in the car's unit; without a car, a built-in set's in
 * the garage's and a saved set's as saved (so is one on another meter than the car's).
 */
export function listPresets(
  db: Database,
  tenant: string,
  carRef: string | undefined,
  now: Date,
): { presets: PresetView[] } {
  const { garage, shown } = garageAt(db, tenant, now)
  const own = distanceUnitOf(garage.units)
  const unit = carRef ? requireCar(db, tenant, carRef).odometer_unit : undefined
  const items = (name: string, row?: PresetRow) =>
    (unit && itemsIn(name, row, unit)) ??
    (row ? (JSON.parse(row.items) as StoredItem[]) : itemsIn(name, row, own)!)
  return {
    presets: [
      ...Object.keys(BUILTIN_SETS).map((n) => view(n, items(n), true, shown.numbers)),
      ...garageSets(db, tenant).map((r) => view(r.name, items(r.name_key, r), false, shown.numbers)),
    ],
  }
}

/** "petrol, diesel, ev, hybrid, track-day": the names a set can be given by. */
function setNames(db: Database, tenant: string): string {
  return [...Object.keys(BUILTIN_SETS), ...garageSets(db, tenant).map((r) => r.name)].join(', ')
}

function fuelOf(db: Database, car: CarRow): { powertrain: string | null; fuels: string | null } {
  return db.query('SELECT powertrain, fuels FROM cars WHERE id = ?').get(car.id) as {
    powertrain: string | null
    fuels: string | null
  }
}

export function applyPreset(db: Database, tenant: string, body: PresetApply, now: Date): PresetApplied {
  return db.transaction(() => {
    const car = requireCar(db, tenant, body.car)
    const name = body.name === undefined ? starterSet(fuelOf(db, car)) : key(body.name)
    const row = garageSets(db, tenant).find((r) => r.name_key === name)
    if (!BUILTIN_SETS[name] && !row) {
      throw notFound(`name: no set called "${body.name?.trim()}"; the sets: ${setNames(db, tenant)}`)
    }
    const items = itemsIn(name, row, car.odometer_unit)
    if (!items) {
      const [set, its] =
        car.odometer_unit === 'h' ? ['distance', 'engine hours'] : ['engine hours', 'distance']
      throw badRequest(
        'name',
        `name: the ${row?.name ?? name} set counts ${set}, and ${car.nickname} ${its}; save one from a car like it with /item preset_save`,
      )
    }
    const skipped = items.filter((i) => findItem(db, tenant, car.id, i.name)).map((i) => i.name)
    const adding = items.filter((i) => !skipped.includes(i.name))
    if (adding.some((i) => i.distance !== null) && highestReading(db, car.id) === null) {
      throw badRequest(
        'car',
        `car: ${car.nickname} has no odometer yet, and the set's distance intervals count from it; record it with /car odometer first`,
      )
    }
    const added: ItemView[] = adding.map((i) =>
      addItem(
        db,
        tenant,
        {
          car: `#${car.id}`,
          name: i.name,
          ...(i.months !== null ? { months: i.months } : {}),
          ...(i.distance !== null ? { distance: { value: i.distance, unit: i.unit } } : {}),
        },
        now,
      ),
    )
    return { car: car.nickname, preset: row?.name ?? name, added, skipped }
  })()
}

export function savePreset(
  db: Database,
  tenant: string,
  body: PresetSave,
  now: Date,
): { preset: PresetView; replaced: boolean } {
  return db.transaction(() => {
    const name = checkText('name', body.name, 60, true)!
    if (BUILTIN_SETS[key(name)]) {
      throw conflict('duplicate', `name: "${name}" is a built-in set; give your set another name`, 'name')
    }
    const replaced = garageSets(db, tenant).some((r) => r.name_key === key(name))
    if (replaced && !body.replace) {
      throw conflict(
        'duplicate',
        `name: the garage already has a set called "${name}"; add replace:yes to replace it`,
        'name',
      )
    }
    const car = requireCar(db, tenant, body.from, 'from')
    const items: StoredItem[] = itemsOfCar(db, tenant, car.id).map((i) => ({
      name: i.name,
      months: i.months,
      distance: i.distance,
      unit: car.odometer_unit,
    }))
    if (items.length === 0) {
      throw badRequest(
        'from',
        `from: ${car.nickname} has no maintenance items to save; add some with /item add`,
      )
    }
    ensureTenant(db, tenant, now)
    db.query(
      `INSERT INTO item_presets (tenant, name, name_key, items, saved_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, name_key) DO UPDATE SET name = excluded.name, items = excluded.items, saved_at = excluded.saved_at`,
    ).run(tenant, name, key(name), JSON.stringify(items), now.toISOString())
    return { preset: view(name, items, false, shownOf(garageAt(db, tenant, now).garage).numbers), replaced }
  })()
}

export function removePreset(db: Database, tenant: string, name: string, now: Date): { removed: PresetView } {
  return db.transaction(() => {
    const row = garageSets(db, tenant).find((r) => r.name_key === key(name))
    if (!row) {
      const own = garageSets(db, tenant).map((r) => r.name)
      const hint = BUILTIN_SETS[key(name)] ? ' (a built-in set cannot be removed)' : ''
      throw notFound(
        `name: the garage has no set called "${name.trim()}"${hint}; its sets: ${own.length ? own.join(', ') : 'none yet (/item preset_save)'}`,
      )
    }
    db.query('DELETE FROM item_presets WHERE tenant = ? AND name_key = ?').run(tenant, row.name_key)
    const items = JSON.parse(row.items) as StoredItem[]
    return { removed: view(row.name, items, false, garageAt(db, tenant, now).shown.numbers) }
  })()
}
