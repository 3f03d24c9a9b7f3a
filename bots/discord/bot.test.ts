/**
 * End to end with the real discord.js client: the Discord stand-in plays Discord, the test
 * stack runs the real services and orchestrator on the private Redis, and the bot (gateway
 * client + delivery worker) sits between them exactly as in production.
 */
import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { MessageFlags, REST } from 'discord.js'
import IORedis from 'ioredis'
import { Jimp } from 'jimp'
import { silentLogger } from '../../lib/log.ts'
import { makeJpeg } from '../../test/fixtures/images.ts'
import { commandJobId, replyJobId } from '../../lib/contracts/queues.ts'
import {
  type DiscordStandin,
  type InteractionRecord,
  startStandin,
} from '../../test/discord-standin/standin.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { commands } from '../../catalog/catalog.ts'
import { type DiscordBot, startDiscordBot } from './bot.ts'
import { deployCommands } from './deploy.ts'

const A = '1200000000000000001'
const B = '1200000000000000002'
const C = '1200000000000000003'

let standin: DiscordStandin
let stack: Stack
let bot: DiscordBot
let redis: IORedis
const startBot = () => startDiscordBot({ config: stack.config, token: standin.token, log: silentLogger })

beforeAll(async () => {
  standin = startStandin({
    guilds: [
      { id: A, name: 'Garage A', channels: [{ id: '1300000000000000001', name: 'garage' }] },
      { id: B, name: 'Garage B', channels: [{ id: '1300000000000000002', name: 'garage' }] },
      { id: C, name: 'Garage C', channels: [{ id: '1300000000000000003', name: 'garage' }] },
    ],
  })
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
  bot = await startBot()
  redis = new IORedis(stack.config.REDIS_URL!)
}, 30_000)

afterAll(async () => {
  await bot?.close()
  redis?.disconnect()
  await stack?.close()
  await standin?.close()
})

/** The user-visible answer: the edited original, or the ephemeral follow-up that replaced it. */
async function answer(rec: InteractionRecord, timeoutMs = 10_000) {
  return standin.waitFor(
    () => rec.followups[0] ?? (rec.originalEdits > 0 ? rec.original : undefined),
    timeoutMs,
    `answer to ${rec.id}`,
  )
}
const textOf = (m: { content: string; embeds: any[] }) => `${m.content}\n${JSON.stringify(m.embeds)}`
const noJob = async (rec: InteractionRecord) =>
  expect(await stack.dispatcher.queue.getJob(commandJobId(rec.id))).toBeUndefined()

async function itemIdOf(name: string): Promise<number> {
  const res = await fetch(`${stack.url('items')}/items?car=corolla`, {
    headers: stack.headers(`discord:${A}`),
  })
  const body = (await res.json()) as { items: { id: number; name: string }[] }
  const item = body.items.find((i) => i.name === name)
  if (!item) throw new Error(`no item ${name}: ${JSON.stringify(body)}`)
  return item.id
}

function itemsDb() {
  return new Database(join(stack.dataDir, 'items.sqlite'), { readonly: true })
}

describe('commands', () => {
  test('the deploy script sends the whole catalog in one bulk overwrite', () => {
    const puts = standin.requestsTo('PUT', `/applications/${standin.applicationId}/commands`)
    expect(puts).toHaveLength(1)
    const sent = puts[0]!.body as { name: string; options: { name: string }[] }[]
    expect(sent.map((c) => c.name)).toEqual(commands.map((c) => c.name))
    for (const c of commands)
      expect(sent.find((s) => s.name === c.name)!.options.map((o) => o.name)).toEqual(
        c.subcommands.map((s) => s.name),
      )
  })

  test('/car add in guild A: deferral within 3 s, then the edited reply naming the car', async () => {
    const rec = standin.sendCommand(A, 'car', 'add', {
      nickname: 'corolla',
      make: 'Toyota',
      model: 'Corolla',
      year: 2018,
      odometer: '52000',
    })
    const initial = await standin.waitFor(() => rec.initial, 3_000, 'deferral')
    expect(initial.type).toBe(5)
    expect(initial.at - rec.createdAt).toBeLessThan(3_000)
    expect(initial.data?.flags ?? 0).toBe(0)
    const msg = await answer(rec)
    expect(msg.flags & MessageFlags.Ephemeral).toBe(0)
    expect(textOf(msg)).toContain('corolla')
    expect(textOf(msg)).toContain('Toyota Corolla')
    expect(rec.callbacks).toHaveLength(1)
  })

  test("/car list in guild B does not show guild A's car; in A it does", async () => {
    const inB = standin.sendCommand(B, 'car', 'list')
    const inA = standin.sendCommand(A, 'car', 'list')
    expect(textOf(await answer(inB))).not.toContain('corolla')
    expect(textOf(await answer(inA))).toContain('corolla')
  })

  test("autocomplete answers within 3 s with the tenant's own cars only", async () => {
    const civic = standin.sendCommand(A, 'car', 'add', { nickname: 'civic', make: 'Honda' })
    const camry = standin.sendCommand(B, 'car', 'add', { nickname: 'camry', make: 'Toyota' })
    await answer(civic)
    await answer(camry)
    const inA = await standin.autocomplete(A, 'car', 'show', { car: 'c' }, 'car')
    expect(inA).not.toBeNull()
    expect(inA!.ms).toBeLessThan(3_000)
    expect(inA!.choices.map((c) => c.value).sort()).toEqual(['civic', 'corolla'])
    const inB = await standin.autocomplete(B, 'car', 'show', { car: '' }, 'car')
    expect(inB!.choices.map((c) => c.value)).toEqual(['camry'])
    const typed = await standin.autocomplete(A, 'car', 'show', { car: 'COR' }, 'car')
    expect(typed!.choices.map((c) => c.value)).toEqual(['corolla'])
  })
})

describe('bad input: a clear private answer, nothing stored', () => {
  test('year 1700 (Discord lets it through, the catalog does not)', async () => {
    const rec = standin.sendCommand(A, 'car', 'add', { nickname: 'oldie', year: 1700 })
    const initial = await standin.waitFor(() => rec.initial, 3_000)
    expect(initial.type).toBe(4)
    expect(initial.data.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
    expect(initial.data.content).toContain('year')
    expect(initial.data.content).toContain('1886')
    await noJob(rec)
    const db = itemsDb()
    expect(db.query("SELECT count(*) AS n FROM cars WHERE nickname_key = 'oldie'").get()).toEqual({ n: 0 })
    db.close()
  })

  test('a reminder channel of another guild is refused privately; nothing is stored', async () => {
    const rec = standin.sendCommand(A, 'garage', 'settings', {
      reminder_channel: { channel: '1300000000000000002' },
    })
    const msg = await answer(rec)
    expect(msg.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
    expect(textOf(msg)).toContain('reminder_channel')
    expect(textOf(msg)).toContain('not a channel of this server')
    await noJob(rec)
    const db = itemsDb()
    expect(
      db.query('SELECT reminder_channel FROM tenants WHERE id = ?').get(`discord:${A}`) ?? {
        reminder_channel: null,
      },
    ).toEqual({
      reminder_channel: null,
    })
    db.close()
  })

  test('an odometer lower than the last', async () => {
    const rec = standin.sendCommand(A, 'car', 'odometer', { car: 'corolla', reading: '40000' })
    const msg = await answer(rec)
    expect(msg.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
    expect(rec.originalDeleted).toBe(true)
    expect(textOf(msg).toLowerCase()).toMatch(/lower|confirm/)
    const db = itemsDb()
    const rows = db
      .query(
        "SELECT r.value FROM odometer_readings r JOIN cars c ON c.id = r.car_id WHERE c.tenant = ? AND c.nickname_key = 'corolla'",
      )
      .all(`discord:${A}`) as { value: number }[]
    db.close()
    expect(rows.map((r) => r.value)).toEqual([52000])
  })

  test('a guild that has no garage yet', async () => {
    const rec = standin.sendCommand(C, 'car', 'show', { car: 'corolla' })
    const msg = await answer(rec)
    expect(msg.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
    expect(textOf(msg)).toContain('corolla')
    const db = itemsDb()
    expect(db.query('SELECT count(*) AS n FROM tenants WHERE id = ?').get(`discord:${C}`)).toEqual({ n: 0 })
    expect(db.query('SELECT count(*) AS n FROM cars WHERE tenant = ?').get(`discord:${C}`)).toEqual({ n: 0 })
    db.close()
    // Created on first use, with defaults.
    const add = standin.sendCommand(C, 'car', 'add', { nickname: 'beetle' })
    expect(textOf(await answer(add))).toContain('beetle')
  })

  test('an unknown button id', async () => {
    const rec = standin.pressButton(A, 'self-destruct')
    const initial = await standin.waitFor(() => rec.initial, 3_000)
    expect(initial.type).toBe(4)
    expect(initial.data.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
    expect(initial.data.content).toContain('not known')
    await noJob(rec)
    // A well-formed id of a kind nobody handles is answered privately by the worker.
    const gone = standin.pressButton(A, 'car.explode:1')
    const msg = await answer(gone)
    expect(msg.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
    expect(textOf(msg)).toContain('not known')
  })

  test('an interaction for a command that no longer exists', async () => {
    const rec = standin.sendCommand(A, 'tyres', 'rotate', { car: 'corolla' })
    const initial = await standin.waitFor(() => rec.initial, 3_000)
    expect(initial.type).toBe(4)
    expect(initial.data.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
    expect(initial.data.content).toContain('/tyres no longer exists')
    await noJob(rec)
  })
})

describe('buttons and reliability', () => {
  test('a button press runs its job and its answer replaces the deferral', async () => {
    const add = standin.sendCommand(A, 'item', 'add', { car: 'corolla', name: 'Oil change', months: 6 })
    expect(textOf(await answer(add))).toContain('Oil change')
    const id = await itemIdOf('Oil change')
    const rec = standin.pressButton(A, `item.done:${id}`)
    const initial = await standin.waitFor(() => rec.initial, 3_000)
    expect(initial.type).toBe(5)
    const msg = await answer(rec)
    expect(textOf(msg)).toContain('Oil change on corolla: done')
    expect(textOf(msg)).toContain('Alice marked it done')
  })

  test("a form button opens the modal; its submit runs the form's job; a bad field is answered privately", async () => {
    const id = await itemIdOf('Oil change')
    const open = standin.pressButton(A, `form:log_service:${id}`)
    const modal = await standin.waitFor(() => open.initial, 3_000)
    expect(modal.type).toBe(9)
    expect(modal.data.title).toBe('Log service')
    const inputs = modal.data.components.map((row: any) => row.components[0].custom_id)
    expect(inputs).toEqual(['cost', 'odometer', 'date'])

    const bad = standin.submitModal(A, `form:log_service:${id}`, { cost: 'lots', odometer: '', date: '' })
    const refused = await standin.waitFor(() => bad.initial, 3_000)
    expect(refused.type).toBe(4)
    expect(refused.data.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral)
    expect(refused.data.content).toContain('cost')
    await noJob(bad)

    const good = standin.submitModal(A, `form:log_service:${id}`, {
      cost: '89.90',
      odometer: '53000',
      date: '',
    })
    const msg = await answer(good)
    expect(msg.flags & MessageFlags.Ephemeral).toBe(0)
    expect(textOf(msg)).toContain('Oil change')
    expect(textOf(msg)).toContain('89.90')
  })

  test('a 429 on the reply is waited out (Retry-After) and the reply made once', async () => {
    standin.failNext({ method: 'PATCH', path: /\/messages\/@original$/, status: 429, retryAfter: 1 })
    const rec = standin.sendCommand(A, 'car', 'show', { car: 'corolla' })
    const msg = await answer(rec)
    expect(textOf(msg)).toContain('Toyota Corolla')
    const edits = standin.requestsTo(
      'PATCH',
      `/webhooks/${standin.applicationId}/${rec.token}/messages/@original`,
    )
    expect(edits.map((e) => e.status)).toEqual([429, 200])
    expect(edits[1]!.at - edits[0]!.at).toBeGreaterThanOrEqual(950)
    await Bun.sleep(200)
    expect(rec.originalEdits).toBe(1)
    expect(rec.followups).toHaveLength(0)
  })

  test('the bot restarted between deferral and delivery still delivers, once', async () => {
    await stack.stopWorker()
    const rec = standin.sendCommand(A, 'car', 'list')
    await standin.waitFor(() => rec.initial, 3_000, 'deferral')
    await standin.waitFor(async () => stack.dispatcher.queue.getJob(commandJobId(rec.id)), 3_000)
    await bot.close()
    const identifies = standin.identifies
    await stack.startWorker()
    // The answer waits on replies.discord while no bot is running.
    const replies = stack.replyQueue('discord')
    await standin.waitFor(
      async () => (await replies.getJob(replyJobId(rec.id)))?.id,
      10_000,
      'reply job queued',
    )
    await Bun.sleep(300)
    expect(rec.originalEdits).toBe(0)
    bot = await startBot()
    expect(standin.identifies).toBe(identifies + 1)
    const msg = await answer(rec)
    expect(textOf(msg)).toContain('corolla')
    await Bun.sleep(500)
    expect(rec.originalEdits).toBe(1)
    expect(rec.followups).toHaveLength(0)
    await replies.close()
  })
})

describe('photos dropped in a channel', () => {
  const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 0xff, 0xd9])
  const CHANNEL_A = '1300000000000000001'
  const jobData = (id: string) =>
    standin.waitFor(
      async () => (await stack.dispatcher.queue.getJob(commandJobId(id)))?.data,
      3_000,
      `job of ${id}`,
    )

  test('an image posted with "corolla" becomes one photo.attach job for the message, answered in its thread', async () => {
    const msg = standin.dropPhoto(A, CHANNEL_A, {
      content: 'corolla',
      files: [
        { filename: 'front.jpg', bytes: JPEG, contentType: 'image/jpeg' },
        { filename: 'notes.txt', bytes: new Uint8Array([104, 105]), contentType: 'text/plain' },
      ],
    })
    const data = await jobData(msg.id)
    expect(data).toMatchObject({
      id: msg.id,
      kind: 'photo.attach',
      tenant: `discord:${A}`,
      actor: { platform: 'discord', userId: '1400000000000000001' },
      replyTo: { platform: 'discord', channelId: CHANNEL_A, messageId: msg.id },
      payload: { text: 'corolla', channelId: CHANNEL_A },
    })
    // Only the image; the worker downloads it from the stand-in's file host.
    expect(data.payload.files).toEqual([
      {
        url: msg.attachments[0].url,
        filename: 'front.jpg',
        size: JPEG.byteLength,
        contentType: 'image/jpeg',
      },
    ])
    expect(data.payload.threadId).toBeUndefined()
  })

  test('a photo in the thread of a message with a ref carries the ref', async () => {
    // The bot's answer to /car show records car:corolla for its message; a user opens a thread on it.
    const show = standin.sendCommand(A, 'car', 'show', { car: 'corolla' })
    const answered = await answer(show)
    await standin.waitFor(
      async () => redis.hget(`${stack.prefix}:threads`, `discord:${A}|${answered.id}`),
      3_000,
      'thread ref recorded',
    )
    const thread = standin.startThread(A, CHANNEL_A, answered.id, 'corolla')
    await standin.waitFor(
      () => bot.client.channels.cache.get(thread)?.isThread(),
      2_000,
      'thread known to the bot',
    )
    const msg = standin.dropPhoto(A, thread, {
      content: '',
      files: [{ filename: 'dent.png', bytes: JPEG, contentType: 'image/png' }],
    })
    const data = await jobData(msg.id)
    expect(data.payload).toMatchObject({ channelId: CHANNEL_A, threadId: thread, threadRef: 'car:corolla' })
    expect(data.replyTo).toEqual({ platform: 'discord', channelId: thread })
  })

  test('/photo add with its attachment option becomes the same photo job, with the target', async () => {
    const rec = standin.sendCommand(A, 'photo', 'add', {
      file: { attachment: { filename: 'rear.jpg', bytes: JPEG, contentType: 'image/jpeg' } },
      car: 'corolla',
    })
    const initial = await standin.waitFor(() => rec.initial, 3_000)
    expect(initial.type).toBe(5)
    const data = await jobData(rec.id)
    const resolved = Object.values(rec.payload.data.resolved.attachments)[0] as { url: string }
    expect(data).toMatchObject({
      kind: 'photo.attach',
      tenant: `discord:${A}`,
      replyTo: { platform: 'discord', channelId: CHANNEL_A, interaction: { token: rec.token } },
      payload: {
        files: [
          { url: resolved.url, filename: 'rear.jpg', size: JPEG.byteLength, contentType: 'image/jpeg' },
        ],
        text: '',
        channelId: CHANNEL_A,
        target: { car: 'corolla' },
      },
    })
    const missing = standin.sendCommand(A, 'photo', 'add', { car: 'corolla' })
    const refused = await standin.waitFor(() => missing.initial, 3_000)
    expect(refused.type).toBe(4)
    expect(refused.data.content).toContain('file')
    await noJob(missing)
  })

  test('a photo dropped with "corolla" ends in a reply in its thread with the thumbnail, once', async () => {
    const jpeg = await makeJpeg(800, 600)
    const msg = standin.dropPhoto(A, CHANNEL_A, {
      content: 'the corolla after washing',
      files: [{ filename: 'clean.jpg', bytes: jpeg, contentType: 'image/jpeg' }],
    })
    const reply = await standin.waitFor(
      () => standin.channelMessages(msg.id)[0],
      20_000,
      'answer in the thread',
    )
    expect(standin.requestsTo('POST', `/channels/${CHANNEL_A}/messages/${msg.id}/threads`)).toHaveLength(1)
    expect(textOf(reply)).toContain('corolla')
    expect(reply.embeds[0].thumbnail).toEqual({ url: 'attachment://photo.jpg' })
    const thumb = standin.fileBytes(reply.attachments[0].url)!
    const image = await Jimp.read(Buffer.from(thumb))
    expect(image.mime).toBe('image/jpeg')
    expect(Math.max(image.width, image.height)).toBe(256)
    // The photo is on the Corolla now, and the answer was posted once.
    const show = standin.sendCommand(A, 'car', 'photos', { car: 'corolla' })
    expect(textOf(await answer(show, 15_000))).toContain('clean.jpg')
    await Bun.sleep(300)
    expect(standin.channelMessages(msg.id)).toHaveLength(1)
  }, 40_000)

  test("a photo dropped in an issue's thread lands on the issue; issue autocomplete is the garage's own", async () => {
    const log = standin.sendCommand(A, 'issue', 'log', {
      car: 'corolla',
      title: 'Grinding when braking',
      severity: 'high',
    })
    const opened = await answer(log)
    const number = Number(/#(\d+)/.exec(textOf(opened))?.[1])
    expect(number).toBeGreaterThan(0)
    const suggestions = await standin.autocomplete(A, 'issue', 'show', { number: '' }, 'number')
    expect(suggestions!.choices.map((c) => c.value)).toEqual([number])
    expect((await standin.autocomplete(B, 'issue', 'show', { number: '' }, 'number'))!.choices).toEqual([])

    await standin.waitFor(
      () => redis.hget(`${stack.prefix}:threads`, `discord:${A}|${opened.id}`),
      3_000,
      'issue ref',
    )
    const thread = standin.startThread(A, CHANNEL_A, opened.id, 'Grinding when braking')
    await standin.waitFor(
      () => bot.client.channels.cache.get(thread)?.isThread(),
      2_000,
      'thread known to the bot',
    )
    const msg = standin.dropPhoto(A, thread, {
      content: 'pads look worn',
      files: [
        { filename: 'pads.jpg', bytes: await makeJpeg(400, 300, { seed: 7 }), contentType: 'image/jpeg' },
      ],
    })
    const reply = await standin.waitFor(
      () =>
        standin.channelMessages(thread).find((m) => m.author.id === standin.applicationId && m.id !== msg.id),
      20_000,
      'answer in the issue thread',
    )
    expect(textOf(reply)).toContain(`#${number}`)
    expect(reply.embeds[0].thumbnail).toEqual({ url: 'attachment://photo.jpg' })
    // No new thread: the answer stays in the thread.
    expect(standin.requestsTo('POST', new RegExp(`/messages/${msg.id}/threads$`))).toHaveLength(0)
  }, 40_000)

  test('messages from bots, and messages without images, make no job', async () => {
    const fromBot = standin.dropPhoto(A, CHANNEL_A, {
      content: 'corolla',
      bot: true,
      files: [{ filename: 'a.jpg', bytes: JPEG, contentType: 'image/jpeg' }],
    })
    const text = standin.dropPhoto(A, CHANNEL_A, {
      content: 'corolla',
      files: [{ filename: 'a.pdf', bytes: JPEG, contentType: 'application/pdf' }],
    })
    await Bun.sleep(300)
    expect(await stack.dispatcher.queue.getJob(commandJobId(fromBot.id))).toBeUndefined()
    expect(await stack.dispatcher.queue.getJob(commandJobId(text.id))).toBeUndefined()
  })
})
