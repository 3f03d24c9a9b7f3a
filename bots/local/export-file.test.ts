/**
 * The terminal chat delivers a reply's file: `/garage export` typed in the chat (the real worker
 * and services of the test stack) is answered with the zip, which the chat fetches from the
 * images service, writes under DATA_DIR/exports and names in the printed reply. A reply job
 * seen again writes the same path, and a file it cannot fetch is said, not lost silently.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { unzipSync } from 'fflate'
import type { ReplyJob } from '../../lib/contracts/envelope.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { runChat, saveReplyFile } from './index.ts'

let stack: Stack

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'issues', 'quotes', 'images'], env: { LOCAL_TENANT: 'chat-export' } })
  await stack.say('/car add golf odometer:"40000 km"', 'local:chat-export')
  await stack.say('/fuel log car:golf volume:"40 L" odometer:"40500 km" cost:60', 'local:chat-export')
}, 30_000)

afterAll(async () => {
  await stack?.close()
})

test('the chat writes the export zip under DATA_DIR/exports and prints its path', async () => {
  const lines: string[] = []
  const code = await runChat({
    config: stack.config,
    redisUrl: stack.config.REDIS_URL!,
    input: Readable.from(['/garage export\n']),
    output: (t) => lines.push(t),
    interactive: false,
    timeoutMs: 20_000,
  })
  const text = lines.join('\n')
  expect(code).toBe(0)
  const saved = /Saved to (\S+\.zip)/.exec(text)
  expect(saved).not.toBeNull()
  const path = saved![1]!
  expect(path.startsWith(join(stack.dataDir, 'exports'))).toBe(true)
  const zip = unzipSync(new Uint8Array(readFileSync(path)))
  const manifest = JSON.parse(new TextDecoder().decode(zip['manifest.json']))
  expect(manifest.counts).toMatchObject({ cars: 1, fuel_fillups: 1 })
  expect(readdirSync(join(stack.dataDir, 'exports'))).toHaveLength(1)
})

test('a reply job seen again writes the same path; a file that cannot be fetched is said', async () => {
  const res = await fetch(`${stack.url('images')}/files?name=notes.txt&type=text/plain`, {
    method: 'POST',
    headers: { ...stack.headers('local:chat-export', { 'idempotency-key': 'k1' }), 'content-type': 'application/octet-stream' },
    body: 'hello',
  })
  const file = (await res.json()) as NonNullable<ReplyJob['reply']['file']>
  const job: ReplyJob = {
    envelopeId: 'e1',
    tenant: 'local:chat-export',
    replyTo: { platform: 'local', session: 's' },
    reply: { tone: 'ok', text: 'Here it is.', file },
  }
  const files = { imagesUrl: stack.url('images'), token: stack.token, dir: join(stack.dataDir, 'other') }
  const first = await saveReplyFile(job, files)
  const again = await saveReplyFile(job, files)
  expect(first.reply.text).toBe(again.reply.text)
  const path = /Saved to (\S+)/.exec(first.reply.text)![1]!
  expect(readFileSync(path, 'utf8')).toBe('hello')
  expect(readdirSync(files.dir)).toHaveLength(1)
  // another garage's chat cannot fetch it
  const stranger = await saveReplyFile({ ...job, tenant: 'local:someone-else' }, { ...files, dir: join(stack.dataDir, 'x') })
  expect(stranger.reply.text).toContain('could not be saved: the images service answered 404')
  expect(existsSync(join(stack.dataDir, 'x'))).toBe(false)
})
