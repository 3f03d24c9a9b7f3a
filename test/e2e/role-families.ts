/**
 * One command of each level per command family, for the per-platform role passes (Discord through
 * discord.js, Slack through Bolt, the terminal chat): what it needs is read from the catalog
 * (catalog/roles.ts) for the command as typed, never written here. The garage they run in has a
 * car `corolla` and issue #1, both a manager's. test/e2e/roles-every-family.test.ts runs every
 * subcommand of the catalog by every role in process; these prove each platform's verified data
 * reaches that decision.
 */
import { expect } from 'bun:test'
import { parseLine } from '../../catalog/grammar.ts'
import { allows, roleNeeded } from '../../catalog/roles.ts'
import type { Role } from '../../lib/contracts/envelope.ts'
import type { Stack } from '../stack.ts'

export type FamilyCommand = {
  command: string
  sub: string
  /** As typed after `/<command> <sub>` (Slack, the terminal chat). */
  text: string
  /** As Discord's options (the stand-in's OptionInput). */
  options: Record<string, string | number | boolean>
}

const c = (command: string, sub: string, text: string, options: FamilyCommand['options']): FamilyCommand => ({
  command,
  sub,
  text,
  options,
})

/** The manager's destructive ones (`/car remove`) come last, so the others still have the car. */
export const FAMILY_COMMANDS: FamilyCommand[] = [
  c('car', 'list', '', {}),
  c('car', 'odometer', 'corolla reading:"60,000 km"', { car: 'corolla', reading: '60,000 km' }),
  c('item', 'list', 'car:corolla', { car: 'corolla' }),
  c('item', 'add', 'car:corolla name:"Oil change" months:6', {
    car: 'corolla',
    name: 'Oil change',
    months: 6,
  }),
  c('service', 'list', 'car:corolla', { car: 'corolla' }),
  c('service', 'log', 'car:corolla title:"Wipers"', { car: 'corolla', title: 'Wipers' }),
  c('fuel', 'log', 'car:corolla volume:"40 L"', { car: 'corolla', volume: '40 L' }),
  c('charge', 'log', 'car:corolla energy:"20 kWh"', { car: 'corolla', energy: '20 kWh' }),
  c('expense', 'log', 'car:corolla kind:parking cost:5', { car: 'corolla', kind: 'parking', cost: '5' }),
  c('issue', 'log', 'car:corolla title:"Rattle"', { car: 'corolla', title: 'Rattle' }),
  c('issue', 'status', 'number:1 status:in_progress', { number: 1, status: 'in_progress' }),
  c('quote', 'list', 'issue:1', { issue: 1 }),
  c('quote', 'add', 'issue:1 shop:"Joe" amount:100', { issue: 1, shop: 'Joe', amount: '100' }),
  c('quote', 'accept', 'id:1', { id: 1 }),
  c('photo', 'remove', '99', { photo: '99' }),
  c('reminders', 'list', '', {}),
  c('calc', 'fuel', 'distance:"400 km" volume:"30 L"', { distance: '400 km', volume: '30 L' }),
  c('garage', 'history', '', {}),
  c('garage', 'settings', 'currency:EUR', { currency: 'EUR' }),
  c('car', 'remove', 'corolla confirm:yes', { car: 'corolla', confirm: true }),
]

/** What a command needs, as the worker decides it (from the catalog, for the payload as typed). */
export function needOf(fc: FamilyCommand): Role {
  const parsed = parseLine(`/${fc.command} ${fc.sub} ${fc.text}`)
  if (!parsed.ok) throw new Error(`/${fc.command} ${fc.sub} ${fc.text}: ${parsed.error}`)
  return roleNeeded(parsed.kind, parsed.payload)
}

/** Whether a role may run it (a driver's /issue status of a manager's issue is refused as not theirs). */
export const mayRun = (role: Role, fc: FamilyCommand) => allows(role, needOf(fc))

/** What a garage holds, from every service it has (a refusal leaves all of it as it was). */
export async function garageState(stack: Stack, tenant: string): Promise<string> {
  const read = async (service: 'items' | 'issues' | 'quotes' | 'images', path: string) => {
    const res = await fetch(`${stack.url(service)}${path}`, { headers: stack.headers(tenant) })
    expect(res.status).toBe(200)
    return res.text()
  }
  return JSON.stringify(
    await Promise.all([
      read('items', '/changes'),
      read('items', '/settings'),
      read('items', '/cars'),
      read('items', '/expenses'),
      read('items', '/roles'),
      read('issues', '/issues'),
      read('issues', '/changes'),
      read('quotes', '/quotes?issue=1'),
      read('images', '/images'),
    ]),
  )
}

/** Each family appears, and each level is needed by one of them. */
export function checkTable(): void {
  const families = new Set(FAMILY_COMMANDS.map((fc) => fc.command))
  expect([...families].sort()).toEqual([
    'calc',
    'car',
    'charge',
    'expense',
    'fuel',
    'garage',
    'issue',
    'item',
    'photo',
    'quote',
    'reminders',
    'service',
  ])
  expect(new Set(FAMILY_COMMANDS.map(needOf))).toEqual(new Set<Role>(['viewer', 'driver', 'manager']))
}

export type Answer = { text: string; ephemeral: boolean }

/**
 * Runs every family's commands as each role, viewer first, manager last: what the role may not
 * do is refused privately naming the role needed and the garage is unchanged; what it may do is
 * never refused by role (a driver's change of the manager's issue is refused as not theirs).
 */
export async function everyFamilyByEveryRole(
  stack: Stack,
  tenant: string,
  run: (role: Role, fc: FamilyCommand) => Promise<Answer>,
): Promise<void> {
  checkTable()
  for (const role of ['viewer', 'driver', 'manager'] as const) {
    for (const fc of FAMILY_COMMANDS) {
      const what = `${role}: /${fc.command} ${fc.sub} ${fc.text}`
      const need = needOf(fc)
      const before = await garageState(stack, tenant)
      const answer = await run(role, fc)
      if (!allows(role, need)) {
        expect(answer.text, what).toContain(
          `This needs a ${need} of this garage; you are a ${role}, so nothing was done.`,
        )
        expect(answer.ephemeral, what).toBe(true)
        expect(await garageState(stack, tenant), what).toBe(before)
      } else if (role === 'driver' && fc.command === 'issue' && fc.sub === 'status') {
        expect(answer.text, what).toContain('Issue #1 was logged by someone else')
        expect(await garageState(stack, tenant), what).toBe(before)
      } else {
        expect(answer.text, what).not.toContain('This needs')
        expect(answer.text, what).not.toContain('so nothing was done. A manager can')
      }
    }
  }
}
