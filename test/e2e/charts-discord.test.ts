/**
 * `/car chart` on Discord, end to end through the real discord.js bot and the stand-in: the
 * answer edits the deferred reply with its key numbers and the chart attached as a PNG shown
 * in the embed (`attachment://corolla-economy.png`); the attached bytes are a real picture.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { REST } from 'discord.js'
import { type DiscordBot, startDiscordBot } from '../../bots/discord/bot.ts'
import { deployCommands } from '../../bots/discord/deploy.ts'
import { silentLogger } from '../../lib/log.ts'
import { pngFacts } from '../../services/reports/testing.ts'
import { type DiscordStandin, type InteractionRecord, startStandin } from '../discord-standin/standin.ts'
import { type Stack, startStack } from '../stack.ts'

const GUILD = '1200000000000000091'
const GARAGE = '1300000000000000091'
const ALICE = '1400000000000000001' // the guild's owner: a manager

let standin: DiscordStandin
let stack: Stack
let bot: DiscordBot

beforeAll(async () => {
  standin = startStandin({
    guilds: [{ id: GUILD, name: 'Chart garage', channels: [{ id: GARAGE, name: 'garage' }] }],
    users: [{ id: ALICE, username: 'alice', global_name: 'Alice' }],
  })
  stack = await startStack({
    services: ['items', 'calculator', 'images', 'reports'],
    now: () => new Date('2026-06-15T12:00:00Z'),
    env: { DISCORD_TOKEN: standin.token, DISCORD_APP_ID: standin.applicationId, DISCORD_API_URL: standin.apiUrl },
  })
  await deployCommands({ rest: new REST({ api: standin.apiUrl }).setToken(standin.token), applicationId: standin.applicationId })
  bot = await startDiscordBot({ config: stack.config, token: standin.token, log: silentLogger })
}, 20_000)

afterAll(async () => {
  await bot?.close()
  await stack?.close()
  await standin?.close()
})

function answer(rec: InteractionRecord) {
  return standin.waitFor(() => rec.followups[0] ?? (rec.originalEdits > 0 ? rec.original : undefined), 15_000, `answer to ${rec.id}`)
}

const run = async (sub: string, options: Parameters<DiscordStandin['sendCommand']>[3], name = 'car') =>
  answer(standin.sendCommand(GUILD, name, sub, options, { channelId: GARAGE, userId: ALICE }))

test('/car chart metric:economy answers its figures and the chart inline in the embed', async () => {
  await run('add', { nickname: 'corolla' })
  let odo = 20_000
  for (let i = 0; i < 6; i++) {
    odo += 400 + 20 * i
    const m = await run('log', { car: 'corolla', volume: `${30 + i} L`, odometer: `${odo} km`, date: `2026-0${1 + Math.floor(i / 2)}-${i % 2 ? '20' : '05'}` }, 'fuel')
    expect(JSON.stringify(m.embeds)).not.toContain('rror')
  }
  const msg = await run('chart', { car: 'corolla', metric: 'economy' })
  const embed = msg.embeds[0]
  expect(JSON.stringify(embed)).toContain('corolla: fuel economy')
  expect(JSON.stringify(embed.fields)).toContain('Average')
  expect(embed.image?.url).toBe('attachment://corolla-economy.png')
  expect(msg.attachments).toHaveLength(1)
  expect(msg.attachments[0].filename).toBe('corolla-economy.png')
  const bytes = standin.fileBytes(msg.attachments[0].url)
  expect(bytes).toBeDefined()
  const png = await pngFacts(bytes!)
  expect([png.width, png.height]).toEqual([1200, 600])
  expect(png.series).toBeGreaterThan(300)
}, 40_000)
