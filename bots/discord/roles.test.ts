/**
 * Roles end to end with the real discord.js client against the Discord stand-in: the member's
 * permissions and server roles travel in the interaction, the bot puts them in the envelope's
 * actor, the worker decides. Every refusal is private, names the role needed, and stores nothing
 * (the items service's own database is read after).
 */
import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { MessageFlags, REST } from 'discord.js'
import { silentLogger } from '../../lib/log.ts'
import {
  type DiscordStandin,
  type InteractionRecord,
  startStandin,
} from '../../test/discord-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { type DiscordBot, startDiscordBot } from './bot.ts'
import { deployCommands } from './deploy.ts'

const G = '1200000000000000071'
const TENANT = `discord:${G}`
const ALICE = '1400000000000000001' // the guild's owner: every permission
const BOB = '1400000000000000072' // a member: @everyone's permissions, no role
const CAROL = '1400000000000000073' // Manage Server
const DAVE = '1400000000000000074' // has the role mapped to viewer
const ERIN = '1400000000000000075' // has the role mapped to manager
const VIEWERS = '1500000000000000071'
const MANAGERS = '1500000000000000072'

let standin: DiscordStandin
let stack: Stack
let bot: DiscordBot

beforeAll(async () => {
  standin = startStandin({
    guilds: [
      {
        id: G,
        name: 'Shared garage',
        channels: [{ id: '1300000000000000071', name: 'garage' }],
        roles: [
          { id: VIEWERS, name: 'Family' },
          { id: MANAGERS, name: 'Fleet office' },
        ],
      },
    ],
    users: [
      { id: ALICE, username: 'alice', global_name: 'Alice' },
      { id: BOB, username: 'bob', global_name: 'Bob' },
      { id: CAROL, username: 'carol', global_name: 'Carol' },
      { id: DAVE, username: 'dave', global_name: 'Dave' },
      { id: ERIN, username: 'erin', global_name: 'Erin' },
    ],
  })
  standin.setMember(G, CAROL, { permissions: String(1n << 5n) })
  standin.setMember(G, DAVE, { roles: [VIEWERS] })
  standin.setMember(G, ERIN, { roles: [MANAGERS] })
  stack = await startStack({
    env: {
      DISCORD_TOKEN: standin.token,
      DISCORD_APP_ID: standin.applicationId,
      DISCORD_API_URL: standin.apiUrl,
      DISCORD_FILE_HOSTS: standin.fileHost,
    },
  })
  await deployCommands({
    rest: new REST({ api: standin.apiUrl }).setToken(standin.token),
    applicationId: standin.applicationId,
  })
  bot = await startDiscordBot({ config: stack.config, token: standin.token, log: silentLogger })
}, 30_000)

afterAll(async () => {
  await bot?.close()
  await stack?.close()
  await standin?.close()
})

/** The user-visible answer: the edited original, or the ephemeral follow-up that replaced it. */
async function answer(rec: InteractionRecord) {
  const msg = await standin.waitFor(
    () => rec.followups[0] ?? (rec.originalEdits > 0 ? rec.original : undefined),
    10_000,
    `answer to ${rec.id}`,
  )
  return {
    text: `${msg.content}\n${JSON.stringify(msg.embeds)}`,
    ephemeral: (msg.flags & MessageFlags.Ephemeral) !== 0,
  }
}

const run = (
  userId: string,
  name: string,
  sub: string,
  options: Parameters<DiscordStandin['sendCommand']>[3] = {},
) => answer(standin.sendCommand(G, name, sub, options, { userId }))

function count(sql: string, ...args: string[]): number {
  const db = new Database(join(stack.dataDir, 'items.sqlite'), { readonly: true })
  try {
    return (db.query(sql).get(...args) as { n: number }).n
  } finally {
    db.close()
  }
}
const cars = () => count('SELECT COUNT(*) AS n FROM cars WHERE tenant = ?', TENANT)
const fillups = () => count('SELECT COUNT(*) AS n FROM fuel_fillups WHERE tenant = ?', TENANT)
const units = () => {
  const db = new Database(join(stack.dataDir, 'items.sqlite'), { readonly: true })
  try {
    return (
      (db.query('SELECT units FROM tenants WHERE id = ?').get(TENANT) as { units: string } | null)?.units ??
      'metric'
    )
  } finally {
    db.close()
  }
}

describe('roles from Discord', () => {
  test('the owner (every permission) is a manager: adds cars', async () => {
    expect((await run(ALICE, 'car', 'add', { nickname: 'corolla', odometer: '52000' })).text).toContain(
      'corolla',
    )
    expect((await run(ALICE, 'car', 'add', { nickname: 'civic' })).text).toContain('civic')
    expect(cars()).toBe(2)
  })

  test('a member without Manage Server is a driver: cannot remove a car or change settings, nothing stored', async () => {
    const remove = await run(BOB, 'car', 'remove', { car: 'civic', confirm: true })
    expect(remove.ephemeral).toBe(true)
    expect(remove.text).toContain('needs a manager')
    expect(remove.text).toContain('you are a driver')
    expect(remove.text).toContain('Manage Server')
    const settings = await run(BOB, 'garage', 'settings', { units: 'imperial' })
    expect(settings.ephemeral).toBe(true)
    expect(settings.text).toContain('needs a manager')
    expect(cars()).toBe(2)
    expect(units()).toBe('metric')
    // still sees the settings (a viewer's right)
    expect((await run(BOB, 'garage', 'settings')).text).toContain('Currency')
  })

  test('a driver logs fuel and corrects only their own fill-up', async () => {
    expect(
      (await run(BOB, 'fuel', 'log', { car: 'corolla', volume: '40 L', odometer: '52500' })).text,
    ).toContain('#1')
    expect(
      (await run(ALICE, 'fuel', 'log', { car: 'corolla', volume: '41 L', odometer: '53000' })).text,
    ).toContain('#2')
    const others = await run(BOB, 'fuel', 'remove', { number: 2 })
    expect(others.ephemeral).toBe(true)
    expect(others.text).toContain('Fill-up #2 was logged by someone else')
    expect(fillups()).toBe(2)
    expect((await run(BOB, 'fuel', 'remove', { number: 1 })).text).not.toContain('This needs')
    expect(fillups()).toBe(1)
  })

  test('Manage Server makes a manager', async () => {
    expect((await run(CAROL, 'garage', 'settings', { units: 'imperial' })).text).toContain('Updated units')
    expect(units()).toBe('imperial')
  })

  test('a driver cannot map roles; a manager maps a role to viewer and one to manager', async () => {
    const refused = await run(BOB, 'garage', 'roles', { role: { role: MANAGERS }, level: 'manager' })
    expect(refused.text).toContain('needs a manager')
    expect(count('SELECT COUNT(*) AS n FROM garage_roles WHERE tenant = ?', TENANT)).toBe(0)
    expect(
      (await run(ALICE, 'garage', 'roles', { role: { role: VIEWERS }, level: 'viewer' })).text,
    ).toContain(`<@&${VIEWERS}>: viewer`)
    const shown = await run(BOB, 'garage', 'roles')
    expect(shown.text).toContain('You are a driver here')
    expect(shown.text).toContain(`<@&${VIEWERS}>: viewer`)
    expect(
      (await run(CAROL, 'garage', 'roles', { role: { role: MANAGERS }, level: 'manager' })).text,
    ).toContain(`<@&${MANAGERS}>: manager`)
  })

  test('a mapped viewer role: reads, cannot log; nothing stored', async () => {
    const log = await run(DAVE, 'fuel', 'log', { car: 'corolla', volume: '30 L' })
    expect(log.ephemeral).toBe(true)
    expect(log.text).toContain('needs a driver')
    expect(log.text).toContain('you are a viewer')
    expect(fillups()).toBe(1)
    expect((await run(DAVE, 'car', 'list')).text).toContain('corolla')
  })

  test('a mapped manager role: removes a car', async () => {
    const gone = await run(ERIN, 'car', 'remove', { car: 'civic', confirm: true })
    expect(gone.text).not.toContain('This needs')
    expect(cars()).toBe(1)
  })

  test('@everyone mapped to viewer makes members without another role viewers', async () => {
    await run(ALICE, 'garage', 'roles', { role: { role: G }, level: 'viewer' })
    expect((await run(BOB, 'fuel', 'log', { car: 'corolla', volume: '30 L' })).text).toContain(
      'you are a viewer',
    )
    expect(
      (await run(ERIN, 'fuel', 'log', { car: 'corolla', volume: '30 L', odometer: '53100 km' })).text,
    ).not.toContain('This needs')
    expect(fillups()).toBe(2)
  })
})
