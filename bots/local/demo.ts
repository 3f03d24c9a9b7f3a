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
 *
 * One demo per DATA_DIR: `DATA_DIR/demo.pid` holds the running demo's pid (the lock of a demo
 * that is gone is taken over), and a second demo there refuses in one line. Before starting
 * anything it checks that the port of every process it starts is free, and refuses in one line
 * naming the port and its setting. Once ready, a process that exits unexpectedly is started
 * again after 0.5 s, then 1, 2, 4 … up to 10 s between tries (back to 0.5 s once it stayed up a
 * minute), each time said in one line.
 */
import { type Subprocess, spawn } from 'bun'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Config, loadConfig, type SettingName } from '../../lib/config.ts'
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../../lib/contracts/services.ts'
import { runChat } from './index.ts'
import {
  freePort,
  killWithParent,
  portInUse,
  redisServerCommand,
  takeLock,
  waitForRedis,
  waitHealthy,
} from './processes.ts'

const ROOT = join(import.meta.dir, '..', '..')

/**
 * What the Slack app needs, as bots/slack/index.ts checks it at start: OAuth installs (any of
 * SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET set) need all of them and
 * SLACK_TOKEN_KEY, and no SLACK_BOT_TOKEN (each workspace installs the app); otherwise
 * SLACK_BOT_TOKEN. Socket Mode (an app token) needs no signing secret; the HTTP receiver does.
 */
export function slackNeeds(config: Config): (keyof Config)[] {
  const oauth = Boolean(config.SLACK_CLIENT_ID || config.SLACK_CLIENT_SECRET || config.SLACK_STATE_SECRET)
  const token: (keyof Config)[] = oauth
    ? ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'SLACK_TOKEN_KEY']
    : ['SLACK_BOT_TOKEN']
  return config.SLACK_APP_TOKEN ? token : [...token, 'SLACK_SIGNING_SECRET']
}

/** Settings a Procfile process needs before the demo starts it. */
const NEEDS: Record<string, { settings: (config: Config) => (keyof Config)[]; what: string }> = {
  discord: { settings: () => ['DISCORD_TOKEN', 'DISCORD_APP_ID'], what: 'the Discord bot' },
  slack: { settings: slackNeeds, what: 'the Slack app' },
}

/** The setting holding the port of a Procfile process's /health: each service's, and the worker's. */
function healthPort(name: string): SettingName | undefined {
  if (name === 'worker') return 'WORKER_PORT'
  return (SERVICE_NAMES as readonly string[]).includes(name) ? SERVICES[name as ServiceName].port : undefined
}

/** The setting holding the port a Procfile process listens on: its /health, or Slack's HTTP receiver. */
function listenPort(name: string, config: Config): SettingName | undefined {
  if (name === 'slack') return config.SLACK_APP_TOKEN ? undefined : 'SLACK_PORT'
  return healthPort(name)
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
/** A refusal to start: one line on stderr, exit 1. */
function refuse(line: string): never {
  process.stderr.write(`demo | ${line}\n`)
  process.exit(1)
}

/** Restart backoff: the first wait, its cap, and how long a process must stay up to reset it. */
export const RESTART = { firstMs: 500, maxMs: 10_000, resetAfterMs: 60_000 }

/** The wait before the next start of a process that exited after `upMs` up, its last wait being `lastMs` (0: none yet). */
export function restartDelay(lastMs: number, upMs: number): number {
  if (lastMs === 0 || upMs >= RESTART.resetAfterMs) return RESTART.firstMs
  return Math.min(lastMs * 2, RESTART.maxMs)
}

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
let releaseLock = () => {}

/** Stops every child, then Redis, and exits with `code`. */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    await Promise.all(children.map((c) => stopChild(c)))
    if (redis) await stopChild(redis)
    releaseLock()
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
  const lock = takeLock(join(dataDir, 'demo.pid'), 'demo')
  if (!lock.ok)
    refuse(`another demo (pid ${lock.pid}) is running on DATA_DIR=${dataDir}; stop it, or set DATA_DIR to another folder`)
  releaseLock = lock.release
  process.on('exit', () => releaseLock())
  if (lock.stale) say(`took over the lock of a demo that is gone (pid ${lock.stale})`)

  const procfilePath = join(ROOT, 'Procfile')
  const entries = existsSync(procfilePath) ? parseProcfile(readFileSync(procfilePath, 'utf8')) : []
  const width = Math.max(5, ...entries.map((e) => e.name.length))
  const host = config.SERVICE_HOST === '0.0.0.0' ? '127.0.0.1' : config.SERVICE_HOST

  const skips: string[] = []
  const starting = entries.filter((entry) => {
    const need = NEEDS[entry.name]
    const missing = need?.settings(config).filter((s) => !config[s]) ?? []
    if (need && missing.length > 0) skips.push(`skip ${entry.name}: set ${missing.join(' and ')} to start ${need.what}`)
    return !(need && missing.length > 0)
  })
  // A port taken (often by a demo on another DATA_DIR) would kill its process at start.
  for (const entry of starting) {
    const setting = listenPort(entry.name, config)
    const port = setting ? Number(config[setting]) : 0
    if (port > 0 && portInUse(port, config.SERVICE_HOST))
      refuse(`port ${port} (${setting}, for ${entry.name}) is in use; stop what listens there, or set ${setting} to a free port`)
  }
  for (const line of skips) say(line)

  let redisUrl = config.REDIS_URL
  try {
    redisUrl ??= await startRedis(dataDir, width)
  } catch (error) {
    say(`cannot start Redis: ${(error as Error).message}`)
    return stopAll(1)
  }
  const token = config.SERVICE_TOKEN ?? serviceToken(dataDir)

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

  let ready = false
  const waits: Promise<void>[] = []
  for (const entry of starting) {
    const command = entry.command[0] === 'bun' ? [process.execPath, ...entry.command.slice(1)] : entry.command
    let lastDelay = 0
    const start = (): Child => {
      const child = startChild(entry.name, command, env, width)
      const startedAt = Date.now()
      child.proc.exited.then(() => {
        child.watchdog?.kill('SIGKILL')
        if (stopping) return
        const how =
          child.proc.signalCode !== null
            ? `was killed (${child.proc.signalCode})`
            : `exited with code ${child.proc.exitCode}`
        // Before ready, a process that ends stops the demo (the wait for its /health says why).
        if (!ready) return say(`${entry.name} ${how}`)
        lastDelay = restartDelay(lastDelay, Date.now() - startedAt)
        say(`${entry.name} ${how}; restarting it in ${lastDelay / 1000} s`)
        setTimeout(() => {
          if (stopping) return
          const i = children.indexOf(child)
          const next = start()
          if (i >= 0) children[i] = next
          else children.push(next)
        }, lastDelay)
      })
      return child
    }
    const child = start()
    children.push(child)
    say(`started ${entry.name} (pid ${child.proc.pid})`)
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
  ready = true
  say(
    `ready: ${children.map((c) => c.name).join(', ') || 'no processes'}; terminal chat as local:${config.LOCAL_TENANT}`,
  )
  const code = await runChat({
    // The chat fetches the files replies carry from the images service, with the stack's token.
    config: { ...config, DATA_DIR: dataDir, SERVICE_TOKEN: token, IMAGES_URL: env.IMAGES_URL ?? config.IMAGES_URL },
    redisUrl,
  })
  return stopAll(code)
}

if (import.meta.main) {
  main().catch((error) => {
    say(`failed: ${(error as Error).stack ?? error}`)
    void stopAll(1)
  })
}
