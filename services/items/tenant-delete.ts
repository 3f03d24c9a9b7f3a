/**
 * A garage as a whole: its deletion (`DELETE /tenant`, `GET /tenant` previews the counts), and
 * its leaving mark — set when the bot was removed from the server or workspace, cleared when it
 * is back — with the system list the worker's daily check reads to delete the garages whose
 * grace period is over.
 */
import { Elysia, t } from 'elysia'
import { TenantCounts } from '../lib/model.ts'
import { tenantDelete } from '../lib/tenant-delete.ts'
import { NOT_NOW } from './maintenance/item.ts'
import { type Feature, featureRoutes } from './shared/routes.ts'

/** The kinds a garage's answer counts (every table with a tenant column is deleted). */
const LABELS = {
  cars: 'cars',
  odometer_readings: 'odometer readings',
  maintenance_items: 'maintenance items',
  service_records: 'service records',
  fuel_fillups: 'fill-ups',
  expenses: 'expenses',
  car_drivers: 'drivers',
  webhooks: 'webhooks',
} as const

const Leaving = t.Object({
  tenant: t.String(),
  since: t.Nullable(t.String()),
  reason: t.Nullable(t.String()),
})
const LeaveBody = t.Object(
  { reason: t.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
)

export const tenantDeleteRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/tenant', ({ tenant }) => tenantDelete(db, tenant, LABELS, { preview: true }), {
      response: TenantCounts,
      detail: { summary: 'What deleting the garage would delete, by kind' },
    })
    .delete(
      '/tenant',
      ({ tenant, idempotencyKey, set }) =>
        once({ tenant, idempotencyKey, set }, 'DELETE /tenant', (tn) =>
          tenantDelete(db, tn, LABELS, {
            before: () => db.query('DELETE FROM tenants WHERE id = ?').run(tn),
          }),
        ),
      {
        response: TenantCounts,
        detail: { summary: 'Delete the garage: every row of it (again: nothing left, zeros)' },
      },
    )
    .get('/tenant/leaving', ({ tenant }) => leavingOf(db, tenant), {
      response: Leaving,
      detail: { summary: 'Whether the garage is leaving (the bot was removed) and since when' },
    })
    .put(
      '/tenant/leaving',
      ({ tenant, body }) => {
        db.query(
          'INSERT INTO garages_leaving (tenant, since, reason) VALUES (?, ?, ?) ON CONFLICT (tenant) DO NOTHING',
        ).run(tenant, now().toISOString(), body.reason)
        return leavingOf(db, tenant)
      },
      {
        body: LeaveBody,
        response: Leaving,
        detail: { summary: 'Mark the garage leaving (kept since the first mark)' },
      },
    )
    .delete(
      '/tenant/leaving',
      ({ tenant }) => {
        const back = db.query('DELETE FROM garages_leaving WHERE tenant = ?').run(tenant).changes > 0
        if (back) {
          // Its reminders were parked while it was away: they are looked at again.
          db.query(`UPDATE maintenance_items SET check_on = '${NOT_NOW}' WHERE tenant = ? AND check_on IS NULL`).run(tenant)
          db.query(`UPDATE expense_renewals SET check_on = '${NOT_NOW}' WHERE tenant = ? AND check_on IS NULL`).run(tenant)
        }
        return leavingOf(db, tenant)
      },
      { response: Leaving, detail: { summary: 'The garage is back: clear its leaving mark' } },
    )

function leavingOf(db: Feature['db'], tenant: string) {
  const row = db.query('SELECT since, reason FROM garages_leaving WHERE tenant = ?').get(tenant) as {
    since: string
    reason: string
  } | null
  return { tenant, since: row?.since ?? null, reason: row?.reason ?? null }
}

/** System route of the daily check: the garages marked leaving before `before` (ISO instant). */
export const leavingListRoutes = ({ db }: Feature) =>
  new Elysia().get(
    '/garages/leaving',
    ({ query }) => ({
      garages: db
        .query('SELECT tenant, since, reason FROM garages_leaving WHERE since < ? ORDER BY since LIMIT 1000')
        .all(query.before) as { tenant: string; since: string; reason: string }[],
    }),
    {
      query: t.Object({ before: t.String({ maxLength: 40 }) }),
      response: t.Object({
        garages: t.Array(t.Object({ tenant: t.String(), since: t.String(), reason: t.String() })),
      }),
      detail: { summary: 'Garages marked leaving before an instant (system; the daily deletion check)' },
    },
  )
