/** Schemas of a car's drivers, a member's reminder preference and a reminder taken (I'll do it). */
import { t } from 'elysia'
import { CarRef, strict, Whole } from '../shared/model.ts'

/** A platform user id (Discord snowflake, Slack U…/W…, the terminal chat's name). */
export const UserId = t.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' })

export const Driver = t.Object({
  user_id: t.String(),
  name: t.String(),
  added_by: t.String(),
  added_at: t.String(),
})

export const DriversQuery = t.Object({ car: CarRef })

export const DriverList = t.Object({
  car: t.String(),
  drivers: t.Array(Driver),
  /** On a change: whether it changed anything (adding a driver twice, removing one who is none: false). */
  changed: t.Optional(t.Boolean()),
})
export type DriverList = typeof DriverList.static

/** Adds (`add`) or removes (`remove`) one driver of a car. */
export const DriversChange = t.Object(
  {
    car: CarRef,
    add: t.Optional(t.Object({ user_id: UserId, name: t.String({ minLength: 1, maxLength: 200 }) }, strict)),
    remove: t.Optional(UserId),
  },
  strict,
)
export type DriversChange = typeof DriversChange.static

export const Reminders = t.Union([t.Literal('dm'), t.Literal('channel')])

export const MemberQuery = t.Object({ user: UserId })
export const MemberPrefs = t.Object({ user: t.String(), reminders: Reminders, cars: t.Array(t.String()) })
export type MemberPrefs = typeof MemberPrefs.static
/** `dm_to`: where the private copy goes when it is not the user id itself (the terminal chat's session). */
export const MemberSet = t.Object(
  { user: UserId, reminders: Reminders, dm_to: t.Optional(t.String({ pattern: '^[A-Za-z0-9._-]{1,100}$' })) },
  strict,
)

/** I'll do it: the reminder (an announcement's id) taken by the actor (X-Actor). */
export const TakeBody = t.Object({ reminder: t.Integer({ minimum: 1, maximum: 1e12 }) }, strict)
export const TakeResult = t.Object({
  reminder: Whole(),
  car: t.String(),
  item: t.String(),
  /** Who has it now, and whether the asker took it with this press (false: someone else has it, or it was theirs already). */
  taken_by: t.String(),
  taken_by_id: t.String(),
  took: t.Boolean(),
})
export type TakeResult = typeof TakeResult.static
