/** The garage settings routes. */
import { actorOf } from '../changes/log.ts'
import { featureRoutes, type Feature } from '../shared/routes.ts'
import { SettingsPatch, SettingsQuery, SettingsView } from './model.ts'
import { getSettings, updateSettings } from './service.ts'

export const settingsRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/settings', ({ tenant, query }) => getSettings(db, tenant, query.channel), {
      query: SettingsQuery,
      response: SettingsView,
      detail: {
        summary:
          "The garage settings (defaults until its first write); ?channel= adds that channel's photo car",
      },
    })
    .patch(
      '/settings',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'PATCH /settings', (t) =>
          updateSettings(db, t, body, now(), actorOf(headers['x-actor'])),
        ),
      { body: SettingsPatch, response: SettingsView, detail: { summary: 'Change the garage settings' } },
    )
