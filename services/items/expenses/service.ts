/**
 * Expenses: what a car costs besides fuel and service (insurance, registration, tax, tolls …),
 * numbered per garage (#N). One logged with `every` renews: the car's renewal of that kind
 * follows its latest recurring expense of the kind (`syncRenewal`, after every write, an undo
 * included), so logging the next payment moves it on and removing that payment moves it back.
 */
import type { Database } from 'bun:sqlite'
import { withAuthors } from '../drivers/authors.ts'
import {
  addMonths,
  checkDate,
  daysBetween,
  formatDate,
  isDateOrder,
  latestDateOnEarth,
  localClock,
} from '../../../lib/domain/dates.ts'
import { EXPENSE_KINDS, type ExpenseKind, RENEWAL_FORMS, RENEWAL_MONTHS, type RenewalEvery } from '../../../lib/domain/figures.ts'
import { formatMoney, minorDigits } from '../../../lib/domain/money.ts'
import { clip } from '../../../lib/domain/text.ts'
import { badRequest, conflict, notFound } from '../../lib/http.ts'
import { type ChangeActor, logChange, NOBODY, removedNote, type Snapshot } from '../changes/log.ts'
import { NOT_NOW } from '../maintenance/item.ts'
import { evaluate, type Level, levelRank, nextCheck, relativeDays } from '../maintenance/schedule.ts'
import { type CarRow, carById, requireCar, requireInUse } from '../shared/car.ts'
import { inCarUnit } from '../shared/distance.ts'
import { ensureTenant, type GarageRow, garageAt, garageShown, leavingGarages } from '../shared/garage.ts'
import type { Presentation } from '../../../lib/domain/presentation.ts'
import { type DistanceInput, type MoneyInput, nextPage, type Page } from '../shared/model.ts'
import { typedMoney } from '../shared/money.ts'
import { nextNumber } from '../shared/numbers.ts'
import { checkText } from '../shared/text.ts'
import type { ExpenseCreate, ExpenseEdit, ExpenseView, RenewalPayment, RenewalView } from './model.ts'

/** A row of expenses (odometer in the car's unit). */
export type ExpenseRow = {
  id: number
  tenant: string
  number: number
  car_id: number
  kind: ExpenseKind
  cost_minor: number
  currency: string
  cost_text: string
  paid_on: string
  odometer: number | null
  odometer_text: string | null
  every_months: number | null
  every_text: string | null
  renews: number | null
  notes: string | null
  created_at: string
}

/** A row of expense_renewals: a car's renewal of a kind and its reminder state. */
export type RenewalRow = {
  id: number
  tenant: string
  car_id: number
  kind: ExpenseKind
  expense_number: number
  due_date: string
  announced_level: number
  check_on: string | null
}

/** "Insurance": a kind as a reminder names it. */
export const kindName = (kind: string) => `${kind[0]!.toUpperCase()}${kind.slice(1)}`

/** The kind typed, or a refusal that lists the kinds. */
export function checkKind(value: string): ExpenseKind {
  const kind = EXPENSE_KINDS.find((k) => k === value.trim().toLowerCase())
  if (kind) return kind
  throw badRequest('kind', `kind: "${clip(value, 40)}" is not a kind of expense; kinds: ${EXPENSE_KINDS.join(', ')}`)
}

/** `every` as typed (12m, 1y, 6m, 3m, 1m) in months, or a refusal that names the forms; "none": it does not renew. */
export function checkEvery(value: string): { months: number; text: string } | null {
  const text = value.trim().toLowerCase()
  if (text === 'none') return null
  if (Object.hasOwn(RENEWAL_MONTHS, text)) return { months: RENEWAL_MONTHS[text as RenewalEvery], text }
  throw badRequest('every', `every: "${clip(value, 40)}" is not a renewal period; use ${RENEWAL_FORMS.join(', ')} (or none)`)
}

const renewalOf = (db: Database, tenant: string, carId: number, kind: string) =>
  db
    .query('SELECT * FROM expense_renewals WHERE tenant = ? AND car_id = ? AND kind = ?')
    .get(tenant, carId, kind) as RenewalRow | null

/** An expense as replies show it; `shown` (how the garage writes numbers) is read when not given. */
export function expenseView(
  db: Database,
  row: ExpenseRow,
  car: CarRow,
  shown: Presentation = garageShown(db, row.tenant),
): ExpenseView {
  const renewal = row.every_months === null ? null : renewalOf(db, row.tenant, row.car_id, row.kind)
  return {
    number: row.number,
    car: car.nickname,
    kind: row.kind,
    cost: formatMoney(row.cost_minor, row.currency, 0, shown.numbers),
    cost_minor: row.cost_minor,
    currency: row.currency,
    date: row.paid_on,
    odometer: row.odometer_text,
    odometer_value: row.odometer,
    every: row.every_text,
    every_months: row.every_months,
    renews_on: renewal && renewal.expense_number === row.number ? renewal.due_date : null,
    renews: row.renews,
    notes: row.notes,
  }
}

/**
 * The car's renewal of `kind` as its expenses say now: due `every` after its latest recurring
 * expense of the kind (by date, then number), none without one. A renewal that moved (a new
 * payment, a correction, an undo) is announced afresh. Call in a transaction.
 */
export function syncRenewal(db: Database, tenant: string, carId: number, kind: string) {
  const latest = db
    .query(
      `SELECT * FROM expenses WHERE tenant = ? AND car_id = ? AND kind = ? AND every_months IS NOT NULL
       ORDER BY paid_on DESC, number DESC LIMIT 1`,
    )
    .get(tenant, carId, kind) as ExpenseRow | null
  const current = renewalOf(db, tenant, carId, kind)
  if (!latest) {
    if (current) db.query('DELETE FROM expense_renewals WHERE id = ?').run(current.id)
    return
  }
  const due = addMonths(latest.paid_on, latest.every_months!)
  if (current?.due_date === due && current.expense_number === latest.number) return
  if (current)
    db.query(
      `UPDATE expense_renewals SET expense_number = ?, due_date = ?, announced_level = 0, check_on = '${NOT_NOW}' WHERE id = ?`,
    ).run(latest.number, due, current.id)
  else
    db.query('INSERT INTO expense_renewals (tenant, car_id, kind, expense_number, due_date) VALUES (?, ?, ?, ?, ?)').run(
      tenant,
      carId,
      kind,
      latest.number,
      due,
    )
}

type ExpenseInput = {
  car: CarRow
  kind: ExpenseKind
  cost: MoneyInput
  date: string | undefined
  odometer: DistanceInput | { value: number; text: string } | undefined
  every: { months: number; text: string } | null
  notes: string | null
  renews: number | null
  /** An edit keeps the number and when it was first logged. */
  keep?: { number: number; created_at: string }
}

/** Stores an expense (call in a transaction); refusals name their field and store nothing. */
function insertExpense(db: Database, tenant: string, input: ExpenseInput, now: Date): ExpenseRow {
  const { garage, today } = garageAt(db, tenant, now)
  const date = input.date === undefined ? today : checkDate('date', input.date, today)
  const cost = typedMoney('cost', input.cost, garage.currency)
  const odometer =
    input.odometer === undefined
      ? null
      : 'unit' in input.odometer
        ? inCarUnit('odometer', input.odometer, input.car.odometer_unit, garage.units)
        : input.odometer
  ensureTenant(db, tenant, now)
  const row = db
    .query(
      `INSERT INTO expenses (tenant, number, car_id, kind, cost_minor, currency, cost_text, paid_on, odometer, odometer_text,
         every_months, every_text, renews, notes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    )
    .get(
      tenant,
      input.keep?.number ?? nextNumber(db, tenant, 'expense'),
      input.car.id,
      input.kind,
      cost.minor,
      garage.currency,
      cost.text,
      date,
      odometer?.value ?? null,
      odometer?.text ?? null,
      input.every?.months ?? null,
      input.every?.text ?? null,
      input.renews,
      input.notes,
      input.keep?.created_at ?? now.toISOString(),
    ) as ExpenseRow
  syncRenewal(db, tenant, row.car_id, row.kind)
  return row
}

const notes = (value: string | undefined) =>
  value === undefined ? null : checkText('notes', value, 2000, false)

/** Logs an expense of a car in use. */
export function logExpense(
  db: Database,
  tenant: string,
  body: ExpenseCreate,
  now: Date,
  actor: ChangeActor = NOBODY,
): ExpenseView {
  return db.transaction(() => {
    const kind = checkKind(body.kind)
    const every = body.every === undefined ? null : checkEvery(body.every)
    const car = requireInUse(requireCar(db, tenant, body.car), 'expense')
    const input = { car, kind, cost: body.cost, date: body.date, odometer: body.odometer, every, notes: notes(body.notes), renews: null }
    const row = insertExpense(db, tenant, input, now)
    return { ...expenseView(db, row, car), change: logExpenseChange(db, tenant, actor, 'add', row.number, null, now) }
  })()
}

function requireExpense(db: Database, tenant: string, number: number): { row: ExpenseRow; car: CarRow } {
  const row = db.query('SELECT * FROM expenses WHERE tenant = ? AND number = ?').get(tenant, number) as ExpenseRow | null
  if (!row)
    throw notFound(`number: there is no expense #${number} in this garage${removedNote(db, tenant, 'expense', number)} (see /expense list)`)
  return { row, car: carById(db, tenant, row.car_id) as CarRow }
}

/** The garage's expenses (of a car, of a kind), newest first, a page at a time. */
export function listExpenses(
  db: Database,
  tenant: string,
  query: { car?: string; kind?: string },
  page: Page,
): { expenses: ExpenseView[]; total: number; next_page: number | null } {
  const car = query.car ? requireCar(db, tenant, query.car) : null
  const kind = query.kind ? checkKind(query.kind) : null
  const where = ['tenant = ?', ...(car ? ['car_id = ?'] : []), ...(kind ? ['kind = ?'] : [])].join(' AND ')
  const args: (string | number)[] = [tenant, ...(car ? [car.id] : []), ...(kind ? [kind] : [])]
  const rows = db
    .query(`SELECT * FROM expenses WHERE ${where} ORDER BY paid_on DESC, number DESC LIMIT ? OFFSET ?`)
    .all(...args, page.limit, (page.page - 1) * page.limit) as ExpenseRow[]
  const { total } = db.query(`SELECT count(*) AS total FROM expenses WHERE ${where}`).get(...args) as { total: number }
  const cars = new Map<number, CarRow>()
  const shown = garageShown(db, tenant)
  const expenses = rows.map((r) => {
    let c = cars.get(r.car_id)
    if (!c) {
      c = carById(db, tenant, r.car_id) as CarRow
      cars.set(r.car_id, c)
    }
    return expenseView(db, r, c, shown)
  })
  return { expenses: withAuthors(db, tenant, 'expense', expenses, (e) => e.number), total, next_page: nextPage(page, total) }
}

/** Takes an expense out and its renewal back to the expense before it. Call in a transaction. */
function deleteExpense(db: Database, row: ExpenseRow) {
  db.query('DELETE FROM expenses WHERE id = ?').run(row.id)
  syncRenewal(db, row.tenant, row.car_id, row.kind)
}

/** Changes expense #number: what is given replaces what it had, the rest stays; the number stays. */
export function editExpense(
  db: Database,
  tenant: string,
  body: ExpenseEdit,
  now: Date,
  actor: ChangeActor = NOBODY,
): ExpenseView {
  return db.transaction(() => {
    const { number, ...changes } = body
    const { row, car: oldCar } = requireExpense(db, tenant, number)
    const before = expenseSnapshot(db, tenant, number)
    const kind = changes.kind === undefined ? row.kind : checkKind(changes.kind)
    const every =
      changes.every === undefined
        ? row.every_months === null
          ? null
          : { months: row.every_months, text: row.every_text ?? `${row.every_months}m` }
        : checkEvery(changes.every)
    deleteExpense(db, row)
    // Moved onto another car: that car takes it only while in use, as it takes a new one.
    const car =
      changes.car === undefined
        ? oldCar
        : (() => {
            const target = requireCar(db, tenant, changes.car)
            return target.id === oldCar.id ? target : requireInUse(target, 'expense')
          })()
    const digits = minorDigits(row.currency)
    const input: ExpenseInput = {
      car,
      kind,
      cost: changes.cost ?? { value: row.cost_minor / 10 ** digits, text: row.cost_text },
      date: changes.date ?? row.paid_on,
      odometer:
        changes.odometer ??
        (row.odometer === null || car.id !== oldCar.id ? undefined : { value: row.odometer, text: row.odometer_text ?? '' }),
      every,
      notes: changes.notes === undefined ? row.notes : notes(changes.notes),
      renews: row.renews,
      keep: { number: row.number, created_at: row.created_at },
    }
    const made = insertExpense(db, tenant, input, now)
    return { ...expenseView(db, made, car), change: logExpenseChange(db, tenant, actor, 'edit', number, before, now) }
  })()
}

/** Removes expense #number; its renewal goes back to the one before it. */
export function removeExpense(
  db: Database,
  tenant: string,
  number: number,
  now: Date,
  actor: ChangeActor = NOBODY,
): ExpenseView {
  return db.transaction(() => {
    const { row, car } = requireExpense(db, tenant, number)
    const before = expenseSnapshot(db, tenant, number)
    deleteExpense(db, row)
    return { ...expenseView(db, row, car), change: logExpenseChange(db, tenant, actor, 'remove', number, before, now) }
  })()
}

/**
 * The payment of the renewal that follows expense #number (its reminder's Log payment form):
 * this time's amount, the same car, kind and period. Once per renewal: pressed again, or
 * after a later payment of that car and kind was logged anyway, it is refused (409
 * `already_logged`, naming that expense as the error's `ref`) and nothing is stored.
 */
export function payRenewal(
  db: Database,
  tenant: string,
  number: number,
  body: Omit<RenewalPayment, 'number'>,
  now: Date,
  actor: ChangeActor = NOBODY,
): ExpenseView {
  return db.transaction(() => {
    const { row, car } = requireExpense(db, tenant, number)
    if (row.every_months === null)
      throw conflict('not_recurring', `number: expense #${number} does not renew (it has no every:); nothing was logged`, 'number')
    const paid = (db
      .query('SELECT * FROM expenses WHERE tenant = ? AND renews = ?')
      .get(tenant, number) ??
      db
        .query(
          `SELECT * FROM expenses WHERE tenant = ? AND car_id = ? AND kind = ? AND every_months IS NOT NULL
           AND (paid_on > ? OR (paid_on = ? AND number > ?)) ORDER BY paid_on, number LIMIT 1`,
        )
        .get(tenant, row.car_id, row.kind, row.paid_on, row.paid_on, row.number)) as ExpenseRow | null
    if (paid)
      throw conflict(
        'already_logged',
        `${kindName(row.kind)} for ${car.nickname} was already logged as #${paid.number} (${formatMoney(paid.cost_minor, paid.currency, 0, garageShown(db, tenant).numbers)} on ${formatDate(paid.paid_on, garageShown(db, tenant).dates)}); nothing new was logged. See /expense list car:${car.nickname} kind:${row.kind}`,
        undefined,
        paid.number,
      )
    requireInUse(car, 'expense')
    const input: ExpenseInput = {
      car,
      kind: row.kind,
      cost: body.cost,
      date: body.date,
      odometer: body.odometer,
      every: { months: row.every_months, text: row.every_text ?? `${row.every_months}m` },
      notes: notes(body.notes),
      renews: row.number,
    }
    const made = insertExpense(db, tenant, input, now)
    return { ...expenseView(db, made, car), change: logExpenseChange(db, tenant, actor, 'add', made.number, null, now) }
  })()
}

// ——— history and undo (changes/service.ts) ———

/** Logs a change of expense #number (its snapshot after it is read here); returns the change id. */
function logExpenseChange(
  db: Database,
  tenant: string,
  actor: ChangeActor,
  action: 'add' | 'edit' | 'remove',
  number: number,
  before: Snapshot | null,
  now: Date,
): number {
  const after = action === 'remove' ? null : expenseSnapshot(db, tenant, number)
  return logChange(db, tenant, actor, { kind: 'expense', action, ref: number, before, after }, now)
}

/** Expense #number as it is now, to log or put back; null when there is none. */
export function expenseSnapshot(db: Database, tenant: string, number: number): Snapshot | null {
  const row = db.query('SELECT * FROM expenses WHERE tenant = ? AND number = ?').get(tenant, number) as ExpenseRow | null
  return row ? { row, reading: null } : null
}

/** Takes expense #number out if it is there (undo of its log or edit). Call in a transaction. */
export function dropExpense(db: Database, tenant: string, number: number) {
  const row = db.query('SELECT * FROM expenses WHERE tenant = ? AND number = ?').get(tenant, number) as ExpenseRow | null
  if (row) deleteExpense(db, row)
}

/** Puts an expense back as a snapshot had it (its number too); its renewal follows. Call in a transaction. */
export function restoreExpense(db: Database, snap: Snapshot) {
  const { id: _id, ...row } = snap.row
  const cols = Object.keys(row)
  db.query(`INSERT INTO expenses (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
    ...(Object.values(row) as (string | number | null)[]),
  )
  syncRenewal(db, row.tenant as string, row.car_id as number, row.kind as string)
}

// ——— renewals as reminders ———

/** "renews in 14 days" / "renews today" / "was due to renew 3 days ago". */
export function renewalDueText(daysLeft: number): string {
  return daysLeft < 0 ? `was due to renew ${relativeDays(daysLeft)}` : `renews ${relativeDays(daysLeft)}`
}

/** How urgent a renewal is today, by the garage's day thresholds (a renewal has no distance). */
export function renewalLevel(
  dueDate: string,
  today: string,
  garage: Pick<GarageRow, 'urgent_days' | 'very_urgent_days'>,
): { level: Level; daysLeft: number } {
  const e = evaluate(
    { date: dueDate, odometer: null },
    {
      today,
      odometer: null,
      rate: null,
      thresholds: { urgentDays: garage.urgent_days, urgentDistance: null, veryUrgentDays: garage.very_urgent_days, veryUrgentDistance: null },
    },
  )
  return { level: e.level, daysLeft: daysBetween(today, dueDate) }
}

const RANK: Record<Level, number> = { past_due: 0, very_urgent: 1, urgent: 2, not_urgent: 3 }

/** The garage's (or a car's) renewals, most urgent first, as /reminders lists them. */
export function listRenewals(db: Database, tenant: string, carRef: string | undefined, now: Date): { renewals: RenewalView[] } {
  const { garage, today } = garageAt(db, tenant, now)
  const car = carRef ? requireCar(db, tenant, carRef) : null
  const rows = (
    car
      ? db.query('SELECT * FROM expense_renewals WHERE tenant = ? AND car_id = ? ORDER BY due_date').all(tenant, car.id)
      : db.query('SELECT * FROM expense_renewals WHERE tenant = ? ORDER BY due_date').all(tenant)
  ) as RenewalRow[]
  const order = isDateOrder(garage.date_order) ? garage.date_order : 'YYYY-MM-DD'
  const renewals = rows.map((r) => {
    const { level, daysLeft } = renewalLevel(r.due_date, today, garage)
    return {
      car: (carById(db, tenant, r.car_id) as CarRow).nickname,
      kind: r.kind,
      name: kindName(r.kind),
      number: r.expense_number,
      due_date: r.due_date,
      days_left: daysLeft,
      level,
      due_text: `${renewalDueText(daysLeft)} (${formatDate(r.due_date, order)})`,
    }
  })
  renewals.sort((a, b) => RANK[a.level] - RANK[b.level] || a.days_left - b.days_left)
  return { renewals }
}

type RenewalCandidate = RenewalRow & {
  timezone: string
  reminder_channel: string | null
  reminder_hour: number
  urgent_days: number
  very_urgent_days: number
  date_order: string | null
  nickname: string
  archived_on: string | null
}

/**
 * The renewal half of the reminder claim (reminders/service.ts `claimReminders`, in its
 * transaction): each renewal that entered a more urgent level becomes an announcement row, the
 * way an item does; an archived car's, or a garage's without a reminder channel, is parked until
 * that changes (triggers of migration 11). Returns how many it looked at.
 */
export function claimRenewals(db: Database, at: Date, limit: number): number {
  const candidates = db
    .query(
      `SELECT r.*, t.timezone, t.reminder_channel, t.reminder_hour, t.urgent_days, t.very_urgent_days, t.date_order,
         c.nickname, c.archived_on
       FROM expense_renewals r JOIN tenants t ON t.id = r.tenant JOIN cars c ON c.id = r.car_id
       WHERE r.check_on IS NOT NULL AND r.check_on <= ? ORDER BY r.check_on LIMIT ?`,
    )
    .all(latestDateOnEarth(at), limit) as RenewalCandidate[]
  const update = db.query('UPDATE expense_renewals SET announced_level = ?, check_on = ? WHERE id = ?')
  const leaving = leavingGarages(db)
  const insert = db.query(
    'INSERT INTO announcements (tenant, renewal_id, level, channel, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  )
  for (const c of candidates) {
    if (c.archived_on !== null || !c.reminder_channel || leaving.has(c.tenant)) {
      update.run(c.announced_level, null, c.id)
      continue
    }
    const clock = localClock(at, c.timezone)
    if (c.check_on! > clock.date) continue
    const { level, daysLeft } = renewalLevel(c.due_date, clock.date, c)
    const rank = levelRank(level)
    let announced = c.announced_level
    if (rank > announced) {
      if (clock.hour < c.reminder_hour) continue
      const order = isDateOrder(c.date_order) ? c.date_order : 'YYYY-MM-DD'
      const body = {
        car: c.nickname,
        item: kindName(c.kind),
        due_text: renewalDueText(daysLeft),
        notes: `Due ${formatDate(c.due_date, order)}, ${c.kind} #${c.expense_number} renewing. Log this time's payment with Log payment.`,
        renewal: c.expense_number,
      }
      insert.run(c.tenant, c.id, rank, c.reminder_channel, JSON.stringify(body), at.toISOString())
      announced = rank
    } else if (rank < announced) announced = rank
    const thresholds = { urgentDays: c.urgent_days, urgentDistance: null, veryUrgentDays: c.very_urgent_days, veryUrgentDistance: null }
    const s = { today: clock.date, odometer: null, rate: null, thresholds }
    update.run(announced, nextCheck({ date: c.due_date, odometer: null }, s, announced), c.id)
  }
  return candidates.length
}

/**
 * Who logged expense #number (the actor of its `add` in the change log, `<platform>:<user id>`),
 * for a driver's "only your own" (queue/roles.ts); null when the log does not say.
 */
export function expenseLoggedBy(db: Database, tenant: string, number: number): { by: string | null } {
  const row = db
    .query(
      `SELECT actor_id FROM changes WHERE tenant = ? AND kind = 'expense' AND ref = ? AND action = 'add'
       ORDER BY id LIMIT 1`,
    )
    .get(tenant, number) as { actor_id: string } | null
  return { by: row && row.actor_id !== 'unknown' ? row.actor_id : null }
}
