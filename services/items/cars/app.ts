/** The car routes: list and autocomplete, show, add, change, remove. */
import { featureRoutes, type Feature } from '../shared/routes.ts'
import {
  ArchiveBody,
  ArchiveResult,
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
import { archiveCar, unarchiveCar } from './archive.ts'
import { actorOf } from '../changes/log.ts'
import { CarUndoBody, CarUndoResult } from '../changes/model.ts'
import { undoChange } from '../changes/service.ts'

/** `?archived=yes` */
const asked = (v: string | undefined) => v === 'yes' || v === 'true'

export const carRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/cars', ({ tenant, query }) => ({ cars: listCars(db, tenant, query.q, asked(query.archived)) }), {
      query: CarsQuery,
      response: CarList,
      detail: {
        summary:
          "The garage's cars in use with their current odometer (?archived=yes: the archived ones too); ?q= filters by nickname prefix (at most 25)",
      },
    })
    .post(
      '/cars/:car/archive',
      ({ tenant, idempotencyKey, params, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /cars/:car/archive', (t) =>
          archiveCar(db, t, params.car, body, now(), actorOf(headers['x-actor'])),
        ),
      {
        params: CarParams,
        body: ArchiveBody,
        response: ArchiveResult,
        detail: { summary: 'Archive a car (sold or scrapped): its history stays, nothing new is logged on it, its reminders stop' },
      },
    )
    .post(
      '/cars/:car/unarchive',
      ({ tenant, idempotencyKey, params, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /cars/:car/unarchive', (t) =>
          unarchiveCar(db, t, params.car, now(), actorOf(headers['x-actor'])),
        ),
      { params: CarParams, response: ArchiveResult, detail: { summary: 'Bring an archived car back into use' } },
    )
    .post(
      '/cars/archive/undo',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /cars/archive/undo', (t) =>
          undoChange(db, t, actorOf(headers['x-actor']), body.change, now(), 'car'),
        ),
      {
        body: CarUndoBody,
        response: CarUndoResult,
        detail: { summary: "Undo a car's archive or unarchive (change #N): it goes back as it was" },
      },
    )
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
      ({ tenant, idempotencyKey, params, query, set }) => {
        const yes = (v: string | undefined) => v === 'yes' || v === 'true'
        // A preview writes nothing, so it is answered afresh (and never recorded under a key).
        if (yes(query.preview)) return removeCar(db, tenant, params.car, 'preview', now())
        return once({ tenant, idempotencyKey, set }, 'DELETE /cars/:car', (t) =>
          removeCar(db, t, params.car, yes(query.confirm), now()),
        )
      },
      {
        params: CarParams,
        query: RemoveQuery,
        response: RemoveResult,
        detail: { summary: 'Remove a car and everything recorded for it (?confirm=yes; ?preview=yes only counts it)' },
      },
    )
