/**
 * Real processes for fault tests: the items service and the worker started as `bun <entry>`
 * with their own environment, killed with SIGKILL or stopped with SIGTERM as an operator would.
 */
import { type Subprocess, spawn } from 'bun'
import { join } from 'node:path'
import { waitHealthy as waitForHealth } from '../bots/local/processes.ts'
import { freePort } from './redis.ts'

const ROOT = join(import.meta.dir, '..')

export type Proc = {
  name: string
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  output: () => string
  kill: (signal?: NodeJS.Signals) => void
  exited: Promise<number>
}

export function startProcess(name: string, entry: string, env: Record<string, string>): Proc {
  const proc = spawn(['bun', join(ROOT, entry)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let out = ''
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) out += decoder.decode(chunk)
  }
  void drain(proc.stdout)
  void drain(proc.stderr)
  // A test that fails must not leave its processes behind.
  const guard = () => proc.kill('SIGKILL')
  process.once('exit', guard)
  return {
    name,
    proc,
    output: () => out,
    kill: (signal = 'SIGKILL') => proc.kill(signal),
    exited: proc.exited.finally(() => process.off('exit', guard)),
  }
}

/** Waits until GET url answers 2xx; throws, with the process's output, when it exits or the deadline passes. */
export async function waitHealthy(p: Proc, url: string, timeoutMs = 15_000): Promise<void> {
  await waitForHealth(p.name, url, () => p.proc.exitCode, timeoutMs).catch((e: Error) => {
    throw new Error(`${e.message}\n${p.output()}`)
  })
}

/**
 * The settings of an items service and a worker run as processes by a fault test: its Redis, its
 * data folder, free ports, a short worker lock (2 s) and six attempts per command.
 */
export async function faultStackEnv(o: { redisUrl: string; dataDir: string; token: string; prefix: string }) {
  const itemsPort = await freePort()
  return {
    REDIS_URL: o.redisUrl,
    DATA_DIR: o.dataDir,
    SERVICE_TOKEN: o.token,
    QUEUE_PREFIX: o.prefix,
    ITEMS_PORT: String(itemsPort),
    ITEMS_URL: `http://127.0.0.1:${itemsPort}`,
    WORKER_PORT: String(await freePort()),
    WORKER_LOCK_MS: '2000',
    COMMAND_ATTEMPTS: '6',
    LOG_LEVEL: 'warn',
  }
}

