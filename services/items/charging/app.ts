/** The charging routes: log a charge of an electric or plug-in hybrid car, list, correct, remove. */
import { actorOf } from '../changes/log.ts'
import { pageOf } from '../shared/model.ts'
import { type Feature, featureRoutes } from '../shared/routes.ts'
import {
  ChargeCreate,
  ChargeEdit,
  ChargeList,
  ChargeNumber,
  ChargeRemoved,
  ChargesQuery,
  ChargeView,
} from './model.ts'
import { addCharge, editCharge, listCharges, removeCharge } from './service.ts'

export const chargingRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/charges', ({ tenant, query }) => listCharges(db, tenant, query.car, pageOf(query)), {
      query: ChargesQuery,
      response: ChargeList,
      detail: { summary: 'Charges of a car with their consumption, newest first, a page at a time' },
    })
    .post(
      '/charges',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once(
          { tenant, idempotencyKey, set },
          'POST /charges',
          (t) => addCharge(db, t, body, now(), actorOf(headers['x-actor'])),
          201,
        ),
      {
        body: ChargeCreate,
        response: { 200: ChargeView, 201: ChargeView },
        detail: { summary: 'Log a charge of an electric or plug-in hybrid car' },
      },
    )
    .post(
      '/charges/edit',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /charges/edit', (t) => {
          const { number, ...changes } = body
          return editCharge(db, t, number, changes, now(), actorOf(headers['x-actor']))
        }),
      {
        body: ChargeEdit,
        response: ChargeView,
        detail: { summary: 'Change charge #N of this garage; what is left out stays' },
      },
    )
    .post(
      '/charges/remove',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /charges/remove', (t) =>
          removeCharge(db, t, body.number, now(), actorOf(headers['x-actor'])),
        ),
      {
        body: ChargeNumber,
        response: ChargeRemoved,
        detail: { summary: 'Remove charge #N of this garage' },
      },
    )
