/** The stand-in shards as Discord does (checked with discord.js clients that each run one shard). */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { Client, Events, GatewayIntentBits, REST, Routes } from 'discord.js'
import { type DiscordStandin, shardOf, startStandin } from './standin.ts'

const ON_0 = '1200000000004194304'
const ON_1 = '1200000000008388608'

let standin: DiscordStandin
const clients: Client[] = []
const interactions: [shard: number, guild: string | null][] = []

beforeAll(async () => {
  standin = startStandin({
    shards: 2,
    maxConcurrency: 2,
    guilds: [
      { id: ON_0, name: 'zero', channels: [{ id: '1300000000000000091', name: 'garage' }] },
      { id: ON_1, name: 'one', channels: [{ id: '1300000000000000092', name: 'garage' }] },
    ],
  })
  for (const shard of [0, 1]) {
    const client = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { api: standin.apiUrl },
      shards: [shard],
      shardCount: 2,
    })
    client.on(Events.InteractionCreate, (i) => void interactions.push([shard, i.guildId]))
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve))
    await client.login(standin.token)
    await ready
    clients.push(client)
  }
})

afterAll(async () => {
  for (const c of clients) await c.destroy()
  await standin.close()
})

test('GET /gateway/bot recommends the shards and the concurrency it was given', async () => {
  const info: any = await new REST({ api: standin.apiUrl }).setToken(standin.token).get(Routes.gatewayBot())
  expect(info.shards).toBe(2)
  expect(info.session_start_limit.max_concurrency).toBe(2)
})

test('each shard identifies with [id, count] and gets only its own guilds', () => {
  expect([shardOf(ON_0, 2), shardOf(ON_1, 2)]).toEqual([0, 1])
  expect(standin.identifiedShards).toEqual([
    [0, 2],
    [1, 2],
  ])
  expect(clients.map((c) => c.guilds.cache.map((g) => g.id))).toEqual([[ON_0], [ON_1]])
})

test("a guild's interactions reach only its shard; a DM's reach shard 0", async () => {
  standin.sendCommand(ON_1, 'car', 'list')
  standin.sendCommand(ON_0, 'car', 'list')
  standin.sendCommand(null, 'car', 'list')
  await standin.waitFor(() => interactions.length >= 3, 3_000, 'three interactions')
  await Bun.sleep(100)
  expect(interactions.sort()).toEqual([
    [0, null],
    [0, ON_0],
    [1, ON_1],
  ])
})
