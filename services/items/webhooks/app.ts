/**
 * The webhook routes: a garage's webhooks (add, list, remove, resume, the delivery log) and what
 * the worker's delivery asks (the active ones, one's target, each attempt's outcome).
 */
import { actorOf } from '../changes/log.ts'
import { type Feature, featureRoutes } from '../shared/routes.ts'
import {
  ActiveWebhooks,
  DeliveryLog,
  DeliveryOutcome,
  LogQuery,
  OutcomeResult,
  TargetQuery,
  WebhookCreate,
  WebhookCreated,
  WebhookList,
  WebhookNumber,
  WebhookTarget,
  WebhookView,
} from './model.ts'
import {
  activeWebhooks,
  addWebhook,
  deliveryLog,
  listWebhooks,
  recordOutcome,
  removeWebhook,
  resumeWebhook,
  webhookTarget,
} from './service.ts'

export const webhookRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/webhooks', ({ tenant }) => listWebhooks(db, tenant), {
      response: WebhookList,
      detail: { summary: "The garage's webhooks (without their secrets)" },
    })
    .post(
      '/webhooks',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /webhooks', (t) => addWebhook(db, t, body, now(), actorOf(headers['x-actor'])), 201),
      {
        body: WebhookCreate,
        response: { 200: WebhookCreated, 201: WebhookCreated },
        detail: { summary: 'Add a webhook; the answer is the only one that carries its signing secret' },
      },
    )
    .post(
      '/webhooks/remove',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /webhooks/remove', (t) => removeWebhook(db, t, body.number)),
      { body: WebhookNumber, response: WebhookView, detail: { summary: 'Remove webhook #N' } },
    )
    .post(
      '/webhooks/resume',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /webhooks/resume', (t) => resumeWebhook(db, t, body.number)),
      { body: WebhookNumber, response: WebhookView, detail: { summary: 'Deliver to paused webhook #N again' } },
    )
    .get('/webhooks/log', ({ tenant, query }) => deliveryLog(db, tenant, query.number, query.limit ?? 20), {
      query: LogQuery,
      response: DeliveryLog,
      detail: { summary: 'Delivery attempts of the garage’s webhooks (or of #N), newest first' },
    })
    .get('/webhooks/active', ({ tenant }) => activeWebhooks(db, tenant), {
      response: ActiveWebhooks,
      detail: { summary: 'The active webhooks and the events each takes (the worker’s fan-out)' },
    })
    .get('/webhooks/target', ({ tenant, query }) => webhookTarget(db, tenant, query.number, query.event), {
      query: TargetQuery,
      response: WebhookTarget,
      detail: { summary: 'Where one delivery goes, its signing secret, and whether the event already reached it' },
    })
    .post('/webhooks/outcome', ({ tenant, body }) => recordOutcome(db, tenant, body, now()), {
      body: DeliveryOutcome,
      response: OutcomeResult,
      detail: { summary: 'Record a delivery attempt (once per event and attempt); a failure streak long enough pauses it' },
    })
