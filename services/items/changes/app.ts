/** The change log routes: a garage's history, and undo of one change or the asker's last. */
import { pageOf } from '../shared/model.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import { actorOf } from './log.ts'
import { ChangeList, ChangesQuery, UndoBody, UndoResult } from './model.ts'
import { listChanges, undoChange } from './service.ts'

export const changeRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/changes', ({ tenant, query }) => listChanges(db, tenant, query.car, pageOf(query)), {
      query: ChangesQuery,
      response: ChangeList,
      detail: { summary: "The garage's changes of fill-ups and service records, newest first, a page at a time" },
    })
    .post(
      '/changes/undo',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /changes/undo', (t) =>
          undoChange(db, t, actorOf(headers['x-actor']), body.change, now()),
        ),
      {
        body: UndoBody,
        response: UndoResult,
        detail: { summary: "Undo a change (or the asker's last, from X-Actor): the record goes back as it was" },
      },
    )
