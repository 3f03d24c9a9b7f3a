/**
 * Every command family by every role on Discord, through the real discord.js bot against the
 * stand-in: the member's permission bits (Manage Server) and server roles (one the garage maps to
 * viewer) travel in each interaction, the bot carries them in the envelope, the worker decides.
 * Each refusal is private, names the role needed, and leaves the garage as it was in every
 * service (test/e2e/role-families.ts).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { MessageFlags, REST } from 'discord.js'
import { type DiscordBot, startDiscordBot } from '../../bots/discord/bot.ts'
import { deployCommands } from '../../bots/discord/deploy.ts'
import { silentLogger } from '../../lib/log.ts'
import { type DiscordStandin, type InteractionRecord, startStandin } from '../discord-standin/standin.ts'
import { type Stack, startStack } from '../stack.ts'
import { everyFamilyByEveryRole } from './role-families.ts'

const G = '1200000000000000081'
const TENANT = `discord:${G}`
const MIA = '1400000000000000081' // Manage Server
const DAN = '1400000000000000082' // a member: no permission, no role
const VIC = '1400000000000000083' // has the role the garage maps to viewer
const FAMILY = '1500000000000000081'

let standin: DiscordStandin
let stack: Stack
let bot: DiscordBot

beforeAll(async () => {
  standin = startStandin({
    guilds: [
      {
        id: G,
        name: 'Every family',
        channels: [{ id: '1300000000000000081', name: 'garage' }],
        roles: [{ id: FAMILY, name: 'Family' }],
      },
    ],
    users: [
      { id: MIA, username: 'mia', global_name: 'Mia' },
      { id: DAN, username: 'dan', global_name: 'Dan' },
      { id: VIC, username: 'vic', global_name: 'Vic' },
    ],
  })
  standin.setMember(G, MIA, { permissions: String(1n << 5n) })
  standin.setMember(G, VIC, { roles: [FAMILY] })
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

test('Manage Server manages, a member drives, a mapped role reads; every refusal is private and stores nothing', async () => {
  expect((await run(MIA, 'car', 'add', { nickname: 'corolla', odometer: '52000' })).text).toContain('corolla')
  expect((await run(MIA, 'issue', 'log', { car: 'corolla', title: 'Squeal' })).text).toContain('#1')
  expect((await run(MIA, 'garage', 'roles', { role: { role: FAMILY }, level: 'viewer' })).text).toContain(
    `<@&${FAMILY}>: viewer`,
  )
  const user = { manager: MIA, driver: DAN, viewer: VIC } as const
  await everyFamilyByEveryRole(stack, TENANT, (role, fc) => run(user[role], fc.command, fc.sub, fc.options))
}, 120_000)
