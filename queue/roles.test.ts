/**
 * The role decision (pure), what each kind needs (the catalog's declarations), which records a
 * driver may change only if theirs, and how often the worker reads a garage's mapping.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ACTION_ROLES } from '../catalog/actions.ts'
import { commands, lookupKind } from '../catalog/catalog.ts'
import { forms } from '../catalog/forms.ts'
import { roleNeeded } from '../catalog/roles.ts'
import { parseConfig } from '../lib/config.ts'
import type { Actor, Envelope, Role } from '../lib/contracts/envelope.ts'
import { silentLogger } from '../lib/log.ts'
import { type HandlerContext, ServiceUnavailable, uncachedStamps } from './handler.ts'
import { loadHandlers } from './orchestrator.ts'
import {
  checkRole,
  decideRole,
  forgetRoles,
  managesServer,
  ownedRecord,
  RoleRefused,
  roleOf,
} from './roles.ts'

const GUILD = '1200000000000000001'
const DG = `discord:${GUILD}`
const discord = (facts?: Actor['discord'], userId = '1400000000000000002'): Actor => ({
  platform: 'discord',
  userId,
  name: 'Bob',
  ...(facts ? { discord: facts } : {}),
})
const slack = (facts?: Actor['slack']): Actor => ({
  platform: 'slack',
  userId: 'U0BOB',
  name: 'bob',
  ...(facts ? { slack: facts } : {}),
})
const local: Actor = { platform: 'local', userId: 'me', name: 'me' }

describe('decideRole', () => {
  test('Discord: Administrator or Manage Server make a manager, any other bits a driver', () => {
    expect(managesServer(String(1n << 3n))).toBe(true)
    expect(managesServer(String(1n << 5n))).toBe(true)
    expect(managesServer(String((1n << 51n) - 1n))).toBe(true)
    expect(managesServer('2248473465835073')).toBe(false)
    expect(managesServer('not a number')).toBe(false)
    expect(managesServer(undefined)).toBe(false)
    expect(decideRole(DG, discord({ permissions: '8', roles: [] }))).toBe('manager')
    expect(decideRole(DG, discord({ permissions: '32', roles: [] }))).toBe('manager')
    expect(decideRole(DG, discord({ permissions: '2248473465835073', roles: [] }))).toBe('driver')
    // an old job without facts, or a message event without permissions
    expect(decideRole(DG, discord())).toBe('driver')
  })

  test('Discord: the highest mapped role among the member’s (and @everyone) counts; the platform’s managers stay managers', () => {
    const mapping = new Map<string, Role>([
      ['111', 'viewer'],
      ['222', 'manager'],
      ['333', 'driver'],
    ])
    expect(decideRole(DG, discord({ roles: ['111'] }), mapping)).toBe('viewer')
    expect(decideRole(DG, discord({ roles: ['111', '222'] }), mapping)).toBe('manager')
    expect(decideRole(DG, discord({ roles: ['333', '111'] }), mapping)).toBe('driver')
    expect(decideRole(DG, discord({ roles: ['999'] }), mapping)).toBe('driver')
    expect(decideRole(DG, discord({ permissions: '8', roles: ['111'] }), mapping)).toBe('manager')
    const everyone = new Map<string, Role>([
      [GUILD, 'viewer'],
      ['333', 'driver'],
    ])
    expect(decideRole(DG, discord({ roles: [] }), everyone)).toBe('viewer')
    expect(decideRole(DG, discord({ roles: ['333'] }), everyone)).toBe('driver')
  })

  test('Discord DM: the user manages their own garage, nobody else’s', () => {
    const me = '1400000000000000002'
    expect(decideRole(`discord:dm:${me}`, discord(undefined, me))).toBe('manager')
    expect(decideRole(`discord:dm:1400000000000000003`, discord(undefined, me))).toBe('driver')
  })

  test('Slack: owners and admins are managers; user groups map the rest', () => {
    expect(decideRole('slack:T1', slack({ admin: true, owner: false }))).toBe('manager')
    expect(decideRole('slack:T1', slack({ admin: false, owner: true }))).toBe('manager')
    expect(decideRole('slack:T1', slack({ admin: false, owner: false }))).toBe('driver')
    expect(decideRole('slack:T1', slack())).toBe('driver')
    const mapping = new Map<string, Role>([['S0FAMILY', 'viewer']])
    expect(decideRole('slack:T1', slack({ admin: false, owner: false, groups: ['S0FAMILY'] }), mapping)).toBe(
      'viewer',
    )
  })

  test('the terminal chat’s user is a manager', () => {
    expect(decideRole('local:home', local)).toBe('manager')
  })
})

describe('what each kind needs', () => {
  test('declared in the catalog, the buttons and the forms; read or change by the options given', () => {
    expect(roleNeeded('car.remove', { car: 'x', confirm: true })).toBe('manager')
    expect(roleNeeded('car.add', { nickname: 'x' })).toBe('manager')
    expect(roleNeeded('car.list', {})).toBe('viewer')
    expect(roleNeeded('fuel.log', { car: 'x' })).toBe('driver')
    expect(roleNeeded('fuel.list', {})).toBe('viewer')
    expect(roleNeeded('garage.settings', {})).toBe('viewer')
    expect(roleNeeded('garage.settings', { units: 'imperial' })).toBe('manager')
    expect(roleNeeded('garage.roles', {})).toBe('viewer')
    expect(roleNeeded('garage.roles', { role: '1', level: 'viewer' })).toBe('manager')
    expect(roleNeeded('calc.loan', { amount: 1 })).toBe('viewer')
    expect(roleNeeded('item.done', { arg: '1' })).toBe('driver')
    expect(roleNeeded('item.log', { arg: '1' })).toBe('driver')
    expect(roleNeeded('photo.attach', {})).toBe('driver')
    expect(roleNeeded('quote.accept_btn', { arg: '1' })).toBe('manager')
    // anything not declared needs the most
    expect(roleNeeded('tyres.rotate', {})).toBe('manager')
  })

  test('every catalog command says what its subcommands need (DEFAULT_ROLE is only a safety net)', () => {
    const silent = commands.flatMap((c) =>
      c.subcommands.filter((s) => !s.role && !c.role).map((s) => `${c.name}.${s.name}`),
    )
    expect(silent).toEqual([])
  })

  test('every kind the worker handles is declared somewhere (none falls to the default unseen)', async () => {
    const kinds = [...(await loadHandlers()).keys()]
    const formKinds = new Set(Object.values(forms).map((f) => f.kind))
    const undeclared = kinds.filter((k) => !lookupKind(k) && !ACTION_ROLES[k] && !formKinds.has(k))
    expect(undeclared).toEqual([])
  })
})

describe('records a driver changes only if theirs', () => {
  test('fill-ups, service records and readings by number; changes of every service by their name', () => {
    expect(ownedRecord('fuel.edit', { number: 3, volume: {} })).toMatchObject({ kind: 'fuel', ref: 3 })
    expect(ownedRecord('fuel.remove', { number: 3 })).toMatchObject({ kind: 'fuel', ref: 3 })
    expect(ownedRecord('service.remove', { number: 7 })).toMatchObject({ kind: 'service', ref: 7 })
    expect(ownedRecord('car.reading_remove', { number: 2 })).toMatchObject({ kind: 'reading', ref: 2 })
    expect(ownedRecord('car.odometer', { car: 'x', reading: {}, number: 2 })).toMatchObject({
      kind: 'reading',
      ref: 2,
    })
    // a new reading is not a correction
    expect(ownedRecord('car.odometer', { car: 'x', reading: {} })).toBeUndefined()
    expect(ownedRecord('garage.undo', { change: '12' })).toMatchObject({ kind: 'change', ref: 12 })
    expect(ownedRecord('garage.undo', { change: 'Q5' })).toMatchObject({ kind: 'quote_change', ref: 5 })
    expect(ownedRecord('garage.undo', { change: '#i3' })).toMatchObject({ kind: 'issue_change', ref: 3 })
    expect(ownedRecord('garage.undo_change', { arg: 'I4' })).toMatchObject({ kind: 'issue_change', ref: 4 })
    // what parseChangeRef refuses needs no author
    expect(ownedRecord('garage.undo', { change: 'X5' })).toBeUndefined()
    // the Undo buttons of a comment's and a quote's change
    expect(ownedRecord('issue.undo_comment', { arg: '7' })).toMatchObject({ kind: 'comment_change', ref: 7 })
    expect(ownedRecord('quote.undo_change', { arg: '8' })).toMatchObject({ kind: 'quote_change', ref: 8 })
    expect(ownedRecord('quote.undo_change', { arg: 'nope' })).toBeUndefined()
    expect(ownedRecord('garage.undo', {})).toBeUndefined()
    expect(ownedRecord('garage.undo_change', { arg: '14' })).toMatchObject({ kind: 'change', ref: 14 })
    expect(ownedRecord('garage.undo_change', { arg: '' })).toBeUndefined()
    expect(ownedRecord('fuel.log', { car: 'x' })).toBeUndefined()
  })

  test('expenses, issues, comments (C3), quotes and photos (number or code), as their handlers read them', () => {
    expect(ownedRecord('expense.edit', { number: 3, cost: {} })).toMatchObject({
      kind: 'expense',
      ref: 3,
      what: 'Expense #3',
    })
    expect(ownedRecord('expense.remove', { number: 3 })).toMatchObject({ kind: 'expense', ref: 3 })
    expect(ownedRecord('issue.status', { number: 2, status: 'open' })).toMatchObject({
      kind: 'issue',
      ref: 2,
    })
    expect(ownedRecord('issue.close', { number: 2, resolution: 'x' })).toMatchObject({
      kind: 'issue',
      ref: 2,
    })
    for (const given of ['C3', '#C3', 'c3', '3', ' C3 '])
      expect(ownedRecord('issue.comment_edit', { number: given, text: 'x' })).toMatchObject({
        kind: 'comment',
        ref: 3,
        what: 'Comment #C3',
      })
    expect(ownedRecord('issue.comment_remove', { number: 'Q3' })).toBeUndefined()
    expect(ownedRecord('quote.edit', { number: 5 })).toMatchObject({ kind: 'quote', ref: 5 })
    expect(ownedRecord('quote.remove', { number: 5 })).toMatchObject({ kind: 'quote', ref: 5 })
    expect(ownedRecord('photo.remove', { photo: '12' })).toMatchObject({ kind: 'photo', ref: 12 })
    expect(ownedRecord('photo.remove', { photo: 'photo 12' })).toMatchObject({ kind: 'photo', ref: 12 })
    expect(ownedRecord('photo.remove', { photo: '3FA9C2' })).toMatchObject({ kind: 'photo', sha: '3fa9c2' })
    // what the handler refuses itself needs no author
    expect(ownedRecord('photo.remove', { photo: 'the red one' })).toBeUndefined()
    // accepting a quote is a manager's, whoever added it
    expect(ownedRecord('quote.accept', { id: 5 })).toBeUndefined()
  })
})

describe('the worker’s lookups', () => {
  let server: ReturnType<typeof Bun.serve>
  const asked: string[] = []
  let mapping: { ref: string; role: Role }[] = []
  const config = parseConfig({ SERVICE_TOKEN: 'test-token-0123456789abcdef', LOG_LEVEL: 'silent' })

  beforeAll(() => {
    server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (request) => {
        const url = new URL(request.url)
        asked.push(`${request.method} ${url.pathname}${url.search} ${request.headers.get('x-tenant')}`)
        if (url.pathname === '/roles')
          return Response.json({ roles: mapping.map((m) => ({ ...m, set_by: 'x', set_at: '2026-01-01' })) })
        if (url.pathname === '/roles/logged') return Response.json({ by: 'discord:1400000000000000002' })
        // the issues and quotes services keep the platform user id
        if (url.pathname === '/logged') return Response.json({ by: '1400000000000000002' })
        return new Response('no', { status: 404 })
      },
    })
  })
  afterAll(() => server.stop(true))

  const ctxOf = (
    env: Pick<Envelope, 'tenant' | 'actor' | 'kind' | 'payload'>,
    reachable = true,
  ): HandlerContext => ({
    envelope: { id: 'e1', at: 0, replyTo: { platform: 'local', session: 's' }, ...env },
    serviceUrl: () => {
      if (!reachable) throw new Error('no service call expected')
      return `http://127.0.0.1:${server.port}`
    },
    serviceHeaders: () => ({ authorization: 'Bearer x', 'x-tenant': env.tenant }),
    now: () => new Date(0),
    log: silentLogger,
    config,
    finalAttempt: true,
    stamps: uncachedStamps,
  })
  const job = (tenant: string, actor: Actor, kind: string, payload: unknown = {}) => {
    const env = { tenant, actor, kind, payload }
    return {
      env: { id: 'e1', at: 0, replyTo: { platform: 'local' as const, session: 's' }, ...env },
      ctx: ctxOf(env),
    }
  }

  test('the terminal chat, a Discord admin and a read make no service call', async () => {
    expect(
      await roleOf(ctxOf({ tenant: 'local:home', actor: local, kind: 'car.remove', payload: {} }, false)),
    ).toBe('manager')
    const admin = discord({ permissions: '8', roles: [] })
    const unreachable = ctxOf({ tenant: DG, actor: admin, kind: 'car.remove', payload: {} }, false)
    await checkRole(unreachable.envelope, unreachable)
    const reader = ctxOf({ tenant: DG, actor: discord({ roles: [] }), kind: 'car.list', payload: {} }, false)
    await checkRole(reader.envelope, reader)
  })

  test('the mapping is read once per garage while kept, and read again after forgetRoles', async () => {
    const tenant = 'discord:1200000000000000555'
    mapping = [{ ref: '111', role: 'viewer' }]
    asked.length = 0
    const viewer = discord({ roles: ['111'] })
    const a = job(tenant, viewer, 'fuel.log', { car: 'x' })
    await expect(checkRole(a.env, a.ctx)).rejects.toBeInstanceOf(RoleRefused)
    await checkRole(a.env, a.ctx).catch(() => {})
    expect(asked.filter((x) => x.startsWith('GET /roles '))).toHaveLength(1)
    mapping = [{ ref: '111', role: 'driver' }]
    await checkRole(a.env, a.ctx).catch(() => {})
    expect(asked.filter((x) => x.startsWith('GET /roles '))).toHaveLength(1)
    forgetRoles(tenant)
    await checkRole(a.env, a.ctx)
    expect(asked.filter((x) => x.startsWith('GET /roles '))).toHaveLength(2)
  })

  test('while the items service is unavailable, the last mapping read stands; without one, the job is retried', async () => {
    const tenant = 'discord:1200000000000000557'
    mapping = [{ ref: '111', role: 'viewer' }]
    const viewer = job(tenant, discord({ roles: ['111'] }), 'fuel.log', { car: 'x' })
    await expect(checkRole(viewer.env, viewer.ctx, 0)).rejects.toThrow('you are a viewer')
    const down = { ...viewer.ctx, serviceUrl: () => 'http://127.0.0.1:9' }
    await expect(checkRole(viewer.env, down, 0)).rejects.toThrow('you are a viewer')
    const elsewhere = job('discord:1200000000000000558', discord({ roles: ['111'] }), 'fuel.log', {
      car: 'x',
    })
    await expect(
      checkRole(elsewhere.env, { ...elsewhere.ctx, serviceUrl: () => 'http://127.0.0.1:9' }, 0),
    ).rejects.toBeInstanceOf(ServiceUnavailable)
  })

  test('a driver changes a record only when the change log names them', async () => {
    const tenant = 'discord:1200000000000000556'
    mapping = []
    const mine = job(tenant, discord({ roles: [] }), 'fuel.remove', { number: 4 })
    await checkRole(mine.env, mine.ctx)
    expect(asked.at(-1)).toContain('GET /roles/logged?kind=fuel&ref=4')
    const other = job(tenant, discord({ roles: [] }, '1400000000000000009'), 'fuel.remove', { number: 4 })
    await expect(checkRole(other.env, other.ctx)).rejects.toThrow('Fill-up #4 was logged by someone else')
    // an issue's or a quote's change: the service that keeps it says who made it
    const issueChange = job(tenant, discord({ roles: [] }), 'garage.undo', { change: 'I3' })
    await checkRole(issueChange.env, issueChange.ctx)
    expect(asked.at(-1)).toContain('GET /logged?kind=entry&ref=3')
    const quoteUndo = job(tenant, discord({ roles: [] }, '1400000000000000009'), 'quote.undo_change', {
      arg: '5',
    })
    await expect(checkRole(quoteUndo.env, quoteUndo.ctx)).rejects.toThrow(
      'Change #Q5 was logged by someone else',
    )
    expect(asked.at(-1)).toContain('GET /logged?kind=change&ref=5')
  })
})
