/**
 * `bun run demo`: the whole system on one machine with nothing installed by hand.
 *
 * 1. With no REDIS_URL, starts `redis-server` from PATH on a free loopback port (AOF everysec,
 *    noeviction, data in DATA_DIR/redis), or says exactly how to install it and exits 1.
 * 2. With no SERVICE_TOKEN, generates one into DATA_DIR/service-token (mode 600) once.
 * 3. Starts every Procfile process whose settings are present (a bot without credentials is
 *    skipped with one line saying what to set), each child's output prefixed with its name,
 *    and waits for the /health of each service (lib/contracts/services.ts) and the worker.
 * 4. Ends in the terminal chat on this terminal's stdin (children never read it).
 * 5. On Ctrl-C, SIGTERM or end of input stops every child (SIGTERM, then SIGKILL) and its
 *    Redis, and exits with the chat's exit code.
 */
import { type Subprocess, spawn } from 'bun'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Config, loadConfig, type SettingName } from '../../lib/config.ts'
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../../lib/contracts/services.ts'
import { runChat } from './index.ts'
import { freePort, killWithParent, redisServerCommand, waitForRedis, waitHealthy } from './processes.ts'

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

/** The setting holding the port of a Procfile process's /health: each service's, and the worker's. */
function healthPort(name: string): SettingName | undefined {
  if (name === 'worker') return 'WORKER_PORT'
  return (SERVICE_NAMES as readonly string[]).includes(name) ? SERVICES[name as ServiceName].port : undefined
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
  return { name, proc, watchdog: killWithParent(proc.pid) }
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
  const server = startChild(
    'redis',
    [...redisServerCommand({ binary, port, dir, aof: true }), '--loglevel', 'warning'],
    {},
    width,
    // Redis prints its banner and warnings on stdout; a failure to start shows as the error below.
    true,
  )
  redis = server
  await waitForRedis(port, 10_000, () => server.proc.exitCode)
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
  for (const service of Object.values(SERVICES)) {
    if (!process.env[service.url]) env[service.url] = `http://${host}:${config[service.port]}`
  }

  const waits: Promise<void>[] = []
  for (const entry of entries) {
    const need = NEEDS[entry.name]
    const missing = need?.settings(config).filter((s) => !config[s]) ?? []
    if (need && missing.length > 0) {
      say(`skip ${entry.name}: set ${missing.join(' and ')} to start ${need.what}`)
      continue
    }
    const command = entry.command[0] === 'bun' ? [process.execPath, ...entry.command.slice(1)] : entry.command
    const child = startChild(entry.name, command, env, width)
    children.push(child)
    say(`started ${entry.name} (pid ${child.proc.pid})`)
    child.proc.exited.then((code) => {
      if (!stopping) say(`${entry.name} exited with code ${code}`)
    })
    const portSetting = healthPort(entry.name)
    const port = portSetting ? Number(config[portSetting]) : 0
    if (port > 0)
      waits.push(waitHealthy(entry.name, `http://${host}:${port}/health`, () => child.proc.exitCode))
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
