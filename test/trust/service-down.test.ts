/**
 * A service stopped, for each service: its command answers "… is unavailable,
 * retrying" and then the result once the service is back within the attempts, or a final error
 * when it stays down; meanwhile the commands of services it does not depend on answer normally,
 * without a notice. Backoff is the command jobs' own (500 ms, doubling), COMMAND_ATTEMPTS=3.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { parseTyped } from '../../catalog/grammar.ts'
import type { Reply } from '../../lib/contracts/envelope.ts'
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../../lib/contracts/services.ts'
import { type Stack, startStack } from '../stack.ts'

const TENANT = 'local:down'

const typed = (command: string, sub: string, options: Record<string, unknown>) => {
  const r = parseTyped(command, sub, options)
  if (!r.ok) throw new Error(`${command} ${sub}: ${r.error}`)
  return { kind: r.kind, payload: r.payload }
}

/**
 * One command per service and the services it calls. A service without an entry fails the
 * test below by name, so a new service gets one.
 */
const COMMAND_OF: Record<ServiceName, () => { kind: string; payload: unknown; deps: ServiceName[] }> = {
  items: () => ({ ...typed('car', 'list', {}), deps: ['items'] }),
  issues: () => ({ ...typed('issue', 'show', { number: '1' }), deps: ['issues'] }),
  images: () => ({ ...typed('car', 'photos', { car: 'corolla' }), deps: ['items', 'images'] }),
  quotes: () => ({ ...typed('quote', 'jobs', {}), deps: ['quotes'] }),
  calculator: () => ({
    ...typed('calc', 'fuel', { distance: '412 mi', volume: '11.2 gal' }),
    deps: ['calculator'],
  }),
  // a report is no report without its PDF: the reports service down is retried like any service
  reports: () => ({ ...typed('car', 'report', { car: 'corolla' }), deps: ['items', 'issues', 'images', 'reports'] }),
  api: () => ({ ...typed('garage', 'apikey', { action: 'list' }), deps: ['api'] }),
}

let stack: Stack
const baseline = new Map<ServiceName, Reply>()

beforeAll(async () => {
  stack = await startStack({ env: { COMMAND_ATTEMPTS: '3' } })
  const car = await stack.command('car.add', typed('car', 'add', { nickname: 'corolla' }).payload, {
    tenant: TENANT,
  })
  expect(car.tone).toBe('ok')
  const issue = await stack.command(
    'issue.log',
    typed('issue', 'log', { car: 'corolla', title: 'Rattle' }).payload,
    { tenant: TENANT },
  )
  expect(issue.tone).toBe('ok')
  for (const s of SERVICE_NAMES) {
    const c = COMMAND_OF[s]?.()
    if (c) baseline.set(s, await stack.command(c.kind, c.payload, { tenant: TENANT }))
  }
}, 30_000)

afterAll(async () => {
  await stack?.close()
})

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = get()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`)
    await Bun.sleep(20)
  }
}

const NOTICE = /is unavailable, retrying/

describe('a service stopped', () => {
  test('every service has a command here, and with everything up each answers without a notice', () => {
    expect(SERVICE_NAMES.filter((s) => !COMMAND_OF[s])).toEqual([])
    for (const s of SERVICE_NAMES) {
      expect(`${s}: ${baseline.get(s)?.tone}`).toBe(`${s}: ok`)
    }
  })

  for (const service of SERVICE_NAMES) {
    test(`${service} down: notice, others unaffected, then the result when it is back`, async () => {
      const c = COMMAND_OF[service]()
      await stack.stopService(service)
      let restarted = false
      try {
        const id = await stack.dispatch(c.kind, c.payload, { tenant: TENANT })
        const notice = await waitFor(
          'the retrying notice',
          () => stack.repliesTo(id).find((r) => r.notice),
          5_000,
        )
        expect(notice.reply.text).toMatch(NOTICE)
        expect(notice.reply.text).toContain(SERVICES[service].label)
        // Meanwhile: every command that does not need this service answers as usual, no notice.
        for (const other of SERVICE_NAMES.filter((s) => s !== service)) {
          const o = COMMAND_OF[other]()
          if (o.deps.includes(service)) continue
          const oid = await stack.dispatch(o.kind, o.payload, { tenant: TENANT })
          const reply = await stack.reply(oid, 3_000)
          expect({ other, tone: reply.tone, text: reply.text }).toEqual({
            other,
            tone: 'ok',
            text: baseline.get(other)!.text,
          })
          expect(stack.repliesTo(oid).filter((r) => r.notice)).toEqual([])
        }
        // The command is still waiting for its retry, not answered with an error.
        expect(stack.repliesTo(id).filter((r) => !r.notice)).toEqual([])
        await stack.startService(service)
        restarted = true
        const reply = await stack.reply(id, 5_000)
        expect(reply.tone).toBe('ok')
        expect(reply.text).toBe(baseline.get(service)!.text)
        await Bun.sleep(200)
        const all = stack.repliesTo(id)
        expect(all.filter((r) => r.notice)).toHaveLength(1)
        expect(all.filter((r) => !r.notice)).toHaveLength(1)
      } finally {
        if (!restarted) await stack.startService(service)
      }
    }, 20_000)

    test(`${service} stays down: the notice, then one final error after the attempts`, async () => {
      const c = COMMAND_OF[service]()
      await stack.stopService(service)
      try {
        const started = Date.now()
        const id = await stack.dispatch(c.kind, c.payload, { tenant: TENANT })
        const reply = await stack.reply(id, 10_000)
        expect(reply.tone).toBe('error')
        expect(reply.text).toMatch(/still unavailable after 3 attempts/)
        // Backoff 500 ms then 1 s: the user hears within seconds, not minutes.
        expect(Date.now() - started).toBeLessThan(6_000)
        await Bun.sleep(200)
        const all = stack.repliesTo(id)
        expect(all.filter((r) => r.notice).map((r) => r.reply.text)).toHaveLength(1)
        expect(all.filter((r) => !r.notice)).toHaveLength(1)
      } finally {
        await stack.startService(service)
      }
      // Back up: the same command works again.
      const again = await stack.command(c.kind, c.payload, { tenant: TENANT })
      expect(again.text).toBe(baseline.get(service)!.text)
    }, 20_000)
  }
})
