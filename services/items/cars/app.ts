/** The car routes: list and autocomplete, show, add, change, remove. */
import { featureRoutes, type Feature } from '../shared/routes.ts'
import {
  CarCreate,
  CarDetail,
  CarEdit,
  CarList,
  CarParams,
  CarsQuery,
  EditResult,
  RemoveQuery,
  RemoveResult,
} from './model.ts'
import { createCar, editCar, listCars, removeCar, showCar } from './service.ts'

export const carRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/cars', ({ tenant, query }) => ({ cars: listCars(db, tenant, query.q) }), {
      query: CarsQuery,
      response: CarList,
      detail: {
        summary: "The garage's cars with their current odometer; ?q= filters by nickname prefix (at most 25)",
      },
    })
    .post(
      '/cars',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /cars', (t) => createCar(db, t, body, now()), 201),
      { body: CarCreate, response: { 200: CarDetail, 201: CarDetail }, detail: { summary: 'Add a car' } },
    )
    .get('/cars/:car', ({ tenant, params }) => showCar(db, tenant, params.car), {
      params: CarParams,
      response: CarDetail,
      detail: { summary: 'A car by nickname (case-insensitive) or id, with its latest readings' },
    })
    .patch(
      '/cars/:car',
      ({ tenant, idempotencyKey, params, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'PATCH /cars/:car', (t) =>
          editCar(db, t, params.car, body, now()),
        ),
      {
        params: CarParams,
        body: CarEdit,
        response: EditResult,
        detail: { summary: 'Change a car; a lower odometer needs confirm (a correction)' },
      },
    )
    .delete(
      '/cars/:car',
      ({ tenant, idempotencyKey, params, query, set }) =>
        once({ tenant, idempotencyKey, set }, 'DELETE /cars/:car', (t) =>
          removeCar(db, t, params.car, query.confirm === 'yes' || query.confirm === 'true', now()),
        ),
      {
        params: CarParams,
        query: RemoveQuery,
        response: RemoveResult,
        detail: { summary: 'Remove a car and everything recorded for it (?confirm=yes)' },
      },
    )
