/** The stand-in behaves like Discord where a bot can get it wrong (checked with discord.js itself). */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Client, DiscordAPIError, Events, GatewayIntentBits, MessageFlags, REST, Routes } from 'discord.js'
import { type DiscordStandin, snowflakeTime, startStandin } from './standin.ts'

let standin: DiscordStandin
let client: Client
const GUILD = '1200000000000000001'
const seen: string[] = []

beforeAll(async () => {
  standin = startStandin()
  standin.heartbeatIntervalMs = 100
  client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    rest: { api: standin.apiUrl },
  })
  client.on(Events.MessageCreate, (m) => {
    seen.push(`${m.content}|${m.attachments.first()?.name ?? ''}`)
  })
  const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve))
  await client.login(standin.token)
  await ready
})

afterAll(async () => {
  await client.destroy()
  await standin.close()
})

test('a gateway session: READY and every guild, heartbeats answered', async () => {
  await standin.waitFor(() => standin.heartbeats >= 2, 2_000, 'two heartbeats')
  expect(client.ws.ping).toBeGreaterThanOrEqual(0)
  expect(standin.connected).toBe(1)
  expect(client.guilds.cache.map((g) => g.name).sort()).toEqual(['Garage A', 'Garage B'])
  expect(client.user?.id).toBe(standin.applicationId)
})

test('interactions carry a snowflake id whose time is their creation time', async () => {
  const got = new Promise<number>((resolve) =>
    client.once(Events.InteractionCreate, (i) => resolve(i.createdTimestamp)),
  )
  const rec = standin.sendCommand(GUILD, 'car', 'list')
  expect(await got).toBe(rec.createdAt)
  expect(snowflakeTime(rec.id)).toBe(rec.createdAt)
})

test('a second initial response is refused with 40060; an edit of @original works', async () => {
  const done = new Promise<unknown>((resolve) =>
    client.once(Events.InteractionCreate, async (i) => {
      if (!i.isChatInputCommand()) return
      await i.deferReply({ flags: MessageFlags.Ephemeral })
      await i.editReply('first')
      try {
        await client.rest.post(Routes.interactionCallback(i.id, i.token), {
          body: { type: 4, data: { content: 'again' } },
          auth: false,
        })
        resolve('accepted')
      } catch (error) {
        resolve(error)
      }
    }),
  )
  const rec = standin.sendCommand(GUILD, 'car', 'list')
  const error = await done
  expect(error).toBeInstanceOf(DiscordAPIError)
  expect((error as DiscordAPIError).code).toBe(40060)
  expect(rec.original?.content).toBe('first')
  expect(rec.original!.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
})

test('an initial response after 3 s is refused with 10062 Unknown interaction', async () => {
  expect(standin.responseDeadlineMs).toBe(3_000)
  const rest = new REST({ api: standin.apiUrl }).setToken(standin.token)
  // As if the interaction had been created 3.1 s ago.
  const rec = standin.sendCommand(GUILD, 'car', 'list', {}, { ageMs: 3_100 })
  const error = await rest
    .post(Routes.interactionCallback(rec.id, rec.token), { body: { type: 5 }, auth: false })
    .catch((e) => e)
  expect(error).toBeInstanceOf(DiscordAPIError)
  expect((error as DiscordAPIError).code).toBe(10062)
  expect(rec.initial).toBeUndefined()
})

test('the interaction webhook expires after 15 minutes (50027)', async () => {
  const rest = new REST({ api: standin.apiUrl }).setToken(standin.token)
  const rec = standin.sendCommand(GUILD, 'car', 'list', {}, { ageMs: 15 * 60_000 + 1_000 })
  const error = await rest
    .patch(Routes.webhookMessage(standin.applicationId, rec.token, '@original'), {
      body: { content: 'x' },
      auth: false,
    })
    .catch((e) => e)
  expect((error as DiscordAPIError).code).toBe(50027)
})

test('REST needs the bot token; channel messages accept multipart uploads; files are served back', async () => {
  const anonymous = await fetch(`${standin.apiUrl}/v10/channels/1300000000000000001/messages`, {
    method: 'POST',
    body: '{}',
  })
  expect(anonymous.status).toBe(401)
  const bytes = new Uint8Array([1, 2, 3, 4])
  const channel = await client.channels.fetch('1300000000000000001')
  if (!channel?.isSendable()) throw new Error('channel not sendable')
  const sent = await channel.send({
    content: 'with a file',
    files: [{ attachment: Buffer.from(bytes), name: 'a.bin' }],
  })
  const stored = standin.messages.get(sent.id)!
  expect(stored.attachments[0].filename).toBe('a.bin')
  expect(new Uint8Array(await (await fetch(stored.attachments[0].url)).arrayBuffer())).toEqual(bytes)
})

test('a dropped photo reaches the client as MESSAGE_CREATE with its attachment', async () => {
  standin.dropPhoto(GUILD, '1300000000000000001', {
    content: 'corolla',
    files: [{ filename: 'car.jpg', bytes: new Uint8Array([0xff, 0xd8]), contentType: 'image/jpeg' }],
  })
  await standin.waitFor(() => seen.includes('corolla|car.jpg'), 2_000, 'photo message')
})

test('429 with Retry-After on demand', async () => {
  standin.failNext({ method: 'GET', path: '/channels/1300000000000000001', status: 429, retryAfter: 0.3 })
  const rest = new REST({ api: standin.apiUrl }).setToken(standin.token)
  const started = Date.now()
  await rest.get(Routes.channel('1300000000000000001'))
  expect(Date.now() - started).toBeGreaterThanOrEqual(280)
  expect(standin.requestsTo('GET', '/channels/1300000000000000001').map((r) => r.status)).toEqual([429, 200])
})
