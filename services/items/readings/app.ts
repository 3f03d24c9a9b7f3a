/** The odometer reading route. */
import { CarParams, ReadingResult } from '../cars/model.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import { ReadingCreate } from './model.ts'
import { recordReading } from './service.ts'

export const readingRoutes = ({ db, now, once }: Feature) =>
  featureRoutes().post(
    '/cars/:car/readings',
    ({ tenant, idempotencyKey, params, body, set }) =>
      once(
        { tenant, idempotencyKey, set },
        'POST /cars/:car/readings',
        (t) => recordReading(db, t, params.car, body, now()),
        201,
      ),
    {
      params: CarParams,
      body: ReadingCreate,
      response: { 200: ReadingResult, 201: ReadingResult },
      detail: { summary: 'Record an odometer reading' },
    },
  )
