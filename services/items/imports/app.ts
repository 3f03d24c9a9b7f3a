/** The import routes: keep a file's rows as a pending import (the preview), say where its file is kept, import it, cancel it, undo an import. */
import { actorOf } from '../changes/log.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import { t } from 'elysia'
import {
  ImportNumber,
  ImportResult,
  ImportUndone,
  PendingCreate,
  PendingRef,
  PendingSourceView,
  PendingView,
} from './model.ts'
import { cancelPending, commitPending, createPending, pendingSource, undoImport } from './service.ts'

export const importRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .post(
      '/imports',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once(
          { tenant, idempotencyKey, set },
          'POST /imports',
          (t) => createPending(db, t, body, now(), actorOf(headers['x-actor'])),
          201,
        ),
      {
        body: PendingCreate,
        response: { 200: PendingView, 201: PendingView },
        detail: {
          summary: "Keep a file's rows as a pending import and say what Import would add; stores no record",
        },
      },
    )
    .post(
      '/imports/commit',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /imports/commit', (t) =>
          commitPending(db, t, body.id, now(), actorOf(headers['x-actor'])),
        ),
      {
        body: PendingRef,
        response: ImportResult,
        detail: {
          summary: 'Import a pending import in one transaction; rows the garage has already are skipped',
        },
      },
    )
    .get('/imports/:pending/source', ({ tenant, params }) => pendingSource(db, tenant, params.pending, now()), {
      params: t.Object({ pending: t.String({ pattern: '^[0-9a-f]{8,64}$' }) }),
      response: PendingSourceView,
      detail: { summary: "Where a waiting import's file is kept, and the options it was read with (its Map cars step)" },
    })
    .post(
      '/imports/cancel',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /imports/cancel', (t) =>
          cancelPending(db, t, body.id, now()),
        ),
      { body: PendingRef, detail: { summary: 'Drop a pending import' } },
    )
    .post(
      '/imports/undo',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /imports/undo', (t) =>
          undoImport(db, t, body.import, now(), actorOf(headers['x-actor'])),
        ),
      {
        body: ImportNumber,
        response: ImportUndone,
        detail: { summary: 'Remove what import #N added, while none of it changed since' },
      },
    )
