/**
 * The demo as a supervisor: one demo per DATA_DIR (a second one refuses in one line and the
 * first keeps running), a taken port refused in one line naming its setting, and a service that
 * dies is started again and answers /health. The demo runs as `bun bots/local/demo.ts` with its
 * own redis-server, a temporary DATA_DIR and free ports, its chat waiting on an open stdin.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { type Subprocess, spawn } from 'bun'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, uniquePrefix } from '../../test/redis.ts'
import { RESTART, restartDelay } from './demo.ts'
import { takeLock } from './processes.ts'

const ROOT = join(import.meta.dir, '..', '..')
const DEMO = join(ROOT, 'bots/local/demo.ts')
const dirs: string[] = []
const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `cm-${name}-`))
  dirs.push(dir)
  return dir
}

let dataDir: string
let env: Record<string, string>
let demo: Subprocess<'pipe', 'pipe', 'pipe'>
let output = ''

/** Processes whose environment or arguments carry one of this test's folders. */
function ours(): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8')
      if (dirs.some((d) => cmdline.includes(d) || environ.includes(`DATA_DIR=${d}`))) pids.push(Number(entry))
    } catch {}
  }
  return pids
}

async function until<T>(what: string, look: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await look()
    if (found) return found
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000} s\n--- demo output ---\n${output}`)
    await Bun.sleep(50)
  }
}

async function health(port: string): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1_000) })).ok
  } catch {
    return false
  }
}

async function ports(): Promise<Record<string, string>> {
  const names = ['ITEMS_PORT', 'ISSUES_PORT', 'IMAGES_PORT', 'QUOTES_PORT', 'CALCULATOR_PORT', 'WORKER_PORT', 'SLACK_PORT']
  const out: Record<string, string> = {}
  for (const name of names) out[name] = String(await freePort())
  return out
}

/** Runs a demo that must refuse to start: its exit code and everything it printed. */
async function refused(extra: Record<string, string>): Promise<{ code: number | 'timeout'; text: string }> {
  const proc = spawn([process.execPath, DEMO], {
    cwd: extra.DATA_DIR,
    env: { ...env, ...extra },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const code = await Promise.race([proc.exited, Bun.sleep(20_000).then(() => 'timeout' as const)])
  if (code === 'timeout') proc.kill('SIGKILL')
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  return { code, text: `${out}${err}` }
}

beforeAll(async () => {
  dataDir = tempDir('supervise')
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    DATA_DIR: dataDir,
    QUEUE_PREFIX: uniquePrefix('supervise'),
    LOCAL_TENANT: 'supervise',
    ...(await ports()),
  }
  demo = spawn([process.execPath, DEMO], { cwd: dataDir, env, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' })
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) output += decoder.decode(chunk)
  }
  void drain(demo.stdout)
  void drain(demo.stderr)
  await until('the demo was not ready', () => output.includes('demo | ready:'), 40_000)
}, 60_000)

afterAll(async () => {
  if (demo && demo.exitCode === null) {
    demo.stdin.end()
    await Promise.race([demo.exited, Bun.sleep(10_000)])
    if (demo.exitCode === null) demo.kill('SIGKILL')
  }
  const deadline = Date.now() + 5_000
  while (ours().length > 0 && Date.now() < deadline) await Bun.sleep(200)
  for (const pid of ours()) process.kill(pid, 'SIGKILL')
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
}, 30_000)

describe('the demo', () => {
  test('holds DATA_DIR/demo.pid with its pid', () => {
    expect(readFileSync(join(dataDir, 'demo.pid'), 'utf8').trim()).toBe(String(demo.pid))
  })

  test('a second demo on the same DATA_DIR refuses in one line, and the first keeps running', async () => {
    const second = await refused({ DATA_DIR: dataDir, ...(await ports()) })
    expect(second.code).toBe(1)
    expect(second.text.trim().split('\n')).toEqual([
      `demo | another demo (pid ${demo.pid}) is running on DATA_DIR=${dataDir}; stop it, or set DATA_DIR to another folder`,
    ])
    expect(demo.exitCode).toBeNull()
    expect(await health(env.ITEMS_PORT!)).toBe(true)
    expect(readFileSync(join(dataDir, 'demo.pid'), 'utf8').trim()).toBe(String(demo.pid))
  })

  test('a demo on another DATA_DIR whose port is taken refuses in one line naming the port and its setting', async () => {
    const other = tempDir('supervise-other')
    const third = await refused({ DATA_DIR: other })
    expect(third.code).toBe(1)
    expect(third.text.trim().split('\n')).toEqual([
      `demo | port ${env.ITEMS_PORT} (ITEMS_PORT, for items) is in use; stop what listens there, or set ITEMS_PORT to a free port`,
    ])
    expect(existsSync(join(other, 'demo.pid'))).toBe(false)
    expect(demo.exitCode).toBeNull()
  })

  test('a killed service is started again, said in one line, and answers /health again', async () => {
    const pid = Number(/demo \| started items \(pid (\d+)\)/.exec(output)![1])
    process.kill(pid, 'SIGKILL')
    await until('no restart line', () =>
      output.includes('demo | items was killed (SIGKILL); restarting it in 0.5 s\n'),
    )
    await until('items did not answer /health again', () => health(env.ITEMS_PORT!), 15_000)
    expect(demo.exitCode).toBeNull()
    const restarted = ours().filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('services/items/index.ts')
      } catch {
        return false
      }
    })
    expect(restarted).toHaveLength(1)
    expect(restarted[0]).not.toBe(pid)
    // The supervisor's own lines carry no stack trace.
    expect(output.split('\n').filter((l) => l.startsWith('demo | ') && /^\s+at /.test(l))).toEqual([])
  }, 30_000)

  test('ends when its input ends, exit 0, and leaves no lock behind', async () => {
    demo.stdin.end()
    const code = await Promise.race([demo.exited, Bun.sleep(15_000).then(() => 'timeout' as const)])
    expect(code).toBe(0)
    expect(existsSync(join(dataDir, 'demo.pid'))).toBe(false)
  }, 20_000)
})

describe('the lock and the backoff', () => {
  test("a lock held by a running process is refused; a gone process's lock is taken over", async () => {
    const dir = tempDir('lock')
    const file = join(dir, 'demo.pid')
    const holder = spawn(['sleep', '30'], { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' })
    try {
      // Until it has exec'd, the child's command line is still its parent's.
      await until('sleep did not start', () => readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').includes('sleep'))
      writeFileSync(file, `${holder.pid}\n`)
      expect(takeLock(file, 'sleep')).toEqual({ ok: false, pid: holder.pid })
      holder.kill('SIGKILL')
      await holder.exited
      const lock = takeLock(file, 'sleep')
      expect(lock).toMatchObject({ ok: true, stale: holder.pid })
      expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`)
      if (lock.ok) lock.release()
      expect(existsSync(file)).toBe(false)
    } finally {
      holder.kill('SIGKILL')
    }
  })

  test('restarts wait 0.5 s doubling to 10 s, and 0.5 s again after a minute up', () => {
    const waits: number[] = []
    let last = 0
    for (let i = 0; i < 7; i++) waits.push((last = restartDelay(last, 1_000)))
    expect(waits).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000])
    expect(restartDelay(10_000, RESTART.resetAfterMs)).toBe(500)
  })
})
