/**
 * `bun run demo`: the whole system on one machine with nothing installed by hand.
 *
 * 1. With no REDIS_URL, starts `redis-server` from PATH on a free loopback port (AOF everysec,
 *    noeviction, data in DATA_DIR/redis), or says exactly how to install it and exits 1.
 * 2. With no SERVICE_TOKEN, generates one into DATA_DIR/service-token (mode 600) once.
 * 3. Starts every Procfile process whose entry file exists and whose settings are present
 *    (a bot without credentials is skipped with one line saying what to set), each child's
 *    output prefixed with its name, and waits for each service's /health.
 * 4. Ends in the terminal chat on this terminal's stdin (children never read it).
 * 5. On Ctrl-C, SIGTERM or end of input stops every child (SIGTERM, then SIGKILL) and its
 *    Redis, and exits with the chat's exit code.
 */
import { type Subprocess, spawn } from 'bun'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import IORedis from 'ioredis'
import { type Config, loadConfig } from '../../lib/config.ts'
import { runChat } from './index.ts'

const ROOT = join(import.meta.dir, '..', '..')

/** Settings a Procfile process needs before the demo starts it. */
const NEEDS: Record<string, { settings: (config: Config) => (keyof Config)[]; what: string }> = {
  discord: { settings: () => ['DISCORD_TOKEN', 'DISCORD_APP_ID'], what: 'the Discord bot' },
  // Socket Mode (an app token) needs no signing secret; the HTTP receiver does.
  slack: {
    settings: (config) => (config.SLACK_APP_TOKEN ? ['SLACK_BOT_TOKEN'] : ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']),
    what: 'the Slack app',
  },
}

/** Processes with a /health route, and the setting holding their port. */
const HEALTH_PORT: Record<string, keyof Config> = {
  items: 'ITEMS_PORT',
  issues: 'ISSUES_PORT',
  images: 'IMAGES_PORT',
  quotes: 'QUOTES_PORT',
  calculator: 'CALCULATOR_PORT',
  worker: 'WORKER_PORT',
}

const SERVICE_URL: Record<string, [keyof Config, keyof Config]> = {
  items: ['ITEMS_URL', 'ITEMS_PORT'],
  issues: ['ISSUES_URL', 'ISSUES_PORT'],
  images: ['IMAGES_URL', 'IMAGES_PORT'],
  quotes: ['QUOTES_URL', 'QUOTES_PORT'],
  calculator: ['CALCULATOR_URL', 'CALCULATOR_PORT'],
}

export type ProcfileEntry = { name: string; command: string[] }

/** `name: command args…` lines; blank lines and `#` comments ignored. */
export function parseProcfile(text: string): ProcfileEntry[] {
  const entries: ProcfileEntry[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const m = /^([A-Za-z0-9_-]+)\s*:\s*(.+)$/.exec(line)
    if (!m) continue
    entries.push({ name: m[1]!, command: m[2]!.trim().split(/\s+/) })
  }
  return entries
}

const say = (line: string) => process.stdout.write(`demo | ${line}\n`)

type Child = { name: string; proc: Subprocess; watchdog?: Subprocess }

const children: Child[] = []
let redis: Child | undefined

/** Copies a child's output to ours, each line prefixed with its name. */
function pipeLines(name: string, stream: ReadableStream<Uint8Array> | undefined, width: number) {
  if (!stream) return
  const label = `${name.padEnd(width)} | `
  void (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of stream) {
        buffer += decoder.decode(chunk, { stream: true })
        let nl = buffer.indexOf('\n')
        while (nl >= 0) {
          process.stdout.write(`${label}${buffer.slice(0, nl)}\n`)
          buffer = buffer.slice(nl + 1)
          nl = buffer.indexOf('\n')
        }
      }
    } catch {}
    if (buffer) process.stdout.write(`${label}${buffer}\n`)
  })()
}

/** A child that must not outlive the demo even if the demo is killed with SIGKILL. */
function startChild(
  name: string,
  command: string[],
  env: Record<string, string | undefined>,
  width: number,
  quiet = false,
): Child {
  const proc = spawn(command, {
    cwd: ROOT,
    env,
    stdin: 'ignore',
    stdout: quiet ? 'ignore' : 'pipe',
    stderr: 'pipe',
  })
  if (!quiet) pipeLines(name, proc.stdout as ReadableStream<Uint8Array>, width)
  pipeLines(name, proc.stderr as ReadableStream<Uint8Array>, width)
  const watchdog = spawn(
    [
      'sh',
      '-c',
      `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${proc.pid} 2>/dev/null`,
    ],
    { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' },
  )
  watchdog.unref()
  return { name, proc, watchdog }
}

async function stopChild(child: Child, graceMs = 5_000) {
  if (child.proc.exitCode === null && child.proc.signalCode === null) {
    child.proc.kill('SIGTERM')
    const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs)
    await child.proc.exited
    clearTimeout(timer)
  }
  child.watchdog?.kill('SIGKILL')
}

let stopping: Promise<never> | undefined

/** Stops every child, then Redis, and exits with `code`. */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    await Promise.all(children.map((c) => stopChild(c)))
    if (redis) await stopChild(redis)
    process.exit(code)
  })()
  return stopping
}

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = server.port!
  server.stop(true)
  return port
}

async function startRedis(dataDir: string, width: number): Promise<string> {
  const binary = Bun.which('redis-server')
  if (!binary) {
    process.stderr.write(
      [
        'car-manager demo: REDIS_URL is not set and redis-server is not installed.',
        'Install Redis, then run `bun run demo` again:',
        '  Debian/Ubuntu:  sudo apt-get install -y redis-server',
        '  macOS:          brew install redis',
        'or point REDIS_URL at a Redis you already run, e.g. REDIS_URL=redis://127.0.0.1:6379 bun run demo',
        '',
      ].join('\n'),
    )
    process.exit(1)
  }
  const dir = join(dataDir, 'redis')
  mkdirSync(dir, { recursive: true })
  const port = await freePort()
  redis = startChild(
    'redis',
    [
      binary,
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--loglevel',
      'warning',
    ],
    {},
    width,
    // Redis prints its banner and warnings on stdout; a failure to start shows as the error below.
    true,
  )
  const deadline = Date.now() + 10_000
  for (;;) {
    if (redis.proc.exitCode !== null) throw new Error(`redis-server exited with code ${redis.proc.exitCode}`)
    const probe = new IORedis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    })
    probe.on('error', () => {})
    try {
      await probe.connect()
      await probe.ping()
      probe.disconnect()
      break
    } catch {
      probe.disconnect()
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s`)
      await Bun.sleep(50)
    }
  }
  say(`redis-server on 127.0.0.1:${port} (data in ${dir})`)
  return `redis://127.0.0.1:${port}`
}

/** Reads DATA_DIR/service-token, or creates it (mode 600) on the first run. */
function serviceToken(dataDir: string): string {
  const file = join(dataDir, 'service-token')
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim()
    if (token.length >= 16) return token
  }
  const token = randomBytes(32).toString('hex')
  writeFileSync(file, `${token}\n`, { mode: 0o600 })
  say(`generated SERVICE_TOKEN into ${file}`)
  return token
}

async function waitHealthy(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.proc.exitCode !== null)
      throw new Error(`${child.name} exited with code ${child.proc.exitCode} before it was healthy`)
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1_000) })
      if (r.ok) return
    } catch {}
    if (Date.now() > deadline)
      throw new Error(`${child.name} did not answer ${url} within ${timeoutMs / 1000} s`)
    await Bun.sleep(100)
  }
}

async function main(): Promise<never> {
  process.on('SIGINT', () => void stopAll(130))
  process.on('SIGTERM', () => void stopAll(143))
  const config = loadConfig()
  const dataDir = resolve(config.DATA_DIR)
  mkdirSync(dataDir, { recursive: true })

  const procfilePath = join(ROOT, 'Procfile')
  const entries = existsSync(procfilePath) ? parseProcfile(readFileSync(procfilePath, 'utf8')) : []
  const width = Math.max(5, ...entries.map((e) => e.name.length))

  let redisUrl = config.REDIS_URL
  try {
    redisUrl ??= await startRedis(dataDir, width)
  } catch (error) {
    say(`cannot start Redis: ${(error as Error).message}`)
    return stopAll(1)
  }
  const token = config.SERVICE_TOKEN ?? serviceToken(dataDir)
  const host = config.SERVICE_HOST === '0.0.0.0' ? '127.0.0.1' : config.SERVICE_HOST

  const env: Record<string, string | undefined> = {
    ...process.env,
    REDIS_URL: redisUrl,
    SERVICE_TOKEN: token,
    DATA_DIR: dataDir,
    // Children log warnings and errors only, unless LOG_LEVEL asks for more.
    LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
  }
  // A service moved to another port is reached there, unless its URL is set explicitly.
  for (const [urlSetting, portSetting] of Object.values(SERVICE_URL)) {
    if (!process.env[urlSetting]) env[urlSetting] = `http://${host}:${config[portSetting]}`
  }

  const waits: Promise<void>[] = []
  for (const entry of entries) {
    const need = NEEDS[entry.name]
    const missing = need?.settings(config).filter((s) => !config[s]) ?? []
    if (need && missing.length > 0) {
      say(`skip ${entry.name}: set ${missing.join(' and ')} to start ${need.what}`)
      continue
    }
    const file = entry.command.find((a) => /\.(ts|js)$/.test(a))
    if (file && !existsSync(join(ROOT, file))) {
      say(`skip ${entry.name}: ${file} does not exist yet`)
      continue
    }
    const command = entry.command[0] === 'bun' ? [process.execPath, ...entry.command.slice(1)] : entry.command
    const child = startChild(entry.name, command, env, width)
    children.push(child)
    say(`started ${entry.name} (pid ${child.proc.pid})`)
    child.proc.exited.then((code) => {
      if (!stopping) say(`${entry.name} exited with code ${code}`)
    })
    const portSetting = HEALTH_PORT[entry.name]
    const port = portSetting ? Number(config[portSetting]) : 0
    if (portSetting && port > 0) waits.push(waitHealthy(child, `http://${host}:${port}/health`))
  }
  try {
    await Promise.all(waits)
  } catch (error) {
    say(`${(error as Error).message}; stopping`)
    return stopAll(1)
  }
  say(
    `ready: ${children.map((c) => c.name).join(', ') || 'no processes'}; terminal chat as local:${config.LOCAL_TENANT}`,
  )
  const code = await runChat({ config: { ...config, DATA_DIR: dataDir }, redisUrl })
  return stopAll(code)
}

if (import.meta.main) {
  main().catch((error) => {
    say(`failed: ${(error as Error).stack ?? error}`)
    void stopAll(1)
  })
}
