/**
 * The terminal chat against the real worker and services (test/stack.ts): who its commands are
 * by, as an issue's history and comments show it; a file given by its path in an attachment
 * option, served by the chat and downloaded by the worker as a platform's file would be.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makePng } from '../../test/fixtures/images.ts'
import { renderText } from '../../lib/contracts/reply-text.ts'
import { testRedisUrl } from '../../test/env.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { LocalChat } from './index.ts'

let stack: Stack
let chat: LocalChat
const folder = mkdtempSync(join(tmpdir(), 'cm-chat-files-'))
const MAX = 1_048_576

/** The login name as the system itself reports it (`id -un`), not as Bun guesses it. */
const login = Bun.spawnSync(['id', '-un']).stdout.toString().trim()

beforeAll(async () => {
  stack = await startStack({ services: ['items', 'issues', 'images', 'quotes'], collect: false })
  chat = new LocalChat({
    redisUrl: testRedisUrl(),
    queuePrefix: stack.prefix,
    tenant: 'who',
    timeoutMs: 10_000,
    maxFileBytes: MAX,
    cwd: folder,
  })
  await chat.connect()
})

afterAll(async () => {
  await chat?.close()
  await stack?.close()
  rmSync(folder, { recursive: true, force: true })
})

const say = async (line: string) => {
  const reply = (await chat.send(line)).at(-1)!
  return { ...reply, shown: renderText(reply) }
}

test('the terminal chat acts as the login name, never "unknown"', async () => {
  expect(login).not.toBe('')
  expect((await say('/car add golf odometer:"1,000 km"')).tone).toBe('ok')
  expect((await say('/issue log golf "Rattle at idle"')).tone).toBe('ok')
  expect((await say('/issue comment 1 "heat shield, probably"')).tone).toBe('ok')
  const shown = await say('/issue show 1')
  expect(shown.shown).toContain(`${login}: heat shield, probably`)
  expect(shown.shown).toContain(`${login} opened it`)
  expect(shown.shown).toContain(`${login} commented`)
  expect(shown.shown).not.toContain('unknown')
})

test('a file given by its path is filed like an attachment: on a car, on an issue', async () => {
  const png = await makePng(640, 480)
  writeFileSync(join(folder, 'golf.png'), png)
  writeFileSync(join(folder, 'big.png'), new Uint8Array(1_600_000))
  writeFileSync(join(folder, 'empty.png'), new Uint8Array(0))

  const added = await say('/photo add car:golf file:./golf.png')
  expect([added.tone, added.title, added.text]).toEqual(['ok', 'Added a photo to golf', 'Now part of golf.'])
  // The very bytes of the file, as the images service stored them.
  const headers = stack.headers('local:who')
  const car = (await (await fetch(`${stack.url('items')}/cars/golf`, { headers })).json()) as { id: number }
  const photos = await fetch(`${stack.url('images')}/images?car=${car.id}`, { headers })
  const gallery = (await photos.json()) as { photos: Record<string, unknown>[] }
  expect(
    gallery.photos.map((p) => [p.filename, p.format, p.width, p.bytes, p.sha256, p.uploader_name]),
  ).toEqual([
    ['golf.png', 'png', 640, png.length, new Bun.CryptoHasher('sha256').update(png).digest('hex'), login],
  ])

  // By its absolute path, positionally too, onto an issue.
  const onIssue = await say(`/photo add ${join(folder, 'golf.png')} issue:1`)
  expect(onIssue.tone).toBe('ok')
  expect(onIssue.title).toBe('Added a photo to issue #1 Rattle at idle (golf)')
  expect((await say('/issue show 1')).shown).toContain(`${login} added a photo`)

  // Refused here, before anything is sent.
  const big = await say('/photo add car:golf file:big.png')
  expect([big.tone, big.text.split('\n')[0]]).toEqual([
    'error',
    'file: big.png is 1.5 MB, over the limit of 1 MB',
  ])
  expect((await say('/photo add car:golf file:empty.png')).text).toStartWith('file: empty.png is empty')
  expect((await say('/photo add car:golf file:./nope.jpg')).text).toStartWith(
    'file: there is no file ./nope.jpg',
  )
  expect((await say(`/photo add car:golf file:${folder}`)).text).toStartWith(`file: ${folder} is not a file`)
  expect((await say('/photo add car:golf')).text).toStartWith('missing file: /photo add needs file')
})
