/** Schemas of the garage settings: the change and the settings as shown. */
import { t } from 'elysia'
import { Dates, DistanceUnit, Numbers, strict, text, ThresholdInput, Whole } from '../shared/model.ts'

const Units = t.Union([t.Literal('metric'), t.Literal('imperial')])
export const Digest = t.Union([t.Literal('off'), t.Literal('weekly'), t.Literal('monthly')])

export const SettingsPatch = t.Object(
  {
    units: t.Optional(Units),
    numbers: t.Optional(Numbers),
    dates: t.Optional(Dates),
    currency: t.Optional(text(20)),
    timezone: t.Optional(text(100)),
    /** A channel id; null stops reminders. */
    reminder_channel: t.Optional(t.Union([text(100), t.Null()])),
    reminder_hour: t.Optional(t.Integer({ minimum: 0, maximum: 23 })),
    /** How often the digest is posted in the reminder channel (queue/handlers/shared/digest.ts). */
    digest: t.Optional(Digest),
    urgent: t.Optional(ThresholdInput),
    very_urgent: t.Optional(ThresholdInput),
    /** Photos dropped in `channel` belong to `car`; car null forgets the channel. */
    photo_channel_car: t.Optional(t.Object({ channel: text(100), car: t.Union([text(), t.Null()]) }, strict)),
  },
  strict,
)
export type SettingsPatch = typeof SettingsPatch.static

export const SettingsQuery = t.Object({ channel: t.Optional(text(100)) })

export const ThresholdView = t.Object({
  days: Whole(),
  km: t.Number(),
  /** The distance in the garage's unit. */
  distance: t.Object({ value: t.Number(), unit: DistanceUnit, text: t.String() }),
  text: t.String(),
})
export type ThresholdView = typeof ThresholdView.static

export const SettingsView = t.Object({
  tenant: t.String(),
  units: Units,
  numbers: Numbers,
  dates: Dates,
  currency: t.String(),
  timezone: t.String(),
  reminder_channel: t.Nullable(t.String()),
  reminder_hour: Whole(),
  digest: Digest,
  urgent: ThresholdView,
  very_urgent: ThresholdView,
  /** Channel → car for photos dropped there. */
  photo_channels: t.Array(t.Object({ channel: t.String(), car_id: Whole(), car: t.String() })),
  /** The car of the channel asked for with `?channel=` (null when none or not asked). */
  photo_channel_car: t.Nullable(t.Object({ id: Whole(), nickname: t.String() })),
  /** False until the garage's first write: these are the defaults. */
  stored: t.Boolean(),
})
export type SettingsView = typeof SettingsView.static
