/** The items process: starts from its settings, serves, and stops cleanly on SIGTERM. */
import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ENTRY = join(import.meta.dir, 'index.ts')
const dir = mkdtempSync(join(tmpdir(), 'items-proc-'))
const children: ReturnType<typeof Bun.spawn>[] = []

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

function start(env: Record<string, string>) {
  const child = Bun.spawn(['bun', ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dir,
      ITEMS_PORT: '0',
      ...env,
    },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  children.push(child)
  return child
}

async function exitWithin(child: ReturnType<typeof Bun.spawn>, ms: number): Promise<number | null> {
  return Promise.race([child.exited, Bun.sleep(ms).then(() => null)])
}

test('listens on ITEMS_PORT, answers, and closes on SIGTERM with exit 0', async () => {
  const token = 'process-test-token-0123456789'
  const child = start({ SERVICE_TOKEN: token, LOG_LEVEL: 'info' })
  const reader = (child.stdout as ReadableStream<Uint8Array>).getReader()
  let out = ''
  let url: string | undefined
  const deadline = Date.now() + 10_000
  while (!url && Date.now() < deadline) {
    const chunk = await Promise.race([
      reader.read(),
      Bun.sleep(10_000).then(() => ({ done: true, value: undefined })),
    ])
    if (chunk.done) break
    out += new TextDecoder().decode(chunk.value)
    url = /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1]
  }
  reader.releaseLock()
  expect(url).toBeDefined()
  const health = await fetch(`${url}/health`)
  expect(health.status).toBe(200)
  const added = await fetch(`${url}/cars`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'x-tenant': 'local:proc',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ nickname: 'corolla' }),
  })
  expect(added.status).toBe(201)
  child.kill('SIGTERM')
  expect(await exitWithin(child, 5_000)).toBe(0)
})

test('without SERVICE_TOKEN it stops at once, naming the setting', async () => {
  const child = start({})
  expect(await exitWithin(child, 5_000)).toBe(2)
  expect(await new Response(child.stderr as ReadableStream).text()).toContain('SERVICE_TOKEN is missing')
})
