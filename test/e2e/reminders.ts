/**
 * What the reminder tests on Discord and on Slack share: a clock the test moves, the car's items
 * and records as the items service holds them, and the check that a tick posted one
 * announcement and no more.
 */
import { expect } from 'bun:test'
import type { Stack } from '../stack.ts'
import type { Ticks } from './ticks.ts'

/** The injected clock: `now` goes to the stack, `move` sets it. */
export class TestClock {
  private at: Date

  constructor(iso: string) {
    this.at = new Date(iso)
  }

  readonly now = (): Date => this.at

  /** Moves the clock; answers the wall time after which a tick sees it. */
  move(to: string): number {
    this.at = new Date(to)
    return Date.now()
  }
}

/** A maintenance item of a car, by name, as GET /items lists it. */
export async function itemNamed(stack: Stack, tenant: string, car: string, name: string) {
  const res = await fetch(`${stack.url('items')}/items?car=${car}`, { headers: stack.headers(tenant) })
  const { items } = (await res.json()) as { items: Record<string, any>[] }
  const found = items.find((i) => i.name === name)
  if (!found) throw new Error(`no item ${name} in ${JSON.stringify(items)}`)
  return found
}

/** A car's service records, as GET /records lists them. */
export async function recordsOf(stack: Stack, tenant: string, car: string) {
  const res = await fetch(`${stack.url('items')}/records?car=${car}`, { headers: stack.headers(tenant) })
  return ((await res.json()) as { records: Record<string, any>[] }).records
}

/** Where a platform's reminders land, as its stand-in shows them. */
export type ReminderChannel<M> = {
  ticks: Ticks
  standin: { waitFor<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> }
  /** The messages in the reminder channel, oldest first. */
  posted: () => M[]
  /** The platform API requests that posted them. */
  requests: () => unknown[]
}

/**
 * Waits for the n-th message in the reminder channel, then for two more ticks: nothing new, one
 * request per message, and exactly one post by the ticks that started at or after `since`.
 */
export async function nthAnnouncement<M>(channel: ReminderChannel<M>, n: number, since: number): Promise<M> {
  const msg = await channel.standin.waitFor(() => channel.posted()[n - 1], 8_000, `reminder #${n}`)
  const later = await channel.ticks.wait(2, Date.now())
  expect(later.map((t) => t.posted)).toEqual(later.map(() => 0))
  expect(channel.posted()).toHaveLength(n)
  expect(channel.requests()).toHaveLength(n)
  expect((await channel.ticks.since(since)).reduce((sum, t) => sum + t.posted, 0)).toBe(1)
  return msg
}
