/** The odometer reading route. */
import { CarParams, ReadingResult } from '../cars/model.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import { actorOf } from '../changes/log.ts'
import { pageOf } from '../shared/model.ts'
import { editReading, listReadings, removeReading } from './correct.ts'
import { ReadingChanged, ReadingCreate, ReadingEdit, ReadingList, ReadingNumber, ReadingsQuery } from './model.ts'
import { recordReading } from './service.ts'

export const readingRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
  .post(
    '/cars/:car/readings',
    ({ tenant, idempotencyKey, params, body, set, headers }) =>
      once(
        { tenant, idempotencyKey, set },
        'POST /cars/:car/readings',
        (t) => recordReading(db, t, params.car, body, now(), actorOf(headers['x-actor'])),
        201,
      ),
    {
      params: CarParams,
      body: ReadingCreate,
      response: { 200: ReadingResult, 201: ReadingResult },
      detail: { summary: 'Record an odometer reading' },
    },
  )
  .get('/readings', ({ tenant, query }) => listReadings(db, tenant, query.car, pageOf(query)), {
    query: ReadingsQuery,
    response: ReadingList,
    detail: { summary: "A car's odometer readings with their numbers, newest first, a page at a time" },
  })
  .post(
    '/readings/edit',
    ({ tenant, idempotencyKey, body, set, headers }) =>
      once({ tenant, idempotencyKey, set }, 'POST /readings/edit', (t) =>
        editReading(db, t, body, now(), actorOf(headers['x-actor'])),
      ),
    {
      body: ReadingEdit,
      response: ReadingChanged,
      detail: { summary: 'Change odometer reading #N (its value or date); the number stays' },
    },
  )
  .post(
    '/readings/remove',
    ({ tenant, idempotencyKey, body, set, headers }) =>
      once({ tenant, idempotencyKey, set }, 'POST /readings/remove', (t) =>
        removeReading(db, t, body.number, now(), actorOf(headers['x-actor'])),
      ),
    {
      body: ReadingNumber,
      response: ReadingChanged,
      detail: { summary: 'Remove odometer reading #N; the car’s odometer is what is left' },
    },
  )
