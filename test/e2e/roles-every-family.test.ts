/**
 * Every role through every command of the catalog, in process through the queue, the worker and
 * the real services, as Discord members (the verified facts a Discord interaction carries: the
 * member's permission bits and server roles): a manager (Manage Server), a driver (no such
 * permission) and a viewer (a server role the garage maps to viewer). Each subcommand (from its
 * catalog example), each button kind and each form is run by each role: what the role may not
 * do is answered with the refusal naming the role it needs, and the garage is the same after
 * every refusal (its history, settings, roles, drivers, photos, issues and quotes); what it may do
 * is never refused by role. A driver corrects and removes the records they logged (fill-ups,
 * expenses, issues, comments, quotes, photos) and is refused, storing nothing, on a manager's.
 * The per-platform passes (Discord through discord.js, Slack through Bolt, the terminal chat)
 * are in test/e2e/shared-garage-*.test.ts and bots/local/roles.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ACTION_ROLES } from '../../catalog/actions.ts'
import { commands } from '../../catalog/catalog.ts'
import { forms, parseFormSubmission } from '../../catalog/forms.ts'
import { parseLine } from '../../catalog/grammar.ts'
import { allows, roleNeeded } from '../../catalog/roles.ts'
import type { Actor, Reply, Role } from '../../lib/contracts/envelope.ts'
import { ownedRecord } from '../../queue/roles.ts'
import { makeJpeg } from '../fixtures/images.ts'
import { type Stack, startStack } from '../stack.ts'

const GUILD = '1300000000000000001'
const TENANT = `discord:${GUILD}`
const VIEWERS = '1300000000000000777'

const member = (userId: string, name: string, permissions: string, roles: string[] = []): Partial<Actor> => ({
  platform: 'discord',
  userId,
  name,
  discord: { permissions, roles },
})
const ACTORS: Record<Role, Partial<Actor>> = {
  manager: member('1400000000000000001', 'Mia', String(1n << 5n)),
  driver: member('1400000000000000002', 'Dan', '0'),
  viewer: member('1400000000000000003', 'Vic', '0', [VIEWERS]),
}

let stack: Stack
const clock = new Date('2026-05-01T12:00:00Z')

/** Each subcommand's example (or its name), or a payload for the two whose example names an attachment. */
function jobsOfCatalog(): { kind: string; payload: unknown; line: string }[] {
  const file = { url: 'https://cdn.discordapp.com/attachments/1/2/x.jpg', filename: 'x.jpg', size: 100 }
  const manual: Record<string, unknown> = {
    'photo.add': { file, car: 'corolla' },
    'garage.import': { file: { ...file, filename: 'x.csv' } },
  }
  // a subcommand without an example: its name, with the car its required `car` names
  const lineOf = (
    c: string,
    s: { name: string; example?: string; options: readonly { name: string; required?: boolean }[] },
  ) =>
    s.example ?? `/${c} ${s.name}${s.options.some((o) => o.name === 'car' && o.required) ? ' corolla' : ''}`
  return commands.flatMap((c) =>
    c.subcommands.map((s) => {
      const kind = `${c.name}.${s.name}`
      if (kind in manual) return { kind, payload: manual[kind], line: `/${c.name} ${s.name}` }
      const line = lineOf(c.name, s)
      const parsed = parseLine(line)
      if (!parsed.ok || parsed.kind !== kind) throw new Error(`${kind}: its example does not parse: ${line}`)
      return { kind, payload: parsed.payload, line }
    }),
  )
}

/** Every button kind (with an argument that names nothing; a dropped photo as a bot sends it) and every form. */
const jobsOfButtons = () => [
  ...Object.keys(ACTION_ROLES).map((kind) =>
    kind === 'photo.attach'
      ? {
          kind,
          payload: {
            files: [
              { url: 'https://cdn.discordapp.com/attachments/1/2/x.jpg', filename: 'x.jpg', size: 100 },
            ],
            text: 'corolla',
            channelId: '1',
          },
          line: 'a photo dropped with "corolla"',
        }
      : { kind, payload: { arg: '1' }, line: `[${kind}:1]` },
  ),
  ...Object.entries(forms).map(([name, form]) => {
    // each field the form requires, and a cost where it has one
    const sample = { money: '10', string: 'Golf=new', date: '2026-01-01' } as Record<string, string>
    const values = Object.fromEntries(
      form.fields.filter((f) => f.required || f.name === 'cost').map((f) => [f.name, sample[f.type] ?? '1']),
    )
    const submitted = parseFormSubmission(name, '1', values)
    if (!submitted.ok) throw new Error(`form ${name}: ${submitted.error}`)
    return { kind: submitted.kind, payload: submitted.payload, line: `form ${name}` }
  }),
]

const as = (role: Role, kind: string, payload: unknown): Promise<Reply> =>
  stack.command(kind, payload, { tenant: TENANT, actor: ACTORS[role] })
const say = (role: Role, line: string): Promise<Reply> => {
  const parsed = parseLine(line)
  if (!parsed.ok) throw new Error(`${line}: ${parsed.error}`)
  return as(role, parsed.kind, parsed.payload)
}

const REFUSED_BY_ROLE =
  /^This needs an? (driver|manager) of this garage; you are an? (viewer|driver), so nothing was done\./
const REFUSED_AS_NOT_THEIRS =
  /a driver changes only their own, so nothing was done|so only a manager can change it; nothing was done|only a manager can, so nothing was done/

async function json(service: 'items' | 'issues' | 'quotes' | 'images', path: string): Promise<unknown> {
  const res = await fetch(`${stack.url(service)}${path}`, { headers: stack.headers(TENANT) })
  expect(res.status).toBe(200)
  return res.json()
}

/** What a garage holds, read from every service (a refusal must leave all of it as it was). */
async function garageState(): Promise<string> {
  const parts = await Promise.all([
    json('items', '/changes'),
    json('items', '/settings'),
    json('items', '/roles'),
    json('items', '/cars'),
    json('items', '/expenses'),
    json('issues', '/issues'),
    json('issues', '/issues/1'),
    json('issues', '/changes'),
    json('quotes', '/quotes?issue=1'),
    json('quotes', '/changes'),
    json('images', '/images'),
  ])
  return JSON.stringify(parts)
}

beforeAll(async () => {
  stack = await startStack({
    services: ['items', 'issues', 'images', 'quotes', 'calculator', 'api'],
    now: () => clock,
    env: { REMINDER_EVERY_MS: '3600000', DISCORD_FILE_HOSTS: 'cdn.discordapp.com' },
  })
  // The garage every role meets: a car with a reading, a fill-up, an expense, an issue with a
  // comment and a quote, all logged by the manager; the viewers' server role mapped.
  for (const line of [
    '/car add corolla make:Toyota model:Corolla year:2018 odometer:"52,000 km"',
    '/fuel log corolla volume:40 L odometer:"52,400 km" cost:60',
    '/expense log corolla kind:insurance cost:300',
    '/issue log corolla title:"Squeaky brakes"',
    '/issue comment number:1 text:"Front left"',
    '/quote add issue:1 shop:"Bob\'s" amount:250',
  ]) {
    const r = await say('manager', line)
    expect(r.tone, `${line}: ${r.text}`).not.toBe('error')
  }
  const mapped = await as('manager', 'garage.roles', { role: VIEWERS, level: 'viewer' })
  expect(mapped.tone, mapped.text).toBe('ok')
}, 60_000)

afterAll(async () => {
  await stack?.close()
})

describe('each subcommand, button and form by each role', () => {
  const jobs = () => [...jobsOfCatalog(), ...jobsOfButtons()]

  test('the catalog names every family, each with what it needs', () => {
    const families = new Set(jobsOfCatalog().map((j) => j.kind.split('.')[0]))
    for (const family of [
      'car',
      'item',
      'service',
      'fuel',
      'charge',
      'expense',
      'issue',
      'quote',
      'photo',
      'reminders',
      'calc',
      'garage',
    ])
      expect(families).toContain(family)
    // each level is needed by some of them, so each role is refused somewhere and allowed somewhere
    const needs = new Set(jobs().map((j) => roleNeeded(j.kind, j.payload)))
    expect([...needs].sort()).toEqual(['driver', 'manager', 'viewer'])
  })

  for (const role of ['viewer', 'driver'] as const) {
    test(`a ${role} is refused what needs more, naming the role, and nothing is stored`, async () => {
      const before = await garageState()
      const refused = jobs().filter((j) => !allows(role, roleNeeded(j.kind, j.payload)))
      expect(refused.length).toBeGreaterThan(role === 'viewer' ? 40 : 20)
      for (const j of refused) {
        const r = await as(role, j.kind, j.payload)
        expect(r.text, j.line).toMatch(REFUSED_BY_ROLE)
        expect(r.text, j.line).toContain(`you are a ${role}`)
        expect(r.ephemeral, j.line).toBe(true)
      }
      // a driver's corrections of records the manager logged are refused as not theirs
      if (role === 'driver') {
        const notTheirs = jobs().filter(
          (j) => allows('driver', roleNeeded(j.kind, j.payload)) && ownedRecord(j.kind, j.payload),
        )
        expect(notTheirs.map((j) => j.kind)).toEqual(
          expect.arrayContaining([
            'fuel.remove',
            'expense.remove',
            'issue.comment_edit',
            'quote.remove',
            'photo.remove',
          ]),
        )
        for (const j of notTheirs) {
          const r = await as(role, j.kind, j.payload)
          // a record the example names may not exist: the service says so, and nothing is stored either way
          if (r.text.startsWith('This needs')) throw new Error(`${j.line}: refused by role: ${r.text}`)
          expect(r.tone, `${j.line}: ${r.text}`).toBe('error')
        }
      }
      expect(await garageState()).toBe(before)
    }, 120_000)
  }

  test('what a role may do is never refused by role; a manager may do everything', async () => {
    for (const role of ['viewer', 'driver', 'manager'] as const) {
      const allowed = jobs().filter(
        (j) =>
          allows(role, roleNeeded(j.kind, j.payload)) &&
          !(role === 'driver' && ownedRecord(j.kind, j.payload)),
      )
      if (role === 'manager') expect(allowed).toHaveLength(jobs().length)
      for (const j of allowed) {
        // the manager's destructive examples last (they empty the garage the others read)
        if (role === 'manager' && (j.kind === 'garage.delete' || j.kind === 'car.remove')) continue
        const r = await as(role, j.kind, j.payload)
        expect(r.text, `${role} ${j.line}`).not.toMatch(REFUSED_BY_ROLE)
        expect(r.text, `${role} ${j.line}`).not.toMatch(REFUSED_AS_NOT_THEIRS)
      }
    }
    for (const line of ['/car remove corolla confirm:yes', '/garage delete confirm:yes']) {
      const r = await say('manager', line)
      expect(r.text, line).not.toMatch(REFUSED_BY_ROLE)
    }
  }, 180_000)
})

describe('a driver owns the records they logged', () => {
  const G = 'discord:1300000000000000002'
  const driver = member('1400000000000000012', 'Dan', '0')
  const other = member('1400000000000000013', 'Ola', '0')
  const manager = member('1400000000000000011', 'Mia', String(1n << 3n))
  const run = (who: Partial<Actor>, line: string) => {
    const parsed = parseLine(line)
    if (!parsed.ok) throw new Error(`${line}: ${parsed.error}`)
    return stack.command(parsed.kind, parsed.payload, { tenant: G, actor: who })
  }
  const ok = async (who: Partial<Actor>, line: string) => {
    const r = await run(who, line)
    expect(r.tone, `${line}: ${r.text}`).not.toBe('error')
    return r
  }
  const photosOf = async () =>
    (
      (await (await fetch(`${stack.url('images')}/images`, { headers: stack.headers(G) })).json()) as {
        photos: { id: number }[]
      }
    ).photos.map((p) => p.id)

  test('expenses, issues, comments, quotes and photos: their own by anyone’s id; another driver’s refused, nothing stored; a manager anyone’s', async () => {
    await ok(manager, '/car add golf make:VW')
    await ok(driver, '/expense log golf kind:parking cost:12')
    await ok(driver, '/issue log golf title:"Rattle"')
    await ok(driver, '/issue comment number:1 text:"At 50 km/h"')
    await ok(driver, '/quote add issue:1 shop:"Garage A" amount:80')
    // Photos as the worker files a dropped one (uploader: the member's platform id): one the
    // driver's, one another member's.
    const upload = async (who: Partial<Actor>, seed: number) => {
      const res = await fetch(
        `${stack.url('images')}/images?uploader=${who.userId}&uploader_name=${who.name}&car_id=1&car=golf`,
        {
          method: 'POST',
          headers: { ...stack.headers(G), 'idempotency-key': `up-${seed}` },
          body: await makeJpeg(64, 48, { seed }),
        },
      )
      expect(res.status).toBeLessThan(300)
      return ((await res.json()) as { photo: { id: number } }).photo.id
    }
    const mine = await upload(driver, 1)
    const theirs = await upload(other, 2)

    const attempts = [
      '/expense edit number:1 cost:13',
      '/expense remove number:1',
      '/issue status number:1 status:in_progress',
      '/issue comment_edit number:C1 text:"At 60 km/h"',
      '/issue comment_remove number:C1',
      '/quote edit number:1 amount:90',
      '/quote remove number:1',
      `/photo remove ${mine}`,
    ]
    const before = await garageStateOf(G)
    for (const line of attempts) {
      const r = await run(other, line)
      expect(r.text, line).toMatch(
        /was logged by someone else; a driver changes only their own, so nothing was done\. A manager can change it\./,
      )
      expect(r.ephemeral, line).toBe(true)
    }
    expect(await garageStateOf(G)).toBe(before)

    // Their own: corrected and removed by the driver who logged them.
    await ok(driver, '/expense edit number:1 cost:13')
    const edited = await ok(driver, '/issue comment_edit number:C1 text:"At 60 km/h"')
    const requoted = await ok(driver, '/quote edit number:1 amount:90')
    // their Undo buttons: another driver's press is refused and changes nothing; theirs undoes
    for (const reply of [edited, requoted]) {
      const undo = reply.actions?.find((a) => a.label === 'Undo')?.id
      expect(undo).toMatch(/^(issue\.undo_comment|quote\.undo_change):\d+$/)
      const [kind, arg] = [undo!.slice(0, undo!.indexOf(':')), undo!.slice(undo!.indexOf(':') + 1)]
      const state = await garageStateOf(G)
      const refused = await stack.command(kind, { arg }, { tenant: G, actor: other })
      expect(refused.text).toContain('was logged by someone else')
      expect(await garageStateOf(G)).toBe(state)
      const undone = await stack.command(kind, { arg }, { tenant: G, actor: driver })
      expect(undone.tone, undone.text).toBe('ok')
    }
    await ok(driver, '/issue comment_edit number:C1 text:"At 60 km/h"')
    await ok(driver, '/quote edit number:1 amount:90')
    await ok(driver, '/issue status number:1 status:in_progress')
    expect(
      ((await (await fetch(`${stack.url('items')}/expenses`, { headers: stack.headers(G) })).json()) as any)
        .expenses[0].cost_minor,
    ).toBe(1300)
    await ok(driver, '/quote remove number:1')
    await ok(driver, '/issue comment_remove number:C1')
    await ok(driver, '/expense remove number:1')
    await ok(driver, `/photo remove ${mine}`)
    // another member's photo: refused, kept; a manager removes it
    const r = await run(driver, `/photo remove ${theirs}`)
    expect(r.text).toContain('was logged by someone else')
    expect(await photosOf()).toEqual([theirs])
    await ok(manager, `/photo remove ${theirs}`)
    expect(await photosOf()).toEqual([])
    // a manager corrects a driver's issue
    await ok(manager, '/issue close number:1 resolution:"Loose heat shield"')
  }, 60_000)

  async function garageStateOf(tenant: string): Promise<string> {
    const get = async (service: 'items' | 'issues' | 'quotes' | 'images', path: string) =>
      (await fetch(`${stack.url(service)}${path}`, { headers: stack.headers(tenant) })).text()
    return JSON.stringify(
      await Promise.all([
        get('items', '/changes'),
        get('items', '/expenses'),
        get('issues', '/issues/1'),
        get('issues', '/changes'),
        get('quotes', '/quotes?issue=1'),
        get('quotes', '/changes'),
        get('images', '/images'),
      ]),
    )
  }
})
