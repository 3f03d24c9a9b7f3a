/** The service record routes: log, list, one record, and the cost of a record that has none. */
import { actorOf } from '../changes/log.ts'
import { pageOf } from '../shared/model.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import { RecordCost, RecordCreate, RecordEdit, RecordIdParams, RecordList, RecordsQuery, RecordView } from './model.ts'
import { editRecord, getRecord, listRecords, logRecord, removeRecord, setRecordCost } from './service.ts'

export const recordRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/records', ({ tenant, query }) => listRecords(db, tenant, query.car, pageOf(query), now()), {
      query: RecordsQuery,
      response: RecordList,
      detail: { summary: 'Service records, newest first, a page at a time' },
    })
    .post(
      '/records',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /records', (t) => logRecord(db, t, body, now(), actorOf(headers['x-actor'])), 201),
      {
        body: RecordCreate,
        response: { 200: RecordView, 201: RecordView },
        detail: { summary: 'Log a service record; the items it names are done' },
      },
    )
    .get('/records/:id', ({ tenant, params }) => getRecord(db, tenant, params.id, now()), {
      params: RecordIdParams,
      response: RecordView,
      detail: { summary: 'One service record of this garage' },
    })
    .post(
      '/records/:id/cost',
      ({ tenant, idempotencyKey, params, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /records/:id/cost', (t) =>
          setRecordCost(db, t, params.id, body.cost, now()),
        ),
      {
        params: RecordIdParams,
        body: RecordCost,
        response: RecordView,
        detail: { summary: 'Give a record without a cost one (409 when it has one)' },
      },
    )
    .patch(
      '/records/:id',
      ({ tenant, idempotencyKey, params, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'PATCH /records/:id', (t) =>
          editRecord(db, t, params.id, body, now(), actorOf(headers['x-actor'])),
        ),
      {
        params: RecordIdParams,
        body: RecordEdit,
        response: RecordView,
        detail: { summary: 'Change service record #id; what is left out stays, the items it names are done again' },
      },
    )
    .delete(
      '/records/:id',
      ({ tenant, idempotencyKey, params, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'DELETE /records/:id', (t) =>
          removeRecord(db, t, params.id, now(), actorOf(headers['x-actor'])),
        ),
      {
        params: RecordIdParams,
        response: RecordView,
        detail: { summary: 'Remove service record #id: its items go back to their due point before it, its reading goes' },
      },
    )
