/** The routes of a car's drivers, a member's reminder choice and I'll do it. */
import { actorOf } from '../changes/log.ts'
import { type Feature, featureRoutes } from '../shared/routes.ts'
import {
  DriverList,
  DriversChange,
  DriversQuery,
  MemberPrefs,
  MemberQuery,
  MemberSet,
  TakeBody,
  TakeResult,
} from './model.ts'
import { changeDrivers, listDrivers, memberPrefs, setMemberPrefs, takeReminder } from './service.ts'

export const driverRoutes = ({ db, now, once }: Feature) =>
  featureRoutes()
    .get('/drivers', ({ tenant, query }) => listDrivers(db, tenant, query.car), {
      query: DriversQuery,
      response: DriverList,
      detail: { summary: "A car's drivers (platform user id and name)" },
    })
    .post(
      '/drivers',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /drivers', (t) =>
          changeDrivers(db, t, body, now(), actorOf(headers['x-actor'])),
        ),
      { body: DriversChange, response: DriverList, detail: { summary: 'Add or remove a driver of a car' } },
    )
    .get('/members/prefs', ({ tenant, query }) => memberPrefs(db, tenant, query.user), {
      query: MemberQuery,
      response: MemberPrefs,
      detail: { summary: "A member's reminder choice (dm or channel) and the cars they drive" },
    })
    .put(
      '/members/prefs',
      ({ tenant, idempotencyKey, body, set }) =>
        once({ tenant, idempotencyKey, set }, 'PUT /members/prefs', (t) =>
          setMemberPrefs(db, t, body, now()),
        ),
      { body: MemberSet, response: MemberPrefs, detail: { summary: "Set a member's reminder choice" } },
    )
    .post(
      '/reminders/take',
      ({ tenant, idempotencyKey, body, set, headers }) =>
        once({ tenant, idempotencyKey, set }, 'POST /reminders/take', (t) =>
          takeReminder(db, t, body.reminder, actorOf(headers['x-actor'])),
        ),
      {
        body: TakeBody,
        response: TakeResult,
        detail: { summary: "I'll do it: take a posted reminder (the first press keeps it)" },
      },
    )
