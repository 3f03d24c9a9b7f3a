/**
 * The terminal chat's user is a manager of its garage: the real chat against the real worker and
 * services, with no role to map (and no mapping read: queue/roles.test.ts counts the calls).
 */
import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { FAMILY_COMMANDS } from '../../test/e2e/role-families.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { LocalChat } from './index.ts'

let stack: Stack
let chat: LocalChat

beforeAll(async () => {
  stack = await startStack()
  chat = new LocalChat({
    redisUrl: stack.config.REDIS_URL!,
    queuePrefix: stack.prefix,
    tenant: 'roles',
    timeoutMs: 10_000,
  })
  await chat.connect()
}, 30_000)

afterAll(async () => {
  await chat?.close()
  await stack?.close()
})

const say = async (line: string) =>
  (await chat.send(line)).filter((r) => r.tone !== 'warn' || !r.text.endsWith('retrying…')).at(-1)!

function one<T>(sql: string): T {
  const db = new Database(join(stack.dataDir, 'items.sqlite'), { readonly: true })
  try {
    return db.query(sql).get('local:roles') as T
  } finally {
    db.close()
  }
}

test('the local user manages everything: cars, settings, records, removal', async () => {
  expect((await say('/car add corolla odometer:"52,000 km"')).tone).toBe('ok')
  expect((await say('/car add civic')).tone).toBe('ok')
  expect((await say('/garage settings units:imperial')).title).toBe('Updated units')
  expect((await say('/fuel log corolla volume:"40 L" odometer:"52,400 km"')).tone).toBe('ok')
  expect((await say('/car remove civic confirm:yes')).tone).toBe('ok')
  expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM cars WHERE tenant = ?').n).toBe(1)
  expect(one<{ units: string }>('SELECT units FROM tenants WHERE id = ?').units).toBe('imperial')
})

test('/garage roles says so; there is nothing to map here and nothing is stored', async () => {
  const shown = await say('/garage roles')
  expect(shown.text).toContain('You are a manager here')
  const mapped = await say('/garage roles role:S0123 level:viewer')
  expect(mapped.tone).toBe('error')
  expect(mapped.text).toContain('the terminal chat has no roles or user groups to map')
  expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM garage_roles WHERE tenant = ?').n).toBe(0)
})

test('every command family, each level of it, is the local user’s (none is refused by role)', async () => {
  // corolla is there from the first test; issue #1 for the issue and quote commands
  expect((await say('/issue log car:corolla title:"Squeal"')).text).toContain('#1')
  for (const fc of FAMILY_COMMANDS) {
    const line = `/${fc.command} ${fc.sub} ${fc.text}`
    const answer = await say(line)
    expect(answer.text, line).not.toContain('This needs')
    expect(answer.text, line).not.toContain('so nothing was done. A manager can')
  }
  expect(one<{ n: number }>('SELECT COUNT(*) AS n FROM cars WHERE tenant = ?').n).toBe(0)
}, 60_000)
