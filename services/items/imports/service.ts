/**
 * Imports: a file's rows kept as a pending import (the preview), then stored in one transaction
 * (Import), or dropped (Cancel). Nothing is stored before Import. A row is known by its
 * fingerprint, car + kind + date + odometer + volume (fill-ups) or cost (the rest), so the same
 * file imported twice adds nothing and an overlapping one adds only its new rows. Imported rows
 * take the garage's next numbers and are ordinary fill-ups, records, readings and expenses; the
 * import remembers what it added, so it can be undone while none of it changed since.
 */
import type { Database } from 'bun:sqlite'
import { randomBytes } from 'node:crypto'
import { addDays, formatDate, isDate } from '../../../lib/domain/dates.ts'
import { EXPENSE_KINDS } from '../../../lib/domain/figures.ts'
import { formatIn } from '../../../lib/domain/numbers.ts'
import {
  carUnits,
  convertDistance,
  convertMeter,
  type DistanceUnit,
  figuresUnit,
  toLitres,
  UNIT_SETS,
  type VolumeUnit,
} from '../../../lib/domain/units.ts'
import { badRequest, conflict, notFound } from '../../lib/http.ts'
import { createCar } from '../cars/service.ts'
import type { ChangeActor } from '../changes/log.ts'
import { dropExpense } from '../expenses/service.ts'
import { dropFillup } from '../fuel/service.ts'
import { insertReading } from '../readings/service.ts'
import { dropReading } from '../readings/correct.ts'
import { dropRecord } from '../records/service.ts'
import { type CarRow, findCar } from '../shared/car.ts'
import { ensureTenant, garageAt } from '../shared/garage.ts'
import { nextNumber } from '../shared/numbers.ts'
import type {
  ImportKind,
  ImportResult,
  ImportRowInput,
  ImportUndone,
  PendingCreate,
  PendingView,
} from './model.ts'

/** How long a preview's Import button works. */
export const PENDING_HOURS = 24

const KINDS: ImportKind[] = ['fuel', 'service', 'repair', 'upgrade', 'reading', 'tax']

type Units = { distance: DistanceUnit | null; volume: VolumeUnit | null }
/**
 * A car of the file and the garage's car it goes to (`row`, null until a new one is made), in
 * the car's units (`distance`, `volume`); `source` the units its rows are in (null: the car's).
 */
type Target = {
  name: string
  nickname: string
  row: CarRow | null
  distance: DistanceUnit
  volume: VolumeUnit
  source: Units
  create: 'metric' | 'imperial' | 'uk'
}

/** A car's fingerprint part: the row's odometer in the car's unit, its volume in litres, its cost. */
const fingerprint = (
  carId: number | string,
  kind: ImportKind,
  date: string,
  odometer: number | null,
  amount: number | null,
) =>
  `${carId}|${kind}|${date}|${odometer === null ? '' : odometer.toFixed(1)}|${amount === null ? '' : amount.toFixed(2)}`

/** The fingerprints of what the garage's cars hold already. */
function knownPrints(db: Database, carIds: number[]): Set<string> {
  const known = new Set<string>()
  if (carIds.length === 0) return known
  const ids = carIds.join(',')
  for (const r of db
    .query(`SELECT car_id, filled_on, odometer, litres FROM fuel_fillups WHERE car_id IN (${ids})`)
    .all() as { car_id: number; filled_on: string; odometer: number | null; litres: number }[])
    known.add(fingerprint(r.car_id, 'fuel', r.filled_on, r.odometer, r.litres))
  for (const r of db
    .query(`SELECT car_id, kind, done_on, odometer, cost_minor FROM service_records WHERE car_id IN (${ids})`)
    .all() as {
    car_id: number
    kind: ImportKind
    done_on: string
    odometer: number | null
    cost_minor: number | null
  }[])
    known.add(fingerprint(r.car_id, r.kind, r.done_on, r.odometer, r.cost_minor))
  for (const r of db
    .query(
      `SELECT car_id, read_on, value FROM odometer_readings WHERE car_id IN (${ids}) AND source = 'reading'`,
    )
    .all() as { car_id: number; read_on: string; value: number }[])
    known.add(fingerprint(r.car_id, 'reading', r.read_on, r.value, null))
  for (const r of db
    .query(`SELECT car_id, paid_on, odometer, cost_minor FROM expenses WHERE car_id IN (${ids})`)
    .all() as { car_id: number; paid_on: string; odometer: number | null; cost_minor: number }[])
    known.add(fingerprint(r.car_id, 'tax', r.paid_on, r.odometer, r.cost_minor))
  return known
}

/** The garage's car of each of the file's cars, or the new car it makes (in the file's units, else the garage's). */
function targets(db: Database, tenant: string, body: PendingCreate, units: 'metric' | 'imperial'): Target[] {
  // Two names of the file may make the same new car ("Golf" and "golf"): it is made once.
  const made = new Map<string, Target>()
  return body.cars.map((c) => {
    const source = c.units ?? body.units
    const existing = findCar(db, tenant, c.car ?? c.new_nickname ?? c.name)
    if (c.car !== undefined && !existing)
      throw notFound(`map: there is no car "${c.car}" in this garage (see /car list); nothing was imported`)
    if (existing?.odometer_unit === 'h')
      throw badRequest(
        'map',
        `map: ${existing.nickname} runs on an hour meter and a file from another app counts distance; import "${c.name}" into another car or a new one (map:"${c.name}=new"); nothing was imported`,
      )
    if (existing) {
      const u = carUnits(figuresUnit(existing.odometer_unit), existing.volume_unit, existing.economy_unit)
      return {
        name: c.name,
        nickname: existing.nickname,
        row: existing,
        distance: u.distance,
        volume: u.volume,
        source,
        create: 'metric',
      }
    }
    const distance = source.distance ?? (units === 'imperial' ? 'mi' : 'km')
    const create =
      c.create_units ?? (distance === 'km' ? 'metric' : source.volume === 'impgal' ? 'uk' : 'imperial')
    const volume = UNIT_SETS[create].volume
    const nickname = c.new_nickname ?? c.name
    const same = made.get(nickname.toLowerCase())
    if (same) return same
    const target: Target = { name: c.name, nickname, row: null, distance, volume, source, create }
    made.set(nickname.toLowerCase(), target)
    return target
  })
}

type Planned = { row: ImportRowInput; target: Target; print: string }

/**
 * Which rows are new, which known (the garage has them, or the file had them on an earlier line),
 * which refused (a date after tomorrow); in date order, so numbers follow the dates.
 */
type Reading = { read_on: string; value: number }
type History = { around: (date: string) => { before?: Reading; after?: Reading } }

/**
 * A car's readings in date order, asked for the highest on or before a date and the lowest after
 * it (a prefix maximum and a suffix minimum, found by binary search).
 */
function history(readings: Reading[]): History {
  const highest: Reading[] = []
  for (const r of readings)
    highest.push(highest.length && highest.at(-1)!.value > r.value ? highest.at(-1)! : r)
  const lowest: Reading[] = new Array(readings.length)
  for (let i = readings.length - 1; i >= 0; i--)
    lowest[i] =
      i + 1 < readings.length && lowest[i + 1]!.value < readings[i]!.value ? lowest[i + 1]! : readings[i]!
  return {
    around: (date) => {
      let lo = 0
      let hi = readings.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if (readings[mid]!.read_on <= date) lo = mid + 1
        else hi = mid
      }
      return { before: highest[lo - 1], after: lowest[lo] }
    },
  }
}

function plan(db: Database, tenant: string, body: PendingCreate, now: Date) {
  const { garage, today, shown } = garageAt(db, tenant, now)
  const cars = targets(db, tenant, body, garage.units)
  const known = knownPrints(
    db,
    cars.flatMap((c) => (c.row ? [c.row.id] : [])),
  )
  const latest = addDays(today, 1)
  const label = (value: number, target: Target) => `${formatIn(value, shown.numbers, 1)} ${target.distance}`
  const day = (date: string) => formatDate(date, shown.dates)
  const histories = new Map<Target, History>()
  const historyOf = (target: Target): History => {
    let h = histories.get(target)
    if (!h) {
      h = history(
        target.row
          ? (db
              .query('SELECT read_on, value FROM odometer_readings WHERE car_id = ? ORDER BY read_on, value')
              .all(target.row.id) as Reading[])
          : [],
      )
      histories.set(target, h)
    }
    return h
  }
  /** The last odometer taken from the file for each car, in date order. */
  const lastOf = new Map<Target, { value: number; line: number }>()
  const contradiction = (target: Target, date: string, value: number): string | undefined => {
    const { before, after } = historyOf(target).around(date)
    if (before && before.value > value + 1e-6)
      return `odometer: ${label(value, target)} is lower than the garage's reading ${label(before.value, target)} of ${day(before.read_on)}`
    if (after && after.value < value - 1e-6)
      return `odometer: ${label(value, target)} is higher than the garage's later reading ${label(after.value, target)} of ${day(after.read_on)}`
    const last = lastOf.get(target)
    if (last && last.value > value + 1e-6)
      return `odometer: ${label(value, target)} is lower than ${label(last.value, target)} on line ${last.line}, an earlier date`
    return undefined
  }
  const fresh: Planned[] = []
  const refused: { line: number; why: string }[] = []
  const counts = new Map(KINDS.map((k) => [k, { kind: k, rows: 0, new: 0, known: 0 }]))
  const rows = [...body.rows].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.line - b.line))
  for (const row of rows) {
    const target = cars[row.car]
    if (!target) throw notFound(`row of line ${row.line}: no car ${row.car} in the import`)
    if (!isDate(row.date) || row.date > latest) {
      refused.push({
        line: row.line,
        why: isDate(row.date)
          ? `date: ${row.date} is in the future`
          : `date: ${row.date} is no calendar date`,
      })
      continue
    }
    const count = counts.get(row.kind)!
    count.rows++
    const odometer =
      row.odometer === null
        ? null
        : convertDistance(row.odometer, target.source.distance ?? target.distance, target.distance)
    const litres = row.volume === null ? null : toLitres(row.volume, target.source.volume ?? target.volume)
    const amount = row.kind === 'fuel' ? litres : row.kind === 'reading' ? null : row.cost_minor
    const print = fingerprint(
      target.row?.id ?? `new:${target.nickname}`,
      row.kind,
      row.date,
      odometer,
      amount,
    )
    if (known.has(print)) {
      count.known++
      continue
    }
    // An odometer is a reading of the car (an expense's is not): it must fit the car's history.
    if (odometer !== null && row.kind !== 'tax') {
      const why = contradiction(target, row.date, odometer)
      if (why) {
        refused.push({ line: row.line, why })
        continue
      }
      lastOf.set(target, { value: odometer, line: row.line })
    }
    known.add(print)
    count.new++
    fresh.push({ row, target, print })
  }
  return { cars, fresh, refused, kinds: [...counts.values()].filter((c) => c.rows > 0) }
}

function dropExpired(db: Database, now: Date) {
  db.query('DELETE FROM pending_imports WHERE expires_at < ?').run(now.toISOString())
}

/** Keeps a file's rows as a pending import and answers what Import would do; stores no record. */
export function createPending(
  db: Database,
  tenant: string,
  body: PendingCreate,
  now: Date,
  actor: ChangeActor,
): PendingView {
  return db.transaction(() => {
    dropExpired(db, now)
    const p = plan(db, tenant, body, now)
    const id = randomBytes(12).toString('hex')
    const expires = new Date(now.getTime() + PENDING_HOURS * 3600_000).toISOString()
    db.query(
      'INSERT INTO pending_imports (id, tenant, actor_id, created_at, expires_at, body) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(id, tenant, actor.id, now.toISOString(), expires, JSON.stringify(body))
    return {
      id,
      expires_at: expires,
      kinds: p.kinds,
      cars: p.cars.map((c) => ({
        name: c.name,
        nickname: c.nickname,
        new: c.row === null,
        distance: c.distance,
        volume: c.volume,
      })),
      refused: p.refused,
    }
  })()
}

function takePending(db: Database, tenant: string, id: string, now: Date): PendingCreate {
  const row = db
    .query('SELECT body, expires_at FROM pending_imports WHERE id = ? AND tenant = ?')
    .get(id, tenant) as { body: string; expires_at: string } | null
  if (!row || row.expires_at < now.toISOString())
    throw notFound(
      'This import is no longer waiting: it was imported or cancelled already, or its preview is older than a day. Run /garage import again; a file imported before adds nothing twice.',
    )
  db.query('DELETE FROM pending_imports WHERE id = ?').run(id)
  return JSON.parse(row.body) as PendingCreate
}

export function cancelPending(db: Database, tenant: string, id: string, now: Date): { cancelled: boolean } {
  return db.transaction(() => {
    takePending(db, tenant, id, now)
    return { cancelled: true }
  })()
}

/**
 * Stores a pending import in one transaction: new cars, then each new row with the garage's next
 * number; a failure leaves the garage as it was. Rows that became known since the preview (an
 * import of the same file finished first) are skipped again.
 */
export function commitPending(
  db: Database,
  tenant: string,
  id: string,
  now: Date,
  actor: ChangeActor,
): ImportResult {
  return db.transaction(() => {
    const body = takePending(db, tenant, id, now)
    const { garage, shown } = garageAt(db, tenant, now)
    // Texts are written the garage's way (a typed value keeps its text; an imported one has none).
    const num = (v: number) => formatIn(v, shown.numbers, 3)
    ensureTenant(db, tenant, now)
    const p = plan(db, tenant, body, now)
    const created: string[] = []
    for (const c of p.cars) {
      if (c.row) continue
      createCar(db, tenant, { nickname: c.nickname, units: c.create }, now)
      c.row = findCar(db, tenant, c.nickname)!
      created.push(c.nickname)
    }
    const added = {
      fuel: [] as number[],
      service: [] as number[],
      reading: [] as number[],
      tax: [] as number[],
    }
    const at = now.toISOString()
    const nextRecordId = db.query(
      `INSERT INTO record_counters (tenant, kind, last) VALUES ('', 'service_id', (SELECT coalesce(max(id), 0) + 1 FROM service_records))
       ON CONFLICT (tenant, kind) DO UPDATE SET last = max(last + 1, excluded.last) RETURNING last`,
    )
    const insertFillup = db.query(
      `INSERT INTO fuel_fillups (tenant, car_id, litres, volume_text, cost_minor, currency, cost_text, odometer, odometer_text, full, missed,
         filled_on, created_at, number, reading_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const insertRecord = db.query(
      `INSERT INTO service_records (id, tenant, car_id, title, kind, cost_minor, currency, cost_text, odometer, odometer_text, done_on, notes,
         created_at, reading_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    const insertExpense = db.query(
      `INSERT INTO expenses (tenant, number, car_id, kind, cost_minor, currency, cost_text, paid_on, odometer, odometer_text, notes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    for (const { row, target } of p.fresh) {
      const car = target.row!
      const distance = target.source.distance ?? car.odometer_unit
      const reading = (source: 'fuel' | 'service' | 'reading') =>
        row.odometer === null
          ? null
          : insertReading(
              db,
              car,
              { value: row.odometer, unit: distance, text: `${num(row.odometer)} ${distance}` },
              source,
              row.date,
              now,
            )
      const cost = row.cost_minor === null ? null : row.cost_minor
      const currency = cost === null ? null : garage.currency
      const costText = cost === null ? null : (row.cost_text ?? null)
      if (row.kind === 'fuel') {
        const volumeUnit = target.source.volume ?? target.volume
        const r = reading('fuel')
        const number = nextNumber(db, tenant, 'fuel')
        insertFillup.run(
          tenant,
          car.id,
          toLitres(row.volume!, volumeUnit),
          `${num(row.volume!)} ${volumeUnit}`,
          cost,
          currency,
          costText,
          r?.value ?? null,
          r?.text ?? null,
          row.full ? 1 : 0,
          row.missed ? 1 : 0,
          row.date,
          at,
          number,
          r?.id ?? null,
        )
        added.fuel.push(number)
      } else if (row.kind === 'reading') {
        const n = nextNumber(db, tenant, 'reading')
        insertReading(
          db,
          car,
          { value: row.odometer!, unit: distance, text: `${num(row.odometer!)} ${distance}` },
          'reading',
          row.date,
          now,
          n,
        )
        added.reading.push(n)
      } else if (row.kind === 'tax') {
        const number = nextNumber(db, tenant, 'expense')
        const odometer =
          row.odometer === null ? null : convertMeter(row.odometer, distance, car.odometer_unit)
        // LubeLogger's taxes are any cost (Car Manager's export writes its kind as the description).
        const kind =
          (EXPENSE_KINDS as readonly string[]).find((k) => k === row.title?.trim().toLowerCase()) ?? 'tax'
        insertExpense.run(
          tenant,
          number,
          car.id,
          kind,
          cost,
          currency,
          costText ?? String(cost),
          row.date,
          odometer,
          odometer === null ? null : `${num(row.odometer!)} ${distance}`,
          (kind === row.title?.trim().toLowerCase() ? [row.notes] : [row.title, row.notes])
            .filter(Boolean)
            .join('; ') || null,
          at,
        )
        added.tax.push(number)
      } else {
        const r = reading('service')
        const { last: recordId } = nextRecordId.get() as { last: number }
        insertRecord.run(
          recordId,
          tenant,
          car.id,
          row.title ?? row.kind,
          row.kind,
          cost,
          currency,
          costText,
          r?.value ?? null,
          r?.text ?? null,
          row.date,
          row.notes,
          at,
          r?.id ?? null,
        )
        added.service.push(recordId)
      }
    }
    const { id: number } = db
      .query(
        `INSERT INTO imports (tenant, actor_id, actor_name, at, file, format, added) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(tenant, actor.id, actor.name, at, body.file, body.format, JSON.stringify(added)) as { id: number }
    const numbers = (
      [
        ['fuel', added.fuel],
        ['service', added.service],
        ['reading', added.reading],
        ['tax', added.tax],
      ] as const
    ).flatMap(([kind, list]) =>
      list.length ? [{ kind, first: Math.min(...list), last: Math.max(...list) }] : [],
    )
    return { import: number, kinds: p.kinds, cars_created: created, numbers }
  })()
}

type Added = { fuel: number[]; service: number[]; reading: number[]; tax: number[] }

/**
 * Removes what import #N added, if none of it was changed since (an edit or removal is in the
 * change log under the record's number); the cars it made stay.
 */
export function undoImport(db: Database, tenant: string, number: number, now: Date): ImportUndone {
  return db.transaction(() => {
    const imp = db.query('SELECT * FROM imports WHERE tenant = ? AND id = ?').get(tenant, number) as {
      id: number
      at: string
      file: string
      added: string
      undone_at: string | null
    } | null
    if (!imp) throw notFound(`there is no import #${number} in this garage`)
    if (imp.undone_at)
      throw conflict('already_undone', `import #${number} (${imp.file}) was undone already; nothing changed`)
    const added = JSON.parse(imp.added) as Added
    const lists: [string, string, number[]][] = [
      ['fuel', 'fill-up', added.fuel],
      ['service', 'service record', added.service],
      ['reading', 'odometer reading', added.reading],
      ['expense', 'expense', added.tax],
    ]
    for (const [kind, noun, refs] of lists) {
      if (refs.length === 0) continue
      const changed = db
        .query(
          `SELECT ref, id FROM changes WHERE tenant = ? AND kind = ? AND ref IN (${refs.join(',')}) AND at >= ? ORDER BY id LIMIT 1`,
        )
        .get(tenant, kind, imp.at) as { ref: number; id: number } | null
      if (changed)
        throw conflict(
          'changed_since',
          `import #${number} cannot be undone: ${noun} #${changed.ref} it added was changed since (change #${changed.id}). Nothing changed`,
        )
    }
    for (const n of added.fuel) dropFillup(db, tenant, n)
    for (const id of added.service) dropRecord(db, tenant, id)
    for (const n of added.reading) dropReading(db, tenant, n)
    for (const n of added.tax) dropExpense(db, tenant, n)
    db.query('UPDATE imports SET undone_at = ? WHERE id = ?').run(now.toISOString(), imp.id)
    const removed = added.fuel.length + added.service.length + added.reading.length + added.tax.length
    return { import: number, removed, file: imp.file }
  })()
}
