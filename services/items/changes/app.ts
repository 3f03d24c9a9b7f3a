/** The change log routes: a garage's history, and undo of one change or the asker's last. */
import { t } from 'elysia'
import { pageOf } from '../shared/model.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import { actorOf } from './log.ts'
import { ChangeList, ChangesQuery, UndoBody, UndoResult } from './model.ts'
import { listChanges, undoChange } from './service.ts'

/** The change (id, ISO time) an undo without `change` would take for the asker; null when none is left. */
const LastChange = t.Object({ change: t.Nullable(t.Object({ id: t.Integer(), at: t.String() })) })

export const changeRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/changes', ({ tenant, query }) => listChanges(db, tenant, query.car, pageOf(query)), {
      query: ChangesQuery,
      response: ChangeList,
      detail: { summary: "The garage's changes of fill-ups and service records, newest first, a page at a time" },
    })
    // The same pick as undoChange without an id: /garage undo compares it with the other services' last changes.
    .get(
      '/changes/last',
      ({ tenant, headers }) => ({
        change: db
          .query(
            `SELECT id, at FROM changes WHERE tenant = ? AND actor_id = ? AND action != 'undo' AND undone_by IS NULL
             AND kind NOT IN ('car', 'settings') ORDER BY id DESC LIMIT 1`,
          )
          .get(tenant, actorOf(headers['x-actor']).id) as { id: number; at: string } | null,
      }),
      {
        response: LastChange,
        detail: { summary: "The asker's (X-Actor) last change that /changes/undo without a change would undo, or null" },
      },
    )
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
