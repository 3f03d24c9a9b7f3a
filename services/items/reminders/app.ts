/**
 * The reminder routes: a garage's reminders and a reminder's buttons (Done, Snooze, Log
 * service), and the claim and acknowledgement the worker's reminder tick calls.
 */
import { Elysia } from 'elysia'
import { listItems } from '../maintenance/service.ts'
import { ItemIdParams, ItemList, ItemsQuery } from '../maintenance/model.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import {
  AckBody,
  AckResult,
  DigestAckBody,
  DigestAckResult,
  DigestClaimBody,
  DigestClaimResult,
  ClaimBody,
  ClaimResult,
  DoneResult,
  ItemLog,
  ItemLogAgain,
  LogAgainResult,
  LogResult,
  Snooze,
  SnoozeResult,
} from './model.ts'
import { actorOf } from '../changes/log.ts'
import { ackAnnouncements, claimInstant, claimReminders, logItem, logItemAgain, markDone, snoozeItem } from './service.ts'
import { ackDigest, claimDigests } from './digests.ts'

export const reminderRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/reminders', ({ tenant, query }) => listItems(db, tenant, query.car, now(), true), {
      query: ItemsQuery,
      response: ItemList,
      detail: { summary: 'Every item of the garage (or a car) with its urgency, most urgent first' },
    })
    .post(
      '/items/:id/done',
      ({ tenant, idempotencyKey, params, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /items/:id/done', (t) =>
          markDone(db, t, params.id, now(), actorOf(headers['x-actor'])),
        ),
      {
        params: ItemIdParams,
        response: DoneResult,
        detail: { summary: 'Done: a record at the current odometer and today; the item moves on' },
      },
    )
    .post(
      '/items/:id/snooze',
      ({ tenant, idempotencyKey, params, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /items/:id/snooze', (t) =>
          snoozeItem(db, t, params.id, body.days ?? 7, now()),
        ),
      {
        params: ItemIdParams,
        body: Snooze,
        response: SnoozeResult,
        detail: { summary: 'Hide an item from reminders for some days (default 7)' },
      },
    )
    .post(
      '/items/:id/log',
      ({ tenant, idempotencyKey, params, body, set, headers }) =>
        once(
          { tenant, idempotencyKey, set },
          'POST /items/:id/log',
          (t) => logItem(db, t, params.id, body, now(), actorOf(headers['x-actor'])),
          201,
        ),
      {
        params: ItemIdParams,
        body: ItemLog,
        response: { 200: LogResult, 201: LogResult },
        detail: { summary: 'Log a service of one item (the reminder form)' },
      },
    )
    .post(
      '/items/:id/log-again',
      ({ tenant, idempotencyKey, params, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /items/:id/log-again', (t) =>
          logItemAgain(db, t, params.id, body.record, now(), actorOf(headers['x-actor'])),
        ),
      {
        params: ItemIdParams,
        body: ItemLogAgain,
        response: LogAgainResult,
        detail: { summary: 'Log another: the service of record #N for this item once more, on purpose (once per record)' },
      },
    )

/** System routes of the reminder tick: no tenant (they span every garage), still behind the service token. */
export const reminderClaimRoutes = ({ db, now }: Feature) =>
  new Elysia()
    .post('/reminders/claim', ({ body }) => claimReminders(db, claimInstant(body.at, now()), body.limit), {
      body: ClaimBody,
      response: ClaimResult,
      detail: { summary: 'Claim the reminders to announce now (system; one transaction)' },
    })
    .post('/reminders/ack', ({ body }) => ackAnnouncements(db, body.ids, now()), {
      body: AckBody,
      response: AckResult,
      detail: { summary: 'Mark announcements as posted (system)' },
    })
    .post('/digests/claim', ({ body }) => claimDigests(db, claimInstant(body.at, now())), {
      body: DigestClaimBody,
      response: DigestClaimResult,
      detail: { summary: "Claim the garages' digests due now, each period once (system; one transaction)" },
    })
    .post('/digests/ack', ({ body }) => ackDigest(db, body.tenant, body.period, now()), {
      body: DigestAckBody,
      response: DigestAckResult,
      detail: { summary: "Mark a garage's digest of a period as posted (system)" },
    })
