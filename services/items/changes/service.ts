/**
 * A garage's history and undo. Every change of a fill-up or a service record is in `changes`
 * with the record before and after it (log.ts). Undo puts the record back as it was before the
 * change: only a change that is the record's latest (not undone) can be undone, so a record
 * changed since is never overwritten; an undo is itself a change, shown in the history, and is
 * not undone in turn.
 */
import type { Database } from 'bun:sqlite'
import { formatDate } from '../../../lib/domain/dates.ts'
import { FUEL_LABEL, type FuelType } from '../../../lib/domain/figures.ts'
import { formatMoney } from '../../../lib/domain/money.ts'
import type { Presentation } from '../../../lib/domain/presentation.ts'
import { conflict, notFound } from '../../lib/http.ts'
import { dropFillup, fillupSnapshot, restoreFillup } from '../fuel/service.ts'
import { dropRecord, recordSnapshot, restoreRecord } from '../records/service.ts'
import { dropExpense, expenseSnapshot, restoreExpense } from '../expenses/service.ts'
import { chargeSnapshot, dropCharge, restoreCharge } from '../charging/service.ts'
import { dropReading, readingSnapshot, restoreReadingRow } from '../readings/correct.ts'
import { carSnapshot, restoreArchive } from '../cars/archive.ts'
import { importSnapshot, removeImport } from '../imports/service.ts'
import { requireCar } from '../shared/car.ts'
import { garageShown } from '../shared/garage.ts'
import { nextPage, type Page } from '../shared/model.ts'
import { SETTINGS_HISTORY_FIELDS } from '../settings/service.ts'
import { type ChangeAction, type ChangeActor, type ChangeKind, logChange, type Snapshot } from './log.ts'
import type { CarUndoResult, ChangeView, UndoResult } from './model.ts'

type ChangeRow = {
  id: number
  tenant: string
  actor_id: string
  actor_name: string
  at: string
  kind: ChangeKind
  action: ChangeAction
  ref: number
  car_id: number | null
  before: string | null
  after: string | null
  undoes: number | null
  undone_by: number | null
}

const NOUN: Record<ChangeKind, string> = {
  fuel: 'fill-up',
  service: 'service record',
  reading: 'odometer reading',
  car: 'car',
  settings: 'the settings',
  expense: 'expense',
  charge: 'charge',
  import: 'import',
}

/** The fields a history shows of each kind: label and column. */
const FIELDS: Record<ChangeKind, [string, string][]> = {
  fuel: [
    ['date', 'filled_on'],
    ['volume', 'volume_text'],
    ['cost', 'cost_text'],
    ['odometer', 'odometer_text'],
    ['full', 'full'],
    ['missed', 'missed'],
    ['fuel', 'fuel'],
    ['price', 'price_text'],
    ['station', 'station'],
  ],
  service: [
    ['date', 'done_on'],
    ['title', 'title'],
    ['kind', 'kind'],
    ['cost', 'cost_text'],
    ['odometer', 'odometer_text'],
    ['notes', 'notes'],
  ],
  reading: [
    ['date', 'read_on'],
    ['reading', 'text'],
  ],
  car: [
    ['archived', 'archived_on'],
    ['price', 'archived_price'],
    ['odometer', 'archived_odometer_text'],
  ],
  settings: SETTINGS_HISTORY_FIELDS,
  charge: [
    ['date', 'charged_on'],
    ['energy', 'energy_text'],
    ['cost', 'cost_text'],
    ['price', 'price_text'],
    ['odometer', 'odometer_text'],
    ['where', 'place'],
  ],
  import: [
    ['file', 'file'],
    ['format', 'format'],
    ['rows', 'rows'],
    ['carried', 'carried'],
  ],
  expense: [
    ['date', 'paid_on'],
    ['kind', 'kind'],
    ['cost', 'cost_text'],
    ['every', 'every_text'],
    ['odometer', 'odometer_text'],
    ['notes', 'notes'],
  ],
}

const parse = (json: string | null): Snapshot | null => (json ? (JSON.parse(json) as Snapshot) : null)

/** The columns of a snapshot that hold a date (YYYY-MM-DD), shown in the garage's date order. */
const DATE_COLUMNS = new Set(['filled_on', 'done_on', 'read_on', 'archived_on', 'paid_on', 'charged_on'])

/** A snapshot's field as the history shows it, in the garage's number format and date order. */
function shown(snap: Snapshot | null, column: string, p: Presentation): string | null {
  if (!snap) return null
  const row = snap.row
  const v = row[column]
  if (v === null || v === undefined) return null
  if (column === 'full' || column === 'missed') return v === 1 ? 'yes' : 'no'
  if (column === 'fuel' && typeof v === 'string' && Object.hasOwn(FUEL_LABEL, v)) return FUEL_LABEL[v as FuelType]
  if (column === 'cost_text' && typeof row.cost_minor === 'number' && typeof row.currency === 'string')
    return formatMoney(row.cost_minor, row.currency, 0, p.numbers)
  // the price was kept as shown when it was archived; written again from its amount
  if (column === 'archived_price' && typeof row.archived_price_minor === 'number' && typeof row.archived_currency === 'string')
    return formatMoney(row.archived_price_minor, row.archived_currency, 0, p.numbers)
  if (DATE_COLUMNS.has(column) && typeof v === 'string') return formatDate(v, p.dates)
  return String(v)
}

function carName(db: Database, carId: number | null | undefined): string | null {
  if (carId === null || carId === undefined) return null
  const row = db.query('SELECT nickname FROM cars WHERE id = ?').get(carId) as { nickname: string } | null
  return row?.nickname ?? null
}

/** A change as shown; its fields in the garage's number format and date order (`at` stays an ISO time). */
export function changeView(db: Database, c: ChangeRow, p: Presentation): ChangeView {
  const before = parse(c.before)
  const after = parse(c.after)
  const fields: ChangeView['fields'] = []
  const carBefore = carName(db, before?.row.car_id)
  const carAfter = carName(db, after?.row.car_id)
  if (before && after && before.row.car_id !== after.row.car_id)
    fields.push({ name: 'car', before: carBefore, after: carAfter })
  for (const [name, column] of FIELDS[c.kind]) {
    const b = shown(before, column, p)
    const a = shown(after, column, p)
    if (before && after && a === b) continue
    if (a === null && b === null) continue
    fields.push({ name, before: b, after: a })
  }
  return {
    id: c.id,
    at: c.at,
    actor: c.actor_name,
    action: c.action,
    kind: c.kind,
    ref: c.ref,
    car: carAfter ?? carBefore,
    fields,
    undoes: c.undoes,
    undone_by: c.undone_by,
  }
}

/** The garage's changes, newest first, a page at a time (of one car with `car`). */
export function listChanges(
  db: Database,
  tenant: string,
  carRef: string | undefined,
  page: Page,
): { changes: ChangeView[]; total: number; next_page: number | null } {
  const car = carRef ? requireCar(db, tenant, carRef) : null
  const where = car ? 'tenant = ? AND car_id = ?' : 'tenant = ?'
  const args: (string | number)[] = car ? [tenant, car.id] : [tenant]
  const rows = db
    .query(`SELECT * FROM changes WHERE ${where} ORDER BY id DESC LIMIT ? OFFSET ?`)
    .all(...args, page.limit, (page.page - 1) * page.limit) as ChangeRow[]
  const { total } = db.query(`SELECT count(*) AS total FROM changes WHERE ${where}`).get(...args) as {
    total: number
  }
  const p = garageShown(db, tenant)
  return { changes: rows.map((r) => changeView(db, r, p)), total, next_page: nextPage(page, total) }
}

/** An ISO instant as "2026-05-10 14:03" (UTC), the date in the garage's order. */
const when = (iso: string, p: Presentation) => `${formatDate(iso.slice(0, 10), p.dates)} ${iso.slice(11, 16)}`

/**
 * Undoes change #id (or, without it, the actor's latest change not undone yet). Refused, with
 * nothing changed, when it was undone already, is an undo, or the record changed since.
 */
export function undoChange(
  db: Database,
  tenant: string,
  actor: ChangeActor,
  id: number | undefined,
  now: Date,
): UndoResult
export function undoChange(
  db: Database,
  tenant: string,
  actor: ChangeActor,
  id: number,
  now: Date,
  scope: 'car',
): CarUndoResult
/**
 * `scope` 'records' (/changes/undo, /garage undo): changes of fill-ups, service records and
 * readings; the asker's last one skips a car's archive, and a car's archive named by id is
 * refused, pointing at its own Undo (the garage's undo answers are about records). 'car'
 * (/cars/archive/undo): that change of a car's archive only.
 */
export function undoChange(
  db: Database,
  tenant: string,
  actor: ChangeActor,
  id: number | undefined,
  now: Date,
  scope: 'records' | 'car' = 'records',
): UndoResult | CarUndoResult {
  return db.transaction(() => {
    const c = (
      id === undefined
        ? db
            .query(
              `SELECT * FROM changes WHERE tenant = ? AND actor_id = ? AND action != 'undo' AND undone_by IS NULL
               AND kind NOT IN ('car', 'settings') ORDER BY id DESC LIMIT 1`,
            )
            .get(tenant, actor.id)
        : db.query('SELECT * FROM changes WHERE tenant = ? AND id = ?').get(tenant, id)
    ) as ChangeRow | null
    if (!c || (scope === 'car' && c.kind !== 'car'))
      throw notFound(
        id === undefined
          ? 'change: you have no change left to undo in this garage (see /garage history)'
          : `change: there is no ${scope === 'car' ? 'archive of a car as ' : ''}change #${id} in this garage (see /garage history)`,
      )
    const what = c.kind === 'car' ? `the archive of ${carName(db, c.ref) ?? `car #${c.ref}`}` : `${NOUN[c.kind]} #${c.ref}`
    if (scope === 'records' && c.kind === 'car') {
      const car = carName(db, c.ref)
      throw conflict(
        'car_change',
        `change: #${c.id} is ${what}; undo it with the Undo button of its answer, or /car ${parse(c.after)?.row.archived_on ? 'unarchive' : 'archive'} ${car ?? ''}. Nothing changed`,
        'change',
      )
    }
    if (c.kind === 'settings')
      throw conflict(
        'settings_change',
        `change: #${c.id} is a change of the garage's settings, which are not undone: set them again with /garage settings. Nothing changed`,
        'change',
      )
    if (c.action === 'undo')
      throw conflict('undo_of_undo', `change: #${c.id} is itself an undo and cannot be undone; nothing changed`, 'change')
    if (c.undone_by !== null) {
      const by = db.query('SELECT actor_name, at FROM changes WHERE id = ?').get(c.undone_by) as {
        actor_name: string
        at: string
      }
      throw conflict(
        'already_undone',
        `change: #${c.id} (${c.action} of ${what}) was already undone by ${by.actor_name} at ${when(by.at, garageShown(db, tenant))} UTC (change #${c.undone_by}); nothing changed`,
        'change',
      )
    }
    const latest = db
      .query(
        `SELECT * FROM changes WHERE tenant = ? AND kind = ? AND ref = ? AND action != 'undo' AND undone_by IS NULL
         ORDER BY id DESC LIMIT 1`,
      )
      .get(tenant, c.kind, c.ref) as ChangeRow
    if (latest.id !== c.id)
      throw conflict(
        'changed_since',
        `change: #${c.id} (${c.action} of ${what}) cannot be undone: ${what} was ${latest.action === 'remove' ? 'removed' : 'changed'} since by ${latest.actor_name} (change #${latest.id}, ${latest.action}); undo that first. Nothing changed`,
        'change',
      )
    const before = parse(c.before)
    if (before && !db.query('SELECT 1 FROM cars WHERE id = ? AND tenant = ?').get(before.row.car_id, tenant))
      throw conflict('car_removed', `change: the car of ${what} was removed; it cannot be put back. Nothing changed`, 'change')
    const removedWith = parse(c.after)?.removed
    if (removedWith)
      throw conflict(
        'removed_readings',
        `change: #${c.id} removed ${removedWith === 1 ? 'another reading' : `${removedWith} other readings`} that contradicted it, which are not kept; correct the odometer with /car odometer … confirm:yes instead. Nothing changed`,
        'change',
      )
    const snapshotOf = () =>
      c.kind === 'fuel'
        ? fillupSnapshot(db, tenant, c.ref)
        : c.kind === 'service'
          ? recordSnapshot(db, tenant, c.ref)
          : c.kind === 'expense'
            ? expenseSnapshot(db, tenant, c.ref)
            : c.kind === 'charge'
            ? chargeSnapshot(db, tenant, c.ref)
            : c.kind === 'car'
            ? carSnapshot(db, tenant, c.ref)
            : c.kind === 'import'
            ? importSnapshot(db, tenant, c.ref)
            : readingSnapshot(db, tenant, c.ref)
    const current = snapshotOf()
    if (c.kind === 'car') {
      if (before) restoreArchive(db, tenant, before)
    } else if (c.kind === 'import') {
      // refused, changing nothing, when a row it added was changed since
      removeImport(db, tenant, c.ref, now)
    } else if (c.kind === 'fuel') {
      dropFillup(db, tenant, c.ref)
      if (before) restoreFillup(db, before)
    } else if (c.kind === 'service') {
      dropRecord(db, tenant, c.ref)
      if (before) restoreRecord(db, tenant, before)
    } else if (c.kind === 'charge') {
      dropCharge(db, tenant, c.ref)
      if (before) restoreCharge(db, before)
    } else if (c.kind === 'expense') {
      dropExpense(db, tenant, c.ref)
      if (before) restoreExpense(db, before)
    } else {
      dropReading(db, tenant, c.ref)
      if (before) restoreReadingRow(db, before)
    }
    const after = snapshotOf()
    const undo = logChange(
      db,
      tenant,
      actor,
      { kind: c.kind, action: 'undo', ref: c.ref, before: current, after, undoes: c.id },
      now,
    )
    db.query('UPDATE changes SET undone_by = ? WHERE id = ?').run(undo, c.id)
    return { undone: changeView(db, { ...c, undone_by: undo }, garageShown(db, tenant)), change: undo }
  })()
}
