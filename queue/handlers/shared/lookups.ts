/**
 * Look-ups several handlers make before their own call: the garage's settings with its "today",
 * a car by nickname (or id), an issue of this garage, and the actor as the services record it.
 */
import { DEFAULT_NUMBER_FORMAT } from '../../../lib/domain/numbers.ts'
import { clip } from '../../../lib/domain/text.ts'
import { DEFAULT_PRESENTATION, type Presentation } from '../../../lib/domain/presentation.ts'
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
 * How the garage writes numbers and dates, or the default way when the items service cannot be
 * reached: a command that needs nothing else of the garage (the labour-hours list) need not
 * wait for it. Its numbers read one way in every format (`0.5 h` has no thousands group).
 */
export async function presentationOr(ctx: HandlerContext): Promise<Presentation> {
  try {
    return await garageOf(ctx)
  } catch (error) {
    if (error instanceof ServiceUnavailable) return DEFAULT_PRESENTATION
    throw error
  }
}

/**
 * The car of a nickname (or id) in this garage, or the items service's 404 naming the garage's
 * cars; with how its garage writes numbers and dates, which items sends with the car.
 */
export async function resolveCar(
  ctx: HandlerContext,
  car: string,
): Promise<{ id: number; nickname: string; presentation: Presentation }> {
  const c = await callItems(itemsClient(ctx).cars({ car }).get())
  return { id: c.id, nickname: c.nickname, presentation: c.presentation }
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

/** A comment number as typed: "C3", "#C3" or "3"; anything else is refused naming `number`. */
export function commentNumber(given: string): number {
  const m = /^#?[cC]?(\d{1,9})$/.exec(given.trim())
  const n = m ? Number(m[1]) : 0
  if (n < 1)
    throw new UserError(
      `number: "${clip(given, 20)}" is not a comment number; give the number /issue show lists before the comment, e.g. number:C3`,
      'number',
    )
  return n
}

/** A photo as typed: its number ("12", "photo 12", "#12") or the start of its code (6+ hex characters); anything else is refused naming `photo`. */
export function photoRef(typed: string): { id: number } | { sha: string } {
  const given = typed.trim().toLowerCase().replace(/^(?:photo\s*|#)/, '')
  if (/^\d{1,12}$/.test(given)) return { id: Number(given) }
  if (/^[0-9a-f]{6,64}$/.test(given)) return { sha: given }
  throw new UserError(
    `photo: give the photo's number (12) or at least the first 6 characters of its code (3fa9c2), not "${clip(typed, 40)}"`,
    'photo',
  )
}
