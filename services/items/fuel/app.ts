/** The fuel routes: log a fill-up, list a car's with their economy. */
import { pageOf } from '../shared/model.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import { FillupCreate, FillupList, FillupsQuery, FillupView } from './model.ts'
import { addFillup, listFillups } from './service.ts'

export const fuelRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/fillups', ({ tenant, query }) => listFillups(db, tenant, query.car, pageOf(query)), {
      query: FillupsQuery,
      response: FillupList,
      detail: { summary: 'Fuel fill-ups of a car with their economy, newest first, a page at a time' },
    })
    .post(
      '/fillups',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /fillups', (t) => addFillup(db, t, body, now()), 201),
      {
        body: FillupCreate,
        response: { 200: FillupView, 201: FillupView },
        detail: { summary: 'Log a fuel fill-up' },
      },
    )
