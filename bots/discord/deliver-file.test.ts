/**
 * A Reply's file (an export zip) reaches Discord: the delivery worker fetches it from the images
 * service's files (the real app, on a temporary folder) and attaches it to the private answer
 * under its name, once however often the job runs; a file over what Discord takes from a bot,
 * or one that is gone, is said in the message instead.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MessageFlags, REST, Routes } from 'discord.js'
import IORedis from 'ioredis'
import { parseConfig } from '../../lib/config.ts'
import type { Reply, ReplyJob } from '../../lib/contracts/envelope.ts'
import { silentLogger } from '../../lib/log.ts'
import { createApp } from '../../services/images/app.ts'
import { type DiscordStandin, type InteractionRecord, startStandin } from '../../test/discord-standin/standin.ts'
import { testRedisUrl } from '../../test/env.ts'
import { uniquePrefix } from '../../test/redis.ts'
import { createRest } from './client.ts'
import { DISCORD_FILE_MAX, type DeliveryDeps, deliver } from './deliver.ts'

const GUILD = '1200000000000000001'
const CHANNEL = '1300000000000000001'
const TENANT = `discord:${GUILD}`
const TOKEN = 'svc-token-0123456789abcdef'

let standin: DiscordStandin
let redis: IORedis
let deps: DeliveryDeps
let dataDir: string
let app: ReturnType<typeof createApp>
let images: ReturnType<typeof Bun.serve>
let userRest: REST

beforeAll(() => {
  standin = startStandin()
  redis = new IORedis(testRedisUrl())
  dataDir = mkdtempSync(join(tmpdir(), 'cm-dfile-'))
  app = createApp({ dataDir, token: TOKEN, config: parseConfig({ DATA_DIR: dataDir }) })
  images = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (r) => app.fetch(r) })
  deps = {
    config: { QUEUE_PREFIX: uniquePrefix('dfile'), IMAGES_URL: `http://127.0.0.1:${images.port}`, SERVICE_TOKEN: TOKEN },
    rest: createRest(standin.apiUrl, standin.token),
    redis,
    log: silentLogger,
    backoffMs: [50],
  }
  userRest = new REST({ api: standin.apiUrl }).setToken(standin.token)
})

afterAll(async () => {
  await standin.close()
  images.stop(true)
  await app.stop()
  redis.disconnect()
  rmSync(dataDir, { recursive: true, force: true })
})

async function stored(bytes: Uint8Array, name: string) {
  const res = await fetch(`http://127.0.0.1:${images.port}/files?name=${name}&type=application/zip`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'x-tenant': TENANT, 'content-type': 'application/octet-stream' },
    body: bytes,
  })
  expect(res.status).toBe(200)
  return (await res.json()) as NonNullable<Reply['file']>
}

async function deferred(): Promise<InteractionRecord> {
  const rec = standin.sendCommand(GUILD, 'garage', 'export', {})
  await userRest.post(Routes.interactionCallback(rec.id, rec.token), {
    body: { type: 5, data: { flags: MessageFlags.Ephemeral } },
    auth: false,
  })
  return rec
}

const job = (rec: InteractionRecord, reply: Reply): ReplyJob => ({
  envelopeId: rec.id,
  tenant: TENANT,
  replyTo: {
    platform: 'discord',
    channelId: CHANNEL,
    interaction: { applicationId: standin.applicationId, token: rec.token, createdAt: rec.createdAt },
  },
  reply,
})

test('the zip is attached to the private answer, once', async () => {
  const zip = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)])
  const file = await stored(zip, 'car-manager-json-2026-06-01.zip')
  const rec = await deferred()
  const reply: Reply = { tone: 'ok', title: 'Export of the garage (json)', text: '2 cars.', file, ephemeral: true }
  const first = await deliver(deps, `${rec.id}-final`, job(rec, reply))
  const again = await deliver(deps, `${rec.id}-final`, job(rec, reply))
  expect(again).toEqual(first)
  const msg = standin.messages.get(first.messageId!)!
  expect((msg.flags ?? 0) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
  expect(msg.attachments).toHaveLength(1)
  expect(msg.attachments[0].filename).toBe('car-manager-json-2026-06-01.zip')
  expect(standin.fileBytes(msg.attachments[0].url)).toEqual(zip)
  expect(standin.requestsTo('PATCH', /messages\/@original$/)).toHaveLength(1)
})

test('a file over the limit, or gone, is said instead of attached', async () => {
  const big = await stored(new Uint8Array(4), 'big.zip')
  const rec = await deferred()
  const over = await deliver(deps, `${rec.id}-final`, job(rec, { tone: 'ok', text: 'Done.', file: { ...big, bytes: DISCORD_FILE_MAX + 1 }, ephemeral: true }))
  const msg = standin.messages.get(over.messageId!)!
  expect(msg.attachments).toHaveLength(0)
  expect(msg.embeds[0].description).toContain('over the 10 MB Discord takes from a bot')

  const rec2 = await deferred()
  const gone = await deliver(deps, `${rec2.id}-final`, job(rec2, { tone: 'ok', text: 'Done.', file: { ...big, id: 'f'.repeat(32) }, ephemeral: true }))
  expect(standin.messages.get(gone.messageId!)!.embeds[0].description).toContain('no longer kept')
})
