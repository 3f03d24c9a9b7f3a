/**
 * Service records: what was done to a car. A record naming maintenance items marks them done,
 * which moves their schedule on; an odometer typed on it is a reading of the car.
 */
import type { Database } from 'bun:sqlite'
import { withAuthors } from '../drivers/authors.ts'
import { checkDate, formatDate } from '../../../lib/domain/dates.ts'
import { clip } from '../../../lib/domain/text.ts'
import { badRequest, conflict, notFound } from '../../lib/http.ts'
import {
  carState,
  dueOf,
  findItem,
  intervalOf,
  type ItemRow,
  itemNamesText,
  itemView,
  NOT_NOW,
  odometerOn,
  readingSpan,
} from '../maintenance/item.ts'
import { advance } from '../maintenance/schedule.ts'
import { addReading } from '../readings/service.ts'
import { type CarRow, carById, requireCar, requireInUse } from '../shared/car.ts'
import { formatDistance } from '../shared/distance.ts'
import { ensureTenant, type GarageRow, garageAt, shownOf } from '../shared/garage.ts'
import { type DistanceInput, type MoneyInput, nextPage, type Page } from '../shared/model.ts'
import { costAndOdometer, type LoggedColumns, loggedColumns } from '../shared/logged.ts'
import { formatMoney, minorDigits } from '../../../lib/domain/money.ts'
import { typedMoney } from '../shared/money.ts'
import { checkText } from '../shared/text.ts'
import type { RecordCreate, RecordEdit, RecordKind, RecordView } from './model.ts'
import { dropMadeReading } from '../fuel/service.ts'
import {
  type ChangeActor,
  logChange,
  NOBODY,
  readingSnapshot,
  removedNote,
  restoreReading,
  type Snapshot,
} from '../changes/log.ts'

/** A row of service_records (odometer in the car's unit). */
export type RecordRow = LoggedColumns & {
  id: number
  car_id: number
  title: string
  kind: RecordKind
  done_on: string
  notes: string | null
  created_at: string
  reading_id: number | null
  /** JSON of ItemBefore[]: what the items this record moved on were before it. */
  items_before: string | null
}

/** An item this record moved on: its last done and due point before, and what the record made them. */
type ItemBefore = {
  id: number
  last_date: string
  last_odometer: number | null
  due_date: string | null
  due_odometer: number | null
  after_date: string
  after_odometer: number | null
  after_due_date: string | null
  after_due_odometer: number | null
}

export function recordView(
  db: Database,
  tenant: string,
  r: RecordRow,
  car: CarRow,
  garage: GarageRow,
  today: string,
): RecordView {
  const linked = db
    .query(
      `SELECT i.* FROM service_record_items ri JOIN maintenance_items i ON i.id = ri.item_id
       WHERE ri.record_id = ? AND i.tenant = ? ORDER BY i.name_key`,
    )
    .all(r.id, tenant) as ItemRow[]
  const state = linked.length ? carState(db, car.id, today) : { odometer: null, readings: [] }
  return {
    id: r.id,
    car: car.nickname,
    title: r.title,
    kind: r.kind,
    ...costAndOdometer(r, car.odometer_unit, shownOf(garage).numbers),
    odometer_typed: r.reading_id !== null,
    date: r.done_on,
    notes: r.notes,
    items: linked.map((i) => ({
      id: i.id,
      name: i.name,
      due_text: itemView(i, car, state, today, garage).due_text,
    })),
  }
}

export type RecordInput = {
  car: CarRow
  title: string
  kind: RecordKind
  items: ItemRow[]
  cost?: MoneyInput
  odometer?: DistanceInput
  /** Odometer taken as is (Done: the current one), no reading inserted. */
  odometerValue?: number | null
  date?: string
  notes?: string
  confirm?: boolean
  /** An edit keeps the record's id and when it was first logged. */
  keep?: { id: number; created_at: string }
}

/**
 * The id of a new record: records show their id (#12, what /issue close record: takes), so an
 * id is never given again once a record had it, even after the record was removed.
 */
function nextRecordId(db: Database): number {
  const row = db
    .query(
      `INSERT INTO record_counters (tenant, kind, last) VALUES ('', 'service_id', (SELECT coalesce(max(id), 0) + 1 FROM service_records))
       ON CONFLICT (tenant, kind) DO UPDATE SET last = max(last + 1, excluded.last) RETURNING last`,
    )
    .get() as { last: number }
  return row.last
}

/** Stores a record (call inside a transaction); the items it did move on unless it is older than their last. */
export function insertRecord(db: Database, tenant: string, input: RecordInput, now: Date): RecordView {
  const { garage, today, shown } = garageAt(db, tenant, now)
  const { car } = input
  const date = input.date === undefined ? today : checkDate('date', input.date, today, shown.dates)
  const cost = input.cost === undefined ? null : typedMoney('cost', input.cost, garage.currency)
  // An odometer typed on the record is a reading; otherwise the car's on that date (Done: its current one).
  let odometer: { value: number; text: string } | null = null
  let readingId: number | null = null
  if (input.odometer) {
    const reading = {
      reading: input.odometer,
      date,
      source: 'service',
      confirm: input.confirm,
      field: 'odometer',
    } as const
    const made = addReading(db, tenant, car, reading, now).reading
    odometer = { value: made.value, text: made.text }
    readingId = made.id
  } else {
    const value = input.odometerValue !== undefined ? input.odometerValue : odometerOn(db, car.id, date, today)
    if (value !== null) odometer = { value, text: formatDistance(value, car.odometer_unit, shown.numbers) }
    // An item due by distance moves on from the odometer it was done at: where the readings do
    // not tell it (a past date after the last reading), it is asked for, never guessed.
    const byDistance = input.items.find((i) => i.distance !== null && date >= i.last_date)
    if (value === null && byDistance && input.odometerValue === undefined) {
      throw badRequest(
        'odometer',
        `odometer: ${car.nickname}'s readings do not tell its odometer on ${formatDate(date, shown.dates)} (${readingSpan(db, car.id, shown.dates)}), and ${byDistance.name} is due by distance; give the odometer it was done at`,
      )
    }
  }
  ensureTenant(db, tenant, now)
  const record = db
    .query(
      `INSERT INTO service_records (id, tenant, car_id, title, kind, cost_minor, currency, cost_text, odometer, odometer_text, done_on, notes, created_at, reading_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      input.keep?.id ?? nextRecordId(db),
      tenant,
      car.id,
      input.title,
      input.kind,
      ...loggedColumns(cost, garage.currency, odometer),
      date,
      input.notes ?? null,
      input.keep?.created_at ?? now.toISOString(),
      readingId,
    ) as RecordRow
  const before: ItemBefore[] = []
  for (const item of input.items) {
    db.query('INSERT OR IGNORE INTO service_record_items (record_id, item_id) VALUES (?, ?)').run(
      record.id,
      item.id,
    )
    // A record older than the item's last one (logged after the fact) does not move it back.
    if (date < item.last_date) continue
    const doneOdometer = odometer?.value ?? item.last_odometer
    const due = advance(intervalOf(item), dueOf(item), date, doneOdometer)
    db.query(
      `UPDATE maintenance_items SET last_date = ?, last_odometer = ?, due_date = ?, due_odometer = ?, announced_level = 0,
         snoozed_until = NULL, check_on = '${NOT_NOW}' WHERE id = ? AND tenant = ?`,
    ).run(date, doneOdometer, due.date, due.odometer, item.id, tenant)
    before.push({
      id: item.id,
      last_date: item.last_date,
      last_odometer: item.last_odometer,
      due_date: item.due_date,
      due_odometer: item.due_odometer,
      after_date: date,
      after_odometer: doneOdometer,
      after_due_date: due.date,
      after_due_odometer: due.odometer,
    })
  }
  if (before.length)
    db.query('UPDATE service_records SET items_before = ? WHERE id = ?').run(JSON.stringify(before), record.id)
  return recordView(db, tenant, record, car, garage, today)
}

function splitNames(items: string | string[] | undefined): string[] {
  if (items === undefined) return []
  const list = Array.isArray(items) ? items : items.split(',')
  const names = list.map((s) => s.trim()).filter((s) => s.length > 0)
  const seen = new Set<string>()
  return names.filter((n) => (seen.has(n.toLowerCase()) ? false : (seen.add(n.toLowerCase()), true)))
}

/** The car's items named, or a refusal naming the unknown ones and the car's items. */
function resolveItems(db: Database, tenant: string, car: CarRow, names: string | string[]): ItemRow[] {
  const items: ItemRow[] = []
  const unknown: string[] = []
  for (const name of splitNames(names)) {
    const row = findItem(db, tenant, car.id, name)
    if (row) items.push(row)
    else unknown.push(name)
  }
  if (unknown.length) {
    const list = unknown.map((n) => `"${clip(n, 40)}"`).join(', ')
    throw badRequest('items', `items: ${car.nickname} has no item ${list}; ${itemNamesText(db, tenant, car)}`)
  }
  return items
}

export function logRecord(
  db: Database,
  tenant: string,
  body: RecordCreate,
  now: Date,
  actor: ChangeActor = NOBODY,
): RecordView {
  return db.transaction(() => {
    const car = requireInUse(requireCar(db, tenant, body.car), 'service record', 'car', db)
    const title = checkText('title', body.title, 200, true)!
    const items = resolveItems(db, tenant, car, body.items ?? [])
    const notes =
      body.notes === undefined ? undefined : (checkText('notes', body.notes, 2000, false) ?? undefined)
    const { cost, odometer, date, confirm } = body
    const input = {
      car,
      title,
      kind: body.kind ?? 'service',
      items,
      cost,
      odometer,
      date,
      notes,
      confirm,
    } as const
    const view = insertRecord(db, tenant, input, now)
    return { ...view, change: logRecordChange(db, tenant, actor, 'add', view.id, null, now) }
  })()
}

/** Logs a change of record #id (its snapshot after it is read here); returns the change id. */
export function logRecordChange(
  db: Database,
  tenant: string,
  actor: ChangeActor,
  action: 'add' | 'edit' | 'remove',
  id: number,
  before: Snapshot | null,
  now: Date,
): number {
  const after = action === 'remove' ? null : recordSnapshot(db, tenant, id)
  return logChange(db, tenant, actor, { kind: 'service', action, ref: id, before, after }, now)
}

/** Record #id as it is now, to log or put back; null when there is none. */
export function recordSnapshot(db: Database, tenant: string, id: number): Snapshot | null {
  const row = db.query('SELECT * FROM service_records WHERE tenant = ? AND id = ?').get(tenant, id) as RecordRow | null
  if (!row) return null
  const items = (
    db.query('SELECT item_id FROM service_record_items WHERE record_id = ?').all(id) as { item_id: number }[]
  ).map((i) => i.item_id)
  return { row, reading: readingSnapshot(db, row.reading_id), items }
}

/**
 * Puts a record back as a snapshot had it: its id, its reading, its items, and the items it
 * moved on move on again (unless another record moved them meanwhile). Call in a transaction.
 */
export function restoreRecord(db: Database, tenant: string, snap: Snapshot) {
  const row: Record<string, unknown> & { id: number } = { ...snap.row, reading_id: restoreReading(db, snap.reading) }
  const cols = Object.keys(row)
  db.query(`INSERT INTO service_records (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
    ...(Object.values(row) as (string | number | null)[]),
  )
  for (const item of snap.items ?? [])
    db.query(
      'INSERT OR IGNORE INTO service_record_items (record_id, item_id) SELECT ?, id FROM maintenance_items WHERE id = ? AND tenant = ?',
    ).run(row.id, item, tenant)
  const moved = typeof row.items_before === 'string' ? (JSON.parse(row.items_before) as ItemBefore[]) : []
  for (const b of moved)
    db.query(
      `UPDATE maintenance_items SET last_date = ?, last_odometer = ?, due_date = ?, due_odometer = ?, announced_level = 0,
         snoozed_until = NULL, check_on = '0000-00-00' WHERE id = ? AND tenant = ? AND last_date = ? AND last_odometer IS ?`,
    ).run(b.after_date, b.after_odometer, b.after_due_date, b.after_due_odometer, b.id, tenant, b.last_date, b.last_odometer)
}

/** Takes record #id out if it is there (undo of its log or edit). */
export function dropRecord(db: Database, tenant: string, id: number) {
  const row = db.query('SELECT * FROM service_records WHERE tenant = ? AND id = ?').get(tenant, id) as RecordRow | null
  if (row) deleteRecord(db, tenant, row)
}

export function listRecords(
  db: Database,
  tenant: string,
  carRef: string | undefined,
  page: Page,
  now: Date,
): { records: RecordView[]; total: number; next_page: number | null } {
  const { garage, today } = garageAt(db, tenant, now)
  const car = carRef ? requireCar(db, tenant, carRef) : null
  const rows = (
    car
      ? db
          .query(
            'SELECT * FROM service_records WHERE tenant = ? AND car_id = ? ORDER BY done_on DESC, id DESC LIMIT ? OFFSET ?',
          )
          .all(tenant, car.id, page.limit, (page.page - 1) * page.limit)
      : db
          .query('SELECT * FROM service_records WHERE tenant = ? ORDER BY done_on DESC, id DESC LIMIT ? OFFSET ?')
          .all(tenant, page.limit, (page.page - 1) * page.limit)
  ) as RecordRow[]
  const { total } = (
    car
      ? db.query('SELECT count(*) AS total FROM service_records WHERE tenant = ? AND car_id = ?').get(tenant, car.id)
      : db.query('SELECT count(*) AS total FROM service_records WHERE tenant = ?').get(tenant)
  ) as { total: number }
  const cars = new Map<number, CarRow>()
  const records = rows.map((r) => {
    let c = cars.get(r.car_id)
    if (!c) {
      c = carById(db, tenant, r.car_id) as CarRow
      cars.set(r.car_id, c)
    }
    return recordView(db, tenant, r, c, garage, today)
  })
  return { records: withAuthors(db, tenant, 'service', records, (r) => r.id), total, next_page: nextPage(page, total) }
}

function requireRecord(db: Database, tenant: string, id: number): { row: RecordRow; car: CarRow } {
  const row = db
    .query('SELECT * FROM service_records WHERE tenant = ? AND id = ?')
    .get(tenant, id) as RecordRow | null
  if (!row)
    throw notFound(
      `record: there is no service record #${id} in this garage${removedNote(db, tenant, 'service', id)} (see /service list)`,
    )
  return { row, car: carById(db, tenant, row.car_id) as CarRow }
}

/** One service record of this garage (another garage's id is not found, like a missing one). */
export function getRecord(db: Database, tenant: string, id: number, now: Date): RecordView {
  const { garage, today } = garageAt(db, tenant, now)
  const { row, car } = requireRecord(db, tenant, id)
  return withAuthors(db, tenant, 'service', [recordView(db, tenant, row, car, garage, today)], (r) => r.id)[0]!
}

/**
 * Gives a record that has no cost one (an accepted quote's amount, carried when the issue it
 * fixed is closed). A record that already has a cost keeps it: 409, nothing changed.
 */
export function setRecordCost(
  db: Database,
  tenant: string,
  id: number,
  cost: MoneyInput,
  now: Date,
): RecordView {
  return db.transaction(() => {
    const { garage, today } = garageAt(db, tenant, now)
    const { row, car } = requireRecord(db, tenant, id)
    if (row.cost_minor !== null && row.currency !== null)
      throw conflict(
        'has_cost',
        `cost: service record #${id} already has a cost (${formatMoney(row.cost_minor, row.currency, 0, shownOf(garage).numbers)}); nothing changed`,
        'cost',
      )
    const money = typedMoney('cost', cost, garage.currency)
    const updated = db
      .query(
        'UPDATE service_records SET cost_minor = ?, currency = ?, cost_text = ? WHERE tenant = ? AND id = ? RETURNING *',
      )
      .get(money.minor, garage.currency, money.text, tenant, id) as RecordRow
    return recordView(db, tenant, updated, car, garage, today)
  })()
}

/**
 * Takes a record out: the items it moved on go back to their last done and due point before it
 * (an item done again by a later record keeps that one), and the odometer reading it made goes
 * with it. Call inside a transaction.
 */
function deleteRecord(db: Database, tenant: string, row: RecordRow) {
  const before = row.items_before ? (JSON.parse(row.items_before) as ItemBefore[]) : []
  for (const b of before) {
    db.query(
      `UPDATE maintenance_items SET last_date = ?, last_odometer = ?, due_date = ?, due_odometer = ?, announced_level = 0,
         check_on = '0000-00-00' WHERE id = ? AND tenant = ? AND last_date = ? AND last_odometer IS ?`,
    ).run(b.last_date, b.last_odometer, b.due_date, b.due_odometer, b.id, tenant, b.after_date, b.after_odometer)
  }
  db.query('DELETE FROM service_records WHERE id = ?').run(row.id)
  dropMadeReading(db, row.car_id, row.reading_id, 'service', row.done_on)
}

/** Removes service record #id; answers it as it was (its items as they are due now, without it). */
export function removeRecord(
  db: Database,
  tenant: string,
  id: number,
  now: Date,
  actor: ChangeActor = NOBODY,
): RecordView {
  return db.transaction(() => {
    const { garage, today } = garageAt(db, tenant, now)
    const { row, car } = requireRecord(db, tenant, id)
    const before = recordSnapshot(db, tenant, id)
    const linked = db.query('SELECT item_id FROM service_record_items WHERE record_id = ?').all(row.id) as {
      item_id: number
    }[]
    deleteRecord(db, tenant, row)
    const view = recordView(db, tenant, row, car, garage, today)
    const items = linked
      .map((l) => db.query('SELECT * FROM maintenance_items WHERE id = ? AND tenant = ?').get(l.item_id, tenant) as ItemRow | null)
      .filter((i): i is ItemRow => i !== null)
    const state = items.length ? carState(db, car.id, today) : { odometer: null, readings: [] }
    view.items = items.map((i) => ({ id: i.id, name: i.name, due_text: itemView(i, car, state, today, garage).due_text }))
    return { ...view, change: logRecordChange(db, tenant, actor, 'remove', id, before, now) }
  })()
}

/** Changes service record #id: what is given replaces what it had, the rest stays; the id stays. */
export function editRecord(
  db: Database,
  tenant: string,
  id: number,
  body: RecordEdit,
  now: Date,
  actor: ChangeActor = NOBODY,
): RecordView {
  return db.transaction(() => {
    const { row, car: oldCar } = requireRecord(db, tenant, id)
    const before = recordSnapshot(db, tenant, id)
    const linked = db
      .query(
        `SELECT i.name FROM service_record_items ri JOIN maintenance_items i ON i.id = ri.item_id
         WHERE ri.record_id = ? ORDER BY i.name_key`,
      )
      .all(row.id) as { name: string }[]
    deleteRecord(db, tenant, row)
    // Moved onto another car: that car takes it only while in use, as it takes a new one.
    const car =
      body.car === undefined
        ? oldCar
        : (() => {
            const target = requireCar(db, tenant, body.car)
            return target.id === oldCar.id ? target : requireInUse(target, 'service record', 'car', db)
          })()
    const title = body.title === undefined ? row.title : checkText('title', body.title, 200, true)!
    const items = resolveItems(db, tenant, car, body.items ?? linked.map((l) => l.name))
    const notes =
      body.notes === undefined ? (row.notes ?? undefined) : (checkText('notes', body.notes, 2000, false) ?? undefined)
    const cost =
      body.cost ??
      (row.cost_minor === null ? undefined : { value: row.cost_minor / 10 ** minorDigits(row.currency ?? 'USD'), text: row.cost_text ?? undefined })
    const odometer =
      body.odometer ??
      (row.odometer === null || row.reading_id === null
        ? undefined
        : { value: row.odometer, unit: oldCar.odometer_unit, text: row.odometer_text ?? undefined })
    const input = {
      car,
      title,
      kind: body.kind ?? row.kind,
      items,
      cost,
      odometer,
      odometerValue: odometer === undefined && body.date === undefined ? row.odometer : undefined,
      date: body.date ?? row.done_on,
      notes,
      confirm: body.confirm,
      keep: { id: row.id, created_at: row.created_at },
    }
    const view = insertRecord(db, tenant, input, now)
    return { ...view, change: logRecordChange(db, tenant, actor, 'edit', id, before, now) }
  })()
}
