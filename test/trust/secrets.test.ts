/**
 * Secrets stay secret. A real worker process (`bun queue/worker.ts`, JSON logs on stdout at the most
 * verbose level) and a real items service process run with known secrets (SERVICE_TOKEN, Discord
 * and Slack bot tokens, the Slack signing secret, the dashboard password); commands go through
 * them: successes, mistakes, unknown kinds, bad payloads, a service down, photos downloaded from
 * Discord and Slack hosts (Slack with the bot token), a 500 in a service, wrong tokens. No secret
 * may appear in either process's output, in anything stored in Redis under the run's prefix
 * (job hashes, events, lists), or in any reply.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import IORedis from 'ioredis'
import { parseTyped } from '../../catalog/grammar.ts'
import { SERVICE_NAMES, SERVICES } from '../../lib/contracts/services.ts'
import { makePng } from '../fixtures/images.ts'
import { testRedisUrl } from '../env.ts'
import { type Proc, startProcess, waitHealthy } from '../procs.ts'
import { freePort } from '../redis.ts'
import { type Stack, startStack } from '../stack.ts'

const SECRETS = {
  DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.discord-secret-Zq81',
  SLACK_BOT_TOKEN: 'xoxb-slack-bot-secret-7Hk2pQ',
  SLACK_SIGNING_SECRET: 'slack-signing-secret-c93fd1a0',
  DASHBOARD_PASSWORD: 'dashboard-secret-pw-55aa',
}
const TENANT = 'local:secrets'

let stack: Stack
let worker: Proc
let items: Proc
let files: ReturnType<typeof Bun.serve>
let itemsDir: string
let itemsUrl: string
let png: Uint8Array
/** Authorization headers the file host received (the Slack download must carry the bot token). */
const fileAuth: (string | null)[] = []
const ids: string[] = []

const typed = (command: string, sub: string, options: Record<string, unknown>) => {
  const r = parseTyped(command, sub, options)
  if (!r.ok) throw new Error(`${command} ${sub}: ${r.error}`)
  return r.payload
}

beforeAll(async () => {
  png = await makePng(26, 26)
  files = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request) {
      fileAuth.push(request.headers.get('authorization'))
      const path = new URL(request.url).pathname
      if (
        path.startsWith('/slack/') &&
        request.headers.get('authorization') !== `Bearer ${SECRETS.SLACK_BOT_TOKEN}`
      )
        return new Response('no', { status: 403 })
      if (path.endsWith('/fail')) return new Response('boom', { status: 500 })
      return new Response(png, { headers: { 'content-type': 'image/png' } })
    },
  })
  stack = await startStack({ worker: false })
  const env: Record<string, string> = {
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: stack.prefix,
    SERVICE_TOKEN: stack.token,
    LOG_LEVEL: 'trace',
    COMMAND_ATTEMPTS: '2',
    WORKER_PORT: String(await freePort()),
    DISCORD_FILE_HOSTS: `127.0.0.1:${files.port}`,
    SLACK_FILE_HOSTS: `127.0.0.1:${files.port}`,
    ...SECRETS,
  }
  for (const s of SERVICE_NAMES) env[SERVICES[s].url] = stack.url(s)
  // The items service as its own process too, so its output is searched as well.
  itemsDir = mkdtempSync(join(tmpdir(), 'cm-trust-secrets-'))
  const port = await freePort()
  itemsUrl = `http://127.0.0.1:${port}`
  items = startProcess('items', SERVICES.items.entry, {
    ...env,
    DATA_DIR: itemsDir,
    [SERVICES.items.port]: String(port),
  })
  await waitHealthy(items, `${itemsUrl}/health`)
  env[SERVICES.items.url] = itemsUrl
  worker = startProcess('worker', 'queue/worker.ts', { ...env, DATA_DIR: stack.dataDir })
  await waitHealthy(worker, `http://127.0.0.1:${env.WORKER_PORT}/health`)
}, 30_000)

afterAll(async () => {
  worker?.kill('SIGKILL')
  items?.kill('SIGKILL')
  await Promise.all([worker?.exited, items?.exited])
  files?.stop(true)
  await stack?.close()
  if (itemsDir) rmSync(itemsDir, { recursive: true, force: true })
})

async function run(kind: string, payload: unknown, platform: 'local' | 'discord' | 'slack' = 'local') {
  const id = await stack.dispatch(kind, payload, {
    tenant: TENANT,
    actor: { platform, userId: 'U1', name: 'Sam' },
  })
  ids.push(id)
  return stack.reply(id, 15_000)
}

const file = (path: string) => ({
  url: `http://127.0.0.1:${files.port}${path}`,
  filename: 'p.png',
  size: png.length,
})

describe('no secret in logs, job data or replies', () => {
  test('commands of every kind run through the worker process', async () => {
    expect((await run('car.add', typed('car', 'add', { nickname: 'corolla', plate: 'AB-123' }))).tone).toBe(
      'ok',
    )
    expect((await run('car.show', typed('car', 'show', { car: 'nope' }))).tone).toBe('error')
    expect((await run('car.add', { nickname: 42 })).tone).toBe('error')
    expect((await run('no.such_kind', {})).tone).toBe('error')
    const slack = await run(
      'photo.attach',
      { files: [file('/slack/p.png')], text: 'corolla', channelId: 'C1' },
      'slack',
    )
    expect(slack.tone).toBe('ok')
    const discord = await run(
      'photo.attach',
      { files: [file('/discord/p.png')], text: 'corolla', channelId: 'C1' },
      'discord',
    )
    expect(discord.tone).toBe('ok')
    const failed = await run(
      'photo.attach',
      { files: [file('/slack/fail')], text: 'corolla', channelId: 'C1' },
      'slack',
    )
    expect(failed.tone).not.toBe('ok')
    // The Slack download carried the bot token (so the token was really in play).
    expect(fileAuth).toContain(`Bearer ${SECRETS.SLACK_BOT_TOKEN}`)
    await stack.stopService('quotes')
    try {
      const down = await run('quote.jobs', typed('quote', 'jobs', {}))
      expect(down.tone).toBe('error')
    } finally {
      await stack.startService('quotes')
    }
    // A wrong token and a request that fails inside the service.
    await fetch(`${itemsUrl}/cars`, {
      headers: { authorization: `Bearer ${stack.token}x`, 'x-tenant': TENANT },
    })
    await fetch(`${itemsUrl}/records?limit=1.5`, {
      headers: { authorization: `Bearer ${stack.token}`, 'x-tenant': TENANT },
    })
    expect(ids.length).toBeGreaterThan(1)
  }, 60_000)

  const secrets = () => [stack.token, ...Object.values(SECRETS)]
  const found = (text: string) => secrets().filter((s) => text.includes(s))

  test('the worker’s and the items service’s output', async () => {
    await Bun.sleep(300)
    const out = worker.output()
    // The worker did log what it ran, with job ids (so its output is the right place to look).
    expect(ids.some((id) => out.includes(id))).toBe(true)
    expect(found(out)).toEqual([])
    expect(items.output().length).toBeGreaterThan(0)
    expect(found(items.output())).toEqual([])
  })

  test('everything in Redis under the run’s prefix (job hashes, events, lists, sets)', async () => {
    const redis = new IORedis(testRedisUrl(), { maxRetriesPerRequest: 1 })
    try {
      const keys = await redis.keys(`*${stack.prefix}*`)
      expect(keys.length).toBeGreaterThan(0)
      let dump = ''
      for (const key of keys) {
        const type = await redis.type(key)
        if (type === 'hash') dump += JSON.stringify(await redis.hgetall(key))
        else if (type === 'list') dump += JSON.stringify(await redis.lrange(key, 0, -1))
        else if (type === 'set') dump += JSON.stringify(await redis.smembers(key))
        else if (type === 'zset') dump += JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'))
        else if (type === 'string') dump += (await redis.get(key)) ?? ''
        else if (type === 'stream') dump += JSON.stringify(await redis.xrange(key, '-', '+'))
      }
      // The dump holds the commands' data (so it is the right place to look).
      expect(dump).toContain(ids[0]!)
      expect(found(dump)).toEqual([])
    } finally {
      redis.disconnect()
    }
  })

  test('the replies (notices included)', () => {
    const all = JSON.stringify(ids.map((id) => stack.repliesTo(id)))
    expect(all).toContain('corolla')
    expect(found(all)).toEqual([])
  })
})
