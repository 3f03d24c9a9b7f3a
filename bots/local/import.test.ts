/**
 * /garage import from the terminal chat: the file is given by its path, served by the chat and
 * downloaded by the worker as a platform's attachment would be; the preview's Import button is
 * pressed with !press.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testRedisUrl } from '../../test/env.ts'
import { type Stack, startStack } from '../../test/stack.ts'
import { LocalChat } from './index.ts'

let stack: Stack
let chat: LocalChat
const folder = mkdtempSync(join(tmpdir(), 'cm-chat-import-'))

beforeAll(async () => {
  stack = await startStack({ services: ['items'], collect: false })
  chat = new LocalChat({
    redisUrl: testRedisUrl(),
    queuePrefix: stack.prefix,
    tenant: 'imports',
    timeoutMs: 10_000,
    cwd: folder,
  })
  await chat.connect()
  copyFileSync(join(import.meta.dir, '../../test/fixtures/imports/fuelly.csv'), join(folder, 'fuelly.csv'))
})
afterAll(async () => {
  await chat?.close()
  await stack?.close()
  rmSync(folder, { recursive: true, force: true })
})

const say = async (line: string) => (await chat.send(line)).at(-1)!

test('a path in file: is read, previewed, and imported with !press', async () => {
  expect((await say('/garage settings units:imperial currency:USD')).tone).toBe('ok')
  const preview = await say('/garage import file:./fuelly.csv map:"Golf=new,Honda Civic=new"')
  expect(preview.title).toBe('Import preview: fuelly.csv (Fuelly export)')
  expect(preview.text).toContain(
    'Cars: "Honda Civic" → new car Honda-Civic (mi, gal) · "Golf" → new car Golf (mi, gal)',
  )
  const button = preview.actions!.find((a) => a.label === 'Import 9 rows')!
  const done = await say(`!press ${button.id}`)
  expect(done.title).toBe('Imported 9 fill-ups')
  expect((await say('/fuel list car:Golf')).text).toContain('33.3 mpg')
  expect((await say('/garage import file:./missing.csv')).text).toStartWith(
    'file: there is no file ./missing.csv',
  )
})
