/**
 * Tenant isolation through the queue, over the whole catalog and every button kind: garage B's
 * commands naming A's car (by nickname in any case, or id), issue, quote, service record,
 * maintenance item or photo get the same reply as for one that does not exist, with none of A's
 * data in it, and A's garage reads the same afterwards. Catalog entries and handler kinds added
 * later are picked up; a button kind whose argument is not described here fails by name.
 */
import { commandJobId } from '../../lib/contracts/queues.ts'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { commands } from '../../catalog/catalog.ts'
import type { Command, Option, OptionType, Subcommand } from '../../catalog/command.ts'
import { parseTyped } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { loadHandlers } from '../../queue/orchestrator.ts'
import { makeJpeg } from '../fixtures/images.ts'
import { type Stack, startStack } from '../stack.ts'
import { missingOf, normalize, ownOf, type RefKind, substitute, valuesOf } from './refs.ts'
import { callHttp, type Holdings, seedTenant } from './seed.ts'

const A = 'local:cmd-a'
const B = 'local:cmd-b'

let stack: Stack
let files: ReturnType<typeof Bun.serve>
let a: Holdings
let b: Holdings
let fileSeq = 0

/** Good typed values for options that are not references. */
const GOOD: Record<OptionType, string> = {
  role: 'S0123',
  string: 'Brakes',
  integer: '2',
  number: '1.5',
  boolean: 'no',
  date: '2025-01-02',
  distance: '2,000 km',
  volume: '40 L',
  money: '50',
  percent: '5%',
  economy: '6.5 L/100km',
  threshold: '30 d',
  period: '12m',
  car: 'x',
  issue: '1',
  channel: 'C123',
  attachment: '',
}

/** Which options of the catalog name an object. */
function optionRef(command: Command, option: Option): RefKind | undefined {
  if (option.type === 'car') return 'car'
  if (option.type === 'issue') return 'issue'
  if (command.name === 'quote' && (option.name === 'id' || option.name === 'number')) return 'quote'
  if (option.name === 'record') return 'record'
  if (command.name === 'item' && option.name === 'item') return 'itemName'
  if (command.name === 'garage' && option.name === 'id') return 'webhook'
  return undefined
}

/** Button kinds (payload `{ arg }`) and what their argument names. */
const BUTTON_ARGS: Record<string, (value: string, kind: RefKind) => string> = {
  'item.done': (v) => v,
  'item.snooze': (v) => v,
  'item.log': (v) => v,
  'quote.accept_btn': (v) => v,
  'photo.file': (v, kind) => (kind === 'photoLink' ? `${v}|${b.car!.nickname}` : `${b.photo!.linkId}|${v}`),
  'service.log_again': (v, kind) => (kind === 'item' ? `${v}.${b.recordId ?? 1}` : `${b.itemId ?? 1}.${v}`),
  // a change number, like garage.undo_change's (no reference kind of its own here); another
  // garage's change is refused like a missing one by the items service (services/items/cars/archive.test.ts)
  'car.undo_archive': (v) => v,
  // change numbers of the issues and quotes services, tenant-scoped there like the items' ones
  // (services/issues/comments.test.ts, services/quotes/changes.test.ts)
  'issue.undo_comment': (v) => v,
  'quote.undo_change': (v) => v,
  // an expense number, numbered per garage; another garage's is refused like a missing one by
  // the items service (services/items/expenses/app.test.ts "another garage")
  'expense.pay': (v) => v,
  // a posted reminder's id (I'll do it); another garage's is refused like a missing one by the
  // items service (queue/handlers/shared-garage.test.ts "another garage cannot take it")
  'item.take': (v) => v,
  // a pending import's random id, and an import's number (per garage); another garage's is
  // refused like a missing one by the items service (services/items/imports/app.test.ts)
  'garage.import_confirm': (v) => v,
  'garage.import_cancel': (v) => v,
  'garage.import_undo': (v) => v,
  // the Map cars form of a preview: the pending import's id, read back through its tenant-scoped
  // source route (services/items/imports/app.test.ts "another garage's")
  'garage.import_map': (v) => v,
  // /car add's Add starter items: a car's id; another garage's is refused like a missing car by
  // the items service (requireCar, tenant-scoped)
  'item.starter': (v) => v,
}
const BUTTON_REFS: Record<string, RefKind[]> = {
  'item.done': ['item'],
  'item.snooze': ['item'],
  'item.log': ['item'],
  'quote.accept_btn': ['quote'],
  'photo.file': ['photoLink', 'car'],
  'service.log_again': ['item', 'record'],
  'car.undo_archive': [],
  'issue.undo_comment': [],
  'quote.undo_change': [],
  'expense.pay': [],
  'item.take': [],
  'garage.import_confirm': [],
  'garage.import_cancel': [],
  'garage.import_undo': [],
  'garage.import_map': [],
  'item.starter': ['carId'],
}

const attachment = () => ({
  url: `http://127.0.0.1:${files.port}/p/${++fileSeq}.jpg`,
  filename: 'p.jpg',
  size: 2000,
})

beforeAll(async () => {
  files = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      // Each URL its own photo: no two uploads share bytes.
      const seed = Number(/\/p\/(\d+)/.exec(new URL(request.url).pathname)?.[1] ?? 1)
      return new Response(await makeJpeg(24, 24, { seed }), { headers: { 'content-type': 'image/jpeg' } })
    },
  })
  stack = await startStack({ env: { COMMAND_ATTEMPTS: '2', DISCORD_FILE_HOSTS: `127.0.0.1:${files.port}` } })
  const call = callHttp((s) => stack.url(s), stack.token)
  a = await seedTenant(call, A, { nickname: 'zebra', marker: 'AQZX', issueCount: 3, photoSize: 30 })
  b = await seedTenant(call, B, { nickname: 'bcar', marker: 'BQZX', issueCount: 1, photoSize: 31 })
}, 30_000)

afterAll(async () => {
  await stack?.close()
  files?.stop(true)
})

const send = (kind: string, payload: unknown, tenant = B) =>
  stack.command(kind, payload, { tenant, actor: { platform: 'discord', userId: 'U9', name: 'Bee' } })

/**
 * A photo dropped by B: its reply, or a stand-in for none (a drop no rule files is not answered),
 * so a drop naming A's car can be compared with one naming a car that does not exist.
 */
async function drop(payload: unknown): Promise<Reply> {
  const id = await stack.dispatch('photo.attach', payload, {
    tenant: B,
    actor: { platform: 'discord', userId: 'U9', name: 'Bee' },
  })
  const deadline = Date.now() + 10_000
  for (;;) {
    const final = stack.repliesTo(id).find((r) => !r.notice)
    if (final) return final.reply
    const job = await stack.dispatcher.queue.getJob(commandJobId(id))
    if (job && (await job.isCompleted()) && job.returnvalue?.outcome === 'silent') {
      return { tone: 'ok', text: '(no answer)' }
    }
    if (Date.now() > deadline) throw new Error(`no answer to the drop ${id}`)
    await Bun.sleep(20)
  }
}

/** A's garage as A sees it through commands. */
async function viewOfA(): Promise<string[]> {
  const out: string[] = []
  const ask = async (command: string, sub: string, options: Record<string, unknown>) => {
    const r = parseTyped(command, sub, options)
    if (r.ok) out.push(`${command} ${sub} ${JSON.stringify(await send(r.kind, r.payload, A))}`)
  }
  if (!a.car) return out
  await ask('car', 'show', { car: a.car.nickname })
  await ask('car', 'list', {})
  await ask('item', 'list', { car: a.car.nickname })
  await ask('service', 'list', { car: a.car.nickname })
  await ask('fuel', 'list', { car: a.car.nickname })
  for (const n of a.issues) await ask('issue', 'show', { number: String(n) })
  for (const n of a.issues) await ask('quote', 'list', { issue: String(n) })
  await ask('car', 'photos', { car: a.car.nickname })
  return out
}

const seenByB: string[] = []

/** Compares B's reply for A's value with its reply for a missing one. */
function compare(
  label: string,
  value: string,
  missing: string,
  ra: Reply,
  rm: Reply,
  loose = false,
): string | undefined {
  const shown = (r: Reply) => {
    const text = JSON.stringify(r)
    return loose ? text.replace(/[0-9a-f]{64}/g, '<sha>').replace(/\d+/g, '#') : text
  }
  seenByB.push(normalize(JSON.stringify(ra), value))
  const got = shown(ra)
  const expected = shown(JSON.parse(substitute(JSON.stringify(rm), missing, value)) as Reply)
  if (got.toLowerCase() === expected.toLowerCase()) return undefined
  return `${label}:\n  A's:     ${got.slice(0, 400)}\n  missing: ${expected.slice(0, 400)}`
}

let before: string[]

describe('tenant isolation through the queue', () => {
  test('both garages hold data', async () => {
    expect(a.problems).toEqual([])
    expect(b.problems).toEqual([])
    expect(a.car).toBeDefined()
    before = await viewOfA()
    expect(before.length).toBeGreaterThan(3)
  })

  test('every catalog command with a reference: A’s object answers like a missing one', async () => {
    const problems: string[] = []
    let compared = 0
    const subs: { command: Command; sub: Subcommand }[] = commands.flatMap((command) =>
      command.subcommands.map((sub) => ({ command, sub })),
    )
    for (const { command, sub } of subs) {
      const refs = sub.options.filter((o) => optionRef(command, o))
      for (const option of refs) {
        const kind = optionRef(command, option)!
        const base: Record<string, unknown> = {}
        for (const o of sub.options.filter((x) => x.required && x !== option)) {
          const k = optionRef(command, o)
          base[o.name] =
            o.type === 'attachment' ? attachment() : k ? ownOf(k, b) : (o.choices?.[0] ?? GOOD[o.type])
        }
        const missing = missingOf(kind)
        for (const value of valuesOf(kind, a)) {
          const withA = parseTyped(command.name, sub.name, {
            ...base,
            [option.name]: value,
            ...freshFile(sub),
          })
          const withMissing = parseTyped(command.name, sub.name, {
            ...base,
            [option.name]: missing,
            ...freshFile(sub),
          })
          if (!withA.ok || !withMissing.ok) {
            // The grammar refused one of them: it must refuse both the same way.
            if (withA.ok !== withMissing.ok)
              problems.push(`/${command.name} ${sub.name} ${option.name}: parses differently`)
            continue
          }
          const ra = await send(withA.kind, withA.payload)
          const rm = await send(withMissing.kind, withMissing.payload)
          compared++
          const p = compare(
            `/${command.name} ${sub.name} ${option.name}:${value}`,
            value,
            missing,
            ra,
            rm,
            sub.options.some((o) => o.type === 'attachment'),
          )
          if (p) problems.push(p)
        }
      }
    }
    expect(problems).toEqual([])
    expect(compared).toBeGreaterThan(10)
  }, 60_000)

  test('every button kind: A’s item, quote or photo answers like a missing one', async () => {
    const handlers = await loadHandlers()
    const catalogKinds = new Set(commands.flatMap((c) => c.subcommands.map((s) => `${c.name}.${s.name}`)))
    const buttons = [...handlers]
      .filter(
        ([kind, h]) =>
          !catalogKinds.has(kind) && (h.schema as { required?: string[] }).required?.includes('arg'),
      )
      .map(([kind]) => kind)
    expect(buttons.filter((k) => !BUTTON_ARGS[k])).toEqual([])
    const problems: string[] = []
    for (const kind of buttons) {
      for (const ref of BUTTON_REFS[kind]!) {
        const missing = missingOf(ref)
        for (const value of valuesOf(ref, a)) {
          const ra = await send(kind, { arg: BUTTON_ARGS[kind]!(value, ref) })
          const rm = await send(kind, { arg: BUTTON_ARGS[kind]!(missing, ref) })
          const p = compare(`${kind} ${ref}:${value}`, value, missing, ra, rm)
          if (p) problems.push(p)
        }
      }
    }
    expect(problems).toEqual([])
  }, 60_000)

  test('photos dropped by B naming A’s car or issue (target, thread, text) file like a missing one', async () => {
    if (!a.car) return
    const issue = String(Math.max(...a.issues))
    const cases: [string, string, string, (v: string) => Record<string, unknown>][] = [
      ['target car', a.car.nickname, 'ghostcar', (v) => ({ target: { car: v }, text: '' })],
      ['target car id', String(a.car.id), '987654', (v) => ({ target: { car: v }, text: '' })],
      ['thread ref car', a.car.nickname, 'ghostcar', (v) => ({ threadRef: `car:${v}`, text: '' })],
      ['text nickname', a.car.nickname, 'ghostcar', (v) => ({ text: `new photo of ${v}` })],
    ]
    if (a.issues.length) {
      cases.push(
        ['target issue', issue, '987654', (v) => ({ target: { issue: Number(v) }, text: '' })],
        ['thread ref issue', issue, '987654', (v) => ({ threadRef: `issue:${v}`, text: '' })],
        ['text #issue', issue, '987654', (v) => ({ text: `see #${v}` })],
      )
    }
    const problems: string[] = []
    for (const [label, value, missing, payload] of cases) {
      const ra = await drop({ files: [attachment()], channelId: 'C0', ...payload(value) })
      const rm = await drop({ files: [attachment()], channelId: 'C0', ...payload(missing) })
      const p = compare(`photo.attach ${label} ${value}`, value, missing, ra, rm, true)
      if (p) problems.push(p)
    }
    expect(problems).toEqual([])
  }, 60_000)

  test('nothing B received carries A’s data', () => {
    expect(seenByB.length).toBeGreaterThan(10)
    expect(seenByB.filter((t) => a.markers.some((m) => t.includes(m))).map((t) => t.slice(0, 300))).toEqual(
      [],
    )
  })

  test('A’s garage reads the same after all of B’s commands', async () => {
    expect(await viewOfA()).toEqual(before)
  }, 30_000)
})

/** A subcommand with an attachment option gets a new file each time (no two uploads alike). */
function freshFile(sub: Subcommand): Record<string, unknown> {
  const o = sub.options.find((x) => x.type === 'attachment' && x.required)
  return o ? { [o.name]: attachment() } : {}
}
