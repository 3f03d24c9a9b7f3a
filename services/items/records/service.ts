/**
 * Service records: what was done to a car. A record naming maintenance items marks them done,
 * which moves their schedule on; an odometer typed on it is a reading of the car.
 */
import type { Database } from 'bun:sqlite'
import { checkDate } from '../../../lib/domain/dates.ts'
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
} from '../maintenance/item.ts'
import { advance } from '../maintenance/schedule.ts'
import { addReading } from '../readings/service.ts'
import { type CarRow, carById, requireCar } from '../shared/car.ts'
import { formatDistance } from '../shared/distance.ts'
import { ensureTenant, type GarageRow, garageAt } from '../shared/garage.ts'
import { type DistanceInput, type MoneyInput, nextPage, type Page } from '../shared/model.ts'
import { costAndOdometer, type LoggedColumns, loggedColumns } from '../shared/logged.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import { typedMoney } from '../shared/money.ts'
import { checkText } from '../shared/text.ts'
import type { RecordCreate, RecordKind, RecordView } from './model.ts'

/** A row of service_records (odometer in the car's unit). */
export type RecordRow = LoggedColumns & {
  id: number
  car_id: number
  title: string
  kind: RecordKind
  done_on: string
  notes: string | null
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
    ...costAndOdometer(r, car.odometer_unit),
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
}

/** Stores a record (call inside a transaction); the items it did move on unless it is older than their last. */
export function insertRecord(db: Database, tenant: string, input: RecordInput, now: Date): RecordView {
  const { garage, today } = garageAt(db, tenant, now)
  const { car } = input
  const date = input.date === undefined ? today : checkDate('date', input.date, today)
  const cost = input.cost === undefined ? null : typedMoney('cost', input.cost, garage.currency)
  // An odometer typed on the record is a reading; otherwise the car's on that date (Done: its current one).
  let odometer: { value: number; text: string } | null = null
  if (input.odometer) {
    const reading = {
      reading: input.odometer,
      date,
      source: 'service',
      confirm: input.confirm,
      field: 'odometer',
    } as const
    odometer = addReading(db, tenant, car, reading, now).reading
  } else {
    const value = input.odometerValue !== undefined ? input.odometerValue : odometerOn(db, car.id, date)
    if (value !== null) odometer = { value, text: formatDistance(value, car.odometer_unit) }
  }
  ensureTenant(db, tenant, now)
  const record = db
    .query(
      `INSERT INTO service_records (tenant, car_id, title, kind, cost_minor, currency, cost_text, odometer, odometer_text, done_on, notes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      tenant,
      car.id,
      input.title,
      input.kind,
      ...loggedColumns(cost, garage.currency, odometer),
      date,
      input.notes ?? null,
      now.toISOString(),
    ) as RecordRow
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
  }
  return recordView(db, tenant, record, car, garage, today)
}

function splitNames(items: string | string[] | undefined): string[] {
  if (items === undefined) return []
  const list = Array.isArray(items) ? items : items.split(',')
  const names = list.map((s) => s.trim()).filter((s) => s.length > 0)
  const seen = new Set<string>()
  return names.filter((n) => (seen.has(n.toLowerCase()) ? false : (seen.add(n.toLowerCase()), true)))
}

export function logRecord(db: Database, tenant: string, body: RecordCreate, now: Date): RecordView {
  return db.transaction(() => {
    const car = requireCar(db, tenant, body.car)
    const title = checkText('title', body.title, 200, true)!
    const items: ItemRow[] = []
    const unknown: string[] = []
    for (const name of splitNames(body.items)) {
      const row = findItem(db, tenant, car.id, name)
      if (row) items.push(row)
      else unknown.push(name)
    }
    if (unknown.length) {
      const list = unknown.map((n) => `"${clip(n, 40)}"`).join(', ')
      throw badRequest(
        'items',
        `items: ${car.nickname} has no item ${list}; ${itemNamesText(db, tenant, car)}`,
      )
    }
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
    return insertRecord(db, tenant, input, now)
  })()
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
  return { records, total, next_page: nextPage(page, total) }
}

function requireRecord(db: Database, tenant: string, id: number): { row: RecordRow; car: CarRow } {
  const row = db
    .query('SELECT * FROM service_records WHERE tenant = ? AND id = ?')
    .get(tenant, id) as RecordRow | null
  if (!row) throw notFound(`record: there is no service record #${id} in this garage (see /service list)`)
  return { row, car: carById(db, tenant, row.car_id) as CarRow }
}

/** One service record of this garage (another garage's id is not found, like a missing one). */
export function getRecord(db: Database, tenant: string, id: number, now: Date): RecordView {
  const { garage, today } = garageAt(db, tenant, now)
  const { row, car } = requireRecord(db, tenant, id)
  return recordView(db, tenant, row, car, garage, today)
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
        `cost: service record #${id} already has a cost (${formatMoney(row.cost_minor, row.currency)}); nothing changed`,
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
