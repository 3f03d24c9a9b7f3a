/**
 * The maintenance routes of the items service, an Elysia plugin mounted by app.ts after the
 * service base (so the service token, JSON errors and OpenAPI apply). Garage routes are scoped
 * by X-Tenant and writes honour Idempotency-Key; the reminder claim and ack are system routes
 * (no tenant) used by the worker's reminder tick. Logic in maintenance-service.ts.
 */
import type { Database } from 'bun:sqlite'
import { Elysia } from 'elysia'
import { idempotent, requestScope } from '../lib/http.ts'
import {
  AckBody,
  ClaimBody,
  FillupCreate,
  FillupsQuery,
  ItemCreate,
  ItemEdit,
  ItemIdParams,
  ItemLog,
  ItemRef,
  ItemsQuery,
  RecordCost,
  RecordCreate,
  RecordIdParams,
  RecordsQuery,
  Snooze,
} from './maintenance-model.ts'
import {
  ackAnnouncements,
  addFillup,
  addItem,
  claimInstant,
  claimReminders,
  editItem,
  getRecord,
  listFillups,
  listItems,
  listRecords,
  logItem,
  logRecord,
  markDone,
  removeItem,
  setRecordCost,
  snoozeItem,
} from './maintenance-service.ts'

export function maintenanceRoutes(deps: { db: Database; now: () => Date }) {
  const { db, now } = deps
  return (
    new Elysia({ name: 'items-maintenance' })
      // System routes (the reminder tick): not tenant-scoped, still behind the service token.
      .post('/reminders/claim', ({ body }) => claimReminders(db, claimInstant(body.at, now()), body.limit), {
        body: ClaimBody,
        detail: { summary: 'Claim the reminders to announce now (system; one transaction)' },
      })
      .post('/reminders/ack', ({ body }) => ackAnnouncements(db, body.ids, now()), {
        body: AckBody,
        detail: { summary: 'Mark announcements as posted (system)' },
      })
      .resolve(({ request }) => requestScope(request))
      .get('/items', ({ tenant, query }) => listItems(db, tenant, query.car, now()), {
        query: ItemsQuery,
        detail: { summary: 'Maintenance items of a car or the garage, most urgent first' },
      })
      .post(
        '/items',
        ({ tenant, idempotencyKey, body, set }) =>
          idempotent(db, tenant, idempotencyKey, 'POST /items', set, () => ({
            status: 201,
            body: addItem(db, tenant, body, now()),
          })),
        { body: ItemCreate, detail: { summary: 'Add a maintenance item (due by months, distance or both)' } },
      )
      .patch(
        '/items',
        ({ tenant, idempotencyKey, body, set }) =>
          idempotent(db, tenant, idempotencyKey, 'PATCH /items', set, () => ({
            body: editItem(db, tenant, body, now()),
          })),
        { body: ItemEdit, detail: { summary: 'Change a maintenance item (by car and name)' } },
      )
      .post(
        '/items/remove',
        ({ tenant, idempotencyKey, body, set }) =>
          idempotent(db, tenant, idempotencyKey, 'POST /items/remove', set, () => ({
            body: removeItem(db, tenant, body.car, body.item, now()),
          })),
        { body: ItemRef, detail: { summary: 'Remove a maintenance item (by car and name)' } },
      )
      .post(
        '/items/:id/done',
        ({ tenant, idempotencyKey, params, set }) =>
          idempotent(db, tenant, idempotencyKey, 'POST /items/:id/done', set, () => ({
            body: markDone(db, tenant, params.id, now()),
          })),
        {
          params: ItemIdParams,
          detail: { summary: 'Done: a record at the current odometer and today; the item moves on' },
        },
      )
      .post(
        '/items/:id/snooze',
        ({ tenant, idempotencyKey, params, body, set }) =>
          idempotent(db, tenant, idempotencyKey, 'POST /items/:id/snooze', set, () => ({
            body: snoozeItem(db, tenant, params.id, body.days ?? 7, now()),
          })),
        {
          params: ItemIdParams,
          body: Snooze,
          detail: { summary: 'Hide an item from reminders for some days (default 7)' },
        },
      )
      .post(
        '/items/:id/log',
        ({ tenant, idempotencyKey, params, body, set }) =>
          idempotent(db, tenant, idempotencyKey, 'POST /items/:id/log', set, () => ({
            status: 201,
            body: logItem(db, tenant, params.id, body, now()),
          })),
        {
          params: ItemIdParams,
          body: ItemLog,
          detail: { summary: 'Log a service of one item (the reminder form)' },
        },
      )
      .get('/reminders', ({ tenant, query }) => listItems(db, tenant, query.car, now()), {
        query: ItemsQuery,
        detail: { summary: 'Every item of the garage (or a car) with its urgency, most urgent first' },
      })
      .get('/records', ({ tenant, query }) => listRecords(db, tenant, query.car, query.limit ?? 10, now()), {
        query: RecordsQuery,
        detail: { summary: 'Recent service records' },
      })
      .post(
        '/records',
        ({ tenant, idempotencyKey, body, set }) =>
          idempotent(db, tenant, idempotencyKey, 'POST /records', set, () => ({
            status: 201,
            body: logRecord(db, tenant, body, now()),
          })),
        { body: RecordCreate, detail: { summary: 'Log a service record; the items it names are done' } },
      )
      .get('/records/:id', ({ tenant, params }) => getRecord(db, tenant, params.id, now()), {
        params: RecordIdParams,
        detail: { summary: 'One service record of this garage' },
      })
      .post(
        '/records/:id/cost',
        ({ tenant, idempotencyKey, params, body, set }) =>
          idempotent(db, tenant, idempotencyKey, 'POST /records/:id/cost', set, () => ({
            body: setRecordCost(db, tenant, params.id, body.cost, now()),
          })),
        {
          params: RecordIdParams,
          body: RecordCost,
          detail: { summary: 'Give a record without a cost one (409 when it has one)' },
        },
      )
      .get('/fillups', ({ tenant, query }) => listFillups(db, tenant, query.car, query.limit ?? 10), {
        query: FillupsQuery,
        detail: { summary: 'Recent fuel fill-ups of a car with their economy' },
      })
      .post(
        '/fillups',
        ({ tenant, idempotencyKey, body, set }) =>
          idempotent(db, tenant, idempotencyKey, 'POST /fillups', set, () => ({
            status: 201,
            body: addFillup(db, tenant, body, now()),
          })),
        { body: FillupCreate, detail: { summary: 'Log a fuel fill-up' } },
      )
  )
}
