/** The fuel routes: log a fill-up, list a car's with their economy. */
import { actorOf } from '../changes/log.ts'
import { pageOf } from '../shared/model.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import { FillupCreate, FillupEdit, FillupList, FillupNumber, FillupRemoved, FillupsQuery, FillupView } from './model.ts'
import { addFillup, editFillup, listFillups, removeFillup } from './service.ts'

export const fuelRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/fillups', ({ tenant, query }) => listFillups(db, tenant, query.car, pageOf(query)), {
      query: FillupsQuery,
      response: FillupList,
      detail: { summary: 'Fuel fill-ups of a car with their economy, newest first, a page at a time' },
    })
    .post(
      '/fillups',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /fillups', (t) => addFillup(db, t, body, now(), actorOf(headers['x-actor'])), 201),
      {
        body: FillupCreate,
        response: { 200: FillupView, 201: FillupView },
        detail: { summary: 'Log a fuel fill-up' },
      },
    )
    .post(
      '/fillups/edit',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /fillups/edit', (t) => {
          const { number, ...changes } = body
          return editFillup(db, t, number, changes, now(), actorOf(headers['x-actor']))
        }),
      {
        body: FillupEdit,
        response: FillupView,
        detail: { summary: 'Change fill-up #N of this garage; what is left out stays' },
      },
    )
    .post(
      '/fillups/remove',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /fillups/remove', (t) =>
          removeFillup(db, t, body.number, now(), actorOf(headers['x-actor'])),
        ),
      {
        body: FillupNumber,
        response: FillupRemoved,
        detail: { summary: 'Remove fill-up #N of this garage, with the odometer reading it made' },
      },
    )
