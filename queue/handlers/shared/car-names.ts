/**
 * The names of cars as they are now. Issues and photos point at a car by its id in items
 * (`car_id`); the nickname they keep beside it is only what the car was called when they were
 * filed. Replies name a car by asking items at answer time, so a renamed car shows its new
 * name everywhere.
 */
import { callItems, itemsClient } from '../../clients/items.ts'
import { type HandlerContext, ServiceUnavailable } from '../../handler.ts'

/** id → nickname of the garage's cars now; null when items cannot be reached (the caller keeps the names it has). */
export type CarNames = Map<number, string> | null

export async function carNames(ctx: HandlerContext): Promise<CarNames> {
  try {
    const { cars } = await callItems(itemsClient(ctx).cars.get())
    return new Map(cars.map((c) => [c.id, c.nickname]))
  } catch (error) {
    if (error instanceof ServiceUnavailable) return null
    throw error
  }
}

/**
 * The car's name now; the name it was filed under when items cannot be asked, marked
 * "(removed)" when the garage has no such car any more.
 */
export function carName(names: CarNames, id: number | null, filedAs: string | null): string | null {
  if (id === null) return filedAs
  if (names === null) return filedAs
  return names.get(id) ?? (filedAs === null ? null : `${filedAs} (removed)`)
}

/** The record with its `car` named as it is now (see carName). */
export function named<R extends { car_id: number; car: string }>(names: CarNames, r: R): R {
  return { ...r, car: carName(names, r.car_id, r.car) ?? r.car }
}

/** One record, its car named as it is now. */
export async function withCarName<R extends { car_id: number; car: string }>(
  ctx: HandlerContext,
  r: R,
): Promise<R> {
  return named(await carNames(ctx), r)
}
