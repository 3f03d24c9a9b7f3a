/**
 * Look-ups several handlers make before their own call: the garage's settings with its "today",
 * a car by nickname (or id), an issue of this garage, and the actor as the services record it.
 */
import { DEFAULT_NUMBER_FORMAT } from '../../../lib/domain/numbers.ts'
import { DEFAULT_DATE_ORDER, garageToday } from '../../../lib/domain/dates.ts'
import { callIssues, issuesClient } from '../../clients/issues.ts'
import { callItems, itemsClient } from '../../clients/items.ts'
import { type HandlerContext, ServiceUnavailable, UserError } from '../../handler.ts'

const asked = new WeakMap<HandlerContext, Promise<Garage>>()

/**
 * The garage's units, number format, date order, currency and timezone (items GET /settings),
 * and today's date there; asked once per job however many parts of a handler need it.
 */
export function garageOf(ctx: HandlerContext): Promise<Garage> {
  let garage = asked.get(ctx)
  if (!garage) {
    garage = askGarage(ctx)
    asked.set(ctx, garage)
    // A failed ask is not remembered: a retry of the same step asks again.
    garage.catch(() => asked.delete(ctx))
  }
  return garage
}

async function askGarage(ctx: HandlerContext) {
  const s = await callItems(itemsClient(ctx).settings.get({ query: {} }))
  return {
    units: s.units,
    numbers: s.numbers ?? DEFAULT_NUMBER_FORMAT,
    dates: s.dates ?? DEFAULT_DATE_ORDER,
    currency: s.currency,
    timezone: s.timezone,
    today: garageToday(ctx.now(), s.timezone),
  }
}

export type Garage = Awaited<ReturnType<typeof askGarage>>

/**
 * The garage's timezone for showing times, or null when the items service cannot be reached: a
 * command that only shows times need not wait for it (the caller says the times are UTC).
 */
export async function garageTimezone(ctx: HandlerContext): Promise<string | null> {
  try {
    return (await garageOf(ctx)).timezone
  } catch (error) {
    if (error instanceof ServiceUnavailable) return null
    throw error
  }
}

/** The car of a nickname (or id) in this garage, or the items service's 404 naming the garage's cars. */
export async function resolveCar(
  ctx: HandlerContext,
  car: string,
): Promise<{ id: number; nickname: string }> {
  const c = await callItems(itemsClient(ctx).cars({ car }).get())
  return { id: c.id, nickname: c.nickname }
}

/** The issue in this garage, or a UserError naming `issue` (another garage's issue is simply not found here). */
export async function issueInGarage(ctx: HandlerContext, number: number) {
  try {
    return await callIssues(issuesClient(ctx).issues({ number }).get())
  } catch (error) {
    if (error instanceof UserError)
      throw new UserError(`issue: there is no issue #${number} in this garage (see /issue list)`, 'issue')
    throw error
  }
}

/** Who did it, as the issues service records it (the platform user id when the name is empty). */
export const actorOf = (ctx: HandlerContext) => ({
  id: ctx.envelope.actor.userId,
  name: ctx.envelope.actor.name || ctx.envelope.actor.userId,
})
