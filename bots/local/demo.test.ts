/**
 * End to end as a newcomer runs it: `bun bots/local/demo.ts` with the spine's session piped
 * into stdin, no REDIS_URL (the demo starts its own redis-server), a temporary DATA_DIR and
 * free ports for everything, so it never meets another test or a running demo.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type Subprocess, spawn } from 'bun'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { freePort, uniquePrefix } from '../../test/redis.ts'

const ROOT = join(import.meta.dir, '..', '..')
const dataDir = mkdtempSync(join(tmpdir(), 'cm-demo-'))

const SESSION = [
  '# the spine session',
  '/car add corolla make:Toyota model:Corolla year:2018 odometer:"52,000 mi" plate:AB-123',
  '/car list',
  '',
  '/car show corolla',
  '/car show civic',
  '/car add civic year:1700',
  '/car edit corolla odometer:"53,100 mi"',
  '/car odometer corolla reading:"53,400 mi"',
  '/car remove corolla confirm:yes',
  '/garage help',
]

let demo: Subprocess<'pipe', 'pipe', 'pipe'> | undefined
let stdout = ''
let exitCode: number | undefined

/** Processes whose environment or arguments carry this test's DATA_DIR: the demo's children. */
function ours(): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8')
      if (cmdline.includes(dataDir) || environ.includes(`DATA_DIR=${dataDir}`)) pids.push(Number(entry))
    } catch {}
  }
  return pids
}

beforeAll(async () => {
  const port = async () => String(await freePort())
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    DATA_DIR: dataDir,
    QUEUE_PREFIX: uniquePrefix('demo'),
    LOCAL_TENANT: 'e2e',
    ITEMS_PORT: await port(),
    ISSUES_PORT: await port(),
    IMAGES_PORT: await port(),
    QUOTES_PORT: await port(),
    CALCULATOR_PORT: await port(),
    REPORTS_PORT: await port(),
    WORKER_PORT: await port(),
    SLACK_PORT: await port(),
  }
  demo = spawn([process.execPath, join(ROOT, 'bots/local/demo.ts')], {
    // Not the project folder, so a developer's .env there does not leak into the test.
    cwd: dataDir,
    env,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  demo.stdin.write(`${SESSION.join('\n')}\n`)
  demo.stdin.end()
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) stdout += decoder.decode(chunk)
  }
  const drained = Promise.all([drain(demo.stdout), drain(demo.stderr)])
  const timeout = Bun.sleep(50_000).then(() => 'timeout' as const)
  const outcome = await Promise.race([demo.exited, timeout])
  if (outcome === 'timeout') demo.kill('SIGKILL')
  else exitCode = outcome
  await Promise.race([drained, Bun.sleep(2_000)])
}, 60_000)

afterAll(async () => {
  if (demo && demo.exitCode === null) demo.kill('SIGKILL')
  // The demo's watchdogs stop its children when it dies; whatever is left is killed by pid.
  const deadline = Date.now() + 5_000
  while (ours().length > 0 && Date.now() < deadline) await Bun.sleep(200)
  for (const pid of ours()) process.kill(pid, 'SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
})

/** The chat's output: each echoed command with the reply lines after it (child logs left out). */
function blocks(): Map<string, string> {
  const map = new Map<string, string>()
  let current: string | undefined
  for (const line of stdout.split('\n')) {
    if (/^[a-z]+ *\| /.test(line)) continue
    if (line.startsWith('> ')) {
      current = line.slice(2)
      map.set(current, '')
    } else if (current !== undefined) map.set(current, `${map.get(current)}${line}\n`)
  }
  return map
}

test('the scripted session runs through Redis, the worker and the items service, and exits 0', () => {
  const b = blocks()
  const reply = (line: string) => {
    const text = b.get(line)
    if (text === undefined) throw new Error(`no output for ${line}\n--- demo output ---\n${stdout}`)
    return text
  }
  if (exitCode !== 0) throw new Error(`demo exited with ${exitCode}\n--- demo output ---\n${stdout}`)
  const [, add, list, show, showCivic, addCivic, edit, odometer, remove, help] = SESSION.filter(Boolean)
  expect(reply(add!)).toContain('corolla')
  expect(reply(add!)).not.toContain('[error]')
  expect(reply(list!)).toContain('corolla')
  expect(reply(show!)).toContain('52,000 mi')
  expect(reply(show!)).toContain('Toyota')
  expect(reply(showCivic!)).toContain('[error]')
  expect(reply(showCivic!)).toContain('no car "civic"')
  expect(reply(addCivic!)).toStartWith('[error] year: "1700" is too small; the smallest accepted is 1886')
  expect(reply(edit!)).toContain('53,100 mi')
  expect(reply(edit!)).not.toContain('[error]')
  expect(reply(odometer!)).toContain('53,400 mi')
  expect(reply(odometer!)).not.toContain('[error]')
  expect(reply(remove!)).toContain('corolla')
  expect(reply(remove!)).not.toContain('[error]')
  expect(reply(help!)).toStartWith('Car Manager commands\n/')
  expect(reply(help!)).toContain('/car — Add, show, edit and remove the cars of this garage')
  // Comments and blank lines are not commands.
  expect([...b.keys()]).toEqual(SESSION.filter((l) => l && !l.startsWith('#')))
})

test('the demo generated its service token (mode 600) and kept Redis data under DATA_DIR', () => {
  const token = statSync(join(dataDir, 'service-token'))
  expect(token.mode & 0o777).toBe(0o600)
  expect(readFileSync(join(dataDir, 'service-token'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/)
  expect(statSync(join(dataDir, 'redis')).isDirectory()).toBe(true)
  expect(stdout).toContain('demo | started items')
  expect(stdout).toContain('demo | started worker')
})

test('nothing the demo started outlives it', async () => {
  const deadline = Date.now() + 5_000
  while (ours().length > 0 && Date.now() < deadline) await Bun.sleep(100)
  expect(ours()).toEqual([])
})

test('without REDIS_URL and without redis-server on PATH the demo says how to install it and exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-demo-noredis-'))
  try {
    const proc = spawn([process.execPath, join(ROOT, 'bots/local/demo.ts')], {
      cwd: dir,
      env: { PATH: dirname(process.execPath), HOME: dir, DATA_DIR: dir },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const code = await Promise.race([proc.exited, Bun.sleep(15_000).then(() => 'timeout' as const)])
    if (code === 'timeout') proc.kill('SIGKILL')
    expect(code).toBe(1)
    const err = await new Response(proc.stderr).text()
    expect(err).toContain('redis-server is not installed')
    expect(err).toContain('apt-get install -y redis-server')
    expect(err).toContain('brew install redis')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
