/** The maintenance item routes: list, add, change and remove items by car and name. */
import { featureRoutes, type Feature } from '../shared/routes.ts'
import { ItemCreate, ItemEdit, ItemList, ItemRef, ItemRemoved, ItemsQuery, ItemView } from './model.ts'
import { addItem, editItem, listItems, removeItem } from './service.ts'

export const maintenanceRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/items', ({ tenant, query }) => listItems(db, tenant, query.car, now()), {
      query: ItemsQuery,
      response: ItemList,
      detail: { summary: 'Maintenance items of a car or the garage, most urgent first' },
    })
    .post(
      '/items',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /items', (t) => addItem(db, t, body, now()), 201),
      {
        body: ItemCreate,
        response: { 200: ItemView, 201: ItemView },
        detail: { summary: 'Add a maintenance item (due by months, distance or both)' },
      },
    )
    .patch(
      '/items',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'PATCH /items', (t) => editItem(db, t, body, now())),
      {
        body: ItemEdit,
        response: ItemView,
        detail: { summary: 'Change a maintenance item (by car and name)' },
      },
    )
    .post(
      '/items/remove',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /items/remove', (t) =>
          removeItem(db, t, body.car, body.item, now()),
        ),
      {
        body: ItemRef,
        response: ItemRemoved,
        detail: { summary: 'Remove a maintenance item (by car and name)' },
      },
    )
