/** The maintenance preset routes: list the sets, apply one to a car, save a car's items as a set, remove one. */
import { featureRoutes, type Feature } from '../shared/routes.ts'
import {
  PresetApplied,
  PresetApply,
  PresetList,
  PresetRef,
  PresetRemoved,
  PresetSave,
  PresetSaved,
  PresetsQuery,
} from './model.ts'
import { applyPreset, listPresets, removePreset, savePreset } from './service.ts'

export const presetRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/presets', ({ tenant, query }) => listPresets(db, tenant, query.car, now()), {
      query: PresetsQuery,
      response: PresetList,
      detail: { summary: 'The sets of maintenance items: built-in starter sets and the garage’s own' },
    })
    .post(
      '/presets/apply',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /presets/apply', (t) => applyPreset(db, t, body, now())),
      {
        body: PresetApply,
        response: PresetApplied,
        detail: { summary: 'Give a car a set’s items (the ones it already has, by name, are skipped)' },
      },
    )
    .post(
      '/presets',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /presets', (t) => savePreset(db, t, body, now()), 201),
      {
        body: PresetSave,
        response: { 200: PresetSaved, 201: PresetSaved },
        detail: { summary: 'Save a car’s items as the garage’s set (replace: an existing one)' },
      },
    )
    .post(
      '/presets/remove',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'POST /presets/remove', (t) =>
          removePreset(db, t, body.name, now()),
        ),
      {
        body: PresetRef,
        response: PresetRemoved,
        detail: { summary: 'Remove a garage’s set' },
      },
    )
